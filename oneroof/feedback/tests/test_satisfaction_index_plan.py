"""A center's satisfaction index over a period is answered from one index, without reading
the answers' rows: with hundreds of thousands of answers this keeps it well under 100 ms
(bench/satisfaction_index.py, docs/benchmarks.md)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from oneroof.centers.models import Center
from oneroof.feedback.selectors import satisfaction_index

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans"),
]


def test_a_centers_index_over_a_period_reads_the_covering_index_only():
    # given the statement the selector sends for a center and a year
    center = Center.objects.get(slug="al-rayyan")
    end = timezone.now()
    sent: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        satisfaction_index(center_id=center.pk, start=end - dt.timedelta(days=365), end=end)
    sql, params = sent[-1]

    # when PostgreSQL plans it without a table scan
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # then it reads the (center, answered_at, overall) index alone
    assert "Index Only Scan using answer_center_at_overall" in plan, plan
