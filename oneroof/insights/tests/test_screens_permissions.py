"""Who may open each insight screen, over the shared personas: supervisors see their center,
agency administrators their agency's figures, employees their own KPIs, decision makers,
evaluators and system administrators everything; anyone else is refused (403, or the
sign-in page when anonymous) and nothing changes."""

from __future__ import annotations

import pytest

from oneroof.conftest import PERSONAS
from oneroof.insights.tests.screens_world import make_world
from oneroof.queueing.models import CounterEvent, Ticket
from oneroof.transactions.models import HistoryAccess, TransactionRecord

pytestmark = pytest.mark.django_db

ALL_SEEING = {"system_admin", "evaluator", "decision_maker"}


def expected(allowed: set[str]) -> dict[str, int]:
    return {p: 302 if p == "anonymous" else 200 if p in allowed else 403 for p in PERSONAS}


MATRIX = {
    "/en/staff/insights/": expected(ALL_SEEING | {"agency_admin"}),
    "/en/staff/insights/state/": expected(ALL_SEEING | {"agency_admin"}),
    "/en/staff/insights/live/al-rayyan/": expected(ALL_SEEING | {"supervisor_a", "agency_admin"}),
    "/en/staff/insights/live/al-rayyan/state/": expected(
        ALL_SEEING | {"supervisor_a", "agency_admin"}
    ),
    "/en/staff/insights/live/al-wakra/": expected(ALL_SEEING | {"agency_admin"}),
    "/en/staff/insights/reports/": expected(ALL_SEEING | {"supervisor_a", "agency_admin"}),
    "/en/staff/insights/reports/?center=al-wakra": expected(ALL_SEEING | {"agency_admin"}),
    "/en/staff/insights/reports/?agency=traffic": expected(ALL_SEEING | {"supervisor_a"}),
    "/en/staff/insights/reports/export.csv?period=day": expected(
        ALL_SEEING | {"supervisor_a", "agency_admin"}
    ),
    "/en/staff/insights/reports/export.xlsx?center=al-wakra&period=day": expected(
        ALL_SEEING | {"agency_admin"}
    ),
    "/en/staff/insights/employees/": {
        **expected(ALL_SEEING | {"supervisor_a", "agency_admin"}),
        "employee_a": 302,  # to their own page
        "employee_b": 302,
    },
}


def _snapshot() -> tuple:
    return (
        Ticket.objects.count(),
        TransactionRecord.objects.count(),
        CounterEvent.objects.count(),
        HistoryAccess.objects.count(),
    )


@pytest.mark.parametrize("url", list(MATRIX))
def test_each_screen_is_open_only_to_those_whose_figures_it_shows(url, as_persona):
    make_world()
    before = _snapshot()
    for persona, status in MATRIX[url].items():
        response = as_persona(persona).get(url)
        assert response.status_code == status, (persona, url, response.status_code)
        if status == 302 and persona == "anonymous":
            assert "/accounts/login/" in response["Location"]
    assert _snapshot() == before


def test_an_employees_page_is_theirs_their_supervisors_and_their_agencys(
    as_persona, employee_a, employee_b
):
    make_world()
    page_a = f"/en/staff/insights/employees/{employee_a.pk}/"
    page_b = f"/en/staff/insights/employees/{employee_b.pk}/"
    allowed_a = {"employee_a", "supervisor_a", "agency_admin"} | ALL_SEEING
    allowed_b = {"employee_b"} | ALL_SEEING  # traffic at Al Wakra: not passports, not Al Rayyan
    for persona in PERSONAS:
        client = as_persona(persona)
        for url, allowed in ((page_a, allowed_a), (page_b, allowed_b)):
            status = client.get(url).status_code
            want = 302 if persona == "anonymous" else 200 if persona in allowed else 403
            assert status == want, (persona, url, status)
    assert (
        as_persona("decision_maker").get("/en/staff/insights/employees/999999/").status_code == 404
    )


def test_an_employee_is_sent_to_their_own_kpis(as_persona, employee_a):
    response = as_persona("employee_a").get("/en/staff/insights/employees/?period=week")
    assert response.status_code == 302
    assert response["Location"] == f"/en/staff/insights/employees/{employee_a.pk}/?period=week"


def test_unknown_centers_and_formats_are_not_found(as_persona):
    client = as_persona("decision_maker")
    assert client.get("/en/staff/insights/live/nowhere/").status_code == 404
    assert client.get("/en/staff/insights/reports/?center=nowhere").status_code == 404
    assert client.get("/en/staff/insights/reports/export.doc").status_code == 404


def test_the_staff_home_links_only_the_screens_one_may_open(as_persona):
    home = "/en/staff/"
    decision = as_persona("decision_maker").get(home).content.decode()
    assert "/en/staff/insights/" in decision and "/en/staff/insights/reports/" in decision
    supervisor = as_persona("supervisor_a").get(home).content.decode()
    assert "/en/staff/insights/live/" in supervisor
    assert 'href="/en/staff/insights/"' not in supervisor
    employee = as_persona("employee_a").get(home).content.decode()
    assert "/en/staff/insights/employees/" in employee
    assert "/en/staff/insights/reports/" not in employee
