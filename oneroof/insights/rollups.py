"""Writing the roll-up tables: one fact at a time as the queue, transactions and surveys
change, and from raw rows when rebuilding.

Each fact is defined once, and both ways count it the same:

* arrivals, transfers in, remote and appointment tickets: every ticket (a transfer's new
  leg is a ticket of its own), in the local hour of `issued_at` (the visitor's arrival);
* no-shows and cancellations: tickets whose status is `no_show` / `cancelled`, also by
  `issued_at`;
* served, completed, missing documents, self-service, fees, handling times: transaction
  records with a center, by `ended_at`;
* waits: records of a visitor's first leg (not a transfer's) that have a wait, by
  `ended_at`;
* satisfaction: survey answers with a center and a service, by `answered_at`;
* counter time open and paused: the intervals between a counter's consecutive events,
  split at local midnight.

Increments use `INSERT … ON CONFLICT DO UPDATE SET col = col + excluded.col` (PostgreSQL and
SQLite alike), so concurrent writers add up. The rebuild deletes a range and inserts it
again with one `INSERT … SELECT … GROUP BY` per table, built from the same ORM expressions on
both databases (time zones per center through Django's `TruncDate`/`ExtractHour`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate, TruncMonth

from oneroof.centers.models import Center
from oneroof.feedback.models import SurveyAnswer
from oneroof.insights.buckets import (
    HANDLING_EDGES,
    HANDLING_FIELDS,
    WAIT_EDGES,
    WAIT_FIELDS,
    bounds,
    bucket,
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
from oneroof.queueing.choices import CounterStatus, IssueChannel, PriorityClass, TicketStatus
from oneroof.queueing.models import CounterEvent, Line, Ticket
from oneroof.transactions.models import TransactionRecord

REMOTE_CHANNELS = (IssueChannel.WEB, IssueChannel.PHONE)
SELF_SERVICE_CHANNELS = ("kiosk", "online")
COUNTED_TIME = {CounterStatus.OPEN: "open_seconds", CounterStatus.PAUSED: "paused_seconds"}

Deltas = dict[str, Any]


def qn(name: str) -> str:
    return connection.ops.quote_name(name)


# --- increments ------------------------------------------------------------------------------


Change = tuple[type, dict[str, Any], Deltas]  # table, key, differences


def _upsert(model: type, key: dict[str, Any], deltas: Deltas) -> tuple[str, list]:
    table = qn(model._meta.db_table)
    cols = [*key, *deltas]
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in cols)}) "  # noqa: S608 - names only
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({', '.join(qn(k) for k in key)}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in deltas)
    )
    return sql, [*key.values(), *deltas.values()]


MAX_PARAMETERS = 20_000


def add(*changes: Change) -> None:
    """Add each change's differences to its table's row at its key, creating rows that
    are missing, all or nothing. PostgreSQL gets them in one statement (one round trip
    after the action's commit); SQLite one statement each, in one transaction."""
    merged: dict[tuple, tuple[type, dict[str, Any], Deltas]] = {}
    for model, key, deltas in changes:
        # One statement may change a row only once: add up changes of the same row first.
        _m, _k, total = merged.setdefault((model, *key.items()), (model, key, {}))
        for column, value in deltas.items():
            total[column] = total.get(column, 0) + value
    statements = []
    for model, key, deltas in merged.values():
        nonzero = {c: v for c, v in deltas.items() if v}
        if nonzero:
            statements.append(_upsert(model, key, nonzero))
    if not statements:
        return
    if connection.vendor == "postgresql":
        # A few statements per round trip, well under PostgreSQL's 65,535 parameters.
        groups: list[list[tuple[str, list]]] = [[]]
        size = 0
        for statement in statements:
            if groups[-1] and size + len(statement[1]) > MAX_PARAMETERS:
                groups.append([])
                size = 0
            groups[-1].append(statement)
            size += len(statement[1])
        # Inside a caller's transaction, a failure must not leave it aborted; several round
        # trips are one transaction.
        guard = (
            transaction.atomic()
            if connection.in_atomic_block or len(groups) > 1
            else contextlib.nullcontext()
        )
        with guard, connection.cursor() as cursor:
            for group in groups:
                ctes = [f"u{i} AS ({sql} RETURNING 1)" for i, (sql, _p) in enumerate(group[:-1])]
                sql = (f"WITH {', '.join(ctes)} " if ctes else "") + group[-1][0]
                cursor.execute(sql, [p for _sql, params in group for p in params])
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


@dataclass(frozen=True)
class Where:
    """The slice a fact lands in."""

    center_id: int
    agency_id: int
    service_id: int
    employee_id: int | None
    local: dt.datetime  # the fact's moment in the center's time zone


def fact_changes(where: Where, deltas: Deltas, *, per_employee: bool) -> list[Change]:
    """The rows one fact adds to: its hour, day and month, and its employee's day."""
    day = where.local.date()
    service_key = {
        "center_id": where.center_id,
        "agency_id": where.agency_id,
        "service_id": where.service_id,
    }
    hour_key = {"center_id": where.center_id, "day": day, "hour": where.local.hour,
                "agency_id": where.agency_id}  # fmt: skip
    changes: list[Change] = [
        (AgencyHour, hour_key, deltas),
        (ServiceDay, {**service_key, "day": day}, deltas),
        (ServiceMonth, {**service_key, "month": day.replace(day=1)}, deltas),
    ]
    if per_employee and where.employee_id is not None:
        changes.append(
            (
                EmployeeDay,
                {**service_key, "employee_id": where.employee_id, "day": day},
                {k: v for k, v in deltas.items() if k in EMPLOYEE_FIELDS},
            )
        )
    return changes


def add_fact(where: Where, deltas: Deltas, *, per_employee: bool) -> None:
    add(*fact_changes(where, deltas, per_employee=per_employee))


def ticket_deltas(kind: str, channel: str, priority_class: str) -> Deltas:
    """What one queue event changes (see the table above)."""
    if kind == "issued":
        return {
            "arrivals": 1,
            "transfers_in": int(channel == IssueChannel.TRANSFER),
            "arrivals_remote": int(channel in REMOTE_CHANNELS),
            "appointments": int(priority_class == PriorityClass.APPOINTMENT),
        }
    if kind == "no_show":
        return {"no_shows": 1}
    if kind == "requeued":  # a visitor marked as not come is back in the line
        return {"no_shows": -1}
    if kind == "cancelled":
        return {"cancelled": 1}
    return {}


TICKET_KINDS = ("issued", "no_show", "requeued", "cancelled")


def record_deltas(
    *,
    outcome: str,
    channel: str,
    fee: Decimal,
    wait_seconds: int | None,
    handling_seconds: int | None,
    first_leg: bool,
) -> Deltas:
    deltas: Deltas = {
        "served": 1,
        "completed": int(outcome == "completed"),
        "missing_documents": int(outcome == "missing_documents"),
        "self_service": int(channel in SELF_SERVICE_CHANNELS),
        "fees": fee or Decimal("0"),
    }
    if wait_seconds is not None and first_leg:
        deltas["wait_count"] = 1
        deltas["wait_sum"] = wait_seconds
        deltas[WAIT_FIELDS[bucket(wait_seconds, WAIT_EDGES)]] = 1
    if handling_seconds is not None:
        deltas["handling_count"] = 1
        deltas["handling_sum"] = handling_seconds
        deltas[HANDLING_FIELDS[bucket(handling_seconds, HANDLING_EDGES)]] = 1
    return deltas


def answer_deltas(*, overall: int, waiting: int, courtesy: int, one_visit: bool) -> Deltas:
    return {
        "answers": 1,
        f"score_{overall}": 1,
        "waiting_score_sum": waiting,
        "courtesy_score_sum": courtesy,
        "one_visit": int(one_visit),
    }


def _chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _zone(name: str, cache: dict[str, zoneinfo.ZoneInfo]) -> zoneinfo.ZoneInfo:
    zone = cache.get(name)
    if zone is None:
        zone = cache[name] = zoneinfo.ZoneInfo(name)
    return zone


def ticket_changes(items: Iterable[tuple[str, str]]) -> list[Change]:
    """The roll-up changes of queue events, each `(ticket public id, kind)`, read with one
    query per 500 tickets."""
    wanted = [(public_id, kind) for public_id, kind in items if kind in TICKET_KINDS]
    rows: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted({public_id for public_id, _kind in wanted})):
        for row in Ticket.objects.filter(public_id__in=chunk).values(
            "public_id",
            "center_id",
            "service_id",
            "service__agency_id",
            "issued_at",
            "channel",
            "priority_class",
            "center__time_zone",
        ):
            rows[str(row["public_id"])] = row
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    changes: list[Change] = []
    for public_id, kind in wanted:
        row = rows.get(str(public_id))
        if row is None:
            continue
        where = Where(
            center_id=row["center_id"],
            agency_id=row["service__agency_id"],
            service_id=row["service_id"],
            employee_id=None,
            local=row["issued_at"].astimezone(_zone(row["center__time_zone"], zones)),
        )
        deltas = ticket_deltas(kind, row["channel"], row["priority_class"])
        changes += fact_changes(where, deltas, per_employee=False)
    return changes


