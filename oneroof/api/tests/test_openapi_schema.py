"""Schemathesis over the whole OpenAPI schema: no 5xx and no response off its schema.

It grows by itself with every endpoint added to /api/v1/. The number of examples per
operation is bounded to keep the suite fast."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# A body over the size an endpoint takes is refused 413 (Content Too Large) before it is
# parsed: a rejection like 400 or 422 for data that breaks the schema's maxLength.
_rejection = schema.config.checks.negative_data_rejection
_rejection.expected_statuses = [*_rejection.expected_statuses, "413"]


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's test client avoids this the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, db, keep_test_connection):
    # A well-formed slug that names nothing (e.g. ?agency=zzz) is answered 422 with a message
    # by design, so the check that every schema-valid request succeeds does not apply.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


def test_schema_has_the_catalog_operations():
    raw = schema.raw_schema
    assert raw["info"]["title"] == "OneRoof API"
    for path in (
        "/api/v1/agencies",
        "/api/v1/services",
        "/api/v1/services/{slug}",
        "/api/v1/centers",
        "/api/v1/centers/{slug}",
    ):
        assert path in raw["paths"], path
