"""What the supervisor view, the command center, reports, employee pages and the API read.

Period figures come from the roll-up tables only (never from raw rows): whole months from
`ServiceMonth`, the days around them from `ServiceDay`, hours from `AgencyHour`, employees
from `EmployeeDay`, counter time from `CounterDay`. "Now" figures (who waits, which
counters are open) come from the live queue tables. Periods are local days [start, end):
`end` is exclusive.

Percentiles are read from the roll-ups' fixed histograms (see `insights.buckets`): exact
to within the width of the bucket they fall in (1–15 minutes for waits under an hour)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import ExtractWeekDay, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from oneroof.accounts.models import User
from oneroof.appointments.choices import AppointmentStatus
from oneroof.appointments.models import Appointment
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center, Counter
from oneroof.core.errors import InvalidInput
from oneroof.feedback.selectors import LOW_SAMPLE
from oneroof.insights.buckets import (
    HANDLING_EDGES,
    HANDLING_FIELDS,
    SCORE_FIELDS,
    WAIT_EDGES,
    WAIT_FIELDS,
    quantile,
)
from oneroof.insights.models import (
    COUNTER_FIELDS,
    EMPLOYEE_FIELDS,
    MEASURE_FIELDS,
    AgencyHour,
    CounterDay,
    CounterMonth,
    EmployeeDay,
    ServiceDay,
    ServiceMonth,
)
from oneroof.queueing.choices import ACTIVE_AT_COUNTER, CounterStatus, TicketStatus
from oneroof.queueing.models import CounterState, Line, Ticket

GRANULARITIES = ("hour", "day", "week", "month", "total")
MAX_HOURLY_DAYS = 31
MAX_DAYS = 3 * 366
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2199, 12, 31)  # keeps date arithmetic in range

Row = dict[str, Any]
CENTS = Decimal("0.01")


def _hourly_only() -> str:
    return _(
        "Hourly figures are kept per center and agency: leave out the service and the employee."
    )


# --- what is asked ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiFilter:
    """Which slice: each set limits one dimension, None leaves it open. Permissions
    (`insights.permissions.kpi_filter_for`) narrow it to what a user may see."""

    center_ids: frozenset[int] | None = None
    agency_ids: frozenset[int] | None = None
    service_ids: frozenset[int] | None = None
    employee_ids: frozenset[int] | None = None
    by_employee: bool = False  # read the employee roll-ups even without employee_ids

    def q(self, model: type) -> Q:
        names = {f.name for f in model._meta.get_fields()}
        q = Q()
        for dim, ids in (
            ("center", self.center_ids),
            ("agency", self.agency_ids),
            ("service", self.service_ids),
            ("employee", self.employee_ids),
        ):
            if ids is None:
                continue
            if dim not in names:  # never widen a slice by ignoring part of it
                raise ValueError(f"{model.__name__} has no {dim}")
            q &= Q(**{f"{dim}_id__in": ids})
        return q

    @property
    def per_employee(self) -> bool:
        return self.by_employee or self.employee_ids is not None


# --- what is answered --------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    answers: int
    mean: float | None  # overall score, 1–5
    satisfied_share: float | None  # share of 4 and 5
    waiting_mean: float | None
    courtesy_mean: float | None
    one_visit_share: float | None
    low_sample: bool
    scores: tuple[int, ...]  # answers scoring 1…5


@dataclass(frozen=True)
class Kpis:
    # Arrivals and no-shows are kept per center, agency and service, not per employee:
    # None in employee figures.
    arrivals: int | None
    visitors: int | None  # arrivals less transfers from another line
    remote_tickets: int | None
    appointment_tickets: int | None
    no_shows: int | None
    cancelled: int | None
    no_show_rate: float | None  # no-shows per arrival
    served: int
    completed: int
    missing_documents: int
    self_service: int
    fees: Decimal
    wait_count: int
    wait_avg_minutes: float | None
    wait_p50_minutes: float | None
    wait_p90_minutes: float | None
    handling_count: int
    handling_avg_minutes: float | None
    handling_p50_minutes: float | None
    handling_p90_minutes: float | None
    counter_hours: float | None  # open (ready to call) counter time; None when not derivable
    paused_hours: float | None
    efficiency: float | None  # services delivered per open counter hour
    satisfaction: Satisfaction
    wait_histogram: tuple[int, ...] = ()
    handling_histogram: tuple[int, ...] = ()


@dataclass(frozen=True)
class KpiPoint:
    start: dt.date
    hour: int | None  # for hourly figures
    kpis: Kpis


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _ratio(a: float, b: float, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


def satisfaction_of(row: Row) -> Satisfaction:
    n = int(row.get("answers") or 0)
    scores = tuple(int(row.get(f) or 0) for f in SCORE_FIELDS)
    total = sum(i * c for i, c in enumerate(scores, start=1))
    return Satisfaction(
        answers=n,
        mean=_ratio(total, n, 2),
        satisfied_share=_ratio(scores[3] + scores[4], n),
        waiting_mean=_ratio(int(row.get("waiting_score_sum") or 0), n, 2),
        courtesy_mean=_ratio(int(row.get("courtesy_score_sum") or 0), n, 2),
        one_visit_share=_ratio(int(row.get("one_visit") or 0), n),
        low_sample=n < LOW_SAMPLE,
        scores=scores,
    )


def kpis_of(row: Row, counter: Row | None, *, visits: bool) -> Kpis:
    """Figures from summed roll-up columns (`row`) and counter time (`counter`, None when
    it cannot be attributed to the slice)."""

    def g(name: str) -> int:
        return int(row.get(name) or 0)

    waits = tuple(g(f) for f in WAIT_FIELDS)
    handlings = tuple(g(f) for f in HANDLING_FIELDS)
    served = g("served")
    open_seconds = int(counter.get("open_seconds") or 0) if counter is not None else None
    paused_seconds = int(counter.get("paused_seconds") or 0) if counter is not None else None
    counter_hours = round(open_seconds / 3600, 2) if open_seconds is not None else None
    arrivals = g("arrivals") if visits else None
    return Kpis(
        arrivals=arrivals,
        visitors=arrivals - g("transfers_in") if visits else None,
        remote_tickets=g("arrivals_remote") if visits else None,
        appointment_tickets=g("appointments") if visits else None,
        no_shows=g("no_shows") if visits else None,
        cancelled=g("cancelled") if visits else None,
        no_show_rate=_ratio(g("no_shows"), arrivals) if visits and arrivals else None,
        served=served,
        completed=g("completed"),
        missing_documents=g("missing_documents"),
        self_service=g("self_service"),
        fees=Decimal(str(row.get("fees") or 0)).quantize(CENTS),
        wait_count=g("wait_count"),
        wait_avg_minutes=_minutes(g("wait_sum") / g("wait_count")) if g("wait_count") else None,
        wait_p50_minutes=_minutes(quantile(waits, WAIT_EDGES, 0.5)),
        wait_p90_minutes=_minutes(quantile(waits, WAIT_EDGES, 0.9)),
        handling_count=g("handling_count"),
        handling_avg_minutes=(
            _minutes(g("handling_sum") / g("handling_count")) if g("handling_count") else None
        ),
        handling_p50_minutes=_minutes(quantile(handlings, HANDLING_EDGES, 0.5)),
        handling_p90_minutes=_minutes(quantile(handlings, HANDLING_EDGES, 0.9)),
        counter_hours=counter_hours,
        paused_hours=round(paused_seconds / 3600, 2) if paused_seconds is not None else None,
        efficiency=_ratio(served, counter_hours, 2) if counter_hours else None,
        satisfaction=satisfaction_of(row),
        wait_histogram=waits,
        handling_histogram=handlings,
    )


# --- reading the roll-ups ---------------------------------------------------------------------


def _check_period(start: dt.date, end: dt.date) -> None:
    if start < EARLIEST or end > LATEST:
        raise InvalidInput(
            _("Choose days from %(first)s to %(last)s.") % {"first": EARLIEST, "last": LATEST}
        )
    if end <= start:
        raise InvalidInput(_("The end of the period must come after its start."))
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(_("Ask for at most %(days)s days at a time.") % {"days": MAX_DAYS})


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _parts(start: dt.date, end: dt.date) -> list[tuple[type, str, dt.date, dt.date]]:
    """The period as whole months (ServiceMonth) and the days around them (ServiceDay)."""
    first_full = start if start.day == 1 else _first_of_next_month(start)
    last_full = end.replace(day=1)
    if first_full >= last_full:
        return [(ServiceDay, "day", start, end)]
    parts: list[tuple[type, str, dt.date, dt.date]] = []
    if start < first_full:
        parts.append((ServiceDay, "day", start, first_full))
    parts.append((ServiceMonth, "month", first_full, last_full))
    if last_full < end:
        parts.append((ServiceDay, "day", last_full, end))
    return parts


def _sums(fields: Iterable[str]) -> dict[str, Sum]:
    return {f: Sum(f) for f in fields}


def _rows(
    model: type,
    date_field: str,
    start: dt.date,
    end: dt.date,
    filt: KpiFilter,
    by: list[str],
    fields: Iterable[str],
    **group: Any,
) -> list[Row]:
    qs = model.objects.filter(
        filt.q(model), **{f"{date_field}__gte": start, f"{date_field}__lt": end}
    )
    if group:
        qs = qs.annotate(**group)
    keys = [*by, *group]
    if keys:
        return list(qs.values(*keys).annotate(**_sums(fields)).order_by())
    return [qs.aggregate(**_sums(fields))]


KEY_COLUMNS = {"center_id", "agency_id", "service_id", "employee_id", "day", "hour", "month", "p"}


def _merge(rows: Iterable[Row], key: Any) -> dict[Any, Row]:
    """Add up the measures of rows that share a key (parts of one period from different
    tables); key columns keep their first value."""
    out: dict[Any, Row] = {}
    for row in rows:
        into = out.setdefault(key(row), {})
        for name, value in row.items():
            if value is None:
                continue
            if name in KEY_COLUMNS:
                into.setdefault(name, value)
            else:
                into[name] = (into.get(name) or 0) + value
    return out


def _grouped(
    filt: KpiFilter,
    start: dt.date,
    end: dt.date,
    by: list[str],
    period: str | None,
    tables: tuple[type, type | None],
    fields: Iterable[str],
) -> dict[Any, Row]:
    """Summed `fields` keyed by (period start, *by values), from a day table and, for
    whole months, its month table."""
    days, months = tables
    if months is not None and period in (None, "month"):
        parts = [(days if m is ServiceDay else months, f, lo, hi)
                 for m, f, lo, hi in _parts(start, end)]  # fmt: skip
    else:
        parts = [(days, "day", start, end)]
    rows: list[Row] = []
    for model, date_field, low, high in parts:
        if period == "month":
            group = {"p": TruncMonth(date_field)} if date_field == "day" else {}
            extra = [] if date_field == "day" else ["month"]
            rows += _rows(model, date_field, low, high, filt, by + extra, fields, **group)
        elif period in ("day", "week"):
            rows += _rows(model, date_field, low, high, filt, [*by, "day"], fields)
        else:
            rows += _rows(model, date_field, low, high, filt, by, fields)
    return _merge(rows, lambda r: (_period_key(r, period), *[r[b] for b in by]))


def _measure_rows(
    filt: KpiFilter, start: dt.date, end: dt.date, by: list[str], period: str | None
) -> dict[Any, Row]:
    if filt.per_employee:
        return _grouped(filt, start, end, by, period, (EmployeeDay, None), EMPLOYEE_FIELDS)
    return _grouped(filt, start, end, by, period, (ServiceDay, ServiceMonth), MEASURE_FIELDS)


def _period_key(row: Row, period: str | None) -> dt.date | None:
    if period is None:
        return None
    if period == "month":
        value = row.get("p") or row.get("month")
        return _as_date(value).replace(day=1)
    day = _as_date(row["day"])
    if period == "week":  # weeks start on Sunday, as the centers' week does
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)
    return day


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value


def _counter_rows(
    filt: KpiFilter, start: dt.date, end: dt.date, by: list[str], period: str | None
) -> dict[Any, Row] | None:
    """Counter time keyed like `_measure_rows`; None when it cannot be attributed (a
    service's figures: counters serve lines, not services)."""
    if filt.service_ids is not None or "service_id" in by:
        return None
    return _grouped(filt, start, end, by, period, (CounterDay, CounterMonth), COUNTER_FIELDS)


EMPTY_COUNTER = {"open_seconds": 0, "paused_seconds": 0}


def kpis(*, filt: KpiFilter, start: dt.date, end: dt.date) -> Kpis:
    """The figures of one slice over the local days [start, end)."""
    _check_period(start, end)
    rows = _measure_rows(filt, start, end, [], None)
    counters = _counter_rows(filt, start, end, [], None)
    row = rows.get((None,), {})
    counter = None if counters is None else counters.get((None,), EMPTY_COUNTER)
    return kpis_of(row, counter, visits=not filt.per_employee)


def kpi_series(
    *, filt: KpiFilter, start: dt.date, end: dt.date, granularity: str
) -> list[KpiPoint]:
    """Figures per hour (every hour of every day), day, week (from Sunday) or month;
    periods with nothing are included with zeros, so charts have every point."""
    _check_period(start, end)
    if granularity not in GRANULARITIES:
        raise InvalidInput(_("Unknown granularity “%(g)s”.") % {"g": granularity})
    if granularity == "total":
        return []
    if granularity == "hour":
        return _hourly(filt, start, end)
    rows = _measure_rows(filt, start, end, [], granularity)
    counters = _counter_rows(filt, start, end, [], granularity)
    points = []
    for key in _period_keys(start, end, granularity):
        row = rows.get((key,), {})
        counter = None if counters is None else counters.get((key,), EMPTY_COUNTER)
        points.append(KpiPoint(key, None, kpis_of(row, counter, visits=not filt.per_employee)))
    return points


def _period_keys(start: dt.date, end: dt.date, granularity: str) -> list[dt.date]:
    keys: list[dt.date] = []
    day = start
    while day < end:
        key = _period_key({"day": day, "p": day}, granularity)
        if not keys or keys[-1] != key:
            keys.append(key)
        day += dt.timedelta(days=1)
    return keys


def _hourly(filt: KpiFilter, start: dt.date, end: dt.date) -> list[KpiPoint]:
    if filt.service_ids is not None or filt.per_employee:
        raise InvalidInput(_hourly_only())
    if (end - start).days > MAX_HOURLY_DAYS:
        raise InvalidInput(
            _("Ask for at most %(days)s days of hourly figures.") % {"days": MAX_HOURLY_DAYS}
        )
    rows = _merge(
        _rows(AgencyHour, "day", start, end, filt, ["day", "hour"], MEASURE_FIELDS),
        lambda r: (_as_date(r["day"]), r["hour"]),
    )
    days = [start + dt.timedelta(days=i) for i in range((end - start).days)]
    return [
        KpiPoint(day, hour, kpis_of(rows.get((day, hour), {}), None, visits=True))
        for day in days
        for hour in range(24)
    ]


@dataclass(frozen=True)
class KpiRow:
    """One line of a breakdown: a center, agency, service or employee."""

    key: int
    name: str
    kpis: Kpis


BREAKDOWNS = {"center": Center, "agency": Agency, "service": Service, "employee": User}


def kpi_breakdown(*, filt: KpiFilter, start: dt.date, end: dt.date, by: str) -> list[KpiRow]:
    """The slice's figures per center, agency, service or employee, most served first
    (the command center's ranked grid, reports by center/agency/service/employee)."""
    _check_period(start, end)
    if by not in BREAKDOWNS:
        raise InvalidInput(_("Unknown breakdown “%(by)s”.") % {"by": by})
    if by == "employee":
        filt = replace(filt, by_employee=True)
    column = f"{by}_id"
    rows = _measure_rows(filt, start, end, [column], None)
    counters = _counter_rows(filt, start, end, [column], None)
    names = _names(BREAKDOWNS[by], [k[1] for k in rows])
    out = []
    for (_none, key), row in rows.items():
        counter = None if counters is None else counters.get((None, key), EMPTY_COUNTER)
        out.append(
            KpiRow(key, names.get(key, str(key)), kpis_of(row, counter, visits=by != "employee"))
        )
    out.sort(key=lambda r: (-r.kpis.served, r.name))
    return out


def _names(model: type, keys: Iterable[int]) -> dict[int, str]:
    objects = model.objects.in_bulk(set(keys))
    if model is User:
        return {k: u.get_full_name() or u.username for k, u in objects.items()}
    return {k: str(o) for k, o in objects.items()}


@dataclass(frozen=True)
class PeakCell:
    weekday: int  # 0 = Sunday … 6 = Saturday
    hour: int
    arrivals: int
    served: int
    wait_avg_minutes: float | None


def peak_hours(*, filt: KpiFilter, start: dt.date, end: dt.date) -> list[PeakCell]:
    """Arrivals, services and the average wait per weekday (Sunday first) and hour over
    the period, every one of the 7 × 24 cells (the reports' heatmap). Kept per center and
    agency."""
    _check_period(start, end)
    if filt.service_ids is not None or filt.per_employee:
        raise InvalidInput(_hourly_only())
    rows = (
        AgencyHour.objects.filter(filt.q(AgencyHour), day__gte=start, day__lt=end)
        .annotate(wd=ExtractWeekDay("day"))
        .values("wd", "hour")
        .annotate(a=Sum("arrivals"), s=Sum("served"), ws=Sum("wait_sum"), wc=Sum("wait_count"))
        .order_by("wd", "hour")
    )
    found = {(r["wd"] - 1, r["hour"]): r for r in rows}  # Django: 1 = Sunday
    cells = []
    for weekday in range(7):
        for hour in range(24):
            r = found.get((weekday, hour), {})
            cells.append(
                PeakCell(
                    weekday=weekday,
                    hour=hour,
                    arrivals=r.get("a") or 0,
                    served=r.get("s") or 0,
                    wait_avg_minutes=_minutes(r["ws"] / r["wc"]) if r.get("wc") else None,
                )
            )
    return cells


# --- now ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineNow:
    id: int
    prefix: str
    name: str
    agency_id: int
    waiting: int
    on_hold: int
    longest_wait_minutes: int | None
    target_wait_minutes: int
    over_target: bool


@dataclass(frozen=True)
class CounterNow:
    id: int
    number: int
    label: str
    status: str  # open, paused, closed
    employee_id: int | None
    employee: str | None
    since: dt.datetime | None
    minutes_in_status: int | None
    lines: list[str]
    serving: str | None  # the ticket number at the counter
    paused_too_long: bool


@dataclass(frozen=True)
class Alert:
    kind: str  # "wait_over_target" or "counter_paused"
    subject: str  # line prefix or counter number
    minutes: int
    limit: int


@dataclass(frozen=True)
class AppointmentsToday:
    due: int  # booked for today (not cancelled)
    checked_in: int
    still_expected: int  # booked, not yet come, start later than now
    no_shows: int


@dataclass
class CenterLive:
    center: Center
    at: dt.datetime
    lines: list[LineNow]
    counters: list[CounterNow]
    waiting: int
    longest_wait_minutes: int | None
    counters_open: int
    counters_paused: int
    counters_closed: int
    today: Kpis
    appointments: AppointmentsToday
    alerts: list[Alert] = field(default_factory=list)


def _local_midnight(center: Center, now: dt.datetime) -> tuple[dt.date, dt.datetime]:
    today = now.astimezone(center.tz).date()
    return today, dt.datetime.combine(today, dt.time(), center.tz)


def _running_counter_time(
    states: Iterable[CounterState],
    agency_of_line: dict[int, int],
    agency_ids: frozenset[int] | None,
    midnight: dt.datetime,
    now: dt.datetime,
) -> Row:
    """Time of counters open or paused right now, since their last change (not yet in the
    roll-ups, which count an interval when it ends), from local midnight at the earliest."""
    out = {"open_seconds": 0, "paused_seconds": 0}
    for state in states:
        name = {CounterStatus.OPEN: "open_seconds", CounterStatus.PAUSED: "paused_seconds"}.get(
            state.status
        )
        if name is None or state.since is None or state.employee_id is None:
            continue
        agencies = sorted({agency_of_line[li.pk] for li in state.lines.all()})
        if not agencies:
            continue
        seconds = int((now - max(state.since, midnight)).total_seconds())
        share = [seconds // len(agencies)] * len(agencies)
        share[0] += seconds % len(agencies)
        for agency_id, part in zip(agencies, share, strict=True):
            if agency_ids is None or agency_id in agency_ids:
                out[name] += max(part, 0)
    return out


def pause_alert_minutes(center: Center | int) -> int:
    """Minutes of break after which the live view flags a counter: the center's setting."""
    from oneroof.queueing.actions import policy_for

    return policy_for(center).pause_alert_minutes


def center_live(
    center: Center, *, agency_ids: frozenset[int] | None = None, now: dt.datetime | None = None
) -> CenterLive:
    """The supervisor's live view of a center (or of some agencies' desks there): who
    waits in each line and for how long, what each counter does and who is at it, today's
    figures, appointments, and alerts."""
    now = now or timezone.now()
    today, midnight = _local_midnight(center, now)
    lines_qs = Line.objects.filter(center=center, is_active=True).order_by("prefix")
    if agency_ids is not None:
        lines_qs = lines_qs.filter(agency_id__in=agency_ids)
    lines_qs = lines_qs.annotate(
        n_waiting=Count("tickets", filter=Q(tickets__status=TicketStatus.WAITING)),
        n_parked=Count("tickets", filter=Q(tickets__status=TicketStatus.PARKED)),
        oldest=Min("tickets__issued_at", filter=Q(tickets__status=TicketStatus.WAITING)),
    )
    lines: list[LineNow] = []
    alerts: list[Alert] = []
    for line in lines_qs:
        longest = int((now - line.oldest).total_seconds() // 60) if line.oldest else None
        over = longest is not None and longest > line.target_wait_minutes
        lines.append(
            LineNow(
                line.pk,
                line.prefix,
                line.name,
                line.agency_id,
                line.n_waiting,
                line.n_parked,
                longest,
                line.target_wait_minutes,
                over,
            )
        )
        if over:
            alerts.append(Alert("wait_over_target", line.prefix, longest, line.target_wait_minutes))
    agency_of_line = dict(Line.objects.filter(center=center).values_list("pk", "agency_id"))
    # A counter on a break longer than the center's setting (its calling policy) is flagged.
    pause_limit = pause_alert_minutes(center)
    states = {
        s.counter_id: s
        for s in CounterState.objects.filter(counter__center=center)
        .select_related("employee")
        .prefetch_related("lines")
    }
    serving = dict(
        Ticket.objects.filter(center=center, status__in=ACTIVE_AT_COUNTER).values_list(
            "counter_id", "number"
        )
    )
    counters: list[CounterNow] = []
    for counter in Counter.objects.filter(center=center, is_active=True).order_by("number"):
        state = states.get(counter.pk)
        line_ids = [li.pk for li in state.lines.all()] if state else []
        if agency_ids is not None and not (
            counter.agency_id in agency_ids
            or any(agency_of_line.get(i) in agency_ids for i in line_ids)
        ):
            continue
        status = state.status if state else CounterStatus.CLOSED
        since = state.since if state else None
        minutes = int((now - since).total_seconds() // 60) if since else None
        paused_long = (
            status == CounterStatus.PAUSED and minutes is not None and minutes > pause_limit
        )
        employee = state.employee if state and status != CounterStatus.CLOSED else None
        prefixes = sorted(li.prefix for li in state.lines.all()) if state else []
        counters.append(
            CounterNow(
                id=counter.pk,
                number=counter.number,
                label=counter.label,
                status=status,
                employee_id=employee.pk if employee else None,
                employee=(employee.get_full_name() or employee.username) if employee else None,
                since=since,
                minutes_in_status=minutes,
                lines=prefixes,
                serving=serving.get(counter.pk),
                paused_too_long=paused_long,
            )
        )
        if paused_long:
            alerts.append(Alert("counter_paused", str(counter.number), minutes, pause_limit))
    filt = KpiFilter(center_ids=frozenset({center.pk}), agency_ids=agency_ids)
    row = _merge(
        _rows(AgencyHour, "day", today, today + dt.timedelta(days=1), filt, [], MEASURE_FIELDS),
        lambda r: None,
    ).get(None, {})
    counter_time = _rows(
        CounterDay,
        "day",
        today,
        today + dt.timedelta(days=1),
        filt,
        [],
        ("open_seconds", "paused_seconds"),
    )[0]
    running = _running_counter_time(states.values(), agency_of_line, agency_ids, midnight, now)
    counter_row = {
        k: int(counter_time.get(k) or 0) + running[k] for k in ("open_seconds", "paused_seconds")
    }
    waiting = sum(li.waiting for li in lines)
    longest = max(
        (li.longest_wait_minutes for li in lines if li.longest_wait_minutes is not None),
        default=None,
    )
    return CenterLive(
        center=center,
        at=now,
        lines=lines,
        counters=counters,
        waiting=waiting,
        longest_wait_minutes=longest,
        counters_open=sum(c.status == CounterStatus.OPEN for c in counters),
        counters_paused=sum(c.status == CounterStatus.PAUSED for c in counters),
        counters_closed=sum(c.status == CounterStatus.CLOSED for c in counters),
        today=kpis_of(row, counter_row, visits=True),
        appointments=_appointments_today(center, agency_ids, today, now),
        alerts=alerts,
    )


def _appointments_today(
    center: Center, agency_ids: frozenset[int] | None, today: dt.date, now: dt.datetime
) -> AppointmentsToday:
    start = dt.datetime.combine(today, dt.time(), center.tz)
    qs = Appointment.objects.filter(
        center=center, start__gte=start, start__lt=start + dt.timedelta(days=1)
    )
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    row = qs.aggregate(
        due=Count("pk", filter=~Q(status=AppointmentStatus.CANCELLED)),
        checked_in=Count(
            "pk", filter=Q(status__in=[AppointmentStatus.CHECKED_IN, AppointmentStatus.LATE])
        ),
        expected=Count("pk", filter=Q(status=AppointmentStatus.BOOKED, start__gt=now)),
        no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
    )
    return AppointmentsToday(row["due"], row["checked_in"], row["expected"], row["no_shows"])


@dataclass(frozen=True)
class CenterOverview:
    """One center on the command center's map and grid: its state now and today's
    figures."""

    center: Center
    waiting: int
    longest_wait_minutes: int | None
    counters_open: int
    counters_paused: int
    today: Kpis


def centers_overview(
    centers: Iterable[Center], *, now: dt.datetime | None = None
) -> list[CenterOverview]:
    """Every center's live state and today's figures, in a fixed number of queries."""
    now = now or timezone.now()
    centers = list(centers)
    ids = [c.pk for c in centers]
    waiting = {
        r["center_id"]: r
        for r in Ticket.objects.filter(center_id__in=ids, status=TicketStatus.WAITING)
        .values("center_id")
        .annotate(n=Count("pk"), oldest=Min("issued_at"))
        .order_by()
    }
    counters: dict[tuple[int, str], int] = {
        (r["counter__center_id"], r["status"]): r["n"]
        for r in CounterState.objects.filter(counter__center_id__in=ids)
        .values("counter__center_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    by_day: dict[dt.date, list[int]] = defaultdict(list)
    for c in centers:
        by_day[now.astimezone(c.tz).date()].append(c.pk)
    today_rows: dict[int, Row] = {}
    for day, day_ids in by_day.items():
        filt = KpiFilter(center_ids=frozenset(day_ids))
        for r in _rows(
            AgencyHour, "day", day, day + dt.timedelta(days=1), filt, ["center_id"], MEASURE_FIELDS
        ):
            today_rows[r["center_id"]] = r
    out = []
    for c in centers:
        w = waiting.get(c.pk)
        out.append(
            CenterOverview(
                center=c,
                waiting=w["n"] if w else 0,
                longest_wait_minutes=int((now - w["oldest"]).total_seconds() // 60) if w else None,
                counters_open=counters.get((c.pk, CounterStatus.OPEN), 0),
                counters_paused=counters.get((c.pk, CounterStatus.PAUSED), 0),
                today=kpis_of(today_rows.get(c.pk, {}), None, visits=True),
            )
        )
    return out


# --- employees ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceWork:
    """An employee's work on one service, with the norms it is judged against."""

    service_id: int
    service: str
    served: int
    handling_avg_minutes: float | None
    handling_median_minutes: float | None
    norm_minutes: int  # the catalog's average for the service
    peer_median_minutes: float | None  # other employees on the same service, every center
    satisfaction: Satisfaction


@dataclass(frozen=True)
class EmployeeKpis:
    employee_id: int
    employee: str
    kpis: Kpis  # all services together, with counter time
    idle_hours: float | None  # open counter time not spent serving
    services: list[ServiceWork]


def _employee_service_rows(
    filt: KpiFilter, start: dt.date, end: dt.date
) -> dict[tuple[int, int], Row]:
    rows = _rows(
        EmployeeDay, "day", start, end, filt, ["employee_id", "service_id"], EMPLOYEE_FIELDS
    )
    return {(r["employee_id"], r["service_id"]): r for r in rows}


def _peer_rows(
    service_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[tuple[int, int], Row]:
    """Every employee's histograms on these services, at every center."""
    return _employee_service_rows(KpiFilter(service_ids=frozenset(service_ids)), start, end)


def _without(total: Row, part: Row, fields: Iterable[str]) -> list[int]:
    return [int(total.get(f) or 0) - int(part.get(f) or 0) for f in fields]


def _service_totals(peers: dict[tuple[int, int], Row]) -> dict[int, Row]:
    return _merge(peers.values(), lambda r: r["service_id"])  # type: ignore[return-value]


def employee_kpis(*, filt: KpiFilter, start: dt.date, end: dt.date) -> list[EmployeeKpis]:
    """Per employee of the slice: served, handling time against the service's norm and
    peers, satisfaction, counter time open, paused and idle; most served first."""
    _check_period(start, end)
    mine = _employee_service_rows(replace(filt, by_employee=True), start, end)
    if not mine:
        return []
    peers = _peer_rows({s for _e, s in mine}, start, end)
    totals = _service_totals(peers)
    services = Service.objects.in_bulk({s for _e, s in mine})
    counters = (
        _counter_rows(
            KpiFilter(filt.center_ids, filt.agency_ids, None, filt.employee_ids),
            start,
            end,
            ["employee_id"],
            None,
        )
        or {}
    )
    by_employee: dict[int, list[Row]] = defaultdict(list)
    for (employee_id, _s), row in mine.items():
        by_employee[employee_id].append(row)
    names = _names(User, by_employee)
    out = []
    for employee_id, rows in by_employee.items():
        total = _merge(rows, lambda _r: None)[None]
        counter = counters.get((None, employee_id), EMPTY_COUNTER)
        k = kpis_of(total, counter, visits=False)
        idle = (
            round(
                max(int(counter.get("open_seconds") or 0) - int(total.get("handling_sum") or 0), 0)
                / 3600,
                2,
            )
            if counter is not None
            else None
        )
        work = []
        for row in sorted(rows, key=lambda r: -int(r.get("served") or 0)):
            sid = row["service_id"]
            others = _without(totals.get(sid, {}), row, HANDLING_FIELDS)
            own = [int(row.get(f) or 0) for f in HANDLING_FIELDS]
            work.append(
                ServiceWork(
                    service_id=sid,
                    service=str(services[sid]) if sid in services else str(sid),
                    served=int(row.get("served") or 0),
                    handling_avg_minutes=_minutes(row["handling_sum"] / row["handling_count"])
                    if row.get("handling_count")
                    else None,
                    handling_median_minutes=_minutes(quantile(own, HANDLING_EDGES, 0.5)),
                    norm_minutes=services[sid].avg_service_minutes if sid in services else 0,
                    peer_median_minutes=_minutes(quantile(others, HANDLING_EDGES, 0.5)),
                    satisfaction=satisfaction_of(row),
                )
            )
        out.append(EmployeeKpis(employee_id, names.get(employee_id, ""), k, idle, work))
    out.sort(key=lambda e: (-e.kpis.served, e.employee))
    return out


# --- training needs ------------------------------------------------------------------------------

# An employee is flagged on a service only when all of these hold over the period:
MIN_SERVED = 30  # services of that kind by the employee
MIN_PEERS = 3  # other employees on the service…
MIN_PEER_SERVED = 100  # …with this many services between them
HANDLING_MARGIN = 1.25  # median handling time at least 25% above the peers' median
MIN_ANSWERS = 20  # survey answers about the employee's services of that kind
SATISFACTION_MARGIN = 0.5  # mean score at least half a point below the peers'
ALPHA = 0.01  # one-sided Mann–Whitney p-value below this


@dataclass(frozen=True)
class TrainingNeed:
    employee_id: int
    employee: str
    service_id: int
    service: str
    metric: str  # "handling" or "satisfaction"
    employee_value: float  # median handling minutes, or mean overall score
    peer_value: float
    samples: int
    peer_samples: int
    p_value: float


def training_needs(*, filt: KpiFilter, start: dt.date, end: dt.date) -> list[TrainingNeed]:
    """Employees of the slice whose handling time or satisfaction on a service is clearly
    worse than their peers' on the same service (all centers) over the period.

    "Clearly" means: enough samples (MIN_SERVED services, MIN_ANSWERS answers; peers:
    MIN_PEERS employees and MIN_PEER_SERVED services), a margin that matters in practice
    (median handling ≥ HANDLING_MARGIN × the peers' median; mean score ≤ the peers' mean −
    SATISFACTION_MARGIN), and a one-sided Mann–Whitney test on the histograms with
    p < ALPHA. Both the margin and the test must hold, so neither a small but significant
    difference on a large sample nor a large difference on a few visits is flagged."""
    from oneroof.insights.stats import mann_whitney_greater

    _check_period(start, end)
    mine = _employee_service_rows(replace(filt, by_employee=True), start, end)
    if not mine:
        return []
    peers = _peer_rows({s for _e, s in mine}, start, end)
    totals = _service_totals(peers)
    employees_on: dict[int, set[int]] = defaultdict(set)
    for (employee_id, service_id), row in peers.items():
        if int(row.get("served") or 0):
            employees_on[service_id].add(employee_id)
    names = _names(User, {e for e, _s in mine})
    services = Service.objects.in_bulk({s for _e, s in mine})
    needs: list[TrainingNeed] = []
    for (employee_id, service_id), row in sorted(mine.items()):
        total = totals.get(service_id, {})
        n_peers = len(employees_on[service_id] - {employee_id})
        own = [int(row.get(f) or 0) for f in HANDLING_FIELDS]
        others = _without(total, row, HANDLING_FIELDS)
        name, service = names.get(employee_id, ""), str(services.get(service_id, service_id))
        if sum(own) >= MIN_SERVED and sum(others) >= MIN_PEER_SERVED and n_peers >= MIN_PEERS:
            mine_median = quantile(own, HANDLING_EDGES, 0.5)
            peer_median = quantile(others, HANDLING_EDGES, 0.5)
            p = mann_whitney_greater(own, others)
            if (
                mine_median is not None
                and peer_median
                and mine_median >= HANDLING_MARGIN * peer_median
                and p is not None
                and p < ALPHA
            ):
                needs.append(
                    TrainingNeed(
                        employee_id,
                        name,
                        service_id,
                        service,
                        "handling",
                        round(mine_median / 60, 1),
                        round(peer_median / 60, 1),
                        sum(own),
                        sum(others),
                        p,
                    )
                )
        scores = [int(row.get(f) or 0) for f in SCORE_FIELDS]
        peer_scores = _without(total, row, SCORE_FIELDS)
        if sum(scores) >= MIN_ANSWERS and sum(peer_scores) >= MIN_ANSWERS and n_peers >= MIN_PEERS:
            mean = sum(i * c for i, c in enumerate(scores, start=1)) / sum(scores)
            peer_mean = sum(i * c for i, c in enumerate(peer_scores, start=1)) / sum(peer_scores)
            # Worse scores are lower: test whether the peers' scores tend to be higher.
            p = mann_whitney_greater(peer_scores, scores)
            if mean <= peer_mean - SATISFACTION_MARGIN and p is not None and p < ALPHA:
                needs.append(
                    TrainingNeed(
                        employee_id,
                        name,
                        service_id,
                        service,
                        "satisfaction",
                        round(mean, 2),
                        round(peer_mean, 2),
                        sum(scores),
                        sum(peer_scores),
                        p,
                    )
                )
    return needs


def first_day_of_data() -> dt.date | None:
    """The earliest local day (in the server's zone) of any raw row the roll-ups count."""
    from oneroof.feedback.models import SurveyAnswer
    from oneroof.queueing.models import CounterEvent
    from oneroof.transactions.models import TransactionRecord

    moments = [
        Ticket.objects.aggregate(m=Min("issued_at"))["m"],
        TransactionRecord.objects.aggregate(m=Min("ended_at"))["m"],
        SurveyAnswer.objects.aggregate(m=Min("answered_at"))["m"],
        CounterEvent.objects.aggregate(m=Min("at"))["m"],
    ]
    found = [m for m in moments if m is not None]
    # A day early: a center east of the server's zone may already be on the next day.
    return timezone.localdate(min(found)) - dt.timedelta(days=1) if found else None
