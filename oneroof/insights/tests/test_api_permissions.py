"""Who sees which figures through GET /api/v1/kpis and GET /api/v1/centers/{center}/live: a
supervisor only their center, an agency administrator only their agency, an employee only
their own figures, decision makers, evaluators and administrators everything. Denied
requests change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.accounts.models import User
from oneroof.insights import rollups
from oneroof.insights.tests.helpers import snapshot
from oneroof.queueing.tests.factories import center, issue, service

pytestmark = pytest.mark.django_db

KPIS = "/api/v1/kpis"

# (center, service, employee username or None, services delivered)
DELIVERED = [
    ("al-rayyan", "passport-renewal", "employee.rayyan", 5),
    ("al-rayyan", "id-card-renewal", "employee.rayyan", 3),
    ("al-rayyan", "driving-licence-renewal", None, 7),
    ("al-wakra", "driving-licence-renewal", "employee.wakra", 11),
    ("al-wakra", "passport-renewal", None, 13),
]


@pytest.fixture
def figures(db):
    """Services delivered today at two centers, counted as the events would."""
    for slug, service_slug, username, n in DELIVERED:
        c, s = center(slug), service(service_slug)
        employee = User.objects.get(username=username).pk if username else None
        where = rollups.Where(c.pk, s.agency_id, s.pk, employee, timezone.now().astimezone(c.tz))
        for _i in range(n):
            rollups.add_fact(
                where,
                rollups.record_deltas(
                    outcome="completed", channel="desk", fee=s.fee, wait_seconds=600,
                    handling_seconds=300, first_leg=True,
                ),
                per_employee=True,
            )  # fmt: skip
    return snapshot()


def served(response) -> int:
    return response.json()["totals"]["served"]


# persona, query, expected status, expected services delivered
MATRIX = [
    ("anonymous", "", 401, None),
    ("employee_a", "", 200, 8),  # their own: 5 passports + 3 ID cards
    ("employee_a", "?service=passport-renewal", 200, 5),
    ("employee_a", "?employee=employee.wakra", 403, None),
    ("employee_b", "", 200, 11),
    ("supervisor_a", "", 200, 15),  # everything at al-rayyan
    ("supervisor_a", "?center=al-rayyan&agency=traffic", 200, 7),
    ("supervisor_a", "?employee=employee.rayyan", 200, 8),
    ("supervisor_a", "?center=al-wakra", 403, None),
    ("agency_admin", "", 200, 18),  # passports at every center
    ("agency_admin", "?center=al-wakra", 200, 13),
    ("agency_admin", "?agency=traffic", 403, None),
    ("agency_admin", "?service=driving-licence-renewal", 403, None),
    ("system_admin", "", 200, 39),
    ("evaluator", "?center=al-wakra", 200, 24),
    ("decision_maker", "?agency=traffic", 200, 18),
    ("decision_maker", "?service=passport-renewal&agency=traffic", 422, None),
    ("decision_maker", "?center=atlantis", 422, None),
    ("decision_maker", "?granularity=fortnight", 422, None),
]


@pytest.mark.parametrize(("persona", "query", "status", "expected"), MATRIX)
def test_kpis_permission_matrix(as_persona, figures, persona, query, status, expected):
    response = as_persona(persona).get(KPIS + query)
    assert response.status_code == status, response.content
    if expected is not None:
        assert served(response) == expected
    else:
        assert response.json()["error"]["status"] == status
    assert snapshot() == figures  # reading changes nothing


def test_kpis_series_add_up_to_the_totals(as_persona, figures):
    today = timezone.localdate()
    query = f"?from={today - dt.timedelta(days=3)}&to={today + dt.timedelta(days=1)}"
    body = as_persona("decision_maker").get(KPIS + query + "&granularity=day").json()
    assert [p["start"] for p in body["series"]] == [
        str(today - dt.timedelta(days=d)) for d in (3, 2, 1, 0)
    ]
    assert sum(p["kpis"]["served"] for p in body["series"]) == body["totals"]["served"] == 39
    assert body["totals"]["wait_avg_minutes"] == 10.0
    assert body["totals"]["arrivals"] == 0  # no tickets in these figures
    hourly = as_persona("decision_maker").get(KPIS + query + "&granularity=hour").json()
    assert sum(p["kpis"]["served"] for p in hourly["series"]) == 39
    refused = as_persona("decision_maker").get(
        KPIS + query + "&granularity=hour&service=passport-renewal"
    )
    assert refused.status_code == 422


def test_employee_figures_have_no_arrivals(as_persona, figures):
    body = as_persona("employee_a").get(KPIS + "?granularity=total").json()
    assert body["totals"]["arrivals"] is None and body["totals"]["served"] == 8
    assert body["series"] == []


LIVE = [
    ("anonymous", "al-rayyan", 401),
    ("employee_a", "al-rayyan", 403),
    ("employee_b", "al-rayyan", 403),
    ("supervisor_a", "al-rayyan", 200),
    ("supervisor_a", "al-wakra", 403),
    ("agency_admin", "al-wakra", 200),
    ("system_admin", "al-wakra", 200),
    ("evaluator", "al-rayyan", 200),
    ("decision_maker", "al-rayyan", 200),
    ("decision_maker", "atlantis", 404),
]


@pytest.mark.parametrize(("persona", "slug", "status"), LIVE)
def test_live_permission_matrix(as_persona, figures, persona, slug, status):
    response = as_persona(persona).get(f"/api/v1/centers/{slug}/live")
    assert response.status_code == status, response.content
    assert snapshot() == figures


def test_an_agency_administrator_sees_only_their_desks_live(as_persona, always_open, figures):
    issue("passport-renewal", minutes_ago=4)
    issue("id-card-renewal", minutes_ago=9)
    mine = as_persona("agency_admin").get("/api/v1/centers/al-rayyan/live").json()
    everything = as_persona("supervisor_a").get("/api/v1/centers/al-rayyan/live").json()
    assert {line["agency"] for line in mine["lines"]} == {"passports"}
    assert (mine["waiting"], everything["waiting"]) == (1, 2)
    assert mine["today"]["served"] == 5 and everything["today"]["served"] == 15


def test_a_period_out_of_range_is_refused(as_persona, figures):
    response = as_persona("decision_maker").get(KPIS + "?from=9999-12-02&to=9999-12-31")
    assert response.status_code == 422
    backwards = as_persona("decision_maker").get(KPIS + "?from=2026-05-02&to=2026-05-01")
    assert backwards.json()["error"]["code"] == "invalid"
