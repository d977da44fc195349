"""“My bookings”: a booking found by its code and phone, or opened from the signed link of
the SMS, is moved or cancelled with no account; a tampered or old link is refused."""

import datetime as dt
import re
import time
from unittest import mock

import pytest

from oneroof.appointments.actions import appointment_book
from oneroof.appointments.choices import AppointmentStatus
from oneroof.appointments.messaging import manage_token
from oneroof.appointments.models import Appointment
from oneroof.appointments.selectors import available_slots
from oneroof.appointments.views import slot_key
from oneroof.catalog.models import Service
from oneroof.notify.backends import MemorySmsBackend


@pytest.fixture
def booking(always_open) -> Appointment:
    service = Service.objects.get(slug="passport-renewal")
    slot = available_slots(service, center=always_open, days=3)[8]
    return appointment_book(
        service=service, center=always_open, start=slot.start, phone="55123456", lang="en"
    )


def test_code_and_phone_together_open_the_booking(client, booking):
    found = client.post("/en/bookings/", {"code": booking.code.lower(), "phone": "55 123 456"})
    assert found.status_code == 302
    assert found["Location"].startswith(f"/en/bookings/{booking.code}:")
    page = client.get(found["Location"]).content.decode()
    assert booking.code in page and "Passport Renewal" in page
    assert "55123456" not in page  # only the last digits are shown

    for code, phone in ((booking.code, "55999999"), ("AAAAAAA", "55123456"), ("", "")):
        refused = client.post("/en/bookings/", {"code": code, "phone": phone})
        assert refused.status_code == 404
        assert "Location" not in refused


def test_visitor_cancels_from_the_link(client, booking, django_capture_on_commit_callbacks):
    token = manage_token(booking)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/bookings/{token}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.CANCELLED
    assert "is cancelled" in MemorySmsBackend.outbox[-1]["text"]
    assert "/en/book/passport-renewal/" in MemorySmsBackend.outbox[-1]["text"]
    page = client.get(response["Location"]).content.decode()
    assert "Cancelled" in page and "Book a new visit" in page


def test_visitor_moves_from_the_link_and_keeps_the_code(
    client, booking, django_capture_on_commit_callbacks
):
    token = manage_token(booking)
    days = client.get(f"/en/bookings/{token}/move/").content.decode()
    day = booking.start.astimezone(booking.center.tz).date() + dt.timedelta(days=1)
    assert f'href="?day={day}"' in days
    times = client.get(f"/en/bookings/{token}/move/?day={day}").content.decode()
    keys = re.findall(r'name="start" value="(\d{8}T\d{4}Z)"', times)
    assert keys
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/bookings/{token}/move/?day={day}", {"start": keys[3]})
    assert response.status_code == 302
    moved = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert moved.code == booking.code and slot_key(moved.start) == keys[3]
    assert "has moved" in MemorySmsBackend.outbox[-1]["text"]
    # The old link still opens the booking: it names the code, which moved with it.
    assert moved.code in client.get(f"/en/bookings/{token}/").content.decode()


def test_a_taken_time_when_moving_changes_nothing(client, booking):
    other = appointment_book(
        service=booking.service,
        center=booking.center,
        start=booking.start + dt.timedelta(hours=2),
        phone="55000001",
    )
    appointment_book(
        service=booking.service, center=booking.center, start=other.start, phone="55000002"
    )
    token = manage_token(booking)
    response = client.post(f"/en/bookings/{token}/move/", {"start": slot_key(other.start)})
    assert response.status_code == 409
    assert "This time has just been taken." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.BOOKED


def test_a_tampered_link_is_refused_and_changes_nothing(client, booking):
    token = manage_token(booking)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    page = client.get(f"/en/bookings/{tampered}/")
    assert page.status_code == 400
    assert "This link is not valid." in page.content.decode()
    assert client.post(f"/en/bookings/{tampered}/cancel/").status_code == 400
    # A genuine signature of one booking does not open another.
    other = appointment_book(
        service=booking.service,
        center=booking.center,
        start=booking.start + dt.timedelta(hours=1),
        phone="55000001",
    )
    swapped = other.code + token[len(booking.code) :]
    assert client.post(f"/en/bookings/{swapped}/cancel/").status_code == 400
    assert client.get(f"/en/bookings/{tampered}/calendar.ics").status_code == 404
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}


def test_an_old_link_has_expired(client, booking):
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 401 * 86400):
        old = manage_token(booking)
    page = client.get(f"/en/bookings/{old}/")
    assert page.status_code == 410
    assert "This link has expired." in page.content.decode()
    assert client.post(f"/en/bookings/{old}/cancel/").status_code == 410
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.BOOKED


def test_too_late_to_change_online(client, booking):
    later = booking.start - dt.timedelta(minutes=30)
    token = manage_token(booking)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page = client.get(f"/en/bookings/{token}/").content.decode()
        assert "Move to another time" not in page
        response = client.post(f"/en/bookings/{token}/cancel/", follow=True)
    assert "too late" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == AppointmentStatus.BOOKED
