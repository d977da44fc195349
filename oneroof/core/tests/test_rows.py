"""The rows inserted by hand (`core.rows`) send no model signals: nothing may listen for them."""

from django.db.models.signals import post_save, pre_save

from oneroof.queueing.models import Ticket, TicketEvent
from oneroof.transactions.models import TransactionRecord


def test_no_receiver_waits_for_the_saves_of_rows_inserted_by_hand():
    # Tickets, their events and transaction records are inserted through core.rows on the
    # queue's hot paths, which skips pre_save and post_save: a receiver added for one of
    # them would silently never run there.
    for model in (Ticket, TicketEvent, TransactionRecord):
        assert not pre_save.has_listeners(model), model.__name__
        assert not post_save.has_listeners(model), model.__name__
