"""Booking from the portal, with no account: center → day → time → phone and one-time code →
confirmation with the code, a QR code and a calendar file."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from oneroof.appointments.actions import appointment_book
from oneroof.appointments.messaging import appointment_from_token, manage_token
from oneroof.appointments.models import Appointment
from oneroof.appointments.selectors import available_slots
from oneroof.appointments.views import slot_key
from oneroof.catalog.models import Service
from oneroof.notify.backends import MemorySmsBackend


@pytest.fixture
def service(db) -> Service:
    return Service.objects.get(slug="passport-renewal")


@pytest.fixture
def slot(always_open, service):
    return available_slots(service, center=always_open, days=2)[0]


def details_url(slot, lang="ar", service="passport-renewal") -> str:
    with translation.override(lang):
        return reverse(
            "appointments:book-details",
            kwargs={"service": service, "center": slot.center.slug, "start": slot_key(slot.start)},
        )


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", MemorySmsBackend.outbox[-1]["text"]).group(1)


def send_code(client, url, capture, phone="55123456"):
    with capture(execute=True):
        response = client.post(url, {"phone": phone, "action": "send"})
    assert response.status_code == 200
    return last_code()


def test_the_steps_lead_from_the_service_to_a_free_time(client, slot):
    first = client.get("/en/book/passport-renewal/")
    assert first.status_code == 200
    day_url = "/en/book/passport-renewal/al-rayyan/"
    assert day_url in first.content.decode()
    days = client.get(day_url).content.decode()
    local_day = slot.start.astimezone(slot.center.tz).date()
    assert f"{day_url}{local_day}/" in days
    times = client.get(f"{day_url}{local_day}/").content.decode()
    assert details_url(slot, "en") in times
    assert client.get("/en/book/no-such-service/").status_code == 404
    assert client.get(f"{day_url}2027-02-30/").status_code == 404


def test_visitor_books_with_the_code_sent_by_sms(client, slot, django_capture_on_commit_callbacks):
    url = details_url(slot)
    assert client.get(url).status_code == 200
    code = send_code(client, url, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"phone": "55123456", "code": code, "email": "salem@example.org", "action": "book"},
        )
    assert response.status_code == 302
    booking = Appointment.objects.get()
    assert (booking.phone, booking.start, booking.lang) == ("+97455123456", slot.start, "ar")
    assert booking.booked_by is None
    token = re.fullmatch(r"/bookings/([^/]+)/booked/", response["Location"]).group(1)
    assert appointment_from_token(token) == booking

    page = client.get(response["Location"]).content.decode()
    assert booking.code in page
    assert f'<img class="booking-qr" src="/bookings/{token}/qr.svg"' in page
    assert f"/bookings/{token}/calendar.ics" in page
    # The confirmation by SMS and by e-mail with the calendar file.
    assert booking.code in MemorySmsBackend.outbox[-1]["text"]
    assert mail.outbox[0].to == ["salem@example.org"]
    assert mail.outbox[0].attachments[0][0] == f"oneroof-{booking.code}.ics"


def test_a_wrong_or_missing_code_books_nothing(client, slot, django_capture_on_commit_callbacks):
    url = details_url(slot, "en")
    send_code(client, url, django_capture_on_commit_callbacks)
    wrong = client.post(url, {"phone": "55123456", "code": "000000", "action": "book"})
    assert wrong.status_code == 422
    assert "This code is not right." in wrong.content.decode()
    missing = client.post(url, {"phone": "55123456", "code": "", "action": "book"})
    assert missing.status_code == 422
    assert "Enter the code sent to your phone." in missing.content.decode()
    bad_phone = client.post(url, {"phone": "12", "action": "send"})
    assert bad_phone.status_code == 422
    assert not Appointment.objects.exists()


def test_a_time_taken_meanwhile_offers_the_nearest_free_times(
    client, slot, service, django_capture_on_commit_callbacks
):
    url = details_url(slot, "en")
    code = send_code(client, url, django_capture_on_commit_callbacks)
    for phone in ("55000001", "55000002"):  # both places go to others meanwhile
        appointment_book(service=service, center=slot.center, start=slot.start, phone=phone)

    taken = client.post(url, {"phone": "55123456", "code": code, "action": "book"})
    assert taken.status_code == 409
    page = taken.content.decode()
    assert "This time has just been taken." in page
    links = re.findall(r'href="(/en/book/passport-renewal/[a-z-]+/\d{8}T\d{4}Z/)"', page)
    assert links and url not in links
    assert not Appointment.objects.filter(phone="+97455123456").exists()

    # The phone was proven a moment ago: the alternative books without a new code.
    again = client.get(links[0])
    assert "is confirmed" in again.content.decode()
    booked = client.post(links[0], {"phone": "+97455123456", "action": "book"})
    assert booked.status_code == 302
    assert Appointment.objects.filter(phone="+97455123456").count() == 1


def test_a_time_already_gone_says_so_before_asking_for_the_phone(client, slot, service):
    for phone in ("55000001", "55000002"):
        appointment_book(service=service, center=slot.center, start=slot.start, phone=phone)
    page = client.get(details_url(slot, "en")).content.decode()
    assert "This time is no longer free." in page
    assert 'name="phone"' not in page


def test_the_calendar_file_follows_rfc_5545(client, slot, service):
    booking = appointment_book(
        service=service, center=slot.center, start=slot.start, phone="55123456", lang="ar"
    )
    response = client.get(f"/en/bookings/{manage_token(booking)}/calendar.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    text = raw.decode().replace("\r\n ", "")  # unfold
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert f"UID:{booking.code}@" in text
    assert f"DTSTART:{slot.start.strftime('%Y%m%dT%H%M%SZ')}" in text
    assert f"DTEND:{booking.end.strftime('%Y%m%dT%H%M%SZ')}" in text
    assert re.search(r"DTSTAMP:\d{8}T\d{6}Z", text)
    assert "SUMMARY:Passport Renewal at Al Rayyan Government Services Complex" in text
    assert "LOCATION:Al Rayyan Government Services Complex\\, Al Rayyan" in text
    assert f"DESCRIPTION:Booking code {booking.code}" in text

    arabic = client.get(f"/bookings/{manage_token(booking)}/calendar.ics").content.decode()
    assert "تجديد جواز السفر" in arabic.replace("\r\n ", "")


def test_the_qr_code_is_an_svg_image_of_the_booking_code(client, slot, service):
    booking = appointment_book(
        service=service, center=slot.center, start=slot.start, phone="55123456"
    )
    response = client.get(f"/bookings/{manage_token(booking)}/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert client.get(f"/bookings/{manage_token(booking)}x/qr.svg").status_code == 404
