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
from oneroof.centers.models import Center
from oneroof.centers.selectors import CenterHours, centers_hours

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
    rules = SlotRule.objects.filter(
        center_id=center_id, agency_id=service.agency_id, is_active=True
    ).filter(Q(service=service) | Q(service__isnull=True))
    # A rule for the service itself wins over the agency's.
    return min(rules, key=lambda r: r.service_id is None, default=None)


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
) -> list[Slot]:
    """Bookable slots of `service` from `start_day` for `days` days, at one center or at
    every center offering it. Earliest first, or nearest center first when `near` (lat, lon)
    is given. Respects each rule's window, minimum notice, the desk's hours and closures."""
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
    for c in centers:
        center_id = c.pk
        rule = rule_for(center_id, service)
        if rule is None:
            continue
        rules[center_id] = (c, rule)
        away = distance.get(center_id, 0)
        first_day = start_day or now.astimezone(c.tz).date()
        earliest = now + dt.timedelta(minutes=rule.min_notice_minutes)
        latest = now + dt.timedelta(days=rule.window_days)
        for offset in range(days):
            day = first_day + dt.timedelta(days=offset)
            for start, end in _day_slots(hours[center_id], rule, day):
                if earliest <= start <= latest:
                    # Whole minutes since 1970, as Appointment.start_minute.
                    minute = int(start.timestamp()) // 60
                    candidates.append((away, minute, center_id, start, end))
    if not candidates:
        return []
    lo = min(row[1] for row in candidates)
    hi = max(row[1] for row in candidates)
    counts = (
        Appointment.objects.filter(
            agency_id=service.agency_id,
            start_minute__gte=lo,
            start_minute__lte=hi,
            center_id__in=list(rules),
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
        booked = Tally({(center_id, minute): n for center_id, minute, n in cursor.fetchall()})
    candidates.sort(key=lambda row: row[:3])
    slots = []
    for _distance, minute, center_id, start, end in candidates:
        center_obj, rule = rules[center_id]
        taken = booked[(center_id, minute)]
        if include_full or taken < rule.capacity:
            slots.append(
                Slot(center=center_obj, start=start, end=end, capacity=rule.capacity, booked=taken)
            )
    return slots
