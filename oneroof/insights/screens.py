"""What the insight screens read beyond `insights.selectors`: who may open which screen,
periods as people choose them (a day, a week, a month, a half-year), a report's figures put
together, the live view's JSON, every center's state for the command center (scoped to an
agency for agency administrators, with the lines over their target), periods compared, and
employees' figures with their training needs.

Figures always come from `insights.selectors` (roll-up tables, and the live queue tables
for "now"), sliced by `insights.permissions.kpi_filter_for`, so a screen never shows a
figure the API would refuse."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oneroof.accounts.choices import Role
from oneroof.accounts.models import RoleAssignment, User
from oneroof.accounts.permissions import AnyUser, agency_ids, center_ids, has_role
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.insights import selectors
from oneroof.insights.models import MEASURE_FIELDS, AgencyHour
from oneroof.insights.permissions import kpi_filter_for, sees_all_figures
from oneroof.insights.selectors import KpiFilter, Kpis
from oneroof.queueing.choices import CounterStatus, TicketStatus
from oneroof.queueing.models import CounterState, Line, Ticket

# Reports and comparisons cover at most this many days at a time.
MAX_PERIOD_DAYS = selectors.MAX_DAYS

# --- who opens which screen ------------------------------------------------------------------


def may_see_figures(user: AnyUser) -> bool:
    """Reports and live views: supervisors (their centers), agency administrators (their
    agency), decision makers, evaluators and system administrators (everything)."""
    return user.is_authenticated and (
        sees_all_figures(user) or has_role(user, Role.SUPERVISOR, Role.AGENCY_ADMIN)
    )


def may_see_command_center(user: AnyUser) -> bool:
    """Everyone who sees more than one center: all figures, or an agency's everywhere."""
    return user.is_authenticated and (sees_all_figures(user) or has_role(user, Role.AGENCY_ADMIN))


def may_see_employees(user: AnyUser) -> bool:
    return may_see_figures(user) or has_role(user, Role.EMPLOYEE)


def agency_scope(user: AnyUser) -> frozenset[int] | None:
    """The agencies an agency administrator's figures are limited to; None for those who
    see everything."""
    return None if sees_all_figures(user) else frozenset(agency_ids(user, Role.AGENCY_ADMIN))


def visible_centers(user: AnyUser) -> QuerySet[Center]:
    """Active centers with figures the user may see."""
    centers = Center.objects.active().order_by("pk")
    if sees_all_figures(user):
        return centers
    supervised = center_ids(user, Role.SUPERVISOR)
    administered = agency_ids(user, Role.AGENCY_ADMIN)
    return centers.filter(
        Q(pk__in=supervised) | Q(center_agencies__agency_id__in=administered)
    ).distinct()


def figure_filter(
    user: AnyUser,
    *,
    center: Center | None = None,
    agency: Agency | None = None,
    service: Service | None = None,
    employee: User | None = None,
) -> KpiFilter:
    """`permissions.kpi_filter_for` for pages: a slice outside the user's is a 403."""
    try:
        return kpi_filter_for(
            user, center=center, agency=agency, service=service, employee=employee
        )
    except NotAllowed as error:
        raise PermissionDenied(str(error.message)) from error


def access_employee(user: AnyUser, employee_id: int) -> User:
    """An employee whose KPIs the user may see: themselves; staff of their center
    (supervisors); staff of their agency (agency administrators); anyone (those who see
    everything). 404 if there is no such active user, 403 otherwise."""
    employee = User.objects.filter(pk=employee_id, is_active=True).first()
    if employee is None:
        raise Http404
    if not user.is_authenticated:
        raise PermissionDenied
    if employee.pk == user.pk and has_role(user, Role.EMPLOYEE):
        return employee
    if sees_all_figures(user):
        return employee
    supervised = center_ids(user, Role.SUPERVISOR)
    administered = agency_ids(user, Role.AGENCY_ADMIN)
    if (supervised or administered) and RoleAssignment.objects.filter(
        Q(center_id__in=supervised) | Q(agency_id__in=administered),
        user=employee,
        role=Role.EMPLOYEE,
    ).exists():
        return employee
    raise PermissionDenied


# --- periods ---------------------------------------------------------------------------------