def record_changes(record_ids: Iterable[int]) -> list[Change]:
    """The roll-up changes of new transaction records (those with a center)."""
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    changes: list[Change] = []
    for chunk in _chunks(sorted(set(record_ids))):
        for row in TransactionRecord.objects.filter(pk__in=chunk, center__isnull=False).values(
            "center_id",
            "agency_id",
            "service_id",
            "employee_id",
            "ended_at",
            "outcome",
            "channel",
            "fee_charged",
            "wait_seconds",
            "handling_seconds",
            "ticket__transferred_from_id",
            "center__time_zone",
        ):
            where = Where(
                center_id=row["center_id"],
                agency_id=row["agency_id"],
                service_id=row["service_id"],
                employee_id=row["employee_id"],
                local=row["ended_at"].astimezone(_zone(row["center__time_zone"], zones)),
            )
            deltas = record_deltas(
                outcome=row["outcome"],
                channel=row["channel"],
                fee=row["fee_charged"],
                wait_seconds=row["wait_seconds"],
                handling_seconds=row["handling_seconds"],
                first_leg=row["ticket__transferred_from_id"] is None,
            )
            changes += fact_changes(where, deltas, per_employee=True)
    return changes


def answer_changes(answer_ids: Iterable[int]) -> list[Change]:
    """The roll-up changes of new survey answers (those with a center and a service)."""
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    changes: list[Change] = []
    for chunk in _chunks(sorted(set(answer_ids))):
        for row in SurveyAnswer.objects.filter(
            pk__in=chunk, center__isnull=False, agency__isnull=False, service__isnull=False
        ).values(
            "center_id",
            "agency_id",
            "service_id",
            "employee_id",
            "answered_at",
            "overall",
            "waiting",
            "courtesy",
            "one_visit",
            "center__time_zone",
        ):
            where = Where(
                center_id=row["center_id"],
                agency_id=row["agency_id"],
                service_id=row["service_id"],
                employee_id=row["employee_id"],
                local=row["answered_at"].astimezone(_zone(row["center__time_zone"], zones)),
            )
            deltas = answer_deltas(
                overall=row["overall"],
                waiting=row["waiting"],
                courtesy=row["courtesy"],
                one_visit=row["one_visit"],
            )
            changes += fact_changes(where, deltas, per_employee=True)
    return changes


