"""counter_open: an employee opens a counter of their center for lines of their agencies."""

import pytest

from oneroof.core.errors import Conflict, InvalidInput, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import CounterStatus
from oneroof.queueing.models import CounterEvent, CounterState
from oneroof.queueing.tests.factories import counter, employee, fresh, line, snapshot

pytestmark = pytest.mark.django_db


def test_employee_opens_a_counter_for_lines_of_their_agencies(always_open, employee_a):
    # given counter 1 of al-rayyan, closed
    desk = counter(1)

    # when employee A opens it for passports and civil registry
    state = actions.counter_open(counter=desk, lines=[line("A"), line("B")], acting_user=employee_a)

    # then it is open, theirs, for those lines, and the opening is logged
    assert state.status == CounterStatus.OPEN
    assert state.employee == employee_a
    assert set(state.lines.values_list("prefix", flat=True)) == {"A", "B"}
    event = CounterEvent.objects.get(counter=desk)
    assert event.status == CounterStatus.OPEN
    assert sorted(event.line_ids) == sorted([line("A").pk, line("B").pk])
    assert event.user == employee_a


def test_a_line_of_another_agency_is_not_allowed(always_open, employee_a):
    # given employee A serves passports and civil registry only
    before = snapshot()

    # when they open a counter for traffic (line C)
    with pytest.raises(NotAllowed):
        actions.counter_open(
            counter=counter(1), lines=[line("A"), line("C")], acting_user=employee_a
        )

    # then nothing changed
    assert snapshot() == before


def test_a_counter_of_another_center_is_not_allowed(always_open, employee_a, employee_b):
    before = snapshot()
    # employee A's lines are at al-rayyan, the counter at al-wakra
    with pytest.raises(NotAllowed):
        actions.counter_open(
            counter=counter(1, "al-wakra"), lines=[line("A")], acting_user=employee_a
        )
    # employee B works at al-wakra, not at al-rayyan
    with pytest.raises(NotAllowed):
        actions.counter_open(counter=counter(1), lines=[line("C")], acting_user=employee_b)
    assert snapshot() == before


def test_a_supervisor_may_open_for_any_line_of_their_center(always_open, supervisor_a):
    state = actions.counter_open(
        counter=counter(2), lines=[line("C"), line("M")], acting_user=supervisor_a
    )
    assert state.status == CounterStatus.OPEN


def test_an_employee_has_one_open_counter_at_a_time(always_open, employee_a):
    # given employee A has counter 1 open
    actions.counter_open(counter=counter(1), lines=[line("A")], acting_user=employee_a)
    before = snapshot()

    # when they open counter 2 as well
    with pytest.raises(Conflict):
        actions.counter_open(counter=counter(2), lines=[line("A")], acting_user=fresh(employee_a))

    # then it is refused and nothing changed
    assert snapshot() == before


def test_an_open_counter_cannot_be_taken_over_by_another_employee(always_open, employee_a):
    actions.counter_open(counter=counter(1), lines=[line("A")], acting_user=employee_a)
    colleague = employee("passports")
    before = snapshot()

    with pytest.raises(Conflict):
        actions.counter_open(counter=counter(1), lines=[line("A")], acting_user=colleague)

    assert snapshot() == before


def test_reopening_ones_own_counter_changes_its_lines(always_open, employee_a):
    actions.counter_open(counter=counter(1), lines=[line("A")], acting_user=employee_a)
    state = actions.counter_open(counter=counter(1), lines=[line("B")], acting_user=employee_a)
    assert list(state.lines.values_list("prefix", flat=True)) == ["B"]
    assert CounterEvent.objects.filter(counter=counter(1)).count() == 2


def test_no_lines_or_a_counter_out_of_service_is_refused(always_open, employee_a):
    before = snapshot()
    with pytest.raises(InvalidInput):
        actions.counter_open(counter=counter(1), lines=[], acting_user=employee_a)
    desk = counter(3)
    desk.is_active = False
    desk.save()
    with pytest.raises(Conflict):
        actions.counter_open(counter=desk, lines=[line("A")], acting_user=employee_a)
    assert snapshot() == before
    assert not CounterState.objects.filter(status=CounterStatus.OPEN).exists()