PERIOD_KINDS = {
    "day": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "half": gettext_lazy("Half-year"),
    "custom": gettext_lazy("Dates"),
}


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    """Local days from `start` to `end`, both included (the selectors' `end` is the day
    after: `stop`)."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def stop(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def monthly(self) -> bool:
        """Long periods are drawn month by month, short ones day by day."""
        return self.days > 62

    @property
    def granularity(self) -> str:
        return "month" if self.monthly else "day"

    def upto(self, today: dt.date) -> Period:
        """The part of the period that has happened (a current month so far)."""
        if self.end <= today or self.start > today:
            return self
        return Period(self.kind, self.start, today)

    def previous(self) -> Period:
        """The period before, of the same kind and as many days into it."""
        if self.kind == "day":
            return Period("day", self.start - dt.timedelta(1), self.end - dt.timedelta(1))
        if self.kind == "week":
            return Period("week", self.start - dt.timedelta(7), self.end - dt.timedelta(7))
        months = {"month": 1, "half": 6}.get(self.kind)
        if months:
            whole = period_of(self.kind, _add_months(self.start, -months))
            if self.end == period_of(self.kind, self.start).end:
                return whole
            # A period under way: as many days of the one before.
            return replace(whole, end=min(whole.end, whole.start + dt.timedelta(self.days - 1)))
        return Period("custom", self.start - dt.timedelta(self.days), self.start - dt.timedelta(1))

    def year_before(self) -> Period:
        return Period(self.kind, _add_months(self.start, -12), _add_months(self.end, -12))

    @property
    def label(self) -> str:
        if self.start == self.end:
            return date_format(self.start, "j F Y")
        if self.start.day == 1 and self.end == _month_end(self.start):
            return date_format(self.start, "F Y")
        if self.start.day == 1 and self.start.month in (1, 7) and self.end == _month_end(self.end):
            if self.start.month == 1 and self.end == dt.date(self.start.year, 6, 30):
                return _("First half of %(year)s") % {"year": self.start.year}
            if self.start.month == 7 and self.end == dt.date(self.start.year, 12, 31):
                return _("Second half of %(year)s") % {"year": self.start.year}
        return _("%(start)s to %(end)s") % {
            "start": date_format(self.start, "j F Y"),
            "end": date_format(self.end, "j F Y"),
        }

    def query(self) -> dict[str, str]:
        if self.kind == "custom":
            return {"period": "custom", "from": self.start.isoformat(), "to": self.end.isoformat()}
        return {"period": self.kind, "date": self.start.isoformat()}


def period_of(kind: str, anchor: dt.date) -> Period:
    if kind == "week":  # weeks start on Sunday, as the centers' weeks do
        start = anchor - dt.timedelta(days=(anchor.weekday() + 1) % 7)
        return Period("week", start, start + dt.timedelta(days=6))
    if kind == "month":
        return Period("month", anchor.replace(day=1), _month_end(anchor))
    if kind == "half":
        if anchor.month <= 6:
            return Period("half", dt.date(anchor.year, 1, 1), dt.date(anchor.year, 6, 30))
        return Period("half", dt.date(anchor.year, 7, 1), dt.date(anchor.year, 12, 31))
    return Period("day", anchor, anchor)


def custom_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise InvalidInput(_("The end of the period comes before its start."))
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(
            _("Choose a period of at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
        )
    return Period("custom", start, end)


def local_today(center: Center | None = None) -> dt.date:
    if center is not None:
        return timezone.now().astimezone(center.tz).date()
    return timezone.localdate()


# --- reports ---------------------------------------------------------------------------------

BREAKDOWNS = {
    "center": gettext_lazy("Center"),
    "agency": gettext_lazy("Agency"),
    "service": gettext_lazy("Service"),
    "employee": gettext_lazy("Employee"),
    "channel": gettext_lazy("Channel"),
}


@dataclass
class Row:
    """One line of a report's breakdown."""

    key: Any
    label: str
    kpis: Kpis | None
    slug: str = ""
    arrivals: int | None = None  # for channels: visitors by the way they came
    served: int | None = None  # for channels: services by the way they were delivered
    flags: list[selectors.TrainingNeed] = field(default_factory=list)


def channel_rows(total: Kpis) -> list[Row]:
    """How visitors came and how services were delivered. The roll-ups count arrivals by
    remote ticket (web and phone), appointment and transfer, and services by self-service
    or desk; walk-ins are the rest."""
    arrivals = total.arrivals or 0
    transfers = arrivals - (total.visitors or 0)
    remote = total.remote_tickets or 0
    appointments = total.appointment_tickets or 0
    return [
        Row("walk_in", _("Walk-in (kiosk or desk)"), None,
            arrivals=max(arrivals - remote - appointments - transfers, 0)),
        Row("remote", _("Ticket by web or phone"), None, arrivals=remote),
        Row("appointment", _("Appointment"), None, arrivals=appointments),
        Row("transfer", _("Transferred from another desk"), None, arrivals=transfers),
        Row("desk", _("Served at a desk"), None, served=max(total.served - total.self_service, 0)),
        Row("self_service", _("Self-service"), None, served=total.self_service),
    ]  # fmt: skip