def apply_ticket_change(*, public_id: str, kind: str) -> bool:
    changes = ticket_changes([(public_id, kind)])
    add(*changes)
    return bool(changes)


def apply_record(record_id: int) -> bool:
    changes = record_changes([record_id])
    add(*changes)
    return bool(changes)


def apply_answer(answer_id: int) -> bool:
    changes = answer_changes([answer_id])
    add(*changes)
    return bool(changes)


# --- counter time ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterPiece:
    center_id: int
    agency_id: int
    employee_id: int
    day: dt.date
    field: str
    seconds: int


def interval_pieces(
    *,
    center_id: int,
    tz: zoneinfo.ZoneInfo,
    start: dt.datetime,
    end: dt.datetime,
    status: str,
    employee_id: int | None,
    agency_ids: Iterable[int],
) -> list[CounterPiece]:
    """A counter's time from one event to the next, split at local midnights and shared
    equally between the agencies of the lines it served (the remainder to the first)."""
    field = COUNTED_TIME.get(status)
    agencies = sorted(set(agency_ids))
    if field is None or employee_id is None or not agencies or end <= start:
        return []
    pieces: list[CounterPiece] = []
    local = start.astimezone(tz)
    while True:
        day = local.date()
        midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
        piece_end = min(end, midnight)
        seconds = int((piece_end - local).total_seconds())
        share, rest = divmod(seconds, len(agencies))
        for i, agency_id in enumerate(agencies):
            part = share + (rest if i == 0 else 0)
            if part:
                pieces.append(CounterPiece(center_id, agency_id, employee_id, day, field, part))
        if piece_end >= end:
            return pieces
        local = midnight


