"""API of centers: where they are, what they host, when they are open."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from oneroof.centers.choices import Weekday
from oneroof.centers.models import Center, fmt_minute
from oneroof.centers.selectors import (
    CenterHours,
    centers_for_list,
    centers_hours,
    opening_status,
    upcoming_closures,
    week_schedule,
)
from oneroof.core.schemas import ERRORS

router = Router(tags=["centers"])


class IntervalOut(Schema):
    opens: str
    closes: str


class DayOut(Schema):
    weekday: int
    name_ar: str
    name_en: str
    intervals: list[IntervalOut]


class OpeningOut(Schema):
    open_now: bool
    closes_at: dt.datetime | None
    next_opening: dt.datetime | None
    closed_reason: str | None


class CenterOut(Schema):
    slug: str
    name_ar: str
    name_en: str
    address_ar: str
    address_en: str
    phone: str
    latitude: float
    longitude: float
    time_zone: str
    opening: OpeningOut
    agencies: list[str]
    url: str


class DeskHoursOut(Schema):
    agency: str
    agency_name_ar: str
    agency_name_en: str
    opening: OpeningOut
    hours: list[DayOut]


class ClosureOut(Schema):
    starts_on: dt.date
    ends_on: dt.date
    reason_ar: str
    reason_en: str
    agency: str | None


class CenterDetailOut(CenterOut):
    counters: int
    hours: list[DayOut]
    desk_hours: list[DeskHoursOut]
    closures: list[ClosureOut]
    services: list[str]


_DAY_NAMES = {
    0: ("الاثنين", "Monday"),
    1: ("الثلاثاء", "Tuesday"),
    2: ("الأربعاء", "Wednesday"),
    3: ("الخميس", "Thursday"),
    4: ("الجمعة", "Friday"),
    5: ("السبت", "Saturday"),
    6: ("الأحد", "Sunday"),
}
assert set(_DAY_NAMES) == set(Weekday.values)


def opening_out(hours: CenterHours, agency_id: int | None = None) -> dict:
    status = opening_status(hours, agency_id=agency_id)
    return {
        "open_now": status.is_open,
        "closes_at": status.closes_at,
        "next_opening": status.next_opening,
        "closed_reason": status.closed_reason,
    }


def days_out(hours: CenterHours, agency_id: int | None = None) -> list[dict]:
    return [
        {
            "weekday": day,
            "name_ar": _DAY_NAMES[day][0],
            "name_en": _DAY_NAMES[day][1],
            "intervals": [{"opens": fmt_minute(o), "closes": fmt_minute(c)} for o, c in ivs],
        }
        for day, ivs in week_schedule(hours, agency_id)
    ]


def center_out(center: Center, hours: CenterHours) -> dict:
    return {
        "slug": center.slug,
        "name_ar": center.name_ar,
        "name_en": center.name_en,
        "address_ar": center.address_ar or "",
        "address_en": center.address_en or "",
        "phone": center.phone,
        "latitude": float(center.latitude),
        "longitude": float(center.longitude),
        "time_zone": center.time_zone,
        "opening": opening_out(hours),
        "url": center.get_absolute_url(),
        "agencies": [a.slug for a in center.agencies.all()],
    }


@router.get("/centers", response={200: list[CenterOut], **ERRORS}, summary="List centers")
def list_centers(request):
    """Every active center with its position and whether it is open now."""
    centers = list(centers_for_list())
    hours = centers_hours(centers)
    return [center_out(c, hours[c.pk]) for c in centers]


@router.get("/centers/{slug}", response={200: CenterDetailOut, **ERRORS}, summary="One center")
def get_center(request, slug: str):
    """A center: hours per weekday (several intervals), per-agency desk hours that differ from
    the center's, upcoming holidays and closures, hosted agencies and services, open now and
    next opening."""
    center = get_object_or_404(centers_for_list(), slug=slug)
    hours = centers_hours([center])[center.pk]
    data = center_out(center, hours)
    agencies = {a.pk: a for a in center.agencies.all()}
    data.update(
        counters=center.counters.filter(is_active=True).count(),
        hours=days_out(hours),
        desk_hours=[
            {
                "agency": agencies[aid].slug,
                "agency_name_ar": agencies[aid].name_ar,
                "agency_name_en": agencies[aid].name_en,
                "opening": opening_out(hours, aid),
                "hours": days_out(hours, aid),
            }
            for aid in sorted(hours.desk_schedules)
            if aid in agencies
        ],
        closures=[
            {
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
                "reason_ar": c.reason_ar or "",
                "reason_en": c.reason_en or "",
                "agency": agencies[c.agency_id].slug if c.agency_id in agencies else None,
            }
            for c in upcoming_closures(hours)
        ],
        services=list(center.services.filter(is_active=True).values_list("slug", flat=True)),
    )
    return data
