"""Check-in: on time → an appointment ticket called before earlier walk-ins; late → a normal
ticket; early → come back later; no check-in → no-show."""

import datetime as dt

import pytest
from django.utils import timezone

from oneroof.appointments.actions import (
    appointment_book,
    appointment_check_in,
    appointments_mark_no_shows,
    find_booking,
)
from oneroof.appointments.choices import AppointmentStatus
from oneroof.catalog.models import Service
from oneroof.core.errors import Conflict
from oneroof.queueing.actions import counter_open, line_for_service, ticket_call_next, ticket_issue

pytestmark = pytest.mark.django_db


def book_at(center, start, phone="55000001"):
    service = Service.objects.get(slug="passport-renewal")
    booked_on = start - dt.timedelta(days=1)
    return appointment_book(service=service, center=center, start=start, phone=phone, now=booked_on)


def next_slot(center, minutes_from_now: int) -> dt.datetime:
    """A 15-minute slot boundary about `minutes_from_now` away (the center is open 24/7)."""
    local = (timezone.now() + dt.timedelta(minutes=minutes_from_now)).astimezone(center.tz)
    return local.replace(minute=(local.minute // 15) * 15, second=0, microsecond=0)


def test_on_time_check_in_is_called_before_earlier_walk_ins(always_open, employee_a):
    service = Service.objects.get(slug="passport-renewal")
    walk_ins = [ticket_issue(center=always_open, service=service) for _ in range(3)]
    start = next_slot(always_open, 5)
    appointment = book_at(always_open, start)
    appointment, ticket = appointment_check_in(appointment=appointment)
    assert appointment.status == AppointmentStatus.CHECKED_IN
    assert ticket.priority_class == "appointment"
    counter = always_open.counters.get(number=1)
    counter_open(
        counter=counter, lines=[line_for_service(always_open, service)], acting_user=employee_a
    )
    assert ticket_call_next(counter=counter, acting_user=employee_a) == ticket
    assert walk_ins[0].status == "waiting"


def test_late_check_in_gets_a_normal_ticket(always_open):
    start = next_slot(always_open, -40)
    appointment = book_at(always_open, start)
    appointment, ticket = appointment_check_in(appointment=appointment)
    assert appointment.status == AppointmentStatus.LATE
    assert ticket.priority_class == "normal"


def test_too_early_says_when_check_in_opens_and_changes_nothing(always_open):
    start = next_slot(always_open, 120)
    appointment = book_at(always_open, start)
    with pytest.raises(Conflict) as caught:
        appointment_check_in(appointment=appointment)
    assert caught.value.code == "too_early"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.ticket is None


def test_find_by_code_or_by_todays_phone(always_open):
    appointment = book_at(always_open, next_slot(always_open, 5), phone="55000009")
    assert find_booking(center=always_open, code=appointment.code.lower()) == appointment
    assert find_booking(center=always_open, phone="55000009") == appointment
    assert find_booking(center=always_open, phone="55000008") is None


def test_bookings_not_checked_in_by_the_end_become_no_shows(always_open):
    appointment = book_at(always_open, next_slot(always_open, -60))
    assert appointments_mark_no_shows() == 1
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