def _slugs(by: str, keys: list[int]) -> dict[int, str]:
    model = {"center": Center, "agency": Agency, "service": Service}.get(by)
    if model is None:
        return {}
    return dict(model.objects.filter(pk__in=keys).values_list("pk", "slug"))


def breakdown(filt: KpiFilter, period: Period, by: str, total: Kpis) -> list[Row]:
    if by == "channel":
        return channel_rows(total)
    rows = selectors.kpi_breakdown(filt=filt, start=period.start, end=period.stop, by=by)
    slugs = _slugs(by, [r.key for r in rows])
    flags: dict[int, list[selectors.TrainingNeed]] = defaultdict(list)
    if by == "employee":
        for need in selectors.training_needs(filt=filt, start=period.start, end=period.stop):
            flags[need.employee_id].append(need)
    return [Row(r.key, r.name, r.kpis, slugs.get(r.key, ""), flags=flags[r.key]) for r in rows]


@dataclass
class Report:
    """What the reports page shows and every export writes: the same figures."""

    period: Period
    compare_to: Period | None
    center: Center | None
    agency: Agency | None
    service: Service | None
    by: str
    totals: Kpis
    totals_before: Kpis | None
    rows: list[Row]
    trend: list[selectors.KpiPoint]
    heat: dict[tuple[int, int], int]
    heat_by_agency: bool  # a service's peak hours are its agency desk's

    @property
    def title(self) -> str:
        parts = [x.name for x in (self.center, self.agency, self.service) if x is not None]
        return " · ".join(parts) if parts else _("All centers")


def default_breakdown(center: Center | None, agency: Agency | None, service: Service | None) -> str:
    """One level below the narrowest filter: centers, then agencies, services, employees."""
    if service is not None:
        return "employee"
    if agency is not None:
        return "service" if center is not None else "center"
    if center is not None:
        return "agency"
    return "center"


def build_report(
    user: AnyUser,
    period: Period,
    *,
    center: Center | None = None,
    agency: Agency | None = None,
    service: Service | None = None,
    by: str | None = None,
    compare_to: Period | None = None,
) -> Report:
    if service is not None:
        agency = service.agency
    filt = figure_filter(user, center=center, agency=agency, service=service)
    # A report narrowed to one center or one agency by the user's role is about it.
    if center is None and filt.center_ids is not None and len(filt.center_ids) == 1:
        center = Center.objects.get(pk=next(iter(filt.center_ids)))
    if agency is None and filt.agency_ids is not None and len(filt.agency_ids) == 1:
        agency = Agency.objects.get(pk=next(iter(filt.agency_ids)))
    by = by if by in BREAKDOWNS else default_breakdown(center, agency, service)
    totals = selectors.kpis(filt=filt, start=period.start, end=period.stop)
    before = None
    if compare_to is not None:
        before = selectors.kpis(filt=filt, start=compare_to.start, end=compare_to.stop)
    # Hours are kept per center and agency desk: a service's peak hours are its desk's.
    hour_filt = replace(filt, service_ids=None)
    cells = selectors.peak_hours(filt=hour_filt, start=period.start, end=period.stop)
    return Report(
        period=period,
        compare_to=compare_to,
        center=center,
        agency=agency,
        service=service,
        by=by,
        totals=totals,
        totals_before=before,
        rows=breakdown(filt, period, by, totals),
        trend=selectors.kpi_series(
            filt=filt, start=period.start, end=period.stop, granularity=period.granularity
        ),
        heat={(c.weekday, c.hour): c.arrivals for c in cells},
        heat_by_agency=service is not None,
    )


