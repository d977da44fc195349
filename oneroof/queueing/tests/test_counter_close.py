"""counter_pause and counter_close: breaks and closing, never with a visitor at the desk."""

import pytest

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import CounterStatus
from oneroof.queueing.models import CounterEvent, CounterState
from oneroof.queueing.tests.factories import (
    called_ticket,
    employee,
    fresh,
    issue,
    open_counter,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_a_break_pauses_the_counter_and_it_calls_nobody(always_open, employee_a):
    # given an open counter and a waiting visitor
    desk = open_counter(employee_a)
    issue()

    # when the employee takes a break
    state = actions.counter_pause(counter=desk, acting_user=fresh(employee_a))

    # then the counter is paused, logged, and cannot call
    assert state.status == CounterStatus.PAUSED
    assert CounterEvent.objects.filter(counter=desk).last().status == CounterStatus.PAUSED
    with pytest.raises(Conflict):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    # and opening again resumes it with the same lines
    actions.counter_open(counter=desk, lines=list(state.lines.all()), acting_user=employee_a)
    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)) is not None


def test_closing_frees_the_counter_and_the_employee(always_open, employee_a):
    desk = open_counter(employee_a, 1)

    state = actions.counter_close(counter=desk, acting_user=fresh(employee_a))

    assert state.status == CounterStatus.CLOSED
    assert state.employee is None
    assert not state.lines.exists()
    # the employee may now open another counter
    open_counter(employee_a, 2)


@pytest.mark.parametrize("action", [actions.counter_pause, actions.counter_close])
def test_a_visitor_at_the_counter_prevents_a_break_or_closing(always_open, employee_a, action):
    # given a counter holding a called visitor
    desk, _ticket = called_ticket(employee_a)
    before = snapshot()

    # when the employee pauses or closes it
    with pytest.raises(Conflict):
        action(counter=desk, acting_user=fresh(employee_a))

    # then nothing changed
    assert snapshot() == before


@pytest.mark.parametrize("action", [actions.counter_pause, actions.counter_close])
def test_another_employee_may_not_pause_or_close_my_counter(always_open, employee_a, action):
    desk = open_counter(employee_a)
    colleague = employee("passports")
    before = snapshot()

    with pytest.raises(NotAllowed):
        action(counter=desk, acting_user=colleague)

    assert snapshot() == before


def test_the_supervisor_may_close_an_employees_counter(always_open, employee_a, supervisor_a):
    desk = open_counter(employee_a)
    state = actions.counter_close(counter=desk, acting_user=supervisor_a)
    assert state.status == CounterStatus.CLOSED


def test_closing_a_closed_counter_or_pausing_a_paused_one_is_a_conflict(always_open, employee_a):
    desk = open_counter(employee_a)
    actions.counter_pause(counter=desk, acting_user=fresh(employee_a))
    before = snapshot()
    with pytest.raises(Conflict):
        actions.counter_pause(counter=desk, acting_user=fresh(employee_a))
    assert snapshot() == before

    actions.counter_close(counter=desk, acting_user=fresh(employee_a))
    with pytest.raises(NotAllowed):  # no longer theirs once closed
        actions.counter_close(counter=desk, acting_user=fresh(employee_a))
    assert CounterState.objects.get(counter=desk).status == CounterStatus.CLOSED
