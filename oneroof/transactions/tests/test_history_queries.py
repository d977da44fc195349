"""A history costs the same few statements whatever its length: the page and the API read
each record's service, agency and center with it, never one by one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oneroof.transactions.tests.test_history import PHONE, past_record

pytestmark = pytest.mark.django_db
SLUGS = ["passport-renewal", "driving-licence-renewal", "id-card-renewal"]


def _statements(client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", "/en/staff/history/", {"phone": PHONE, "reason": "complaint 118 follow-up"}),
        ("get", f"/api/v1/visitors/{PHONE}/transactions", {"reason": "complaint 118"}),
    ],
)
def test_statements_do_not_grow_with_the_history(as_persona, method, url, data):
    client = as_persona("supervisor_a")
    for days in (3, 5):
        past_record(SLUGS[days % len(SLUGS)], days_ago=days)
    _statements(client, method, url, data)  # sessions, roles and policies read once
    short = _statements(client, method, url, data)
    for days in range(6, 16):
        past_record(SLUGS[days % len(SLUGS)], days_ago=days)
    assert _statements(client, method, url, data) == short
