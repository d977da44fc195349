"""ticket_park and ticket_resume: a visitor on hold frees the counter and comes back."""

import pytest

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, TicketStatus
from oneroof.queueing.tests.factories import (
    called_ticket,
    counter,
    employee,
    events_of,
    fresh,
    issue,
    open_counter,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_parking_frees_the_counter_for_the_next_visitor(always_open, employee_a):
    # given a visitor being served and another waiting
    desk, ticket = called_ticket(employee_a)
    actions.ticket_start(ticket=ticket, acting_user=fresh(employee_a))
    nxt = issue()

    # when the first is put on hold
    parked = actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))

    # then they are on hold at this counter, and the counter calls the next one
    assert parked.status == TicketStatus.PARKED
    assert parked.counter == desk
    assert events_of(ticket)[-1] == (EventKind.PARKED, TicketStatus.SERVING, TicketStatus.PARKED)
    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == nxt.pk


def test_resuming_serves_the_visitor_again_at_the_counter(always_open, employee_a):
    desk, ticket = called_ticket(employee_a)
    actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))

    resumed = actions.ticket_resume(ticket=ticket, acting_user=fresh(employee_a))

    assert resumed.status == TicketStatus.SERVING
    assert resumed.counter == desk
    assert events_of(ticket)[-1] == (EventKind.RESUMED, TicketStatus.PARKED, TicketStatus.SERVING)


def test_resuming_at_a_counter_that_holds_a_visitor_is_refused(always_open, employee_a):
    # given a parked visitor and a new one called at the same counter
    desk, ticket = called_ticket(employee_a)
    actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))
    issue()
    actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    before = snapshot()

    # when the parked one is resumed there
    with pytest.raises(Conflict):
        actions.ticket_resume(ticket=ticket, acting_user=fresh(employee_a))

    # then nothing changed: a counter holds one visitor at a time
    assert snapshot() == before


def test_a_parked_visitor_may_resume_at_another_open_counter(always_open, employee_a, supervisor_a):
    _desk, ticket = called_ticket(employee_a, 1)
    actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))
    other = open_counter(supervisor_a, 2)

    resumed = actions.ticket_resume(ticket=ticket, counter=other, acting_user=supervisor_a)

    assert resumed.counter == other
    assert resumed.served_by == supervisor_a


def test_a_counter_of_another_center_cannot_resume(always_open, employee_a, employee_b):
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.ticket_resume(ticket=ticket, counter=counter(1, "al-wakra"), acting_user=employee_b)

    assert snapshot() == before


def test_only_waiting_for_service_can_be_parked_and_only_parked_resumed(always_open, employee_a):
    ticket = issue()
    open_counter(employee_a)
    before = snapshot()

    with pytest.raises(Conflict):
        actions.ticket_park(ticket=ticket, acting_user=fresh(employee_a))
    with pytest.raises(Conflict):
        actions.ticket_resume(ticket=ticket, acting_user=fresh(employee_a))

    assert snapshot() == before


def test_another_employee_cannot_park_my_visitor(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.ticket_park(ticket=ticket, acting_user=employee("passports"))

    assert snapshot() == before
