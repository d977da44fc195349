"""The roll-ups hold exactly what a from-scratch computation over the raw rows gives, for
random data (hypothesis): once kept current fact by fact as events arrive, and once rebuilt
from the raw rows; a partial rebuild changes nothing. One center runs on a time zone with a
daylight-saving change inside the data, so local days of 23 and 25 hours are covered."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oneroof.accounts.models import User
from oneroof.centers.models import Center, Counter
from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
from oneroof.insights import rollups
from oneroof.insights.tests.helpers import clear_rollups, from_scratch, snapshot
from oneroof.queueing.choices import CLASS_ORDER
from oneroof.queueing.models import CounterEvent, Line, LineService, Ticket
from oneroof.transactions.models import TransactionRecord

pytestmark = pytest.mark.django_db

BASE = dt.datetime(2026, 10, 24, 20, 0, tzinfo=dt.UTC)  # London leaves summer time on the 25th
CENTERS = ("al-rayyan", "al-wakra")

visits = st.lists(
    st.fixed_dictionaries(
        {
            "center": st.integers(0, 1),
            "service": st.integers(0, 1000),
            "minute": st.integers(0, 3 * 24 * 60),
            "fate": st.sampled_from(
                ["waiting", "no_show", "requeued", "cancelled", "done", "done", "transferred"]
            ),
            "channel": st.sampled_from(["kiosk", "web", "phone", "desk"]),
            "priority": st.sampled_from(["normal", "normal", "appointment", "priority"]),
            "wait": st.integers(0, 300 * 60),
            "handling": st.one_of(st.none(), st.integers(0, 130 * 60)),
            "employee": st.one_of(st.none(), st.integers(0, 2)),
            "record_channel": st.sampled_from(["desk", "desk", "kiosk"]),
            "outcome": st.sampled_from(["completed", "completed", "missing_documents", "other"]),
            "answer": st.one_of(
                st.none(),
                st.tuples(
                    st.integers(1, 5),
                    st.integers(1, 5),
                    st.integers(1, 5),
                    st.booleans(),
                    st.integers(0, 3000),
                ),
            ),
        }
    ),
    max_size=25,
)
loose_records = st.lists(
    st.tuples(st.integers(-1, 1), st.integers(0, 1000), st.integers(0, 3 * 24 * 60)),
    max_size=4,
)
counter_events = st.lists(
    st.tuples(
        st.integers(0, 2),  # counter
        st.integers(0, 600),  # minutes after the previous event of any counter
        st.sampled_from(["open", "open", "paused", "closed"]),
        st.one_of(st.none(), st.integers(0, 2)),  # employee
        st.sets(st.integers(0, 3), max_size=3),  # lines
    ),
    max_size=12,
)


class World:
    def __init__(self) -> None:
        self.centers = [Center.objects.get(slug=s) for s in CENTERS]
        self.centers[1].time_zone = "Europe/London"
        self.centers[1].save(update_fields=["time_zone"])
        self.links = {
            c.pk: list(
                LineService.objects.filter(center=c)
                .select_related("service", "line")
                .order_by("pk")
            )
            for c in self.centers
        }
        self.employees = [
            User.objects.create(username=f"rollup.employee.{i}.{secrets.token_hex(3)}")
            for i in range(3)
        ]
        self.counters = list(Counter.objects.filter(center=self.centers[0]).order_by("number")[:3])
        self.lines = list(Line.objects.filter(center=self.centers[0]).order_by("prefix")[:4])
        self.version = SurveyVersion.objects.get(is_active=True)


def _ticket(w: World, center: Center, link, issued, **fields) -> Ticket:
    priority = fields.pop("priority_class", "normal")
    return Ticket.objects.create(
        center=center,
        line=link.line,
        service=link.service,
        business_date=issued.astimezone(center.tz).date(),
        number="X001",
        priority_class=priority,
        class_order=CLASS_ORDER[priority],
        issued_at=issued,
        queued_at=issued,
        rank_at=issued,
        **fields,
    )


def _record(center, link, ticket, *, ended, wait, handling, employee, outcome, channel):
    return TransactionRecord.objects.create(
        service=link.service,
        agency_id=link.service.agency_id,
        center=center,
        employee=employee,
        ticket=ticket,
        channel=channel,
        ended_at=ended,
        wait_seconds=wait,
        handling_seconds=handling,
        outcome=outcome,
        fee_charged=link.service.fee if outcome == "completed" else 0,
    )


def _answer(w: World, record: TransactionRecord, spec, ended) -> SurveyAnswer | None:
    if spec is None:
        return None
    overall, waiting, courtesy, one_visit, minutes = spec
    invite = SurveyInvite.objects.create(
        record=record,
        phone="+97455000000",
        due_at=ended,
        expires_at=ended + dt.timedelta(days=7),
    )
    return SurveyAnswer.objects.create(
        invite=invite,
        version=w.version,
        center_id=record.center_id,
        agency_id=record.agency_id,
        service_id=record.service_id,
        employee_id=record.employee_id,
        overall=overall,
        waiting=waiting,
        courtesy=courtesy,
        one_visit=one_visit,
        answered_at=ended + dt.timedelta(minutes=minutes),
    )


def build(w: World, specs, loose, events) -> list:
    """Write the raw rows; return the increments that events would have brought, in
    order: ("ticket", public id, kind) / ("record", id) / ("answer", id) / ("counter", id)."""
    steps: list[tuple] = []
    for spec in specs:
        center = w.centers[spec["center"]]
        links = w.links[center.pk]
        link = links[spec["service"] % len(links)]
        issued = BASE + dt.timedelta(minutes=spec["minute"])
        employee = w.employees[spec["employee"]] if spec["employee"] is not None else None
        fate = spec["fate"]
        called = issued + dt.timedelta(seconds=spec["wait"])
        ended = called + dt.timedelta(seconds=30 + (spec["handling"] or 0))
        status = {"requeued": "waiting", "done": "done"}.get(fate, fate)
        ticket = _ticket(
            w,
            center,
            link,
            issued,
            status=status,
            channel=spec["channel"],
            priority_class=spec["priority"],
            called_at=called if fate in ("no_show", "done", "transferred") else None,
            ended_at=ended if fate not in ("waiting", "requeued") else None,
            served_by=employee,
        )
        steps.append(("ticket", ticket.public_id, "issued"))
        if fate in ("no_show", "requeued"):
            steps.append(("ticket", ticket.public_id, "no_show"))
        if fate == "requeued":
            steps.append(("ticket", ticket.public_id, "requeued"))
        if fate == "cancelled":
            steps.append(("ticket", ticket.public_id, "cancelled"))
        if fate not in ("done", "transferred"):
            continue
        outcome = "referred" if fate == "transferred" else spec["outcome"]
        record = _record(
            center, link, ticket, ended=ended, wait=spec["wait"], handling=spec["handling"],
            employee=employee, outcome=outcome, channel=spec["record_channel"],
        )  # fmt: skip
        steps.append(("record", record.pk))
        answer = _answer(w, record, spec["answer"], ended)
        if answer:
            steps.append(("answer", answer.pk))
        if fate == "transferred":
            other = w.links[center.pk][(spec["service"] + 1) % len(w.links[center.pk])]
            leg = _ticket(
                w, center, other, issued, status="done", channel="transfer",
                transferred_from=ticket, called_at=ended + dt.timedelta(minutes=3),
                ended_at=ended + dt.timedelta(minutes=9), served_by=employee,
            )  # fmt: skip
            steps.append(("ticket", leg.public_id, "issued"))
            second = _record(
                center, other, leg, ended=ended + dt.timedelta(minutes=9),
                wait=spec["wait"] + 600, handling=300, employee=employee, outcome="completed",
                channel="desk",
            )  # fmt: skip
            steps.append(("record", second.pk))
    for center_index, service_index, minute in loose:
        # Records posted by agency systems: no ticket, no wait; without a center, they are
        # left out of the roll-ups.
        center = w.centers[center_index] if center_index >= 0 else None
        link = w.links[w.centers[0].pk][service_index % len(w.links[w.centers[0].pk])]
        record = _record(
            center, link, None, ended=BASE + dt.timedelta(minutes=minute), wait=None,
            handling=None, employee=None, outcome="completed", channel="online",
        )  # fmt: skip
        steps.append(("record", record.pk))
    at = BASE
    for counter_index, gap, status, employee_index, line_indexes in events:
        at += dt.timedelta(minutes=gap, seconds=gap % 7)
        event = CounterEvent.objects.create(
            counter=w.counters[counter_index],
            at=at,
            status=status,
            user=w.employees[employee_index] if employee_index is not None else None,
            line_ids=[w.lines[i].pk for i in sorted(line_indexes)] if status != "closed" else [],
        )
        steps.append(("counter", event.counter_id))
    return steps


def apply(steps: list[tuple]) -> None:
    """What the event subscriber does, one event at a time. Counter events are applied as
    if each arrived right after it was written (the subscriber reads the latest two)."""
    pending = [s for s in steps if s[0] == "counter"]
    others = [s for s in steps if s[0] != "counter"]
    for step in others:
        if step[0] == "ticket":
            rollups.apply_ticket_change(public_id=step[1], kind=step[2])
        elif step[0] == "record":
            rollups.apply_record(step[1])
        else:
            rollups.apply_answer(step[1])
    if pending:
        events = list(CounterEvent.objects.order_by("at", "pk"))
        CounterEvent.objects.all().delete()
        for event in events:
            event.save(force_insert=True)
            rollups.apply_counter_change(event.counter_id)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(specs=visits, loose=loose_records, events=counter_events)
def test_rollups_equal_a_computation_from_raw_rows(db, specs, loose, events):
    with transaction.atomic():
        clear_rollups()
        CounterEvent.objects.all().delete()
        world = World()

        # given random visits, records and counter events, applied as their events arrive
        steps = build(world, specs, loose, events)
        apply(steps)
        incremental = snapshot()

        # when everything is rebuilt from the raw rows
        clear_rollups()
        first, last = BASE.date() - dt.timedelta(days=2), BASE.date() + dt.timedelta(days=12)
        rollups.rebuild(first, last)
        rebuilt = snapshot()

        # then both hold what a plain computation over the raw rows gives
        expected = from_scratch()
        assert rebuilt == expected
        assert incremental == expected

        # and rebuilding only some days in the middle changes nothing
        rollups.rebuild(BASE.date() + dt.timedelta(days=1), BASE.date() + dt.timedelta(days=3))
        assert snapshot() == expected
        transaction.set_rollback(True)
