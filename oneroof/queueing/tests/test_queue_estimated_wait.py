"""estimated_wait_minutes: people ahead × handling time ÷ open counters of the line."""

import datetime as dt
import math

import pytest
from django.utils import timezone

from oneroof.queueing import actions
from oneroof.queueing.choices import TicketStatus
from oneroof.queueing.models import Ticket
from oneroof.queueing.selectors import estimated_wait_minutes, handling_minutes, ticket_view
from oneroof.queueing.tests.factories import (
    employee,
    fresh,
    issue,
    line,
    open_counter,
)

pytestmark = pytest.mark.django_db

# The passports line's services at al-rayyan take 10, 20, 12, 10, 10, 12 and 8 minutes.
PASSPORTS_NORM = (10 + 20 + 12 + 10 + 10 + 12 + 8) / 7


def served(minutes: float, ended_ago: float = 5) -> Ticket:
    """A passports visit that took `minutes` from call to end."""
    ticket = issue(minutes_ago=ended_ago + minutes + 1)
    end = timezone.now() - dt.timedelta(minutes=ended_ago)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.DONE, called_at=end - dt.timedelta(minutes=minutes), ended_at=end
    )
    return ticket


def test_without_recent_visits_the_services_norm_is_used(always_open):
    assert handling_minutes(line("A")) == pytest.approx(PASSPORTS_NORM)
    # with nobody serving, the wait is still estimated as if one counter were open
    assert estimated_wait_minutes(2, line("A")) == math.ceil(2 * PASSPORTS_NORM)


def test_recent_visits_of_the_line_give_the_handling_time(always_open):
    # given two recent passports visits of 6 and 10 minutes
    served(6)
    served(10)

    # then the line handles a visitor in 8 minutes
    assert handling_minutes(line("A")) == pytest.approx(8)
    assert estimated_wait_minutes(3, line("A")) == 24


def test_visits_older_than_a_week_are_ignored(always_open):
    served(40, ended_ago=8 * 24 * 60)
    assert handling_minutes(line("A")) == pytest.approx(PASSPORTS_NORM)


def test_the_wait_is_shared_by_the_open_counters_of_the_line(always_open, employee_a, supervisor_a):
    # given 8-minute visits, and two counters open for passports (a third one paused)
    served(6)
    served(10)
    open_counter(employee_a, 1)
    open_counter(supervisor_a, 2)
    colleague = employee("passports")
    paused = open_counter(colleague, 3)
    actions.counter_pause(counter=paused, acting_user=fresh(colleague))

    # then three people ahead wait ceil(3 × 8 ÷ 2) = 12 minutes
    assert estimated_wait_minutes(3, line("A")) == 12
    assert estimated_wait_minutes(0, line("A")) == 0


def test_a_very_short_handling_time_counts_at_least_half_a_minute(always_open):
    served(0.05)
    assert handling_minutes(line("A")) == 0.5


def test_the_ticket_view_combines_position_and_wait(always_open):
    served(6)
    served(10)
    issue(minutes_ago=3)
    issue(minutes_ago=2)
    third = issue(minutes_ago=1)

    view = ticket_view(third)

    assert view.people_ahead == 2
    assert view.estimated_wait_minutes == 16
