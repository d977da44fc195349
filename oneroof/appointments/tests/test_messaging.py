"""Messages to visitors: the confirmation in the visitor's language with the code, center,
local time and the signed link; reminders 24 h and 2 h before, each sent once."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command

from oneroof.appointments import messaging
from oneroof.appointments.actions import appointment_book, appointment_cancel
from oneroof.appointments.models import Appointment
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.notify.backends import MemorySmsBackend
from oneroof.notify.models import OutboundMessage

QA = zoneinfo.ZoneInfo("Asia/Qatar")
NOW = dt.datetime(2027, 1, 2, 8, 0, tzinfo=QA)  # Saturday
SLOT = dt.datetime(2027, 1, 3, 9, 0, tzinfo=QA)  # Sunday, 09:00 in Doha


@pytest.fixture
def book(db):
    def make(lang="ar", phone="55123456", start=SLOT, email="") -> Appointment:
        return appointment_book(
            service=Service.objects.get(slug="passport-renewal"),
            center=Center.objects.get(slug="al-rayyan"),
            start=start,
            phone=phone,
            lang=lang,
            email=email,
            now=NOW,
        )

    return make


def test_the_confirmation_speaks_arabic_with_the_local_time_and_the_link(
    book, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = settings.ONEROOF_SITE_URL = "https://oneroof.example.gov"
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(lang="ar")
    [sms] = MemorySmsBackend.outbox
    assert sms["to"] == "+97455123456"
    text = sms["text"]
    assert booking.code in text
    assert "مجمع الخدمات الحكومية - الريان" in text and "تجديد جواز السفر" in text
    assert "الأحد 3 يناير 2027" in text and "09:00" in text  # Doha time, not UTC (06:00)
    assert f"https://oneroof.example.gov/bookings/{booking.code}:" in text
    link = text.split("https://oneroof.example.gov")[1].split()[0]
    token = link.split("/")[2]
    assert messaging.appointment_from_token(token) == booking
    record = OutboundMessage.objects.get(purpose="appointment:confirmation")
    assert record.lang == "ar"


def test_the_confirmation_speaks_english_and_mails_the_calendar_file(
    book, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(lang="en", email="salem@example.org")
    text = MemorySmsBackend.outbox[-1]["text"]
    assert text.startswith("OneRoof: your appointment is booked.")
    assert "Al Rayyan Government Services Complex" in text and "Passport Renewal" in text
    assert "Sunday 3 January 2027 at 09:00" in text and "/en/bookings/" in text
    [email] = mail.outbox
    assert email.subject == "Your appointment at Al Rayyan Government Services Complex"
    name, content, mimetype = email.attachments[0]
    assert name == f"oneroof-{booking.code}.ics" and mimetype.startswith("text/calendar")
    assert "DTSTART:20270103T060000Z" in content and "\r\n" in content


def test_nothing_is_sent_when_the_booking_rolls_back(book, django_capture_on_commit_callbacks):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        book()
        raise RuntimeError
    assert MemorySmsBackend.outbox == []


def test_a_cancellation_is_confirmed_with_a_link_to_book_again(
    book, django_capture_on_commit_callbacks
):
    booking = book(lang="en")
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=booking, now=NOW)
    text = MemorySmsBackend.outbox[-1]["text"]
    assert f"your appointment {booking.code}" in text and "is cancelled" in text
    assert "/en/book/passport-renewal/" in text


def test_reminders_go_24_hours_and_2_hours_before_once_each(
    book, django_capture_on_commit_callbacks
):
    booking = book(lang="en")
    Appointment.objects.filter(pk=booking.pk).update(created_at=NOW - dt.timedelta(days=3))

    def tick(at):
        with django_capture_on_commit_callbacks(execute=True):
            return messaging.appointments_send_reminders(now=at)

    assert tick(SLOT - dt.timedelta(hours=30)) == 0
    assert tick(SLOT - dt.timedelta(hours=23, minutes=59)) == 1
    assert "OneRoof reminder" in MemorySmsBackend.outbox[-1]["text"]
    assert booking.code in MemorySmsBackend.outbox[-1]["text"]
    assert tick(SLOT - dt.timedelta(hours=23)) == 0  # idempotent
    assert tick(SLOT - dt.timedelta(hours=1, minutes=59)) == 1
    assert tick(SLOT - dt.timedelta(hours=1)) == 0
    assert tick(SLOT + dt.timedelta(minutes=1)) == 0
    purposes = set(OutboundMessage.objects.values_list("purpose", flat=True))
    assert {f"appointment:reminder24:{booking.pk}", f"appointment:reminder2:{booking.pk}"} <= (
        purposes
    )
    assert len(MemorySmsBackend.outbox) == 2


def test_a_late_booking_skips_the_reminder_whose_moment_has_passed(
    book, django_capture_on_commit_callbacks
):
    booking = book(lang="ar")
    Appointment.objects.filter(pk=booking.pk).update(created_at=SLOT - dt.timedelta(hours=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert messaging.appointments_send_reminders(now=SLOT - dt.timedelta(hours=4)) == 0
        assert messaging.appointments_send_reminders(now=SLOT - dt.timedelta(hours=2)) == 1
    assert [booking.code in m["text"] for m in MemorySmsBackend.outbox] == [True]


def test_the_tick_command_reminds_and_marks_no_shows(book, capsys):
    booking = book()
    Appointment.objects.filter(pk=booking.pk).update(
        start=dt.datetime(2020, 1, 1, 9, tzinfo=QA), end=dt.datetime(2020, 1, 1, 9, 15, tzinfo=QA)
    )
    call_command("appointments_tick")
    assert "no-shows marked: 1" in capsys.readouterr().out
    booking.refresh_from_db()
    assert booking.status == "no_show"