def _agencies_of_lines(line_ids: Iterable[int]) -> dict[int, int]:
    return dict(Line.objects.filter(pk__in=set(line_ids)).values_list("pk", "agency_id"))


def apply_counter_change(counter_id: int) -> bool:
    """Count the interval that the counter's latest event has just closed."""
    latest = list(
        CounterEvent.objects.filter(counter_id=counter_id)
        .order_by("-at", "-pk")
        .values(
            "at",
            "status",
            "user_id",
            "line_ids",
            "counter__center_id",
            "counter__center__time_zone",
        )[:2]
    )
    if len(latest) < 2:
        return False
    current, previous = latest
    agency_of = _agencies_of_lines(previous["line_ids"] or [])
    pieces = interval_pieces(
        center_id=previous["counter__center_id"],
        tz=zoneinfo.ZoneInfo(previous["counter__center__time_zone"]),
        start=previous["at"],
        end=current["at"],
        status=previous["status"],
        employee_id=previous["user_id"],
        agency_ids=[agency_of[i] for i in previous["line_ids"] or [] if i in agency_of],
    )
    changes: list[Change] = []
    for p in pieces:
        key = {"employee_id": p.employee_id, "center_id": p.center_id, "agency_id": p.agency_id}
        changes.append((CounterDay, {**key, "day": p.day}, {p.field: p.seconds}))
        changes.append((CounterMonth, {**key, "month": p.day.replace(day=1)}, {p.field: p.seconds}))
    add(*changes)
    return bool(pieces)


# --- rebuilding ------------------------------------------------------------------------------


def _zones() -> dict[str, list[int]]:
    zones: dict[str, list[int]] = defaultdict(list)
    for pk, tz in Center.objects.values_list("pk", "time_zone"):
        zones[tz].append(pk)
    return zones


def _bounds(day_from: dt.date, day_to: dt.date, tz: zoneinfo.ZoneInfo) -> tuple:
    return dt.datetime.combine(day_from, dt.time(), tz), dt.datetime.combine(day_to, dt.time(), tz)


def _histogram(field: str, edges: tuple[int, ...], names: tuple[str, ...], extra: Q) -> dict:
    out = {}
    for name, (low, high) in zip(names, bounds(edges), strict=True):
        cond = Q(**{f"{field}__gte": low}) & extra
        if high is not None:
            cond &= Q(**{f"{field}__lt": high})
        out[name] = Count("pk", filter=cond)
    return out


