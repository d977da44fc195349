"""policy_update: changing a center's calling policy re-ranks its waiting visitors."""

import datetime as dt

import pytest

from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.core.events import capture_events
from oneroof.queueing import actions
from oneroof.queueing.choices import PolicyKind, TicketStatus
from oneroof.queueing.models import Ticket
from oneroof.queueing.tests.factories import (
    called_ticket,
    center,
    fresh,
    issue,
    open_counter,
    reload,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_a_longer_priority_head_start_re_ranks_waiting_visitors(
    always_open, supervisor_a, employee_a, django_capture_on_commit_callbacks
):
    # given weighted ageing with a 20-minute head start: a normal visitor waiting 30 minutes
    # is ahead of a priority visitor who came 5 minutes ago
    normal = issue(minutes_ago=30)
    priority = issue(minutes_ago=5, priority_reason="elderly")
    assert reload(normal).rank_at < reload(priority).rank_at

    # when the supervisor raises the head start to 60 minutes
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        policy = actions.policy_update(
            center=center(), acting_user=supervisor_a, priority_bonus_minutes=60
        )

    # then the priority visitor ranks first, and screens are told
    assert policy.priority_bonus_minutes == 60
    moved = reload(priority)
    assert moved.queued_at - moved.rank_at == dt.timedelta(minutes=60)
    assert reload(normal).rank_at == reload(normal).queued_at
    desk = open_counter(employee_a)
    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == priority.pk
    assert (f"center.{center().pk}", "policy.changed", {"kind": PolicyKind.WEIGHTED}) in events


def test_only_waiting_tickets_are_re_ranked(always_open, supervisor_a, employee_a):
    _desk, called = called_ticket(employee_a, priority_reason="elderly")
    rank_before = reload(called).rank_at

    actions.policy_update(center=center(), acting_user=supervisor_a, priority_bonus_minutes=90)

    assert reload(called).rank_at == rank_before


def test_switching_to_strict_priority_changes_who_is_called(always_open, supervisor_a, employee_a):
    issue(minutes_ago=120)
    priority = issue(minutes_ago=0, priority_reason="elderly")

    actions.policy_update(center=center(), acting_user=supervisor_a, kind=PolicyKind.STRICT)

    desk = open_counter(employee_a)
    assert actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a)).pk == priority.pk
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 1


def test_an_employee_may_not_change_the_calling_policy(always_open, employee_a):
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.policy_update(center=center(), acting_user=employee_a, kind=PolicyKind.STRICT)

    assert snapshot() == before


def test_an_invalid_policy_is_invalid_input(always_open, supervisor_a):
    with pytest.raises(InvalidInput):
        actions.policy_update(center=center(), acting_user=supervisor_a, interleave_normal=0)


def test_an_unknown_policy_setting_is_invalid_input(always_open, supervisor_a):
    before = snapshot()
    with pytest.raises(InvalidInput):
        actions.policy_update(center=center(), acting_user=supervisor_a, colour="blue")
    assert snapshot() == before
