"""Supervisor screens: the day's bookings with check-in, booking for a visitor without a
code, and closures with the bookings they affect. Only the center's supervisor and system
admins; everyone else is refused and nothing changes."""

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.appointments.actions import appointment_book
from oneroof.appointments.choices import AppointmentStatus
from oneroof.appointments.models import Appointment
from oneroof.appointments.selectors import available_slots
from oneroof.appointments.views import slot_key
from oneroof.catalog.models import Service
from oneroof.centers.models import Closure
from oneroof.conftest import PERSONAS
from oneroof.notify.backends import MemorySmsBackend

ALLOWED = {"supervisor_a", "system_admin"}
BASE = "/en/staff/appointments/al-rayyan"


@pytest.fixture
def service(db) -> Service:
    return Service.objects.get(slug="passport-renewal")


@pytest.fixture
def due_now(always_open, service) -> Appointment:
    """A booking whose check-in is open now."""
    local = (timezone.now() + dt.timedelta(minutes=5)).astimezone(always_open.tz)
    start = local.replace(minute=(local.minute // 15) * 15, second=0, microsecond=0)
    return appointment_book(
        service=service,
        center=always_open,
        start=start,
        phone="55123456",
        now=start - dt.timedelta(days=1),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_supervisor_and_admins_run_the_centers_appointments(
    persona, as_persona, due_now, service
):
    client = as_persona(persona)
    day = due_now.start.astimezone(due_now.center.tz).date()
    slot = available_slots(service, center=due_now.center, days=3)[5]
    responses = [
        client.get(f"{BASE}/?day={day}"),
        client.post(f"{BASE}/check-in/", {"appointment": due_now.pk}),
        client.post(
            f"{BASE}/book/?service=passport-renewal",
            {"start": slot_key(slot.start), "phone": "55000009", "lang": "en"},
        ),
        client.post(
            f"{BASE}/closures/",
            {"starts_on": day, "ends_on": day, "reason_ar": "صيانة", "reason_en": "Repairs"},
        ),
    ]
    codes = [r.status_code for r in responses]
    if persona in ALLOWED:
        assert codes == [200, 302, 302, 302]
        due_now.refresh_from_db()
        assert due_now.status == AppointmentStatus.CHECKED_IN
        return
    if persona == "anonymous":
        assert all(r.status_code == 302 and "/accounts/login/" in r["Location"] for r in responses)
    else:
        assert codes == [403, 403, 403, 403]
    due_now.refresh_from_db()
    assert due_now.status == AppointmentStatus.BOOKED and due_now.ticket is None
    assert Appointment.objects.count() == 1
    assert not Closure.objects.exists()


def test_another_centers_booking_cannot_be_checked_in_from_here(as_persona, due_now):
    client = as_persona("supervisor_a")
    response = client.post("/en/staff/appointments/al-wakra/check-in/", {"appointment": due_now.pk})
    assert response.status_code == 403
    due_now.refresh_from_db()
    assert due_now.status == AppointmentStatus.BOOKED


def test_the_day_list_shows_bookings_by_agency_and_checks_in(as_persona, due_now):
    client = as_persona("supervisor_a")
    day = due_now.start.astimezone(due_now.center.tz).date()
    page = client.get(f"{BASE}/?day={day}").content.decode()
    assert due_now.code in page
    assert "General Directorate of Passports" in page
    assert "+974•••••456" in page and "55123456" not in page
    response = client.post(f"{BASE}/check-in/", {"appointment": due_now.pk}, follow=True)
    due_now.refresh_from_db()
    assert due_now.status == AppointmentStatus.CHECKED_IN
    assert due_now.ticket.priority_class == "appointment"
    assert f"ticket {due_now.ticket.number}" in response.content.decode()
    # A second check-in is refused with a message, and nothing changes.
    again = client.post(f"{BASE}/check-in/", {"appointment": due_now.pk}, follow=True)
    assert "cannot be changed" in again.content.decode()


def test_staff_book_for_a_visitor_without_a_code(
    as_persona, always_open, service, supervisor_a, django_capture_on_commit_callbacks
):
    client = as_persona("supervisor_a")
    slot = available_slots(service, center=always_open, days=3)[4]
    day = slot.start.astimezone(always_open.tz).date()
    page = client.get(f"{BASE}/book/?service=passport-renewal&day={day}").content.decode()
    assert slot_key(slot.start) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{BASE}/book/?service=passport-renewal&day={day}",
            {"start": slot_key(slot.start), "phone": "55123456", "lang": "ar"},
        )
    assert response.status_code == 302
    booking = Appointment.objects.get()
    assert booking.booked_by == supervisor_a and booking.lang == "ar"
    assert booking.code in MemorySmsBackend.outbox[-1]["text"]


def test_a_closure_lists_the_bookings_it_affects_then_notifies_moves_and_cancels(
    as_persona, always_open, service, django_capture_on_commit_callbacks
):
    client = as_persona("supervisor_a")
    slots = available_slots(service, center=always_open, days=4)
    day = slots[0].start.astimezone(always_open.tz).date() + dt.timedelta(days=1)
    on_day = [s for s in slots if s.start.astimezone(always_open.tz).date() == day]
    bookings = [
        appointment_book(
            service=service,
            center=always_open,
            start=on_day[i].start,
            phone=f"5500000{i}",
            lang=lang,
        )
        for i, lang in enumerate(["ar", "en", "en"])
    ]
    response = client.post(
        f"{BASE}/closures/",
        {"starts_on": day, "ends_on": day, "reason_ar": "صيانة المبنى", "reason_en": "Repairs"},
    )
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.center == always_open and closure.reason_en == "Repairs"
    page = client.get(response["Location"]).content.decode()
    assert all(b.code in page for b in bookings)
    assert not available_slots(service, center=always_open, start_day=day, days=1)

    notify = {"action": "notify", "appointment": [b.pk for b in bookings]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], notify)
    texts = {m["to"]: m["text"] for m in MemorySmsBackend.outbox}
    assert "صيانة المبنى" in texts["+97455000000"]
    assert "Repairs" in texts["+97455000001"] and "/en/bookings/" in texts["+97455000001"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], notify)  # told once only
    assert len(MemorySmsBackend.outbox) == 3

    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"action": "move", "appointment": [bookings[1].pk]})
        client.post(response["Location"], {"action": "cancel", "appointment": [bookings[2].pk]})
    moved = Appointment.objects.get(code=bookings[1].code)
    assert moved.status == AppointmentStatus.BOOKED
    assert moved.start.astimezone(always_open.tz).date() != day
    assert "has moved" in MemorySmsBackend.outbox[-2]["text"]
    assert Appointment.objects.get(pk=bookings[2].pk).status == AppointmentStatus.CANCELLED
    assert "is cancelled" in MemorySmsBackend.outbox[-1]["text"]
    remaining = client.get(response["Location"]).content.decode()
    assert bookings[0].code in remaining and bookings[2].code not in remaining


