"""ticket_no_show and ticket_requeue: a visitor who did not come, and who comes back."""

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, TicketStatus
from oneroof.queueing.models import Ticket
from oneroof.queueing.tests.factories import (
    called_ticket,
    events_of,
    fresh,
    issue,
    reload,
    set_policy,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_a_called_visitor_who_does_not_come_is_marked_and_frees_the_counter(
    always_open, employee_a
):
    # given a called visitor and another waiting
    desk, ticket = called_ticket(employee_a)
    nxt = issue()

    # when the employee marks them as not come
    gone = actions.ticket_no_show(ticket=ticket, acting_user=fresh(employee_a))

    # then the ticket ends as a no-show and the counter calls the next visitor
    assert gone.status == TicketStatus.NO_SHOW
    assert gone.ended_at is not None
    assert events_of(ticket)[-1] == (EventKind.NO_SHOW, TicketStatus.CALLED, TicketStatus.NO_SHOW)
    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == nxt.pk


def test_a_visitor_being_served_cannot_be_a_no_show(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_start(ticket=ticket, acting_user=fresh(employee_a))
    before = snapshot()

    with pytest.raises(Conflict):
        actions.ticket_no_show(ticket=ticket, acting_user=fresh(employee_a))

    assert snapshot() == before


def test_a_no_show_back_within_the_window_queues_again(always_open, employee_a):
    # given a no-show 10 minutes ago, with a 30-minute window
    set_policy(requeue_window_minutes=30)
    desk, ticket = called_ticket(employee_a)
    actions.ticket_no_show(ticket=ticket, acting_user=fresh(employee_a))
    Ticket.objects.filter(pk=ticket.pk).update(ended_at=timezone.now() - dt.timedelta(minutes=10))

    # when staff queue them again
    back = actions.ticket_requeue(ticket=ticket, acting_user=fresh(employee_a))

    # then they wait again, with the same number, off the counter, and are called again
    assert back.status == TicketStatus.WAITING
    assert back.number == ticket.number
    assert back.counter is None and back.called_at is None and back.ended_at is None
    assert back.queued_at > ticket.queued_at
    assert events_of(ticket)[-1] == (
        EventKind.REQUEUED,
        TicketStatus.NO_SHOW,
        TicketStatus.WAITING,
    )
    again = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    assert again.pk == ticket.pk
    assert [e[0] for e in events_of(ticket)].count(EventKind.CALLED) == 2


def test_a_no_show_back_after_the_window_must_take_a_new_ticket(always_open, employee_a):
    set_policy(requeue_window_minutes=30)
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_no_show(ticket=ticket, acting_user=fresh(employee_a))
    Ticket.objects.filter(pk=ticket.pk).update(ended_at=timezone.now() - dt.timedelta(minutes=31))
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        actions.ticket_requeue(ticket=ticket, acting_user=fresh(employee_a))

    assert caught.value.code == "too_late"
    assert snapshot() == before
    assert reload(ticket).status == TicketStatus.NO_SHOW


def test_only_a_no_show_can_be_requeued(always_open, employee_a):
    ticket = issue()
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        actions.ticket_requeue(ticket=ticket, acting_user=employee_a)

    assert caught.value.code == "wrong_state"
    assert snapshot() == before


def test_staff_of_another_center_cannot_requeue(always_open, employee_a, employee_b):
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_no_show(ticket=ticket, acting_user=fresh(employee_a))
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.ticket_requeue(ticket=ticket, acting_user=employee_b)

    assert snapshot() == before
