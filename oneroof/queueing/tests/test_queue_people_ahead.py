"""people_ahead: how many waiting visitors of the same line would be called first."""

import pytest

from oneroof.queueing import actions
from oneroof.queueing.choices import PolicyKind
from oneroof.queueing.selectors import people_ahead
from oneroof.queueing.tests.factories import (
    ID_CARD,
    called_ticket,
    issue,
    reload,
    set_policy,
)

pytestmark = pytest.mark.django_db


def test_people_ahead_count_earlier_arrivals_of_the_same_line_only(always_open):
    # given three passports visitors and one civil-registry visitor who came first
    issue(ID_CARD, minutes_ago=60)
    first = issue(minutes_ago=30)
    second = issue(minutes_ago=20)
    third = issue(minutes_ago=10)

    # then each has the earlier passports visitors ahead
    assert [people_ahead(t) for t in (first, second, third)] == [0, 1, 2]


def test_weighted_ageing_counts_a_priority_visitor_by_their_head_start(always_open):
    set_policy(kind=PolicyKind.WEIGHTED, priority_bonus_minutes=20)
    long_waiting = issue(minutes_ago=30)
    recent = issue(minutes_ago=10)
    priority = issue(minutes_ago=0, priority_reason="elderly")

    assert people_ahead(priority) == 1  # ranked 20 minutes back: after 30, before 10
    assert people_ahead(recent) == 2
    assert people_ahead(long_waiting) == 0


def test_strict_priority_puts_every_priority_visitor_ahead(always_open):
    set_policy(kind=PolicyKind.STRICT)
    normal = issue(minutes_ago=60)
    priority = issue(minutes_ago=0, priority_reason="elderly")

    assert people_ahead(reload(priority)) == 0
    assert people_ahead(reload(normal)) == 1


def test_a_visitor_who_is_not_waiting_has_nobody_ahead(always_open, employee_a):
    _desk, called = called_ticket(employee_a)
    later = issue()

    assert people_ahead(called) == 0
    assert people_ahead(later) == 0  # the called visitor is no longer ahead


def test_a_cancelled_visitor_no_longer_counts(always_open):
    first = issue(minutes_ago=5)
    second = issue(minutes_ago=1)
    actions.ticket_cancel(ticket=first, acting_user=None, by_visitor=True)

    assert people_ahead(second) == 0