def compare(user: AnyUser, a: Period, b: Period, *, by: str = "center") -> list[dict[str, Any]]:
    """Two periods side by side per center (or agency or service), the total last."""
    filt = figure_filter(user)
    rows_a = {
        r.key: r for r in selectors.kpi_breakdown(filt=filt, start=a.start, end=a.stop, by=by)
    }
    rows_b = {
        r.key: r for r in selectors.kpi_breakdown(filt=filt, start=b.start, end=b.stop, by=by)
    }
    slugs = _slugs(by, [*rows_a, *rows_b])
    out = [
        _compared(k, (rows_a.get(k) or rows_b[k]).name, slugs.get(k, ""),
                  rows_a[k].kpis if k in rows_a else None, rows_b[k].kpis if k in rows_b else None)
        for k in [*rows_a, *[k for k in rows_b if k not in rows_a]]
    ]  # fmt: skip
    total_a = selectors.kpis(filt=filt, start=a.start, end=a.stop)
    total_b = selectors.kpis(filt=filt, start=b.start, end=b.stop)
    out.append(_compared(None, _("All"), "", total_a, total_b))
    return out


def _change(x: float | None, y: float | None) -> float | None:
    """The change from y to x in percent."""
    if x is None or not y:
        return None
    return (x - y) / y * 100


def _compared(key: Any, label: str, slug: str, ka: Kpis | None, kb: Kpis | None) -> dict:
    def sat(k: Kpis | None) -> float | None:
        return k.satisfaction.satisfied_share if k else None

    sa, sb = sat(ka), sat(kb)
    return {
        "key": key,
        "label": label,
        "slug": slug,
        "a": ka,
        "b": kb,
        "served_change": _change(ka.served if ka else 0, kb.served if kb else 0),
        "wait_change": _change(
            ka.wait_avg_minutes if ka else None, kb.wait_avg_minutes if kb else None
        ),
        "satisfaction_change_points": (sa - sb) * 100
        if sa is not None and sb is not None
        else None,
    }


# --- the live view ---------------------------------------------------------------------------


def _alert_text(alert: selectors.Alert, lines: dict[str, selectors.LineNow],
                counters: dict[str, selectors.CounterNow]) -> str:  # fmt: skip
    if alert.kind == "wait_over_target":
        line = lines.get(alert.subject)
        return _(
            "Line %(prefix)s (%(name)s): the longest wait is %(m)s min, over its target of "
            "%(target)s min; %(n)s waiting."
        ) % {
            "prefix": alert.subject,
            "name": line.name if line else "",
            "m": alert.minutes,
            "target": alert.limit,
            "n": line.waiting if line else 0,
        }
    counter = counters.get(alert.subject)
    return _(
        "Counter %(n)s has been on a break for %(m)s min, longer than the center's %(limit)s "
        "min (%(name)s)."
    ) % {
        "n": alert.subject,
        "m": alert.minutes,
        "limit": alert.limit,
        "name": (counter.employee if counter else "") or "",
    }


def _figures(k: Kpis) -> dict[str, Any]:
    return {
        "served": k.served,
        "arrivals": k.arrivals,
        "avg_wait_minutes": k.wait_avg_minutes,
        "p90_wait_minutes": k.wait_p90_minutes,
        "avg_handling_minutes": k.handling_avg_minutes,
        "no_show_rate": k.no_show_rate,
        "efficiency": k.efficiency,
        "open_counter_hours": k.counter_hours,
        "satisfied_share": k.satisfaction.satisfied_share,
        "answers": k.satisfaction.answers,
    }


