"""ticket_call_next under each calling policy: strict, weighted ageing, interleaving."""

import pytest
from django.utils import timezone

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, PolicyKind, PriorityClass, TicketStatus
from oneroof.queueing.models import CounterState, Ticket
from oneroof.queueing.tests.factories import (
    called_ticket,
    counter,
    employee,
    events_of,
    fresh,
    issue,
    open_counter,
    reload,
    set_policy,
    snapshot,
)

pytestmark = pytest.mark.django_db


def serve_all(desk, user) -> list[Ticket]:
    """Call and complete visitors until nobody waits; the tickets in calling order."""
    served = []
    while (ticket := actions.ticket_call_next(counter=desk, acting_user=fresh(user))) is not None:
        served.append(ticket)
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(user))
    return served


def test_calling_takes_the_first_visitor_and_logs_the_call(always_open, employee_a):
    # given two visitors waiting in line A and counter 1 open for it
    first = issue(minutes_ago=5)
    issue(minutes_ago=1)
    desk = open_counter(employee_a)

    # when the employee calls the next visitor
    ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    # then the first is called to counter 1 by them, with a called event
    assert ticket.pk == first.pk
    assert ticket.status == TicketStatus.CALLED
    assert ticket.counter == desk
    assert ticket.served_by == employee_a
    assert ticket.called_at is not None
    assert events_of(ticket)[-1] == (EventKind.CALLED, TicketStatus.WAITING, TicketStatus.CALLED)


def test_strict_priority_calls_a_priority_visitor_before_an_earlier_normal_one(
    always_open, employee_a
):
    # given strict priority, a normal visitor who came an hour ago and a priority one now
    set_policy(kind=PolicyKind.STRICT)
    issue(minutes_ago=60)
    priority = issue(minutes_ago=0, priority_reason="elderly")
    appointment = issue(minutes_ago=0, priority_class=PriorityClass.APPOINTMENT)
    desk = open_counter(employee_a)

    # when the counter serves everyone
    served = serve_all(desk, employee_a)

    # then appointment, then priority, then normal
    assert [t.pk for t in served[:2]] == [appointment.pk, priority.pk]
    assert served[2].priority_class == PriorityClass.NORMAL


def test_weighted_ageing_lets_a_long_waiting_normal_visitor_pass_a_fresh_priority_one(
    always_open, employee_a
):
    # given weighted ageing with a 20 minute priority head start
    set_policy(kind=PolicyKind.WEIGHTED, priority_bonus_minutes=20)
    # a normal visitor waiting 25 minutes, a priority one just arrived, a normal one 10 min
    long_waiting = issue(minutes_ago=25)
    fresh_priority = issue(minutes_ago=0, priority_reason="pregnancy")
    recent_normal = issue(minutes_ago=10)
    desk = open_counter(employee_a)

    # when the counter serves everyone
    served = serve_all(desk, employee_a)

    # then the one waiting longer than the head start goes first, then the priority visitor
    # (ranked 20 minutes back, ahead of the one who came 10 minutes ago)
    assert [t.pk for t in served] == [long_waiting.pk, fresh_priority.pk, recent_normal.pk]


def test_interleaving_two_to_one_alternates_normal_normal_priority(always_open, employee_a):
    # given interleaving 2 normal : 1 priority, and priority visitors who came first
    set_policy(kind=PolicyKind.INTERLEAVE, interleave_normal=2, interleave_priority=1)
    for minutes in (60, 59):
        issue(minutes_ago=minutes, priority_reason="disability")
    for minutes in (30, 29, 28, 27):
        issue(minutes_ago=minutes)
    desk = open_counter(employee_a)

    # when the counter serves everyone
    served = serve_all(desk, employee_a)

    # then the calls go N, N, P, N, N, P
    classes = ["P" if t.priority_class == PriorityClass.PRIORITY else "N" for t in served]
    assert classes == ["N", "N", "P", "N", "N", "P"]
    assert CounterState.objects.get(counter=desk).cycle_position == 0


def test_interleaving_falls_back_to_the_other_group_when_one_is_empty(always_open, employee_a):
    set_policy(kind=PolicyKind.INTERLEAVE, interleave_normal=2, interleave_priority=1)
    issue(minutes_ago=3, priority_reason="elderly")
    issue(minutes_ago=2, priority_reason="elderly")
    desk = open_counter(employee_a)

    served = serve_all(desk, employee_a)

    assert [t.priority_class for t in served] == [PriorityClass.PRIORITY] * 2


def test_nobody_waiting_gives_none_and_changes_nothing(always_open, employee_a):
    desk = open_counter(employee_a)
    before = snapshot()

    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)) is None

    assert snapshot() == before


def test_only_the_counters_lines_are_called(always_open, employee_a):
    # given a visitor waiting in line B and a counter open for line A only
    issue("id-card-renewal")
    desk = open_counter(employee_a, prefixes=("A",))

    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)) is None


def test_a_counter_with_a_visitor_cannot_call_the_next_one(always_open, employee_a):
    # given a counter holding a called visitor and another waiting
    desk, _current = called_ticket(employee_a)
    issue()
    before = snapshot()

    # when it calls again
    with pytest.raises(Conflict):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    # then nothing changed
    assert snapshot() == before


def test_a_closed_counter_or_someone_elses_counter_cannot_call(always_open, employee_a):
    issue()
    # counter 5 was never opened: calling needs an operator
    with pytest.raises(NotAllowed):
        actions.ticket_call_next(counter=counter(5), acting_user=employee_a)
    desk = open_counter(employee_a)
    before = snapshot()
    with pytest.raises(NotAllowed):
        actions.ticket_call_next(counter=desk, acting_user=employee("passports"))
    assert snapshot() == before


def test_reserved_tickets_go_only_to_their_counter(always_open, employee_a):
    # given two counters on line A and a visitor reserved to counter 1, who came first
    reserved = issue(minutes_ago=30)
    other = issue(minutes_ago=1)
    colleague = employee("passports")
    desk_1 = open_counter(employee_a, 1)
    desk_2 = open_counter(colleague, 2)
    Ticket.objects.filter(pk=reserved.pk).update(reserved_counter=desk_1)

    # when counter 2 calls twice
    first_call = actions.ticket_call_next(counter=desk_2, acting_user=fresh(colleague))
    actions.ticket_complete(ticket=first_call, outcome="completed", acting_user=fresh(colleague))
    second_call = actions.ticket_call_next(counter=desk_2, acting_user=fresh(colleague))

    # then it gets the other visitor, then nobody; counter 1 gets the reserved one
    assert first_call.pk == other.pk
    assert second_call is None
    mine = actions.ticket_call_next(counter=desk_1, acting_user=fresh(employee_a))
    assert mine.pk == reserved.pk
    assert reload(mine).reserved_counter is None


def test_a_reserved_visitor_is_called_before_earlier_ones_at_their_counter(always_open, employee_a):
    issue(minutes_ago=30)
    reserved = issue(minutes_ago=1)
    desk = open_counter(employee_a)
    Ticket.objects.filter(pk=reserved.pk).update(reserved_counter=desk)

    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == reserved.pk


def test_calling_records_the_time(always_open, employee_a):
    before = timezone.now()
    _desk, ticket = called_ticket(employee_a)
    assert ticket.called_at >= before