def _ticket_measures() -> dict:
    return {
        "arrivals": Count("pk"),
        "transfers_in": Count("pk", filter=Q(channel=IssueChannel.TRANSFER)),
        "arrivals_remote": Count("pk", filter=Q(channel__in=REMOTE_CHANNELS)),
        "appointments": Count("pk", filter=Q(priority_class=PriorityClass.APPOINTMENT)),
        "no_shows": Count("pk", filter=Q(status=TicketStatus.NO_SHOW)),
        "cancelled": Count("pk", filter=Q(status=TicketStatus.CANCELLED)),
    }


def _record_measures() -> dict:
    first_leg = Q(wait_seconds__isnull=False, ticket__transferred_from__isnull=True)
    has_handling = Q(handling_seconds__isnull=False)
    return {
        "served": Count("pk"),
        "completed": Count("pk", filter=Q(outcome="completed")),
        "missing_documents": Count("pk", filter=Q(outcome="missing_documents")),
        "self_service": Count("pk", filter=Q(channel__in=SELF_SERVICE_CHANNELS)),
        "wait_count": Count("pk", filter=first_leg),
        "handling_count": Count("pk", filter=has_handling),
        "wait_sum": Sum("wait_seconds", filter=first_leg, default=0),
        "handling_sum": Sum("handling_seconds", filter=has_handling, default=0),
        "fees": Sum("fee_charged", default=Decimal("0")),
        **_histogram("wait_seconds", WAIT_EDGES, WAIT_FIELDS, first_leg),
        **_histogram("handling_seconds", HANDLING_EDGES, HANDLING_FIELDS, has_handling),
    }


def _answer_measures() -> dict:
    return {
        "answers": Count("pk"),
        **{f"score_{i}": Count("pk", filter=Q(overall=i)) for i in range(1, 6)},
        "waiting_score_sum": Sum("waiting", default=0),
        "courtesy_score_sum": Sum("courtesy", default=0),
        "one_visit": Count("pk", filter=Q(one_visit=True)),
    }


@dataclass(frozen=True)
class Source:
    """One kind of raw row: its queryset, the moment that places it, its dimensions."""

    queryset: QuerySet
    moment: str
    dims: dict[str, str]  # roll-up column → field path on the raw row
    measures: dict


def _sources(ids: list[int], low: dt.datetime, high: dt.datetime) -> dict[str, Source]:
    return {
        "tickets": Source(
            Ticket.objects.filter(center_id__in=ids, issued_at__gte=low, issued_at__lt=high),
            "issued_at",
            {
                "center_id": "center_id",
                "agency_id": "service__agency_id",
                "service_id": "service_id",
            },
            _ticket_measures(),
        ),
        "records": Source(
            TransactionRecord.objects.filter(
                center_id__in=ids, ended_at__gte=low, ended_at__lt=high
            ),
            "ended_at",
            {
                "center_id": "center_id",
                "agency_id": "agency_id",
                "service_id": "service_id",
                "employee_id": "employee_id",
            },
            _record_measures(),
        ),
        "answers": Source(
            SurveyAnswer.objects.filter(
                center_id__in=ids,
                agency__isnull=False,
                service__isnull=False,
                answered_at__gte=low,
                answered_at__lt=high,
            ),
            "answered_at",
            {
                "center_id": "center_id",
                "agency_id": "agency_id",
                "service_id": "service_id",
                "employee_id": "employee_id",
            },
            _answer_measures(),
        ),
    }


def _grouped_sql(
    source: Source, tz: zoneinfo.ZoneInfo, keys: tuple[str, ...], measures: tuple[str, ...]
) -> tuple[str, list]:
    """SELECT keys…, measures… of one source grouped by the table's keys; measures this
    source does not have are 0."""
    qs = source.queryset
    annotations: dict[str, Any] = {}
    for key in keys:
        if key == "day":
            annotations["k_day"] = TruncDate(source.moment, tzinfo=tz)
        elif key == "hour":
            annotations["k_hour"] = ExtractHour(source.moment, tzinfo=tz)
        else:
            annotations[f"k_{key}"] = F(source.dims[key])
    if "employee_id" in keys:
        qs = qs.filter(**{f"{source.dims['employee_id']}__isnull": False})
    mine = {m: agg for m, agg in source.measures.items() if m in measures}
    grouped = qs.annotate(**annotations).values(*annotations).annotate(**mine).order_by()
    inner, params = grouped.query.get_compiler(connection=connection).as_sql()
    columns = [qn(f"k_{k}") for k in keys] + [
        qn(m) if m in mine else f"0 AS {qn(m)}" for m in measures
    ]
    return f"SELECT {', '.join(columns)} FROM ({inner}) sub", list(params)  # noqa: S608


