"""A body over the upload limit gets the API's error shape with 413, not a server error."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_body_over_the_limit_is_refused_with_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"channel": "portal", "text": "ج" * 2000})
    response = Client().post(
        "/api/v1/care/cases", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert response.json()["error"]["message"] == "The request is too large."
