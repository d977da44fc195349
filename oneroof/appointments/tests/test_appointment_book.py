"""Booking a place: never overbooked, one active booking per phone and service."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection

from oneroof.appointments.actions import SlotTaken, appointment_book
from oneroof.appointments.choices import AppointmentStatus
from oneroof.appointments.models import Appointment, SlotRule
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.core.errors import Conflict, InvalidInput

QA = zoneinfo.ZoneInfo("Asia/Qatar")
NOW = dt.datetime(2027, 1, 2, 8, 0, tzinfo=QA)  # Saturday; Sunday 3 January is a workday
SLOT = dt.datetime(2027, 1, 3, 9, 0, tzinfo=QA)


@pytest.fixture
def rayyan_passports(db):
    center = Center.objects.get(slug="al-rayyan")
    service = Service.objects.get(slug="passport-renewal")
    return center, service


@pytest.mark.django_db
def test_booking_takes_a_place_and_gets_a_short_code(rayyan_passports):
    center, service = rayyan_passports
    appt = appointment_book(service=service, center=center, start=SLOT, phone="55123456", now=NOW)
    assert appt.status == AppointmentStatus.BOOKED and appt.seat == 1
    assert appt.phone == "+97455123456"
    assert len(appt.code) == 7 and appt.end - appt.start == dt.timedelta(minutes=15)


@pytest.mark.django_db
def test_the_last_place_goes_once_then_alternatives_are_offered(rayyan_passports):
    center, service = rayyan_passports
    appointment_book(service=service, center=center, start=SLOT, phone="55000001", now=NOW)
    appointment_book(service=service, center=center, start=SLOT, phone="55000002", now=NOW)
    with pytest.raises(SlotTaken) as caught:
        appointment_book(service=service, center=center, start=SLOT, phone="55000003", now=NOW)
    alternatives = caught.value.details["alternatives"]
    assert alternatives and all(a["start"] != SLOT.isoformat() for a in alternatives)
    assert Appointment.objects.filter(start=SLOT).count() == 2


@pytest.mark.django_db
def test_a_cancelled_booking_frees_its_place(rayyan_passports):
    center, service = rayyan_passports
    first = appointment_book(service=service, center=center, start=SLOT, phone="55000001", now=NOW)
    appointment_book(service=service, center=center, start=SLOT, phone="55000002", now=NOW)
    first.status = AppointmentStatus.CANCELLED
    first.save()
    again = appointment_book(service=service, center=center, start=SLOT, phone="55000003", now=NOW)
    assert again.seat == 1


@pytest.mark.django_db
def test_one_active_booking_per_phone_and_service(rayyan_passports):
    center, service = rayyan_passports
    appointment_book(service=service, center=center, start=SLOT, phone="55000001", now=NOW)
    with pytest.raises(Conflict) as caught:
        appointment_book(
            service=service,
            center=center,
            start=SLOT + dt.timedelta(hours=1),
            phone="55000001",
            now=NOW,
        )
    assert caught.value.code == "limit_reached"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(2027, 1, 3, 9, 7, tzinfo=QA),  # not on a slot boundary
        dt.datetime(2027, 1, 3, 14, 0, tzinfo=QA),  # between shifts
        dt.datetime(2027, 1, 8, 9, 0, tzinfo=QA),  # Friday: closed
        dt.datetime(2027, 1, 2, 9, 0, tzinfo=QA),  # within the minimum notice
        dt.datetime(2027, 3, 3, 9, 0, tzinfo=QA),  # beyond the booking window
    ],
)
def test_a_time_that_is_not_a_bookable_slot_is_refused(rayyan_passports, start):
    center, service = rayyan_passports
    with pytest.raises(InvalidInput):
        appointment_book(service=service, center=center, start=start, phone="55000001", now=NOW)
    assert not Appointment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_32_people_racing_for_the_last_3_places_get_exactly_3(demo_data):
    if connection.vendor != "postgresql":
        pytest.skip("the race is run with real threads on PostgreSQL")
    center = Center.objects.get(slug="al-rayyan")
    service = Service.objects.get(slug="passport-renewal")
    SlotRule.objects.filter(center=center, agency=service.agency).update(capacity=3)
    barrier = threading.Barrier(32)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(i: int) -> None:
        try:
            barrier.wait()
            appointment_book(
                service=service, center=center, start=SLOT, phone=f"5510{i:04d}", now=NOW
            )
            result = "booked"
        except SlotTaken:
            result = "taken"
        except Exception as exc:  # anything else is a failure of the rule
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("booked") == 3, outcomes
    assert outcomes.count("taken") == 29, outcomes
    assert Appointment.objects.filter(center=center, start=SLOT).count() == 3


@pytest.mark.django_db
def test_repeat_no_shows_may_stop_online_booking_but_not_staff(rayyan_passports, employee_a):
    center, service = rayyan_passports
    SlotRule.objects.filter(center=center, agency=service.agency).update(max_no_shows=2)
    for i, day in enumerate((10, 20)):
        Appointment.objects.create(
            center=center,
            agency=service.agency,
            service=service,
            seat=1,
            phone="+97455000001",
            start=NOW - dt.timedelta(days=day),
            end=NOW - dt.timedelta(days=day, minutes=-15),
            status=AppointmentStatus.NO_SHOW,
            code=f"OLD{i}",
        )
    with pytest.raises(Conflict) as caught:
        appointment_book(service=service, center=center, start=SLOT, phone="55000001", now=NOW)
    assert caught.value.code == "no_show_limit"
    booked = appointment_book(
        service=service,
        center=center,
        start=SLOT,
        phone="55000001",
        now=NOW,
        acting_user=employee_a,
    )
    assert booked.status == AppointmentStatus.BOOKED
