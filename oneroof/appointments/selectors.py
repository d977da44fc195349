"""Slot search: the free places of a service over the next days across the centers that
offer it, computed from slot rules and the desks' opening hours."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter as Tally
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from oneroof.appointments.choices import HOLDS_PLACE
from oneroof.appointments.models import Appointment, SlotRule
from oneroof.catalog.models import Service
from oneroof.centers.models import Center, Closure, OpeningInterval
from oneroof.centers.selectors import CenterHours, centers_hours
from oneroof.core.memo import Memo

UTC = dt.UTC


@dataclass(slots=True)
class Slot:
    center: Center
    start: dt.datetime  # UTC
    end: dt.datetime
    capacity: int
    booked: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked, 0)


def rule_for(center_id: int, service: Service) -> SlotRule | None:
    return rules_for([center_id], service).get(center_id)


def rules_for(center_ids: list[int], service: Service) -> dict[int, SlotRule]:
    """The slot rule of `service` at each center that has one, in one query; a rule for the
    service itself wins over the agency's."""
    rules: dict[int, SlotRule] = {}
    for rule in SlotRule.objects.filter(
        center_id__in=center_ids, agency_id=service.agency_id, is_active=True
    ).filter(Q(service=service) | Q(service__isnull=True)):
        if rule.center_id not in rules or rules[rule.center_id].service_id is None:
            rules[rule.center_id] = rule
    return rules


# A day's slots depend only on the desk's hours, the day's closures and the rule: kept per
# process like the hours themselves (cleared at once by a change saved in this process).
_GRID = Memo("appointments.day_slots", ttl=30).clear_on(SlotRule, Center, OpeningInterval, Closure)


