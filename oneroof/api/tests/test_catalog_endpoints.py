"""The public catalog API: agencies, services, centers, open now; one error shape."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    return Client()


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_agencies_list_with_service_counts(api):
    body = api.get("/api/v1/agencies").json()
    assert len(body) == 12
    passports = next(a for a in body if a["slug"] == "passports")
    assert passports["service_count"] == 7
    assert passports["name_ar"] and passports["name_en"]


def test_services_filter_by_agency_and_center(api):
    all_services = api.get("/api/v1/services").json()
    assert len(all_services) == 70
    passports = api.get("/api/v1/services", {"agency": "passports"}).json()
    assert {s["agency"] for s in passports} == {"passports"}
    at_shamal = api.get("/api/v1/services", {"center": "al-shamal"}).json()
    assert 0 < len(at_shamal) < 70


def test_services_search_ranks_matches_in_both_languages(api):
    arabic = api.get("/api/v1/services", {"q": "تجديد جواز"}).json()
    assert arabic[0]["slug"] == "passport-renewal"
    english = api.get("/api/v1/services", {"q": "passport renewal"}).json()
    assert english[0]["slug"] == "passport-renewal"
    # Letter forms and diacritics as people type them: إ/ا, ة/ه.
    assert api.get("/api/v1/services", {"q": "اصدار رخصه"}).json()


def test_unknown_filters_are_422_not_empty_or_500(api):
    error = assert_error(api.get("/api/v1/services", {"agency": "nope"}), 422, "invalid")
    assert error["details"][0]["loc"] == ["query", "agency"]
    assert_error(api.get("/api/v1/services", {"center": "nope"}), 422, "invalid")
    assert_error(api.get("/api/v1/services", {"q": "x" * 201}), 422, "invalid")


def test_service_detail_has_documents_steps_faqs_and_where_offered(api):
    body = api.get("/api/v1/services/passport-renewal").json()
    assert body["documents"] and all(d["ar"] and d["en"] for d in body["documents"])
    assert body["steps"] and body["faqs"]
    assert body["fee"] == "200.00" and body["is_free"] is False
    assert {"desk", "kiosk", "online"} == set(body["channels"])
    rayyan = next(c for c in body["offered_at"] if c["center"] == "al-rayyan")
    assert set(rayyan["opening"]) == {"open_now", "closes_at", "next_opening", "closed_reason"}


def test_unknown_service_and_center_are_404_in_the_error_shape(api):
    assert_error(api.get("/api/v1/services/no-such"), 404, "not_found")
    assert_error(api.get("/api/v1/centers/no-such"), 404, "not_found")
    assert_error(api.get("/api/v1/nothing-here"), 404, "not_found")


def test_centers_list_and_detail_with_opening(api):
    centers = api.get("/api/v1/centers").json()
    assert len(centers) == 11
    assert all(isinstance(c["opening"]["open_now"], bool) for c in centers)
    rayyan = api.get("/api/v1/centers/al-rayyan").json()
    assert rayyan["counters"] == 34
    sunday = next(d for d in rayyan["hours"] if d["name_en"] == "Sunday")
    assert sunday["intervals"] == [
        {"opens": "07:00", "closes": "13:00"},
        {"opens": "16:00", "closes": "21:00"},
    ]
    [desk] = rayyan["desk_hours"]
    assert desk["agency"] == "passports"
    assert {"opens": "16:00", "closes": "24:00"} in desk["hours"][0]["intervals"]
    assert [c["reason_en"] for c in rayyan["closures"]][:1] == ["National Day"]
    assert "passport-renewal" in rayyan["services"]


def test_api_messages_follow_lang_or_accept_language(api):
    arabic = api.get("/api/v1/services/no-such").json()["error"]["message"]
    english = api.get("/api/v1/services/no-such", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["error"]["message"] == "No service “no-such”."
    assert arabic != english["error"]["message"]
    assert api.get("/api/v1/services/no-such", {"lang": "en"}).json() == english


def test_a_wrong_method_is_405_in_the_error_shape(api):
    response = api.delete("/api/v1/agencies")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]
