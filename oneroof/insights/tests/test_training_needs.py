"""Training needs: an employee is flagged on a service only when their handling time (or
satisfaction) is worse than their peers' by a margin that matters, on enough samples, and
the Mann–Whitney test says it is no accident."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter as Tally

import pytest

from oneroof.insights import rollups
from oneroof.insights.buckets import HANDLING_EDGES, quantile
from oneroof.insights.models import EmployeeDay
from oneroof.insights.selectors import KpiFilter, employee_kpis, training_needs
from oneroof.insights.stats import mann_whitney_greater
from oneroof.queueing.tests.factories import UserFactory, center, service

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 12)
PERIOD = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 11, 1)}


def work(employee, *, minutes: float, n: int, scores: list[int] = (), seed: int = 0) -> None:
    """n services of passport renewal at al-rayyan, handling times around `minutes`."""
    rng = random.Random(seed)
    c, s = center(), service("passport-renewal")
    total = Tally()
    for _i in range(n):
        seconds = int(minutes * 60 * rng.lognormvariate(0, 0.3))
        total.update(
            rollups.record_deltas(
                outcome="completed", channel="desk", fee=0, wait_seconds=None,
                handling_seconds=seconds, first_leg=True,
            )
        )  # fmt: skip
    for score in scores:
        total.update(rollups.answer_deltas(overall=score, waiting=4, courtesy=4, one_visit=True))
    key = {"center_id": c.pk, "agency_id": s.agency_id, "service_id": s.pk,
           "employee_id": employee.pk, "day": DAY}  # fmt: skip
    rollups.add((EmployeeDay, key, dict(total)))


def peers(n_each: int = 80) -> list:
    people = [UserFactory() for _i in range(4)]
    for i, person in enumerate(people):
        work(person, minutes=8, n=n_each, scores=[5, 4, 4, 5, 4] * 6, seed=i)
    return people


def test_a_clearly_slower_employee_is_flagged(db):
    peers()
    slow = UserFactory()
    work(slow, minutes=12, n=60, seed=99)
    needs = training_needs(filt=KpiFilter(), **PERIOD)
    assert [(n.employee_id, n.metric) for n in needs] == [(slow.pk, "handling")]
    need = needs[0]
    assert need.employee_value >= 1.25 * need.peer_value and need.p_value < 0.01
    assert need.samples == 60 and need.peer_samples == 320


def test_too_few_services_are_not_enough(db):
    peers()
    slow = UserFactory()
    work(slow, minutes=14, n=12, seed=98)
    assert training_needs(filt=KpiFilter(), **PERIOD) == []


def test_a_small_difference_is_not_flagged_however_many_services(db):
    peers(n_each=600)
    steady = UserFactory()
    work(steady, minutes=8.8, n=1500, seed=97)  # 10% slower: significant, but within margin
    assert training_needs(filt=KpiFilter(), **PERIOD) == []


def test_low_satisfaction_is_flagged(db):
    peers()
    brusque = UserFactory()
    work(brusque, minutes=8, n=60, scores=[3, 2, 4, 3, 3] * 6, seed=96)
    needs = training_needs(filt=KpiFilter(), **PERIOD)
    assert [(n.employee_id, n.metric) for n in needs] == [(brusque.pk, "satisfaction")]
    assert needs[0].employee_value == 3.0 and needs[0].peer_value == 4.4


def test_employee_kpis_compare_with_norm_and_peers(db):
    people = peers()
    rows = employee_kpis(filt=KpiFilter(employee_ids=frozenset({people[0].pk})), **PERIOD)
    assert len(rows) == 1
    row = rows[0]
    assert row.kpis.served == 80 and row.kpis.arrivals is None
    work_on = row.services[0]
    assert work_on.norm_minutes == service("passport-renewal").avg_service_minutes
    assert 6 <= work_on.peer_median_minutes <= 10
    assert row.kpis.satisfaction.answers == 30


def test_mann_whitney_on_histograms():
    same = [5, 20, 40, 20, 5]
    assert 0.3 < mann_whitney_greater(same, same) < 0.7
    assert mann_whitney_greater([0, 0, 1, 10, 30], [30, 10, 1, 0, 0]) < 1e-6
    assert mann_whitney_greater([30, 10, 1, 0, 0], [0, 0, 1, 10, 30]) > 0.999
    assert mann_whitney_greater([0, 0], [1, 2]) is None


def test_quantiles_interpolate_inside_a_bucket():
    counts = [0] * (len(HANDLING_EDGES) + 1)
    counts[10] = 10  # all in [10, 12) minutes
    assert quantile(counts, HANDLING_EDGES, 0.5) == 11 * 60
    counts[-1] = 90  # most above the last edge: the lower edge is reported
    assert quantile(counts, HANDLING_EDGES, 0.9) == HANDLING_EDGES[-1]
    assert quantile([0] * len(counts), HANDLING_EDGES, 0.5) is None
