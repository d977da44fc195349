"""latest_leg: the page of a visitor's first ticket follows them through transfers."""

import pytest

from oneroof.queueing import actions
from oneroof.queueing.choices import TicketStatus
from oneroof.queueing.selectors import latest_leg, ticket_payload, ticket_view
from oneroof.queueing.tests.factories import (
    ID_CARD,
    called_ticket,
    fresh,
    issue,
    open_counter,
    reload,
    service,
)

pytestmark = pytest.mark.django_db


def test_a_ticket_never_transferred_is_its_own_latest_leg(always_open):
    ticket = issue()
    assert latest_leg(ticket) == ticket


def test_the_first_ticket_leads_to_the_visitors_current_one_across_transfers(
    always_open, employee_a, supervisor_a
):
    # given a visitor transferred from passports to the civil registry and back again
    _desk, ticket = called_ticket(employee_a, 1)
    second = actions.ticket_transfer(
        ticket=ticket, service=service(ID_CARD), acting_user=fresh(employee_a)
    )
    desk_2 = open_counter(supervisor_a, 2, prefixes=("B",))
    called = actions.ticket_call_next(counter=desk_2, acting_user=supervisor_a)
    assert called.pk == second.pk
    third = actions.ticket_transfer(
        ticket=called, service=service("lost-passport-replacement"), acting_user=supervisor_a
    )

    # when the first ticket is looked up
    current = latest_leg(reload(ticket))

    # then it is the third leg, waiting in the passports line with the same number
    assert current.pk == third.pk
    assert current.status == TicketStatus.WAITING
    assert current.number == ticket.number
    # and the visitor's page shows it
    payload = ticket_payload(ticket_view(reload(ticket)))
    assert payload["id"] == third.public_id
    assert payload["status"] == "waiting"
    assert payload["service"] == "lost-passport-replacement"