def _day_grid(
    hours: CenterHours, rule: SlotRule, day: dt.date
) -> list[tuple[int, int, dt.datetime, dt.datetime]]:
    """`_day_slots` as (whole minutes since 1970 as Appointment.start_minute, center id,
    start, end), ascending. Shared between calls: never modified."""
    key = (rule.center_id, rule.pk, rule.updated_at, day)
    return _GRID.get(
        key,
        lambda: [
            (int(start.timestamp()) // 60, rule.center_id, start, end)
            for start, end in _day_slots(hours, rule, day)
        ],
    )


def _day_slots(
    hours: CenterHours, rule: SlotRule, day: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The slots of one local day: the desk's open intervals cut to the rule's booking hours,
    in steps of the slot length, as UTC (start, end)."""
    if hours.closure_on(day, rule.agency_id):
        return []
    tz = hours.center.tz
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    length = dt.timedelta(minutes=rule.slot_minutes)
    out = []
    for opens, closes in sorted(hours.schedule_for(rule.agency_id).get(day.weekday(), [])):
        opens, closes = max(opens, rule.booking_opens), min(closes, rule.booking_closes)
        if opens + rule.slot_minutes > closes:
            continue
        first = midnight + dt.timedelta(minutes=opens)
        last = midnight + dt.timedelta(minutes=closes)
        count = (closes - opens) // rule.slot_minutes
        if first.utcoffset() == last.utcoffset():
            # No clock change inside the interval (the usual case): step in UTC.
            start = first.astimezone(UTC)
            for _ in range(count):
                end = start + length
                out.append((start, end))
                start = end
        else:
            # A clock change inside opening hours: step in wall-clock time.
            for i in range(count):
                local = first + i * length
                out.append((local.astimezone(UTC), (local + length).astimezone(UTC)))
    return out


def _booked(agency_id: int, center_ids: list[int], lo: int, hi: int) -> Tally:
    """Places held per (center, start minute) from minute `lo` to `hi` at these centers."""
    counts = (
        Appointment.objects.filter(
            agency_id=agency_id,
            start_minute__gte=lo,
            start_minute__lte=hi,
            center_id__in=center_ids,
            status__in=HOLDS_PLACE,
        )
        .values("center_id", "start_minute")
        .annotate(n=Count("pk"))
        .values_list("center_id", "start_minute", "n")
        .order_by()
    )
    # Integers only: read them straight from the cursor, without the ORM's per-row work.
    sql, params = counts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Tally({(center_id, minute): n for center_id, minute, n in cursor.fetchall()})


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def available_slots(
    service: Service,
    *,
    center: Center | None = None,
    start_day: dt.date | None = None,
    days: int = 7,
    now: dt.datetime | None = None,
    near: tuple[float, float] | None = None,
    include_full: bool = False,
    limit: int | None = None,
) -> list[Slot]:
    """Bookable slots of `service` from `start_day` for `days` days, at one center or at
    every center offering it. Earliest first, or nearest center first when `near` (lat, lon)
    is given. Respects each rule's window, minimum notice, the desk's hours and closures.
    With `limit`, only the first `limit` slots in that order are returned (the search still
    weighs every slot)."""
    now = now or timezone.now()
    centers = list(
        Center.objects.active().filter(center_services__service=service)
        if center is None
        else [center]
    )
    if not centers:
        return []
    hours = centers_hours(centers, today=(start_day or now.date()) - dt.timedelta(days=1))
    distance = {}
    if near is not None:
        distance = {
            c.pk: round(distance_km(near[0], near[1], float(c.latitude), float(c.longitude)), 1)
            for c in centers
        }
    # Plain tuples, sorted in C: (order key…, minute, center id, index) then the objects.
    candidates: list[tuple] = []
    rules: dict[int, tuple[Center, SlotRule]] = {}
    rule_of = rules_for([c.pk for c in centers], service)
    lo, hi = math.inf, -math.inf
    for c in centers:
        center_id = c.pk
        rule = rule_of.get(center_id)
        if rule is None:
            continue
        rules[center_id] = (c, rule)
        first_day = start_day or now.astimezone(c.tz).date()
        earliest = now + dt.timedelta(minutes=rule.min_notice_minutes)
        latest = now + dt.timedelta(days=rule.window_days)
        for offset in range(days):
            grid = _day_grid(hours[center_id], rule, first_day + dt.timedelta(days=offset))
            if not grid:
                continue
            if earliest <= grid[0][2] and grid[-1][2] <= latest:
                run = grid  # the whole day is bookable (most days): no per-slot test
            else:
                run = [row for row in grid if earliest <= row[2] <= latest]
                if not run:
                    continue
            # A day's slots ascend: its first and last bound the minutes to count.
            lo, hi = min(lo, run[0][0]), max(hi, run[-1][0])
            candidates.extend(run)
    if not candidates:
        return []
    if distance:  # nearest center first, then earliest
        candidates.sort(key=lambda row: (distance[row[1]], row[0], row[1]))
    else:  # (minute, center) never ties: the tuples sort in C, never reaching the times
        candidates.sort()
    slots: list[Slot] = []
    # Bookings are counted for the candidates in order, a chunk at a time: with a limit,
    # the first chunk (twice the limit, growing if many slots are full) usually suffices,
    # and its count reads only the minutes and centers it spans.
    chunk = len(candidates) if limit is None else max(2 * limit, 100)
    done = 0
    while done < len(candidates):
        part = candidates[done : done + chunk]
        if done == 0 and len(part) == len(candidates):
            part_lo, part_hi, centers_in = lo, hi, list(rules)
        else:
            part_lo = min(row[0] for row in part)
            part_hi = max(row[0] for row in part)
            centers_in = sorted({row[1] for row in part})
        booked = _booked(service.agency_id, centers_in, part_lo, part_hi)
        for minute, center_id, start, end in part:
            center_obj, rule = rules[center_id]
            taken = booked[(center_id, minute)]
            if include_full or taken < rule.capacity:
                capacity = rule.capacity
                slots.append(Slot(center_obj, start, end, capacity, taken))
                if limit is not None and len(slots) >= limit:
                    return slots
        done += len(part)
        chunk *= 2
    return slots
