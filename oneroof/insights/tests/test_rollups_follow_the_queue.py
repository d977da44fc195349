"""Roll-ups kept current by the domain events of the real actions: issuing, calling,
no-shows and their return, completing, transferring, cancelling, counters opening, pausing
and closing, survey answers. After each journey they equal a rebuild from the raw rows."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db.models import F
from django.utils import timezone

from oneroof.core import events
from oneroof.feedback.actions import survey_answer
from oneroof.feedback.models import SurveyInvite
from oneroof.insights import rollups
from oneroof.insights.actions import on_domain_event
from oneroof.insights.models import CounterDay, ServiceDay
from oneroof.insights.tests.helpers import clear_rollups, from_scratch, snapshot
from oneroof.queueing import actions
from oneroof.queueing.models import CounterEvent
from oneroof.queueing.tests.factories import (
    ID_CARD,
    PASSPORTS,
    center,
    fresh,
    issue,
    open_counter,
    service,
)

pytestmark = pytest.mark.django_db


def today_row(slug: str = PASSPORTS) -> ServiceDay:
    c = center()
    return ServiceDay.objects.get(
        center=c, service=service(slug), day=timezone.now().astimezone(c.tz).date()
    )


def rebuilt_today() -> dict:
    day = timezone.now().astimezone(center().tz).date()
    before = snapshot()
    clear_rollups()
    rollups.rebuild(day - dt.timedelta(days=1), day + dt.timedelta(days=2))
    after = snapshot()
    assert after == from_scratch()
    return before, after


def test_a_day_at_the_counter_is_counted_as_it_happens(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    # given three visitors in the passports line and a counter opened for it
    with run(execute=True):
        first = issue(phone="55100001", minutes_ago=12)
        second = issue(minutes_ago=8, channel="web", phone="55100002")
        third = issue(minutes_ago=2)
    with run(execute=True):
        desk = open_counter(employee_a)

    # when the first is served, the second does not come, comes back and is sent home for
    # a missing paper, and the third cancels
    with run(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    assert ticket.pk == first.pk
    with run(execute=True):
        actions.ticket_start(ticket=ticket, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))
    with run(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.ticket_no_show(ticket=ticket, acting_user=fresh(employee_a))
    assert today_row().no_shows == 1
    with run(execute=True):
        actions.ticket_requeue(ticket=second, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.ticket_cancel(ticket=third, acting_user=None, by_visitor=True)
    with run(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.ticket_complete(
            ticket=ticket, outcome="missing_documents", acting_user=fresh(employee_a)
        )

    # then today's passports figures say so
    row = today_row()
    assert (row.arrivals, row.arrivals_remote, row.served, row.completed) == (3, 1, 2, 1)
    assert (row.missing_documents, row.no_shows, row.cancelled) == (1, 0, 1)
    assert row.wait_count == 2 and row.handling_count == 2
    assert row.wait_sum >= 12 * 60  # the first waited twelve minutes
    # and a rebuild from the raw rows gives the same numbers
    before, after = rebuilt_today()
    assert before == after


def test_a_transfer_counts_a_new_leg_and_two_services(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    with run(execute=True):
        issue(minutes_ago=5)
        desk = open_counter(employee_a, prefixes=("A", "B"))
    with run(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    with run(execute=True):
        leg = actions.ticket_transfer(
            ticket=ticket, service=service(ID_CARD), acting_user=fresh(employee_a)
        )
    with run(execute=True):
        called = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    assert called.pk == leg.pk
    with run(execute=True):
        actions.ticket_complete(ticket=called, outcome="completed", acting_user=fresh(employee_a))

    passports, id_cards = today_row(PASSPORTS), today_row(ID_CARD)
    assert (passports.arrivals, passports.served, passports.completed) == (1, 1, 0)
    assert (id_cards.arrivals, id_cards.transfers_in, id_cards.served) == (1, 1, 1)
    # only the visitor's first leg has a wait: the second would count the first service
    assert (passports.wait_count, id_cards.wait_count) == (1, 0)
    before, after = rebuilt_today()
    assert before == after


def test_counter_time_follows_opening_pausing_and_closing(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    with run(execute=True):
        desk = open_counter(employee_a)
    # half an hour passes (the opening is moved back before anything has counted it)
    CounterEvent.objects.filter(counter=desk).update(at=F("at") - dt.timedelta(minutes=30))
    with run(execute=True):
        actions.counter_pause(counter=desk, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.counter_open(
            counter=desk, lines=[desk.center.lines.get(prefix="A")], acting_user=fresh(employee_a)
        )
    with run(execute=True):
        actions.counter_close(counter=desk, acting_user=fresh(employee_a))

    rows = list(CounterDay.objects.filter(employee=employee_a))
    assert {r.agency.slug for r in rows} == {"passports"}
    assert sum(r.open_seconds for r in rows) >= 30 * 60
    before, after = rebuilt_today()
    assert before == after


def test_survey_answers_count_in_satisfaction(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    run = django_capture_on_commit_callbacks
    with run(execute=True):
        issue(phone="55100009", minutes_ago=3)
        desk = open_counter(employee_a)
    with run(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))
    invite = SurveyInvite.objects.get()

    # The survey publishes "survey.answered" with the answer's id once it is recorded.
    with run(execute=True):
        answer = survey_answer(token=invite.token, overall=2, waiting=1, courtesy=4, one_visit=True)
        events.publish("surveys", "survey.answered", {"answer": answer.pk})

    row = today_row()
    assert (row.answers, row.score_2, row.waiting_score_sum, row.one_visit) == (1, 1, 1, 1)
    before, after = rebuilt_today()
    assert before == after


def test_a_broken_event_is_logged_and_never_raised(caplog, always_open):
    with caplog.at_level(logging.ERROR, logger="oneroof.insights.actions"):
        on_domain_event("records", "record.created", {"record": "not a number"})
    assert "rebuild_rollups" in caplog.text
    # an event about a row that no longer exists changes nothing
    on_domain_event("center.1", "queue.changed", {"ticket": "gone", "kind": "issued"})
    assert not ServiceDay.objects.exists()


def test_facts_wait_for_the_delay_then_arrive_together(
    always_open, employee_a, settings, django_capture_on_commit_callbacks
):
    from oneroof.insights.pending import pending

    run = django_capture_on_commit_callbacks
    with run(execute=True):
        desk = open_counter(employee_a)
    # given a delay longer than the test, so only flush() adds what is pending
    settings.ONEROOF_ROLLUP_DELAY_MS = 600_000
    pending.take()
    with run(execute=True):
        for i in range(5):
            issue(minutes_ago=10 - i)
    with run(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
    with run(execute=True):
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))
    # then nothing is counted yet, and six facts wait: five arrivals and one service
    assert not ServiceDay.objects.exists()
    assert len(pending) == 6
    # when the pending facts are added (by the background thread, or here by hand)
    assert pending.flush() == 6
    assert len(pending) == 0
    # then they are counted once, as a rebuild from the raw rows counts them
    row = today_row()
    assert (row.arrivals, row.served, row.completed) == (5, 1, 1)
    before, after = rebuilt_today()
    assert before == after


def test_a_failed_addition_is_logged_and_the_rows_stay_repairable(
    always_open, settings, caplog, monkeypatch
):
    from oneroof.insights import pending as pending_module

    settings.ONEROOF_ROLLUP_DELAY_MS = 600_000
    pending_module.pending.take()
    pending_module.pending.put(ticket=("not-a-ticket", "issued"), record=10**9)

    def broken(*changes):
        raise RuntimeError("database gone")

    monkeypatch.setattr(pending_module.rollups, "add", broken)
    with caplog.at_level(logging.ERROR, logger="oneroof.insights.pending"):
        assert pending_module.pending.flush() == 0
    assert "rebuild_rollups" in caplog.text
    assert len(pending_module.pending) == 0