def test_a_bad_closure_is_refused_with_a_message(as_persona, always_open):
    client = as_persona("supervisor_a")
    today = timezone.now().astimezone(always_open.tz).date()
    response = client.post(
        f"{BASE}/closures/",
        {"starts_on": today, "ends_on": today - dt.timedelta(days=1), "reason_ar": "صيانة"},
    )
    assert response.status_code == 422
    assert "must end on or after" in response.content.decode()
    assert not Closure.objects.exists()


def test_the_admin_scopes_slot_rules_and_masks_phones(as_persona, due_now):
    supervisor = as_persona("supervisor_a").get("/en/admin/appointments/slotrule/")
    assert supervisor.status_code == 200
    rules = supervisor.context["cl"].queryset
    assert {r.center.slug for r in rules} == {"al-rayyan"}
    agency = as_persona("agency_admin").get("/en/admin/appointments/slotrule/")
    assert {r.agency.slug for r in agency.context["cl"].queryset} == {"passports"}
    assert as_persona("employee_b").get("/en/admin/appointments/slotrule/").status_code == 403

    listing = as_persona("supervisor_a").get("/en/admin/appointments/appointment/")
    assert "+974•••••456" in listing.content.decode()
    assert "55123456" not in listing.content.decode()
    assert (
        as_persona("supervisor_a")
        .post(f"/en/admin/appointments/appointment/{due_now.pk}/delete/", {"post": "yes"})
        .status_code
        == 403
    )
    assert Appointment.objects.filter(pk=due_now.pk).exists()
