"""Many kiosks issuing and many counters calling at the same instant, with real threads and
real transactions: no number is drawn twice, no visitor is called twice, and a counter never
holds two visitors. On PostgreSQL (row locks, SKIP LOCKED) and on SQLite (IMMEDIATE write
transactions: waiting, never "database is locked")."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter as Tally
from collections import defaultdict

import pytest
from django.db import OperationalError, connection

from oneroof.conftest import make_always_open
from oneroof.core.errors import Conflict
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, TicketStatus
from oneroof.queueing.models import CounterState, Ticket, TicketEvent
from oneroof.queueing.tests.factories import (
    PASSPORTS,
    center,
    counter,
    employee,
    line,
    service,
    set_policy,
)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="IMMEDIATE transactions are SQLite's"
)


def run_threads(targets: list, *, timeout: float = 60) -> list[BaseException]:
    """Run each callable in its own thread (each with its own connection, closed at the
    end) and return what they raised."""
    errors: list[BaseException] = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return errors


def open_counters(how_many: int) -> list[tuple]:
    """Counters 1..n of al-rayyan for the passports line, each opened by its own employee."""
    desks = []
    for n in range(1, how_many + 1):
        user = employee("passports")
        desk = counter(n)
        actions.counter_open(counter=desk, lines=[line("A")], acting_user=user)
        desks.append((desk, user))
    return desks


def rush_hour(*, issuers: int, per_issuer: int, counters: int) -> tuple[list, list]:
    """Kiosks issue while counters call and complete, all starting together. Returns the
    errors raised and the counters used."""
    where = center()
    passports = service(PASSPORTS)
    desks = open_counters(counters)
    barrier = threading.Barrier(issuers + counters)
    issuing_done = threading.Event()
    issued_count = [0]
    lock = threading.Lock()

    def issue():
        barrier.wait()
        for _ in range(per_issuer):
            actions.ticket_issue(center=where, service=passports)
            with lock:
                issued_count[0] += 1
                if issued_count[0] == issuers * per_issuer:
                    issuing_done.set()

    def serve(desk, user):
        def run():
            barrier.wait()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                ticket = actions.ticket_call_next(counter=desk, acting_user=user)
                if ticket is not None:
                    actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=user)
                elif (
                    issuing_done.is_set()
                    and not Ticket.objects.filter(status=TicketStatus.WAITING).exists()
                ):
                    return
                else:
                    time.sleep(0.002)

        return run

    errors = run_threads([issue] * issuers + [serve(desk, user) for desk, user in desks])
    return errors, desks


def assert_the_queue_is_sound(total: int, desks: list) -> None:
    tickets = list(Ticket.objects.all())
    # every ticket issued once, numbers 1..n without a duplicate or a gap
    assert len(tickets) == total
    assert sorted(t.sequence for t in tickets) == list(range(1, total + 1))
    assert len({t.number for t in tickets}) == total
    # every visitor called exactly once, served and done
    called = Tally(
        TicketEvent.objects.filter(kind=EventKind.CALLED).values_list("ticket_id", flat=True)
    )
    assert set(called.values()) == {1}
    assert len(called) == total
    assert {t.status for t in tickets} == {TicketStatus.DONE}
    # each counter alternated call and completion: never two visitors at once
    by_counter = defaultdict(list)
    for counter_id, kind in (
        TicketEvent.objects.exclude(kind=EventKind.ISSUED)
        .order_by("pk")
        .values_list("counter_id", "kind")
    ):
        by_counter[counter_id].append(kind)
    for kinds in by_counter.values():
        assert kinds == [EventKind.CALLED, EventKind.COMPLETED] * (len(kinds) // 2)
    # each visitor was served by the employee of the counter that called them
    operators = {desk.pk: user.pk for desk, user in desks}
    assert all(operators[t.counter_id] == t.served_by_id for t in tickets)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_kiosks_and_eight_counters_at_once_on_postgresql(demo_data):
    # given al-rayyan open, and 8 passports counters opened by 8 employees
    make_always_open("al-rayyan")

    # when 16 kiosks issue 4 tickets each while the 8 counters call and complete, together
    errors, desks = rush_hour(issuers=16, per_issuer=4, counters=8)

    # then nothing failed, and the queue is sound
    assert errors == []
    assert_the_queue_is_sound(64, desks)
    assert CounterState.objects.filter(status="open").count() == 8


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_kiosks_and_counters_at_once_on_sqlite_wait_instead_of_failing(demo_data):
    # given al-rayyan open and 4 counters
    make_always_open("al-rayyan")

    # when 8 kiosks issue 4 tickets each while 4 counters call and complete
    errors, desks = rush_hour(issuers=8, per_issuer=4, counters=4)

    # then no "database is locked" (or any other error), and the queue is sound
    assert not [e for e in errors if isinstance(e, OperationalError)], errors
    assert errors == []
    assert_the_queue_is_sound(32, desks)


def pause_in(monkeypatch, name: str, parties: int = 2) -> threading.Barrier:
    """Make every thread that reaches `actions.<name>` wait there for the others, so a race
    window is hit every time (a timeout keeps a fixed engine from hanging the test)."""
    original = getattr(actions, name)
    barrier = threading.Barrier(parties, timeout=3)

    def paused(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, name, paused)
    return barrier


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_phone_at_two_kiosks_at_once_gets_one_ticket(demo_data, monkeypatch):
    # given two kiosks about to issue for the same phone, both past the phone check
    make_always_open("al-rayyan")
    where, passports = center(), service(PASSPORTS)
    pause_in(monkeypatch, "_draw_number")
    outcomes: list = []

    def take():
        try:
            outcomes.append(actions.ticket_issue(center=where, service=passports, phone="55123456"))
        except Conflict as exc:
            outcomes.append(exc)

    # when both go on
    errors = run_threads([take, take])

    # then one ticket is issued and the other request is told the phone already waits
    assert errors == []
    assert Ticket.objects.filter(phone="+97455123456").count() == 1
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Ticket"]


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_counters_calling_at_once_with_phones_in_the_queue_both_succeed(demo_data, monkeypatch):
    # given visitors with phones, SMS near the front, and two counters calling together
    make_always_open("al-rayyan")
    set_policy(center(), notify_at_position=3)
    where, passports = center(), service(PASSPORTS)
    for n in range(5):
        actions.ticket_issue(center=where, service=passports, phone=f"5510000{n}")
    desks = open_counters(2)
    pause_in(monkeypatch, "_notify_near_front")
    called: list = []

    def call(desk, user):
        def run():
            called.append(actions.ticket_call_next(counter=desk, acting_user=user))

        return run

    # when both counters call the next visitor at the same instant
    errors = run_threads([call(desk, user) for desk, user in desks])

    # then both calls succeed with two different visitors
    assert errors == []
    assert len({t.pk for t in called}) == 2


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_employee_opening_two_counters_at_once_gets_one(demo_data, monkeypatch):
    # given an employee who opens counters 1 and 2 from two consoles at the same instant
    # (each waits for the other just before committing, past the "already open" check)
    make_always_open("al-rayyan")
    user = employee("passports")
    passports_line = line("A")
    pause_in(monkeypatch, "_counter_event")
    outcomes: list = []

    def open_(number):
        def run():
            try:
                outcomes.append(
                    actions.counter_open(
                        counter=counter(number), lines=[passports_line], acting_user=user
                    )
                )
            except Conflict as exc:
                outcomes.append(exc)

        return run

    errors = run_threads([open_(1), open_(2)])

    # then only one counter is open for them
    assert errors == []
    assert CounterState.objects.filter(employee=user).exclude(status="closed").count() == 1
