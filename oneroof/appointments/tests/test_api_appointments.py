"""The appointments API: slots, booking with a one-time code, own booking by code and phone,
move, cancel, check-in."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from oneroof.accounts.actions import api_key_create
from oneroof.appointments.models import Appointment
from oneroof.notify.backends import MemorySmsBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> Client:
    return Client()


def tomorrow_slot(api) -> dict:
    day = (timezone.now() + dt.timedelta(days=1)).date()
    slots = api.get(
        "/api/v1/services/passport-renewal/slots",
        {"center": "al-rayyan", "from": day.isoformat(), "days": 7},
    ).json()
    assert slots, "al-rayyan should have free slots in the coming week"
    return slots[0]


def code_for(api, phone: str, capture) -> str:
    with capture(execute=True):
        response = api.post(
            "/api/v1/otp",
            {"phone": phone, "purpose": "appointment", "lang": "en"},
            content_type="application/json",
        )
    assert response.status_code == 202
    return re.search(r"\b(\d{6})\b", MemorySmsBackend.outbox[-1]["text"]).group(1)


def test_slot_search_across_centers_earliest_first(api):
    slots = api.get("/api/v1/services/passport-renewal/slots", {"days": 3}).json()
    starts = [s["start"] for s in slots]
    assert starts == sorted(starts)
    assert len({s["center"] for s in slots}) > 1
    bad = api.get("/api/v1/services/passport-renewal/slots", {"days": 500})
    assert bad.status_code == 422


def test_book_with_the_code_then_see_move_and_cancel(api, django_capture_on_commit_callbacks):
    slot = tomorrow_slot(api)
    code = code_for(api, "55123456", django_capture_on_commit_callbacks)
    response = api.post(
        "/api/v1/appointments",
        {
            "service": "passport-renewal",
            "center": slot["center"],
            "start": slot["start"],
            "phone": "55123456",
            "otp": code,
            "lang": "en",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    booking = response.json()
    assert booking["phone_last_digits"] == "456" and len(booking["code"]) == 7

    mine = api.get(f"/api/v1/appointments/{booking['code']}", {"phone": "+97455123456"})
    assert mine.status_code == 200
    # The code alone reveals nothing.
    assert (
        api.get(f"/api/v1/appointments/{booking['code']}", {"phone": "55999999"}).status_code == 404
    )

    later = dt.datetime.fromisoformat(slot["start"]) + dt.timedelta(hours=1)
    moved = api.post(
        f"/api/v1/appointments/{booking['code']}/reschedule",
        {"phone": "55123456", "start": later.isoformat()},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.json()
    assert moved.json()["code"] == booking["code"]
    assert dt.datetime.fromisoformat(moved.json()["start"]) == later

    cancelled = api.delete(f"/api/v1/appointments/{booking['code']}?phone=55123456")
    assert cancelled.json()["status"] == "cancelled"


def test_a_wrong_or_missing_code_books_nothing(api, django_capture_on_commit_callbacks):
    slot = tomorrow_slot(api)
    code_for(api, "55123456", django_capture_on_commit_callbacks)
    body = {
        "service": "passport-renewal",
        "center": slot["center"],
        "start": slot["start"],
        "phone": "55123456",
    }
    missing = api.post("/api/v1/appointments", body, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "code_required"
    wrong = api.post(
        "/api/v1/appointments", {**body, "otp": "000000"}, content_type="application/json"
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] in {"code_wrong"}
    assert not Appointment.objects.exists()


def test_an_employee_books_for_a_visitor_without_a_code(api, employee_a):
    slot = tomorrow_slot(api)
    _key, raw = api_key_create(user=employee_a)
    response = api.post(
        "/api/v1/appointments",
        {
            "service": "passport-renewal",
            "center": "al-rayyan",
            "start": slot["start"],
            "phone": "55123456",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201, response.json()
    assert Appointment.objects.get().booked_by == employee_a


def test_check_in_by_code_returns_an_appointment_ticket(api, always_open):
    from oneroof.appointments.actions import appointment_book
    from oneroof.catalog.models import Service

    local = (timezone.now() + dt.timedelta(minutes=5)).astimezone(always_open.tz)
    start = local.replace(minute=(local.minute // 15) * 15, second=0, microsecond=0)
    booking = appointment_book(
        service=Service.objects.get(slug="passport-renewal"),
        center=always_open,
        start=start,
        phone="55123456",
        now=start - dt.timedelta(days=1),
    )
    response = api.post(
        "/api/v1/centers/al-rayyan/check-in",
        {"code": booking.code},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["appointment"]["status"] == "checked_in"
    assert body["ticket"]["priority_class"] == "appointment"
    again = api.post(
        "/api/v1/centers/al-rayyan/check-in",
        {"code": booking.code},
        content_type="application/json",
    )
    assert again.status_code == 404
