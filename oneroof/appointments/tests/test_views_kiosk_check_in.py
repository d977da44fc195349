"""Checking in at the kiosk with the booking's code or phone."""

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.appointments.actions import appointment_book
from oneroof.appointments.models import Appointment
from oneroof.catalog.models import Service
from oneroof.queueing.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/en/kiosk/al-rayyan/check-in/"


def booked(center, minutes_from_now: int, phone: str = "55000001") -> Appointment:
    local = (timezone.now() + dt.timedelta(minutes=minutes_from_now)).astimezone(center.tz)
    start = local.replace(minute=(local.minute // 15) * 15, second=0, microsecond=0)
    return appointment_book(
        service=Service.objects.get(slug="passport-renewal"),
        center=center,
        start=start,
        phone=phone,
        now=start - dt.timedelta(days=1),
    )


def test_the_kiosk_links_to_check_in(client, always_open):
    assert URL.replace("/en", "") in client.get("/kiosk/al-rayyan/").content.decode()
    assert client.get(URL).status_code == 200


def test_check_in_by_code_shows_the_appointment_ticket(client, always_open):
    booking = booked(always_open, 5)
    response = client.post(URL, {"code": booking.code.lower()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    assert booking.ticket.priority_class == "appointment"
    assert response["Location"].endswith(f"?ticket={booking.ticket.public_id}")


def test_check_in_by_phone(client, always_open):
    booking = booked(always_open, 5, phone="55000007")
    assert client.post(URL, {"phone": "55000007"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "checked_in"


def test_too_early_or_unknown_says_so_and_issues_nothing(client, always_open):
    booking = booked(always_open, 180)
    early = client.post(URL, {"code": booking.code})
    assert early.status_code == 409 and "Check-in opens at" in early.content.decode()
    unknown = client.post(URL, {"code": "NOPE123"})
    assert unknown.status_code == 404 and "No booking for today" in unknown.content.decode()
    assert not Ticket.objects.exists()
    booking.refresh_from_db()
    assert booking.status == "booked"
