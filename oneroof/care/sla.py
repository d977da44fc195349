"""The SLA clock of a case: when its first answer and its resolution are due, when it is
"due soon", and how the clock pauses while the case waits on the citizen.

The targets come from `SlaPolicy` rows (data, edited by administrators); a kind and priority
without a row uses `DEFAULT_HOURS`. A case is "due soon" in the last quarter of its
resolution window, and "breached" once its resolution or its first answer is late. The clock
runs only while a person must act (new, open); while the case waits on the citizen it is
paused, and on resuming every target moves on by the time spent waiting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from oneroof.care.choices import CLOCK_STATUSES, CaseStatus, SlaState

# (kind, priority) → (first answer within hours, resolved within hours)
DEFAULT_HOURS: dict[tuple[str, str], tuple[int, int]] = {
    ("inquiry", "urgent"): (1, 4),
    ("inquiry", "high"): (4, 24),
    ("inquiry", "normal"): (8, 48),
    ("inquiry", "low"): (24, 72),
    ("complaint", "urgent"): (1, 8),
    ("complaint", "high"): (4, 24),
    ("complaint", "normal"): (8, 72),
    ("complaint", "low"): (24, 120),
    ("suggestion", "urgent"): (8, 72),
    ("suggestion", "high"): (24, 120),
    ("suggestion", "normal"): (48, 240),
    ("suggestion", "low"): (72, 336),
}
DUE_SOON_SHARE = 0.25  # the last quarter of the resolution window


@dataclass(frozen=True)
class Targets:
    respond_by: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime


def policy_hours(kind: str, priority: str) -> tuple[int, int]:
    from oneroof.care.models import SlaPolicy

    row = SlaPolicy.objects.filter(kind=kind, priority=priority).first()
    if row is not None:
        return row.first_response_hours, row.resolution_hours
    return DEFAULT_HOURS.get((kind, priority), (24, 72))


def targets(*, kind: str, priority: str, start: dt.datetime) -> Targets:
    first, resolution = policy_hours(kind, priority)
    due_at = start + dt.timedelta(hours=resolution)
    return Targets(
        respond_by=start + dt.timedelta(hours=first),
        due_at=due_at,
        warn_at=due_at - dt.timedelta(hours=resolution * DUE_SOON_SHARE),
    )


def state(case, now: dt.datetime) -> str:
    if case.status == CaseStatus.WAITING:
        return SlaState.PAUSED
    if case.status not in CLOCK_STATUSES:
        return SlaState.DONE
    if case.due_at <= now or (case.first_response_at is None and case.respond_by <= now):
        return SlaState.BREACHED
    if case.warn_at <= now:
        return SlaState.DUE_SOON
    return SlaState.ON_TIME


def breached_q(now: dt.datetime) -> Q:
    return Q(status__in=CLOCK_STATUSES) & (
        Q(due_at__lte=now) | Q(first_response_at__isnull=True, respond_by__lte=now)
    )


def state_q(sla: str, now: dt.datetime) -> Q:
    """A filter for cases in one SLA state, the same rule as `state`."""
    breached = breached_q(now)
    if sla == SlaState.BREACHED:
        return breached
    if sla == SlaState.DUE_SOON:
        return Q(status__in=CLOCK_STATUSES, warn_at__lte=now) & ~breached
    if sla == SlaState.ON_TIME:
        return Q(status__in=CLOCK_STATUSES, warn_at__gt=now) & ~breached
    if sla == SlaState.PAUSED:
        return Q(status=CaseStatus.WAITING)
    return ~Q(status__in=[*CLOCK_STATUSES, CaseStatus.WAITING])


def pause(case, now: dt.datetime) -> None:
    if case.paused_at is None:
        case.paused_at = now


def resume(case, now: dt.datetime) -> None:
    """Move every target on by the time the clock was paused."""
    if case.paused_at is None:
        return
    waited = max(now - case.paused_at, dt.timedelta(0))
    case.due_at += waited
    case.warn_at += waited
    if case.first_response_at is None:
        case.respond_by += waited
    case.paused_at = None
