"""The reports page: its figures equal a count over the raw rows, each person's report covers
only their slice, rows drill down one level, periods are the ones people mean, and bad
input is a clear error."""

from __future__ import annotations

import datetime as dt

import pytest

from oneroof.insights import screens
from oneroof.insights.tests.screens_world import make_world
from oneroof.queueing.models import Ticket
from oneroof.transactions.models import TransactionRecord

pytestmark = pytest.mark.django_db


def report(client, query: str = "") -> screens.Report:
    response = client.get(f"/en/staff/insights/reports/?period=day&{query}")
    assert response.status_code == 200
    return response.context["report"]


def test_the_days_figures_equal_a_count_over_the_raw_rows(as_persona):
    world = make_world()
    records = TransactionRecord.objects.filter(center=world.rayyan)
    waits = [r.wait_seconds for r in records]
    got = report(as_persona("decision_maker"), "center=al-rayyan")
    assert got.totals.served == records.count() == 3
    assert got.totals.arrivals == Ticket.objects.filter(center=world.rayyan).count() == 5
    assert got.totals.wait_avg_minutes == round(sum(waits) / len(waits) / 60, 1)
    assert got.totals.wait_avg_minutes >= 9  # they came 10 to 14 minutes before being called
    assert sum(got.heat.values()) == 5


def test_a_supervisors_report_covers_only_their_center(as_persona):
    make_world()
    got = report(as_persona("supervisor_a"))
    assert got.totals.served == 3  # Al Rayyan's, not Al Wakra's
    assert got.center.slug == "al-rayyan" and got.by == "agency"  # about their center
    assert [r.slug for r in got.rows] == ["passports", "civil-registry"]  # one still waits
    assert report(as_persona("supervisor_a"), "by=center").rows[0].slug == "al-rayyan"


def test_an_agency_administrator_sees_only_their_agencys_figures(as_persona):
    make_world()
    got = report(as_persona("agency_admin"), "by=agency")
    assert [r.slug for r in got.rows] == ["passports"]
    assert report(as_persona("agency_admin")).title == got.agency.name
    assert got.totals.arrivals == 4  # passport visitors only: not civil registry, not traffic
    state = as_persona("agency_admin").get("/en/staff/insights/state/").json()
    waiting = {c["slug"]: c["waiting_now"] for c in state["centers"]}
    assert waiting["al-rayyan"] == 1  # the civil-registry visitor is not theirs
    everything = as_persona("decision_maker").get("/en/staff/insights/state/").json()
    assert {c["slug"]: c["waiting_now"] for c in everything["centers"]}["al-rayyan"] == 2


def test_rows_drill_down_from_centers_to_agencies_to_services_to_employees(as_persona, employee_a):
    make_world()
    client = as_persona("decision_maker")
    response = client.get("/en/staff/insights/reports/?period=day")
    assert response.context["report"].by == "center"
    link = next(r["link"] for r in response.context["rows"] if r["row"].slug == "al-rayyan")
    response = client.get("/en/staff/insights/reports/" + link)
    assert response.context["report"].by == "agency"
    link = next(r["link"] for r in response.context["rows"] if r["row"].slug == "passports")
    response = client.get("/en/staff/insights/reports/" + link)
    assert response.context["report"].by == "service"
    link = next(r["link"] for r in response.context["rows"] if r["row"].slug == "passport-renewal")
    response = client.get("/en/staff/insights/reports/" + link)
    got = response.context["report"]
    assert got.by == "employee" and got.service.slug == "passport-renewal"
    assert [(r.key, r.kpis.served) for r in got.rows] == [(employee_a.pk, 3)]
    assert [label for label, _link in response.context["crumbs"]] == [
        "All centers",
        "Al Rayyan Government Services Complex",
        "General Directorate of Passports and Residency",
        "Passport Renewal",
    ]


def test_channels_add_up_to_the_arrivals_and_the_services(as_persona):
    make_world()
    got = report(as_persona("decision_maker"), "by=channel")
    assert sum(r.arrivals or 0 for r in got.rows) == got.totals.arrivals == 7
    assert sum(r.served or 0 for r in got.rows) == got.totals.served == 4


def test_periods_are_the_ones_people_mean():
    day = dt.date(2026, 6, 17)  # a Wednesday
    week = screens.period_of("week", day)
    assert (week.start, week.end) == (dt.date(2026, 6, 14), dt.date(2026, 6, 20))  # Sun–Sat
    half = screens.period_of("half", day)
    assert (half.start, half.end) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert half.previous().start == dt.date(2025, 7, 1)
    assert half.previous().end == dt.date(2025, 12, 31)
    so_far = screens.period_of("month", day).upto(day)
    assert (so_far.start, so_far.end) == (dt.date(2026, 6, 1), day)
    assert (so_far.previous().start, so_far.previous().end) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 17),
    )
    assert screens.period_of("month", dt.date(2026, 3, 31)).previous().end == dt.date(2026, 2, 28)
    assert half.year_before().start == dt.date(2025, 1, 1)


def test_comparing_with_the_period_before_shows_both(as_persona):
    make_world()
    response = as_persona("decision_maker").get(
        "/en/staff/insights/reports/?period=day&compare=previous&center=al-rayyan"
    )
    got = response.context["report"]
    assert got.compare_to is not None and got.compare_to.end == got.period.start - dt.timedelta(1)
    served = next(k for k in response.context["kpis"] if k["key"] == "served")
    assert (served["value"], served["prior"]) == (3, 0)


def test_a_period_that_ends_before_it_starts_is_a_clear_error(as_persona):
    make_world()
    response = as_persona("decision_maker").get(
        "/en/staff/insights/reports/?period=custom&from=2026-05-10&to=2026-05-01"
    )
    assert response.status_code == 400
    assert "The end of the period comes before its start." in response.content.decode()
    response = as_persona("decision_maker").get("/en/staff/insights/reports/?period=custom")
    assert response.status_code == 400
    assert "Choose both the first and the last day." in response.content.decode()
    response = as_persona("decision_maker").get("/en/staff/insights/reports/?date=yesterday")
    assert response.status_code == 400
