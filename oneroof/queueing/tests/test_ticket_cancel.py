"""ticket_cancel: a visitor cancels their waiting ticket; staff of the center a waiting,
called or parked one."""

import pytest
from django.contrib.auth.models import AnonymousUser

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, TicketStatus
from oneroof.queueing.tests.factories import (
    called_ticket,
    events_of,
    fresh,
    issue,
    last_event,
    open_counter,
    reload,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_a_visitor_cancels_their_waiting_ticket(always_open):
    # given a waiting ticket
    ticket = issue()

    # when its holder cancels it (no sign-in)
    cancelled = actions.ticket_cancel(ticket=ticket, acting_user=AnonymousUser(), by_visitor=True)

    # then it is cancelled, ended, and the event has no user
    assert cancelled.status == TicketStatus.CANCELLED
    assert cancelled.ended_at is not None
    event = last_event(ticket)
    assert (event.kind, event.from_status, event.to_status) == (
        EventKind.CANCELLED,
        TicketStatus.WAITING,
        TicketStatus.CANCELLED,
    )
    assert event.user is None


def test_a_cancelled_ticket_is_no_longer_called(always_open, employee_a):
    ticket = issue()
    actions.ticket_cancel(ticket=ticket, acting_user=None, by_visitor=True)
    desk = open_counter(employee_a)

    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)) is None


@pytest.mark.parametrize("state", ["called", "parked", "done"])
def test_a_visitor_may_cancel_only_while_waiting(always_open, employee_a, state):
    # given a ticket that is no longer waiting
    _desk, ticket = called_ticket(employee_a)
    if state == "parked":
        actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))
    if state == "done":
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))
    before = snapshot()

    # when the visitor cancels it
    with pytest.raises(Conflict) as caught:
        actions.ticket_cancel(ticket=ticket, acting_user=None, by_visitor=True)

    # then it is refused and nothing changed
    assert caught.value.code == "wrong_state"
    assert snapshot() == before


@pytest.mark.parametrize("state", ["waiting", "called", "parked"])
def test_staff_may_cancel_a_waiting_called_or_parked_ticket(
    always_open, employee_a, supervisor_a, state
):
    ticket = issue()
    if state != "waiting":
        desk = open_counter(employee_a)
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    if state == "parked":
        actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))

    cancelled = actions.ticket_cancel(ticket=ticket, acting_user=supervisor_a, reason="left")

    assert cancelled.status == TicketStatus.CANCELLED
    assert events_of(ticket)[-1] == (EventKind.CANCELLED, state, TicketStatus.CANCELLED)
    assert last_event(ticket).reason == "left"
    assert last_event(ticket).user == supervisor_a


def test_cancelling_a_called_visitor_frees_the_counter(always_open, employee_a):
    desk, ticket = called_ticket(employee_a)
    nxt = issue()

    actions.ticket_cancel(ticket=ticket, acting_user=fresh(employee_a))

    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == nxt.pk


def test_staff_of_another_center_may_not_cancel(always_open, employee_b, evaluator):
    ticket = issue()
    before = snapshot()

    for user in (employee_b, evaluator, None):
        with pytest.raises(NotAllowed):
            actions.ticket_cancel(ticket=ticket, acting_user=user)

    assert snapshot() == before
    assert reload(ticket).status == TicketStatus.WAITING


def test_a_finished_ticket_cannot_be_cancelled_by_staff(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))
    before = snapshot()

    with pytest.raises(Conflict):
        actions.ticket_cancel(ticket=ticket, acting_user=fresh(employee_a))

    assert snapshot() == before
