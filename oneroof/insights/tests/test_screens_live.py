"""The supervisor's live view and its JSON state: waiting per line and agency, counters and
who is at each, today's figures, and alerts for a line past its target wait or a counter on
a long break; an agency administrator sees only their agency's desks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.core.errors import InvalidInput
from oneroof.insights import selectors
from oneroof.insights.tests.screens_world import make_world
from oneroof.queueing import actions
from oneroof.queueing.models import CounterState

pytestmark = pytest.mark.django_db
STATE = "/en/staff/insights/live/al-rayyan/state/"


def test_the_state_shows_who_waits_where_and_what_each_counter_does(as_persona, employee_a):
    make_world()
    state = as_persona("supervisor_a").get(STATE).json()
    lines = {line["prefix"]: line for line in state["lines"]}
    assert (lines["A"]["waiting"], lines["B"]["waiting"], lines["C"]["waiting"]) == (1, 1, 0)
    assert lines["A"]["open_counters"] == 1
    assert state["kpis"]["waiting_now"] == 2
    assert state["kpis"]["longest_wait_minutes"] >= 30
    assert state["kpis"]["served"] == 3
    assert state["kpis"]["counters_open"] == 1
    counter = next(c for c in state["counters"] if c["number"] == 5)
    assert counter["status"] == "open"
    assert counter["employee"] == employee_a.get_full_name()
    assert sum(h["served"] for h in state["hourly"]) == 3
    passports = next(a for a in state["agencies"] if a["waiting"] and a["served"])
    assert passports["served"] == 3


def test_a_line_past_its_target_and_a_long_break_raise_alerts(as_persona, employee_a):
    world = make_world()
    client = as_persona("supervisor_a")
    alerts = client.get(STATE).json()["alerts"]
    assert [a["kind"] for a in alerts] == ["wait"]  # civil registry: 30 min against 20
    assert alerts[0]["text"].startswith("Line B (")
    # The employee calls the passport visitor, serves them and takes a break that lasts.
    ticket = actions.ticket_call_next(counter=world.counter_a, acting_user=employee_a)
    actions.ticket_start(ticket=ticket, acting_user=employee_a)
    actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)
    actions.counter_pause(counter=world.counter_a, acting_user=employee_a)
    limit = selectors.pause_alert_minutes(world.counter_a.center_id)
    assert limit == 20  # the default setting
    long_ago = timezone.now() - dt.timedelta(minutes=limit + 5)
    CounterState.objects.filter(counter=world.counter_a).update(since=long_ago)
    state = client.get(STATE).json()
    assert sorted(a["kind"] for a in state["alerts"]) == ["pause", "wait"]
    counter = next(c for c in state["counters"] if c["number"] == 5)
    assert counter["status"] == "paused" and counter["alert"]
    assert state["kpis"]["counters_paused"] == 1


def test_the_state_follows_a_call_made_at_a_counter(as_persona, employee_a):
    world = make_world()
    client = as_persona("supervisor_a")
    ticket = actions.ticket_call_next(counter=world.counter_a, acting_user=employee_a)
    state = client.get(STATE).json()
    assert {line["prefix"]: line["waiting"] for line in state["lines"]}["A"] == 0
    counter = next(c for c in state["counters"] if c["number"] == 5)
    assert counter["current"] == ticket.number
    assert counter["current_label"] == f"Serving {ticket.number}"


def test_an_agency_administrator_sees_only_their_desks(as_persona):
    make_world()
    state = as_persona("agency_admin").get(STATE).json()
    assert [line["prefix"] for line in state["lines"]] == ["A"]
    assert state["kpis"]["waiting_now"] == 1
    assert [c["number"] for c in state["counters"] if c["status"] != "closed"] == [5]
    page = as_persona("agency_admin").get("/en/staff/insights/live/al-rayyan/")
    assert "your agency's desks" in page.content.decode()
    assert page.context["config"]["socket"] is False  # not the center's staff: it polls


def test_the_page_renders_in_arabic_and_english_with_its_charts(as_persona):
    make_world()
    client = as_persona("supervisor_a")
    arabic = client.get("/staff/insights/live/al-rayyan/")
    assert arabic.status_code == 200
    html = arabic.content.decode()
    assert 'dir="rtl"' in html and 'class="chart"' in html and "data-live" in html
    assert arabic.context["config"]["socket"] is True
    assert arabic.context["config"]["stateUrl"] == "/staff/insights/live/al-rayyan/state/"
    english = client.get("/en/staff/insights/live/al-rayyan/").content.decode()
    assert 'dir="ltr"' in english and "Waiting per line" in english
    assert "<script>" not in english and "style=" not in english  # the CSP allows neither


def test_the_break_alert_follows_the_centers_own_setting(as_persona, employee_a, supervisor_a):
    from oneroof.queueing.models import CallingPolicy

    world = make_world()
    client = as_persona("supervisor_a")
    # given a counter on a break for 30 minutes
    actions.counter_pause(counter=world.counter_a, acting_user=employee_a)
    half_an_hour_ago = timezone.now() - dt.timedelta(minutes=30)
    CounterState.objects.filter(counter=world.counter_a).update(since=half_an_hour_ago)
    center = world.counter_a.center
    # when the supervisor allows breaks of 45 minutes, no alert is raised
    actions.policy_update(center=center, acting_user=supervisor_a, pause_alert_minutes=45)
    assert [a["kind"] for a in client.get(STATE).json()["alerts"]] == ["wait"]
    # and with 25 minutes the counter is flagged, the limit named in the alert
    actions.policy_update(center=center, acting_user=supervisor_a, pause_alert_minutes=25)
    state = client.get(STATE).json()
    assert sorted(a["kind"] for a in state["alerts"]) == ["pause", "wait"]
    assert "25" in next(a["text"] for a in state["alerts"] if a["kind"] == "pause")
    # a limit of 0 minutes is refused and the setting stays
    with pytest.raises(InvalidInput):
        actions.policy_update(center=center, acting_user=supervisor_a, pause_alert_minutes=0)
    assert CallingPolicy.objects.get(center=center).pause_alert_minutes == 25
