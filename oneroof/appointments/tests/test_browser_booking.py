"""A visitor books from the portal in Arabic with the code sent by SMS, in a real browser;
then, checked in on time, the appointment is called before the walk-ins who came earlier."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oneroof.accounts.models import User
from oneroof.appointments.actions import appointment_book
from oneroof.appointments.models import Appointment
from oneroof.catalog.models import Service
from oneroof.centers.models import Counter
from oneroof.conftest import make_always_open
from oneroof.notify.backends import MemorySmsBackend
from oneroof.queueing import actions as queue

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _code_sent_to(phone: str) -> str:
    texts = [m["text"] for m in MemorySmsBackend.outbox if m["to"] == phone]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def test_arabic_visitor_books_a_visit_with_the_code_sent_by_sms(live_server, demo_data, page):
    # The live server runs in a thread of this process: it shares the memory outbox.
    MemorySmsBackend.outbox.clear()
    page.goto(live_server.url + "/book/passport-renewal/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_be_visible()

    page.locator("a.choice", has_text="الريان").click()
    expect(page).to_have_url(re.compile(r"/book/passport-renewal/al-rayyan/$"))
    page.locator("a.day").first.click()
    page.locator("a.slot").first.click()
    expect(page).to_have_url(re.compile(r"/book/passport-renewal/al-rayyan/\d{8}T\d{4}Z/$"))

    page.locator("#id_phone").fill("55123456")
    page.locator("button[name=action][value=send]").click()
    code_field = page.locator("#id_code")
    expect(code_field).to_be_focused()  # booking.js puts the cursor there
    code_field.fill(_code_sent_to("+97455123456"))
    page.locator("button[name=action][value=book]").click()

    expect(page).to_have_url(re.compile(r"/bookings/[^/]+/booked/$"))
    booking = Appointment.objects.get()
    expect(page.locator(".booking-code")).to_have_text(booking.code)
    expect(page.locator(".booking-done")).to_be_visible()
    page.wait_for_function(  # the QR code is an image served by its own view
        "() => { const i = document.querySelector('.booking-qr');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert booking.lang == "ar" and booking.phone == "+97455123456"
    confirmation = [m["text"] for m in MemorySmsBackend.outbox][-1]
    assert booking.code in confirmation and "/bookings/" in confirmation

    # The link of the SMS opens the booking, and the calendar file downloads.
    link = re.search(r"(/bookings/\S+/)", confirmation).group(1)
    page.goto(live_server.url + link)
    expect(page.locator(".booking-code")).to_have_text(booking.code)
    with page.expect_download() as download:
        page.locator("a[href$='calendar.ics']").click()
    assert download.value.suggested_filename == f"oneroof-{booking.code}.ics"


def test_an_appointment_checked_in_on_time_goes_before_earlier_walk_ins(
    live_server, demo_data, page
):
    center = make_always_open()
    service = Service.objects.get(slug="passport-renewal")
    walk_ins = [queue.ticket_issue(center=center, service=service) for _ in range(2)]
    local = (timezone.now() + dt.timedelta(minutes=5)).astimezone(center.tz)
    start = local.replace(minute=(local.minute // 15) * 15, second=0, microsecond=0)
    booking = appointment_book(
        service=service,
        center=center,
        start=start,
        phone="55000001",
        now=start - dt.timedelta(days=1),
    )

    # At the kiosk, in Arabic: "I have an appointment", then the code (a QR scanner types it).
    page.goto(live_server.url + "/kiosk/al-rayyan/")
    page.locator(".kiosk-checkin-link").click()
    page.locator("#booking-code").fill(booking.code.lower())
    page.locator(".kiosk-submit").click()
    expect(page.locator(".kiosk-ticket-number")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "checked_in"
    assert booking.ticket.priority_class == "appointment"
    expect(page.locator(".kiosk-ticket-number")).to_have_text(booking.ticket.number)

    employee = User.objects.get(username="employee.rayyan")
    counter = Counter.objects.get(center=center, number=4)
    queue.counter_open(counter=counter, lines=[walk_ins[0].line], acting_user=employee)
    called = queue.ticket_call_next(counter=counter, acting_user=employee)
    booking.refresh_from_db()
    assert called.pk == booking.ticket_id
    assert called.queued_at > walk_ins[0].queued_at
