"""kpis, kpi_series and kpi_breakdown read the roll-ups consistently: whole months from the
month table and the days around them from the day table give the same totals as the days
alone; series and breakdowns add up to the totals; percentiles come from the histograms."""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally

import pytest

from oneroof.insights import rollups
from oneroof.insights.models import MEASURE_FIELDS, ServiceDay, ServiceMonth
from oneroof.insights.selectors import (
    KpiFilter,
    center_live,
    kpi_breakdown,
    kpi_series,
    kpis,
    peak_hours,
)
from oneroof.queueing import actions
from oneroof.queueing.models import CounterState, Line
from oneroof.queueing.tests.factories import center, fresh, issue, open_counter, service

pytestmark = pytest.mark.django_db

# (center, service, local day, hour, wait minutes)
SERVICES = [
    ("al-rayyan", "passport-renewal", dt.date(2026, 9, 29), 9, 4),
    ("al-rayyan", "passport-renewal", dt.date(2026, 10, 1), 10, 12),
    ("al-rayyan", "id-card-renewal", dt.date(2026, 10, 15), 18, 30),
    ("al-wakra", "passport-renewal", dt.date(2026, 10, 31), 20, 55),
    ("al-wakra", "driving-licence-renewal", dt.date(2026, 11, 1), 8, 2),
    ("al-rayyan", "passport-renewal", dt.date(2026, 11, 2), 11, 7),
]


@pytest.fixture
def delivered(db):
    for slug, service_slug, day, hour, wait in SERVICES:
        c, s = center(slug), service(service_slug)
        local = dt.datetime.combine(day, dt.time(hour, 30), c.tz)
        where = rollups.Where(c.pk, s.agency_id, s.pk, None, local)
        rollups.add_fact(where, rollups.ticket_deltas("issued", "kiosk", "normal"),
                         per_employee=False)  # fmt: skip
        rollups.add_fact(
            where,
            rollups.record_deltas(
                outcome="completed", channel="desk", fee=s.fee, wait_seconds=wait * 60,
                handling_seconds=600, first_leg=True,
            ),
            per_employee=False,
        )  # fmt: skip


def _day_sum(start: dt.date, end: dt.date) -> dict:
    total = Tally()
    for row in ServiceDay.objects.filter(day__gte=start, day__lt=end).values(*MEASURE_FIELDS):
        total.update({k: v for k, v in row.items() if k != "fees"})
    return total


def test_whole_months_and_edge_days_give_the_days_total(delivered):
    start, end = dt.date(2026, 9, 29), dt.date(2026, 11, 3)  # spans September to November
    k = kpis(filt=KpiFilter(), start=start, end=end)
    days = _day_sum(start, end)
    assert ServiceMonth.objects.filter(month=dt.date(2026, 10, 1)).exists()
    assert (k.arrivals, k.served, k.wait_count) == (days["arrivals"], days["served"], 6)
    assert k.wait_avg_minutes == round((4 + 12 + 30 + 55 + 2 + 7) / 6, 1)
    # the median wait lies in the 10–12 minute bucket or below; the 90th near 55
    assert 7 <= k.wait_p50_minutes <= 12
    assert 50 <= k.wait_p90_minutes <= 60


def test_series_and_breakdowns_add_up(delivered):
    start, end = dt.date(2026, 9, 28), dt.date(2026, 11, 10)
    filt = KpiFilter()
    total = kpis(filt=filt, start=start, end=end).served
    for granularity in ("day", "week", "month"):
        series = kpi_series(filt=filt, start=start, end=end, granularity=granularity)
        assert sum(p.kpis.served for p in series) == total == 6
    months = kpi_series(filt=filt, start=start, end=end, granularity="month")
    assert [p.start for p in months] == [dt.date(2026, 9, 1), dt.date(2026, 10, 1),
                                         dt.date(2026, 11, 1)]  # fmt: skip
    assert [p.kpis.served for p in months] == [1, 3, 2]
    weeks = kpi_series(filt=filt, start=start, end=end, granularity="week")
    assert all(p.start.weekday() == 6 for p in weeks[1:])  # weeks start on Sunday
    by_center = kpi_breakdown(filt=filt, start=start, end=end, by="center")
    assert [(r.name, r.kpis.served) for r in by_center] == [
        (str(center("al-rayyan")), 4),
        (str(center("al-wakra")), 2),
    ]
    by_service = kpi_breakdown(filt=filt, start=start, end=end, by="service")
    assert sum(r.kpis.served for r in by_service) == 6
    rayyan = KpiFilter(center_ids=frozenset({center("al-rayyan").pk}))
    assert kpis(filt=rayyan, start=start, end=end).served == 4


def test_peak_hours_place_arrivals_by_weekday_and_hour(delivered):
    cells = peak_hours(filt=KpiFilter(), start=dt.date(2026, 9, 1), end=dt.date(2026, 12, 1))
    busy = {(c.weekday, c.hour): c.arrivals for c in cells if c.arrivals}
    # 1 October 2026 is a Thursday (4 counting from Sunday = 0), 10:30
    assert busy[(4, 10)] == 1
    assert sum(busy.values()) == 6


def test_the_live_view_shows_waiting_counters_and_alerts(always_open, employee_a, supervisor_a):
    # given a visitor waiting 45 minutes in a line whose target is 20, and a counter on a
    # long break
    Line.objects.filter(center=always_open, prefix="A").update(target_wait_minutes=20)
    issue(minutes_ago=45)
    issue(minutes_ago=5)
    desk = open_counter(employee_a)
    actions.counter_pause(counter=desk, acting_user=fresh(employee_a))
    CounterState.objects.filter(counter=desk).update(
        since=CounterState.objects.get(counter=desk).since - dt.timedelta(minutes=31)
    )

    live = center_live(always_open)

    line_a = next(line for line in live.lines if line.prefix == "A")
    assert (line_a.waiting, line_a.over_target) == (2, True)
    assert 45 <= line_a.longest_wait_minutes <= 46
    assert live.waiting == 2 and live.counters_paused == 1
    paused = next(c for c in live.counters if c.number == desk.number)
    assert paused.employee and paused.paused_too_long and paused.lines == ["A"]
    assert {a.kind for a in live.alerts} == {"wait_over_target", "counter_paused"}
    # the running break counts as paused time today
    assert live.today.paused_hours >= 0.5