def live_state(center: Center, *, agency_ids: frozenset[int] | None = None) -> dict[str, Any]:
    """The supervisor's live view as JSON-ready data (`selectors.center_live`, with names,
    texts in the page's language, waiting and served per agency, and today's hours)."""
    live = selectors.center_live(center, agency_ids=agency_ids)
    today = live.at.astimezone(center.tz).date()
    tomorrow = today + dt.timedelta(days=1)
    filt = KpiFilter(center_ids=frozenset({center.pk}), agency_ids=agency_ids)
    served_by_agency = {
        r.key: r.kpis.served
        for r in selectors.kpi_breakdown(filt=filt, start=today, end=tomorrow, by="agency")
    }
    hours = {
        p.hour: p.kpis
        for p in selectors.kpi_series(filt=filt, start=today, end=tomorrow, granularity="hour")
    }
    first = min([6, *[h for h, k in hours.items() if k.arrivals or k.served]])
    agencies = Agency.objects.in_bulk({line.agency_id for line in live.lines})
    lines = {line.prefix: line for line in live.lines}
    counters = {str(c.number): c for c in live.counters}
    per_agency: dict[int, dict[str, Any]] = {}
    for line in live.lines:
        agency = per_agency.setdefault(
            line.agency_id,
            {
                "id": line.agency_id,
                "name": str(agencies.get(line.agency_id, "")),
                "waiting": 0,
                "served": served_by_agency.get(line.agency_id, 0),
            },
        )
        agency["waiting"] += line.waiting
    labels = dict(CounterStatus.choices)
    open_for: dict[str, int] = defaultdict(int)
    for c in live.counters:
        if c.status == CounterStatus.OPEN:
            for prefix in c.lines:
                open_for[prefix] += 1
    return {
        "center": {"id": center.pk, "slug": center.slug, "name": center.name},
        "at": live.at.isoformat(),
        "local_time": live.at.astimezone(center.tz).strftime("%H:%M"),
        "kpis": {
            **_figures(live.today),
            "waiting_now": live.waiting,
            "longest_wait_minutes": live.longest_wait_minutes,
            "counters_open": live.counters_open,
            "counters_paused": live.counters_paused,
            "counters_closed": live.counters_closed,
            "appointments_due": live.appointments.due,
            "appointments_checked_in": live.appointments.checked_in,
            "appointments_expected": live.appointments.still_expected,
            "appointments_missed": live.appointments.no_shows,
        },
        "lines": [
            {
                "id": line.id,
                "prefix": line.prefix,
                "name": line.name,
                "agency_id": line.agency_id,
                "agency": str(agencies.get(line.agency_id, "")),
                "waiting": line.waiting,
                "on_hold": line.on_hold,
                "longest_wait_minutes": line.longest_wait_minutes,
                "target_minutes": line.target_wait_minutes,
                "over_target": line.over_target,
                "open_counters": open_for[line.prefix],
            }
            for line in live.lines
        ],
        "agencies": sorted(per_agency.values(), key=lambda a: (-a["waiting"], a["name"])),
        "counters": [
            {
                "id": c.id,
                "number": c.number,
                "label": c.label,
                "status": c.status,
                "status_label": str(labels.get(c.status, c.status)),
                "employee": c.employee or "",
                "since_minutes": c.minutes_in_status if c.status != CounterStatus.CLOSED else None,
                "lines": c.lines,
                "current": c.serving,
                "current_label": _("Serving %(n)s") % {"n": c.serving} if c.serving else "",
                "alert": c.paused_too_long,
            }
            for c in live.counters
        ],
        "alerts": [
            {
                "kind": "wait" if a.kind == "wait_over_target" else "pause",
                "key": f"{a.kind}-{a.subject}",
                "text": _alert_text(a, lines, counters),
            }
            for a in sorted(live.alerts, key=lambda a: a.kind != "wait_over_target")
        ],
        "hourly": [
            {
                "hour": h,
                "arrivals": (hours[h].arrivals or 0) if h in hours else 0,
                "served": hours[h].served if h in hours else 0,
            }
            for h in range(first, 24)
        ],
    }


# --- the command center ----------------------------------------------------------------------

RANKINGS = {
    "waiting": gettext_lazy("Waiting now"),
    "wait": gettext_lazy("Average wait today"),
    "served": gettext_lazy("Served today"),
    "satisfaction": gettext_lazy("Satisfaction today"),
}


