"""Reads about centers: when they (and each agency desk) are open."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from oneroof.centers.choices import WEEK_ORDER
from oneroof.centers.models import Center, Closure, OpeningInterval
from oneroof.core.memo import Memo

# Hours are read on every ticket issued; a change reaches every worker within 30 s.
_HOURS = Memo("centers.hours", ttl=30).clear_on(Center, OpeningInterval, Closure)

UTC = dt.UTC
Schedule = dict[int, list[tuple[int, int]]]  # weekday → [(opens, closes)] in minutes


@dataclass(frozen=True)
class OpeningStatus:
    """Whether a center (or one agency desk in it) is open at a moment, and until when;
    if closed, when it next opens and why it is closed today (a holiday's reason)."""

    is_open: bool
    closes_at: dt.datetime | None = None
    next_opening: dt.datetime | None = None
    closed_reason: str | None = None


@dataclass
class CenterHours:
    """Everything needed to answer opening questions for one center without more queries."""

    center: Center
    center_schedule: Schedule
    desk_schedules: dict[int, Schedule] = field(default_factory=dict)  # agency id → schedule
    closures: list[Closure] = field(default_factory=list)
    # (agency id, local day, days) → open intervals; these hours live at most 30 s in a
    # worker, so every ticket issued meanwhile reuses them.
    _spans: dict[tuple, list] = field(default_factory=dict, repr=False, compare=False)

    def spans(
        self, agency_id: int | None, start_day: dt.date, days: int
    ) -> list[list[dt.datetime]]:
        key = (agency_id, start_day, days)
        found = self._spans.get(key)
        if found is None:
            found = self._spans[key] = _intervals(self, agency_id, start_day, days)
        return found

    def schedule_for(self, agency_id: int | None) -> Schedule:
        if agency_id is not None and agency_id in self.desk_schedules:
            return self.desk_schedules[agency_id]
        return self.center_schedule

    def closure_on(self, day: dt.date, agency_id: int | None) -> Closure | None:
        for closure in self.closures:
            if closure.agency_id is not None and closure.agency_id != agency_id:
                continue
            if closure.starts_on <= day <= closure.ends_on:
                return closure
        return None


def center_hours(center: Center, *, today: dt.date | None = None) -> CenterHours:
    day = today or timezone.now().date()
    return _HOURS.get((center.pk, day), lambda: centers_hours([center], today=day)[center.pk])


def centers_hours(
    centers: list[Center] | QuerySet[Center], *, today: dt.date | None = None
) -> dict[int, CenterHours]:
    """Hours of several centers in two queries."""
    centers = list(centers)
    ids = [c.pk for c in centers]
    result = {c.pk: CenterHours(center=c, center_schedule=defaultdict(list)) for c in centers}
    for iv in OpeningInterval.objects.filter(center_id__in=ids).order_by("weekday", "opens"):
        hours = result[iv.center_id]
        if iv.agency_id is None:
            target = hours.center_schedule
        else:
            target = hours.desk_schedules.setdefault(iv.agency_id, defaultdict(list))
        target[iv.weekday].append((iv.opens, iv.closes))
    since = (today or timezone.now().date()) - dt.timedelta(days=1)
    closures = Closure.objects.filter(ends_on__gte=since).filter(
        Q(center__isnull=True) | Q(center_id__in=ids)
    )
    for closure in closures.order_by("starts_on"):
        for hours in result.values():
            if closure.center_id in (None, hours.center.pk):
                hours.closures.append(closure)
    return result


def _local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz)


def _intervals(hours: CenterHours, agency_id: int | None, start_day: dt.date, days: int):
    """Open intervals as UTC (start, end) pairs from start_day on, touching ones merged."""
    tz = hours.center.tz
    schedule = hours.schedule_for(agency_id)
    merged: list[list[dt.datetime]] = []
    for offset in range(days):
        day = start_day + dt.timedelta(days=offset)
        if hours.closure_on(day, agency_id):
            continue
        midnight = _local_midnight(day, tz)
        for opens, closes in sorted(schedule.get(day.weekday(), [])):
            # Wall-clock arithmetic, then to UTC, so a zone's offset is applied per day.
            start = (midnight + dt.timedelta(minutes=opens)).astimezone(UTC)
            end = (midnight + dt.timedelta(minutes=closes)).astimezone(UTC)
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
    return merged


def opening_status(
    hours: CenterHours, *, agency_id: int | None = None, at: dt.datetime | None = None
) -> OpeningStatus:
    """Is the center (or the agency's desk there) open at `at` (default: now)?"""
    now = (at or timezone.now()).astimezone(UTC)
    local_today = now.astimezone(hours.center.tz).date()
    closure = hours.closure_on(local_today, agency_id)
    reason = closure.reason if closure else None
    # Look two weeks ahead first; only a long closure makes us look further.
    for horizon in (15, 400):
        for start, end in hours.spans(agency_id, local_today, horizon):
            if end <= now:
                continue
            if start <= now:
                return OpeningStatus(is_open=True, closes_at=end)
            return OpeningStatus(is_open=False, next_opening=start, closed_reason=reason)
    return OpeningStatus(is_open=False, closed_reason=reason)


def week_schedule(hours: CenterHours, agency_id: int | None = None) -> list[tuple[int, list]]:
    """The week Sunday first: [(weekday, [(opens, closes), …]), …]; an empty list is closed."""
    schedule = hours.schedule_for(agency_id)
    return [(day, sorted(schedule.get(day, []))) for day in WEEK_ORDER]


def upcoming_closures(hours: CenterHours, *, today: dt.date | None = None) -> list[Closure]:
    today = today or timezone.now().astimezone(hours.center.tz).date()
    return [c for c in hours.closures if c.ends_on >= today]


def centers_for_list() -> QuerySet[Center]:
    return Center.objects.active().prefetch_related("agencies").order_by("pk")
