"""ticket_start and ticket_complete: serving a called visitor and closing the visit."""

import pytest

from oneroof.core.errors import Conflict, InvalidInput, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, Outcome, TicketStatus
from oneroof.queueing.tests.factories import (
    called_ticket,
    employee,
    events_of,
    fresh,
    issue,
    last_event,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_starting_serves_the_called_visitor(always_open, employee_a):
    # given a called visitor
    _desk, ticket = called_ticket(employee_a)

    # when service starts
    started = actions.ticket_start(ticket=ticket, acting_user=fresh(employee_a))

    # then they are being served since now, and the event says so
    assert started.status == TicketStatus.SERVING
    assert started.started_at >= started.called_at
    assert events_of(ticket)[-1] == (EventKind.STARTED, TicketStatus.CALLED, TicketStatus.SERVING)


def test_completing_sets_the_outcome_the_note_and_the_times(always_open, employee_a):
    # given a visitor being served
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_start(ticket=ticket, acting_user=fresh(employee_a))

    # when the visit is completed with missing documents
    done = actions.ticket_complete(
        ticket=ticket,
        outcome=Outcome.MISSING_DOCUMENTS,
        note="bring the old passport",
        acting_user=fresh(employee_a),
    )

    # then it is done with that outcome, start and end times in order
    assert done.status == TicketStatus.DONE
    assert done.outcome == Outcome.MISSING_DOCUMENTS
    assert done.note == "bring the old passport"
    assert done.called_at <= done.started_at <= done.ended_at
    event = last_event(ticket)
    assert (event.kind, event.from_status, event.to_status, event.reason) == (
        EventKind.COMPLETED,
        TicketStatus.SERVING,
        TicketStatus.DONE,
        Outcome.MISSING_DOCUMENTS,
    )


def test_completing_a_called_visitor_without_start_sets_the_start(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)

    done = actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)

    assert done.started_at == done.ended_at
    assert events_of(ticket)[-1] == (EventKind.COMPLETED, TicketStatus.CALLED, TicketStatus.DONE)


def test_an_unknown_outcome_is_invalid(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)
    before = snapshot()

    with pytest.raises(InvalidInput):
        actions.ticket_complete(ticket=ticket, outcome="great", acting_user=employee_a)

    assert snapshot() == before


@pytest.mark.parametrize("action", ["start", "complete"])
def test_a_waiting_visitor_cannot_be_started_or_completed(always_open, employee_a, action):
    ticket = issue()
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        if action == "start":
            actions.ticket_start(ticket=ticket, acting_user=employee_a)
        else:
            actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)

    assert caught.value.code == "wrong_state"
    assert snapshot() == before


def test_a_finished_visit_cannot_be_completed_or_started_again(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)
    actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)
    before = snapshot()

    with pytest.raises(Conflict):
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)
    with pytest.raises(Conflict):
        actions.ticket_start(ticket=ticket, acting_user=employee_a)

    assert snapshot() == before


def test_another_employee_cannot_serve_my_visitor(always_open, employee_a):
    _desk, ticket = called_ticket(employee_a)
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.ticket_start(ticket=ticket, acting_user=employee("passports"))
    with pytest.raises(NotAllowed):
        actions.ticket_complete(
            ticket=ticket, outcome="completed", acting_user=employee("passports")
        )

    assert snapshot() == before


def test_after_completing_the_counter_may_call_the_next(always_open, employee_a):
    desk, ticket = called_ticket(employee_a)
    nxt = issue()
    actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)

    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == nxt.pk