def _minutes_since(moment: dt.datetime | None, now: dt.datetime) -> int:
    return max(int((now - moment).total_seconds() // 60), 0) if moment else 0


def centers_now(user: AnyUser, *, rank: str = "waiting") -> dict[str, Any]:
    """Every center the user may see, now and today, ranked: waiting, longest wait, lines
    over their target, counters open and paused, today's figures. A fixed number of grouped
    queries for any number of centers. Agency administrators see only their agencies' lines,
    counters and figures in each center (unlike `selectors.centers_overview`, which counts
    whole centers)."""
    now = timezone.now()
    centers = list(visible_centers(user))
    ids = [c.pk for c in centers]
    agencies = agency_scope(user)
    lines = {
        row["pk"]: row
        for row in Line.objects.filter(center_id__in=ids, is_active=True).values(
            "pk", "center_id", "agency_id", "target_wait_minutes"
        )
    }
    live: dict[int, dict[str, Any]] = {
        c.pk: {"waiting": 0, "oldest": None, "over": 0, "open": 0, "paused": 0} for c in centers
    }
    for row in (
        Ticket.objects.filter(center_id__in=ids, status=TicketStatus.WAITING)
        .values("line_id")
        .annotate(n=Count("pk"), oldest=Min("issued_at"))
        .order_by()
    ):
        line = lines.get(row["line_id"])
        if line is None or (agencies is not None and line["agency_id"] not in agencies):
            continue
        slot = live[line["center_id"]]
        slot["waiting"] += row["n"]
        if slot["oldest"] is None or row["oldest"] < slot["oldest"]:
            slot["oldest"] = row["oldest"]
        if _minutes_since(row["oldest"], now) > line["target_wait_minutes"]:
            slot["over"] += 1
    states = CounterState.objects.filter(counter__center_id__in=ids, counter__is_active=True)
    if agencies is not None:
        states = states.filter(
            Q(lines__agency_id__in=agencies) | Q(counter__agency_id__in=agencies)
        )
    for row in (
        states.values("counter__center_id", "status")
        .annotate(n=Count("pk", distinct=True))
        .order_by()
    ):
        key = {CounterStatus.OPEN: "open", CounterStatus.PAUSED: "paused"}.get(row["status"])
        if key:
            live[row["counter__center_id"]][key] += row["n"]

    today_rows: dict[int, dict[str, Any]] = {}
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for c in centers:
        by_day[now.astimezone(c.tz).date()].append(c.pk)
    for day, day_ids in by_day.items():
        rows = AgencyHour.objects.filter(center_id__in=day_ids, day=day)
        if agencies is not None:
            rows = rows.filter(agency_id__in=agencies)
        for row in (
            rows.values("center_id").annotate(**{f: Sum(f) for f in MEASURE_FIELDS}).order_by()
        ):
            today_rows[row["center_id"]] = row

    out = []
    totals: dict[str, Any] = defaultdict(int)
    for c in centers:
        slot = live[c.pk]
        row = today_rows.get(c.pk, {})
        for f in MEASURE_FIELDS:
            totals[f] += row.get(f) or 0
        today = selectors.kpis_of(row, None, visits=True)
        level = (
            "alert" if slot["over"] else "watch" if slot["waiting"] and not slot["open"] else "ok"
        )
        out.append(
            {
                "id": c.pk,
                "slug": c.slug,
                "name": c.name,
                "waiting_now": slot["waiting"],
                "longest_wait_minutes": _minutes_since(slot["oldest"], now),
                "lines_over_target": slot["over"],
                "counters_open": slot["open"],
                "counters_paused": slot["paused"],
                "level": level,
                **{f"today_{k}": v for k, v in _figures(today).items()},
            }
        )
    keys = {
        "waiting": lambda r: (-r["waiting_now"], -r["longest_wait_minutes"], r["name"]),
        "wait": lambda r: (-(r["today_avg_wait_minutes"] or 0), r["name"]),
        "served": lambda r: (-r["today_served"], r["name"]),
        "satisfaction": lambda r: (
            r["today_satisfied_share"] is None,
            -(r["today_satisfied_share"] or 0),
            r["name"],
        ),
    }
    out.sort(key=keys.get(rank, keys["waiting"]))
    for i, row in enumerate(out, start=1):
        row["rank"] = i
    return {
        "at": now.isoformat(),
        "centers": out,
        "totals": {
            **_figures(selectors.kpis_of(totals, None, visits=True)),
            "waiting_now": sum(r["waiting_now"] for r in out),
            "counters_open": sum(r["counters_open"] for r in out),
            "lines_over_target": sum(r["lines_over_target"] for r in out),
            "centers": len(out),
        },
    }


# --- employees -------------------------------------------------------------------------------


@dataclass
class EmployeeRow:
    kpis: selectors.EmployeeKpis
    needs: list[selectors.TrainingNeed]

    @property
    def norm_minutes(self) -> float | None:
        """The catalog's time for this employee's mix of services."""
        work = [w for w in self.kpis.services if w.served]
        served = sum(w.served for w in work)
        return sum(w.norm_minutes * w.served for w in work) / served if served else None

    @property
    def handling_vs_norm(self) -> float | None:
        avg, norm = self.kpis.kpis.handling_avg_minutes, self.norm_minutes
        return avg / norm if avg is not None and norm else None


def employee_rows(filt: KpiFilter, period: Period) -> list[EmployeeRow]:
    """Employees' KPIs in the slice with the training needs the data flags."""
    kpis = selectors.employee_kpis(filt=filt, start=period.start, end=period.stop)
    needs: dict[int, list[selectors.TrainingNeed]] = defaultdict(list)
    if kpis:
        for need in selectors.training_needs(filt=filt, start=period.start, end=period.stop):
            needs[need.employee_id].append(need)
    return [EmployeeRow(k, needs[k.employee_id]) for k in kpis]
