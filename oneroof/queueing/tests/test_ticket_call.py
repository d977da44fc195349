"""ticket_call: calling a particular visitor out of order, always with a logged reason."""

import pytest

from oneroof.core.errors import Conflict, InvalidInput
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, TicketStatus
from oneroof.queueing.tests.factories import (
    ID_CARD,
    called_ticket,
    events_of,
    issue,
    last_event,
    open_counter,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_a_visitor_is_called_out_of_order_with_the_reason_logged(always_open, employee_a):
    # given three visitors and an open counter
    issue(minutes_ago=10)
    issue(minutes_ago=9)
    third = issue(minutes_ago=1)
    desk = open_counter(employee_a)

    # when the employee calls the third one, saying why
    ticket = actions.ticket_call(
        counter=desk, ticket=third, reason="  came back with papers ", acting_user=employee_a
    )

    # then that visitor is called to this counter, and the event keeps the reason
    assert ticket.pk == third.pk
    assert ticket.status == TicketStatus.CALLED
    assert ticket.counter == desk
    event = last_event(ticket)
    assert (event.kind, event.from_status, event.to_status) == (
        EventKind.CALLED_OUT_OF_ORDER,
        TicketStatus.WAITING,
        TicketStatus.CALLED,
    )
    assert event.reason == "came back with papers"
    assert event.user == employee_a
    assert event.counter == desk


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(always_open, employee_a, reason):
    ticket = issue()
    desk = open_counter(employee_a)
    before = snapshot()

    with pytest.raises(InvalidInput):
        actions.ticket_call(counter=desk, ticket=ticket, reason=reason, acting_user=employee_a)

    assert snapshot() == before


def test_a_visitor_of_a_line_the_counter_does_not_serve_is_refused(always_open, employee_a):
    ticket = issue(ID_CARD)
    desk = open_counter(employee_a, prefixes=("A",))
    before = snapshot()

    with pytest.raises(Conflict):
        actions.ticket_call(counter=desk, ticket=ticket, reason="urgent", acting_user=employee_a)

    assert snapshot() == before


def test_a_visitor_who_is_not_waiting_cannot_be_called(always_open, employee_a, supervisor_a):
    # given a visitor already called at counter 1, and counter 2 open
    _desk, taken = called_ticket(employee_a, 1)
    desk_2 = open_counter(supervisor_a, 2)
    before = snapshot()

    # when counter 2 calls that visitor by name
    with pytest.raises(Conflict) as caught:
        actions.ticket_call(counter=desk_2, ticket=taken, reason="urgent", acting_user=supervisor_a)

    # then it is refused: a visitor is never called twice
    assert caught.value.code == "not_waiting"
    assert snapshot() == before
    assert [e[0] for e in events_of(taken)].count(EventKind.CALLED) == 1


def test_a_counter_with_a_visitor_cannot_call_another(always_open, employee_a):
    desk, _current = called_ticket(employee_a)
    other = issue()
    before = snapshot()

    with pytest.raises(Conflict):
        actions.ticket_call(counter=desk, ticket=other, reason="urgent", acting_user=employee_a)

    assert snapshot() == before
