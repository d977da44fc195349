"""API of the figures: KPIs of a slice and period, and a center's live state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from oneroof.accounts.auth import BearerKey
from oneroof.accounts.models import User
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput
from oneroof.core.schemas import ERRORS
from oneroof.insights.permissions import access_center_live, kpi_filter_for
from oneroof.insights.selectors import (
    CenterLive,
    Kpis,
    center_live,
    kpi_series,
    kpis,
)

router = Router(tags=["insights"])
STAFF_AUTH = [BearerKey(), django_auth]
DEFAULT_DAYS = 30


class KpiQuery(Schema):
    center: str | None = Field(None, max_length=80, description="center slug")
    agency: str | None = Field(None, max_length=80, description="agency slug")
    service: str | None = Field(None, max_length=100, description="service slug")
    employee: str | None = Field(None, max_length=150, description="employee username")
    start: dt.date | None = Field(
        None, alias="from", description="first local day (default: 29 days before `to`)"
    )
    end: dt.date | None = Field(
        None, alias="to", description="the day after the last one, exclusive (default: tomorrow)"
    )
    granularity: Literal["hour", "day", "week", "month", "total"] = "day"


class SatisfactionOut(Schema):
    answers: int
    mean: float | None
    satisfied_share: float | None
    waiting_mean: float | None
    courtesy_mean: float | None
    one_visit_share: float | None
    low_sample: bool


class KpisOut(Schema):
    arrivals: int | None = Field(description="tickets issued (None in employee figures)")
    visitors: int | None = Field(description="arrivals less transfers from another line")
    remote_tickets: int | None
    appointment_tickets: int | None
    no_shows: int | None
    cancelled: int | None
    no_show_rate: float | None
    served: int = Field(description="services delivered (transaction records)")
    completed: int
    missing_documents: int
    self_service: int
    fees: Decimal
    wait_avg_minutes: float | None
    wait_p50_minutes: float | None
    wait_p90_minutes: float | None = Field(
        description="from fixed histogram buckets, exact to within the bucket's width"
    )
    handling_avg_minutes: float | None
    handling_p50_minutes: float | None
    handling_p90_minutes: float | None
    counter_hours: float | None = Field(description="open counter time (None for a service)")
    paused_hours: float | None
    efficiency: float | None = Field(description="services delivered per open counter hour")
    satisfaction: SatisfactionOut


class PointOut(Schema):
    start: dt.date
    hour: int | None
    kpis: KpisOut


class FiltersOut(Schema):
    center: str | None
    agency: str | None
    service: str | None
    employee: str | None
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    granularity: str


class KpiReportOut(Schema):
    filters: FiltersOut
    totals: KpisOut
    series: list[PointOut]


def _kpis_out(k: Kpis) -> dict:
    out = {name: getattr(k, name) for name in KpisOut.model_fields if name != "satisfaction"}
    s = k.satisfaction
    out["satisfaction"] = {name: getattr(s, name) for name in SatisfactionOut.model_fields}
    return out


def _by_slug(model, slug: str | None, message: str):
    if not slug:
        return None
    field = "username" if model is User else "slug"
    obj = model.objects.filter(**{field: slug}).first()
    if obj is None:
        raise InvalidInput(message % {"slug": slug})
    return obj


@router.get(
    "/kpis",
    response={200: KpiReportOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="KPIs of a center, agency, service or employee over a period",
)
def get_kpis(request, query: Query[KpiQuery]):
    """Arrivals, services delivered, no-shows, waits (average, median, 90th percentile),
    handling time, efficiency and satisfaction from the roll-ups, in total and per hour,
    day, week (from Sunday) or month. Days are the centers' local days; `to` is exclusive.
    A supervisor sees their center, an agency administrator their agency, an employee
    their own figures; decision makers, evaluators and administrators see everything."""
    center = _by_slug(Center, query.center, _("Unknown center “%(slug)s”."))
    agency = _by_slug(Agency, query.agency, _("Unknown agency “%(slug)s”."))
    service = _by_slug(Service, query.service, _("Unknown service “%(slug)s”."))
    employee = _by_slug(User, query.employee, _("Unknown employee “%(slug)s”."))
    filt = kpi_filter_for(
        request.user, center=center, agency=agency, service=service, employee=employee
    )
    end = query.end or timezone.localdate() + dt.timedelta(days=1)
    start = query.start or end - dt.timedelta(days=DEFAULT_DAYS)
    totals = kpis(filt=filt, start=start, end=end)
    series = kpi_series(filt=filt, start=start, end=end, granularity=query.granularity)
    return {
        "filters": {
            "center": query.center,
            "agency": query.agency,
            "service": query.service,
            "employee": query.employee,
            "from": start,
            "to": end,
            "granularity": query.granularity,
        },
        "totals": _kpis_out(totals),
        "series": [{"start": p.start, "hour": p.hour, "kpis": _kpis_out(p.kpis)} for p in series],
    }


class LineOut(Schema):
    prefix: str
    name: str
    agency: str
    waiting: int
    on_hold: int
    longest_wait_minutes: int | None
    target_wait_minutes: int
    over_target: bool


class CounterOut(Schema):
    number: int
    label: str
    status: str
    employee: str | None
    since: dt.datetime | None
    minutes_in_status: int | None
    lines: list[str]
    serving: str | None
    paused_too_long: bool


class AlertOut(Schema):
    kind: str
    subject: str
    minutes: int
    limit: int


class AppointmentsOut(Schema):
    due: int
    checked_in: int
    still_expected: int
    no_shows: int


class LiveOut(Schema):
    center: str
    at: dt.datetime
    waiting: int
    longest_wait_minutes: int | None
    counters_open: int
    counters_paused: int
    counters_closed: int
    lines: list[LineOut]
    counters: list[CounterOut]
    today: KpisOut
    appointments: AppointmentsOut
    alerts: list[AlertOut]


def _live_out(live: CenterLive) -> dict:
    agencies = dict(Agency.objects.values_list("pk", "slug"))
    return {
        "center": live.center.slug,
        "at": live.at,
        "waiting": live.waiting,
        "longest_wait_minutes": live.longest_wait_minutes,
        "counters_open": live.counters_open,
        "counters_paused": live.counters_paused,
        "counters_closed": live.counters_closed,
        "lines": [
            {**line.__dict__, "agency": agencies.get(line.agency_id, "")} for line in live.lines
        ],
        "counters": [c.__dict__ for c in live.counters],
        "today": _kpis_out(live.today),
        "appointments": live.appointments.__dict__,
        "alerts": [a.__dict__ for a in live.alerts],
    }


@router.get(
    "/centers/{center}/live",
    response={200: LiveOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="A center's live state",
)
def get_center_live(request, center: str):
    """Waiting now per line and the longest wait, counters open, paused or closed and who
    is at each, today's figures, appointments due and checked in, and alerts (a line's
    wait past its target, a counter paused too long). The center's supervisor, the
    administrators of the agencies it hosts (their desks only), decision makers,
    evaluators and administrators."""
    obj, agency_ids = access_center_live(request.user, center)
    return _live_out(center_live(obj, agency_ids=agency_ids))