def _insert_grouped(
    model: type,
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    parts: list[tuple[str, list]],
) -> int:
    if not parts:
        return 0
    union = " UNION ALL ".join(sql for sql, _ in parts)
    params = [p for _, part_params in parts for p in part_params]
    cols = [*keys, *measures]
    sums = [f"SUM({qn(m)})" for m in measures]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in cols)}) "  # noqa: S608
        f"SELECT {', '.join(qn(f'k_{k}') for k in keys)}, {', '.join(sums)} "
        f"FROM ({union}) facts GROUP BY {', '.join(qn(f'k_{k}') for k in keys)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


TABLES: list[tuple[type, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = [
    # model, keys, measures, sources
    (AgencyHour, ("center_id", "day", "hour", "agency_id"), MEASURE_FIELDS,
     ("tickets", "records", "answers")),
    (ServiceDay, ("center_id", "day", "agency_id", "service_id"), MEASURE_FIELDS,
     ("tickets", "records", "answers")),
    (EmployeeDay, ("employee_id", "day", "center_id", "agency_id", "service_id"),
     EMPLOYEE_FIELDS, ("records", "answers")),
]  # fmt: skip


def _months(start: dt.date, end: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """[start, end) cut at the first of each month."""
    day = start
    while day < end:
        nxt = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        yield day, min(nxt, end)
        day = nxt


REBUILD_WORK_MEM = "256MB"  # per grouping step of one rebuild statement


@dataclass
class RebuildReport:
    start: dt.date
    end: dt.date
    rows: dict[str, int]

    def summary(self) -> str:
        return ", ".join(f"{name}: {n}" for name, n in self.rows.items())


def rebuild(start: dt.date, end: dt.date) -> RebuildReport:
    """Recompute every roll-up of the local days [start, end) from raw rows, a month at a
    time (each month in its own database transaction)."""
    zones = {tz: (zoneinfo.ZoneInfo(tz), ids) for tz, ids in _zones().items()}
    rows: dict[str, int] = defaultdict(int)
    for low_day, high_day in _months(start, end):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A month of a large country is millions of rows per source: let the
                # grouping hash in memory rather than spill to disk batch after batch.
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
            for model, keys, measures, names in TABLES:
                model.objects.filter(day__gte=low_day, day__lt=high_day).delete()
                parts = []
                for tz, ids in zones.values():
                    sources = _sources(ids, *_bounds(low_day, high_day, tz))
                    parts += [_grouped_sql(sources[n], tz, keys, measures) for n in names]
                rows[model.__name__] += _insert_grouped(model, keys, measures, parts)
            rows["CounterDay"] += _rebuild_counter_days(low_day, high_day, zones)
            rows["ServiceMonth"] += _rebuild_months(
                low_day, high_day, ServiceDay, ServiceMonth, ("center_id", "agency_id",
                "service_id"), MEASURE_FIELDS,
            )  # fmt: skip
            rows["CounterMonth"] += _rebuild_months(
                low_day, high_day, CounterDay, CounterMonth, ("employee_id", "center_id",
                "agency_id"), COUNTER_FIELDS,
            )  # fmt: skip
    return RebuildReport(start=start, end=end, rows=dict(rows))


def _rebuild_months(
    low_day: dt.date,
    high_day: dt.date,
    days: type,
    months: type,
    dims: tuple[str, ...],
    measures: tuple[str, ...],
) -> int:
    """Recompute the month rows touched by [low_day, high_day) as sums of their days."""
    first = low_day.replace(day=1)
    last = ((high_day - dt.timedelta(days=1)).replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    months.objects.filter(month__gte=first, month__lt=last).delete()
    grouped = (
        days.objects.filter(day__gte=first, day__lt=last)
        .annotate(k_month=TruncMonth("day"))
        .values("k_month", *dims)
        .annotate(**{f"m_{m}": Sum(m) for m in measures})
        .order_by()
    )
    inner, params = grouped.query.get_compiler(connection=connection).as_sql()
    cols = ["month", *dims, *measures]
    select = [qn("k_month"), *(qn(d) for d in dims), *(qn(f"m_{m}") for m in measures)]
    sql = (
        f"INSERT INTO {qn(months._meta.db_table)} ({', '.join(qn(c) for c in cols)}) "  # noqa: S608
        f"SELECT {', '.join(select)} FROM ({inner}) sub"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def _counter_events(ids: list[int], low: dt.datetime, high: dt.datetime) -> list[dict]:
    """The events of the counters of these centers in [low, high), with for each counter
    the last event before `low` and the first at or after `high`, so intervals crossing
    the edges are whole."""
    fields = ("pk", "counter_id", "at", "status", "user_id", "line_ids")
    base = CounterEvent.objects.filter(counter__center_id__in=ids)
    inside = list(base.filter(at__gte=low, at__lt=high).values(*fields))
    edges = []
    for moments in (
        base.filter(at__lt=low).values("counter_id").annotate(m=Max("at")).order_by(),
        base.filter(at__gte=high).values("counter_id").annotate(m=Min("at")).order_by(),
    ):
        wanted = Q()
        for row in moments:
            wanted |= Q(counter_id=row["counter_id"], at=row["m"])
        if wanted:
            edges += list(base.filter(wanted).values(*fields))
    return inside + edges


def counter_pieces(
    events: list[dict], center_of: dict[int, int], tz_of: dict[int, zoneinfo.ZoneInfo]
) -> list[CounterPiece]:
    """Every counted piece of the intervals between consecutive events of each counter."""
    agency_of = _agencies_of_lines(i for e in events for i in (e["line_ids"] or []))
    by_counter: dict[int, list[dict]] = defaultdict(list)
    for e in events:
        by_counter[e["counter_id"]].append(e)
    pieces: list[CounterPiece] = []
    for counter_id, rows in by_counter.items():
        rows.sort(key=lambda e: (e["at"], e["pk"]))
        center_id = center_of[counter_id]
        for previous, current in itertools.pairwise(rows):
            pieces += interval_pieces(
                center_id=center_id,
                tz=tz_of[center_id],
                start=previous["at"],
                end=current["at"],
                status=previous["status"],
                employee_id=previous["user_id"],
                agency_ids=[agency_of[i] for i in previous["line_ids"] or [] if i in agency_of],
            )
    return pieces


def _rebuild_counter_days(
    low_day: dt.date, high_day: dt.date, zones: dict[str, tuple[zoneinfo.ZoneInfo, list[int]]]
) -> int:
    from oneroof.centers.models import Counter

    CounterDay.objects.filter(day__gte=low_day, day__lt=high_day).delete()
    totals: dict[tuple, dict[str, int]] = defaultdict(
        lambda: {"open_seconds": 0, "paused_seconds": 0}
    )
    for tz, ids in zones.values():
        center_of = dict(Counter.objects.filter(center_id__in=ids).values_list("pk", "center_id"))
        events = _counter_events(ids, *_bounds(low_day, high_day, tz))
        for p in counter_pieces(events, center_of, dict.fromkeys(ids, tz)):
            if low_day <= p.day < high_day:
                totals[(p.employee_id, p.day, p.center_id, p.agency_id)][p.field] += p.seconds
    CounterDay.objects.bulk_create(
        [
            CounterDay(employee_id=e, day=d, center_id=c, agency_id=a, **values)
            for (e, d, c, a), values in totals.items()
        ],
        batch_size=2000,
    )
    return len(totals)
