"""POST /api/v1/care/cases and GET /api/v1/care/cases."""

import json

import pytest

from oneroof.accounts.actions import api_key_create
from oneroof.care.models import Case
from oneroof.care.tests.factories import answerable_inquiry, make_case, unanswerable_inquiry
from oneroof.catalog.models import Service

pytestmark = pytest.mark.django_db
URL = "/api/v1/care/cases"


def post(client, body, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **headers)


def test_a_confident_inquiry_is_answered_in_the_response(client):
    text, lang, hit = answerable_inquiry()
    response = post(client, {"channel": "portal", "text": text, "lang": lang})
    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["status"] == "resolved" == case.status
    assert body["auto_reply"]["url"] == hit.url and body["auto_reply"]["score"] == hit.score
    assert hit.short_answer.strip() in body["auto_reply"]["text"]
    assert body["link"].startswith("https://services.example.org/")


def test_an_inquiry_below_the_threshold_has_no_automatic_reply(client):
    text, _lang = unanswerable_inquiry()
    body = post(client, {"channel": "portal", "text": text, "phone": "55123456"}).json()
    assert body["status"] == "new" and body["auto_reply"] is None


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"channel": "portal"}, "text"),
        ({"channel": "fax", "text": "hi"}, "channel"),
        ({"channel": "portal", "text": "hi", "lang": "fr"}, "lang"),
        ({"channel": "portal", "text": "x" * 5001}, "text"),
        ({"channel": "portal", "text": "hi", "phone": "123"}, "phone"),
        ({"channel": "portal", "text": "hi", "email": "not-an-address"}, "email"),
        ({"channel": "survey", "text": "hi"}, "channel"),
    ],
)
def test_bad_input_is_422_in_the_error_shape_and_opens_nothing(client, body, where):
    response = post(client, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert any(where in d["loc"] for d in error["details"] or [])
    assert not Case.objects.exists()


def test_only_care_agents_open_cases_for_other_channels(client, employee_a, evaluator):
    body = {"channel": "phone", "text": "Caller asked about fees", "phone": "55123456"}
    assert post(client, body).status_code == 403
    _, key = api_key_create(user=evaluator, name="t")
    assert post(client, body, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
    assert not Case.objects.exists()
    _, key = api_key_create(user=employee_a, name="t")
    response = post(client, body, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201
    assert Case.objects.get().owner == employee_a


def test_anonymous_callers_are_limited_per_address(client, settings):
    settings.ONEROOF_CARE_CASES_PER_10_MIN = 2
    for _ in range(2):
        assert post(client, {"channel": "portal", "text": "hello"}).status_code == 201
    response = post(client, {"channel": "portal", "text": "hello"})
    assert response.status_code == 429
    assert Case.objects.count() == 2


def test_the_list_is_scoped_and_filtered(client, employee_a):
    passports = Service.objects.get(slug="passport-renewal")
    traffic = Service.objects.get(slug="driving-licence-renewal")
    mine = make_case(service_id=passports.pk, channel="email", email="a@example.com")
    make_case(service_id=traffic.pk)
    _, key = api_key_create(user=employee_a, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    rows = client.get(URL, **auth).json()
    assert [r["id"] for r in rows] == [mine.pk]
    assert rows[0]["agency"] == "passports" and rows[0]["sla"] == "on_time"
    assert client.get(URL + "?channel=portal", **auth).json() == []
    assert client.get(URL + "?agency=nope", **auth).status_code == 422
    assert client.get(URL + "?sla=late", **auth).status_code == 422


def test_a_wrong_key_is_refused_rather_than_taken_for_anonymous(client):
    response = post(
        client, {"channel": "portal", "text": "hello"}, HTTP_AUTHORIZATION="Bearer nope"
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert not Case.objects.exists()
