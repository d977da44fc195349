"""Reading the roll-up tables back, and computing what they must hold straight from the raw
rows with plain Python (independently of `insights.rollups`), for comparison."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from oneroof.feedback.models import SurveyAnswer
from oneroof.insights.buckets import HANDLING_EDGES, WAIT_EDGES
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
from oneroof.queueing.models import CounterEvent, Line, Ticket
from oneroof.transactions.models import TransactionRecord

KEYS = {
    "AgencyHour": ("center_id", "day", "hour", "agency_id"),
    "ServiceDay": ("center_id", "day", "agency_id", "service_id"),
    "ServiceMonth": ("center_id", "month", "agency_id", "service_id"),
    "EmployeeDay": ("employee_id", "day", "center_id", "agency_id", "service_id"),
    "CounterDay": ("employee_id", "day", "center_id", "agency_id"),
    "CounterMonth": ("employee_id", "month", "center_id", "agency_id"),
}
FIELDS = {
    "AgencyHour": MEASURE_FIELDS,
    "ServiceDay": MEASURE_FIELDS,
    "ServiceMonth": MEASURE_FIELDS,
    "EmployeeDay": EMPLOYEE_FIELDS,
    "CounterDay": COUNTER_FIELDS,
    "CounterMonth": COUNTER_FIELDS,
}
MODELS = {
    "AgencyHour": AgencyHour,
    "ServiceDay": ServiceDay,
    "ServiceMonth": ServiceMonth,
    "EmployeeDay": EmployeeDay,
    "CounterDay": CounterDay,
    "CounterMonth": CounterMonth,
}

Tables = dict[str, dict[tuple, dict[str, Any]]]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (Decimal(v) if k == "fees" else int(v)) for k, v in values.items() if v}


def snapshot() -> Tables:
    """Every roll-up row with its non-zero measures; rows that are all zeros left out."""
    out: Tables = {}
    for name, model in MODELS.items():
        rows = {}
        for row in model.objects.values(*KEYS[name], *FIELDS[name]):
            measures = _clean({f: row[f] for f in FIELDS[name]})
            if measures:
                rows[tuple(row[k] for k in KEYS[name])] = measures
        out[name] = rows
    return out


def clear_rollups() -> None:
    for model in MODELS.values():
        model.objects.all().delete()


def _bucket(seconds: int, edges: tuple[int, ...], prefix: str) -> str:
    index = 0
    while index < len(edges) and seconds >= edges[index]:
        index += 1
    return f"{prefix}{index:02d}"


def from_scratch() -> Tables:
    """What every roll-up must hold, computed row by row from tickets, records, answers and
    counter events."""
    acc: dict[str, dict[tuple, dict[str, Any]]] = {n: defaultdict(lambda: defaultdict(int))
                                                    for n in MODELS}  # fmt: skip

    def add(center, agency, service, employee, local: dt.datetime, measures: dict) -> None:
        day = local.date()
        for name, key in (
            ("AgencyHour", (center, day, local.hour, agency)),
            ("ServiceDay", (center, day, agency, service)),
            ("ServiceMonth", (center, day.replace(day=1), agency, service)),
        ):
            for f, v in measures.items():
                acc[name][key][f] += v
        if employee is not None:
            for f, v in measures.items():
                if f in EMPLOYEE_FIELDS:
                    acc["EmployeeDay"][(employee, day, center, agency, service)][f] += v

    for t in Ticket.objects.select_related("service", "center"):
        add(t.center_id, t.service.agency_id, t.service_id, None,
            t.issued_at.astimezone(t.center.tz), {
                "arrivals": 1,
                "transfers_in": int(t.channel == "transfer"),
                "arrivals_remote": int(t.channel in ("web", "phone")),
                "appointments": int(t.priority_class == "appointment"),
                "no_shows": int(t.status == "no_show"),
                "cancelled": int(t.status == "cancelled"),
            })  # fmt: skip
    for r in TransactionRecord.objects.filter(center__isnull=False).select_related(
        "center", "ticket"
    ):
        m: dict[str, Any] = {
            "served": 1,
            "completed": int(r.outcome == "completed"),
            "missing_documents": int(r.outcome == "missing_documents"),
            "self_service": int(r.channel in ("kiosk", "online")),
            "fees": r.fee_charged,
        }
        first_leg = r.ticket is None or r.ticket.transferred_from_id is None
        if r.wait_seconds is not None and first_leg:
            m.update(wait_count=1, wait_sum=r.wait_seconds)
            m[_bucket(r.wait_seconds, WAIT_EDGES, "wait_b")] = 1
        if r.handling_seconds is not None:
            m.update(handling_count=1, handling_sum=r.handling_seconds)
            m[_bucket(r.handling_seconds, HANDLING_EDGES, "handling_b")] = 1
        add(r.center_id, r.agency_id, r.service_id, r.employee_id,
            r.ended_at.astimezone(r.center.tz), m)  # fmt: skip
    for a in SurveyAnswer.objects.filter(
        center__isnull=False, agency__isnull=False, service__isnull=False
    ).select_related("center"):
        add(a.center_id, a.agency_id, a.service_id, a.employee_id,
            a.answered_at.astimezone(a.center.tz), {
                "answers": 1,
                f"score_{a.overall}": 1,
                "waiting_score_sum": a.waiting,
                "courtesy_score_sum": a.courtesy,
                "one_visit": int(a.one_visit),
            })  # fmt: skip
    agency_of_line = dict(Line.objects.values_list("pk", "agency_id"))
    by_counter = defaultdict(list)
    for e in CounterEvent.objects.select_related("counter__center").order_by("at", "pk"):
        by_counter[e.counter_id].append(e)
    for events in by_counter.values():
        for prev, cur in itertools.pairwise(events):
            field = {"open": "open_seconds", "paused": "paused_seconds"}.get(prev.status)
            agencies = sorted({agency_of_line[i] for i in prev.line_ids if i in agency_of_line})
            if field is None or prev.user_id is None or not agencies:
                continue
            tz = prev.counter.center.tz
            start = prev.at.astimezone(tz)
            while start < cur.at:
                midnight = dt.datetime.combine(start.date() + dt.timedelta(days=1), dt.time(), tz)
                end = min(cur.at, midnight)
                seconds = int((end - start).total_seconds())
                for i, agency in enumerate(agencies):
                    part = seconds // len(agencies) + (seconds % len(agencies) if i == 0 else 0)
                    key = (prev.user_id, start.date(), prev.counter.center_id, agency)
                    acc["CounterDay"][key][field] += part
                    month = (key[0], key[1].replace(day=1), key[2], key[3])
                    acc["CounterMonth"][month][field] += part
                start = midnight
    return {
        name: {k: m for k, v in rows.items() if (m := _clean(dict(v)))}
        for name, rows in acc.items()
    }
