"""Slot computation across shifts, desk hours, holidays, time zones, notice and window."""

import datetime as dt
import zoneinfo

import pytest

from oneroof.appointments.models import Appointment, SlotRule
from oneroof.appointments.selectors import available_slots
from oneroof.catalog.models import Service
from oneroof.catalog.tests.factories import AgencyFactory, ServiceFactory
from oneroof.centers.models import Center, CenterAgency, CenterService
from oneroof.centers.tests.factories import CenterFactory, ClosureFactory, IntervalFactory

pytestmark = pytest.mark.django_db
QA = zoneinfo.ZoneInfo("Asia/Qatar")
SUNDAY = dt.date(2027, 1, 3)
BEFORE = dt.datetime(2027, 1, 2, 8, 0, tzinfo=QA)  # Saturday morning, the day before


def local(day: dt.date, hh: int, mm: int = 0, tz=QA) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz)


def setup_center(*, tz: str = "Asia/Qatar", **rule):
    center = CenterFactory(time_zone=tz)
    agency = AgencyFactory()
    service = ServiceFactory(agency=agency)
    CenterAgency.objects.create(center=center, agency=agency)
    CenterService.objects.create(center=center, service=service)
    for weekday in (6, 0, 1, 2, 3):
        IntervalFactory(center=center, weekday=weekday, opens=7 * 60, closes=9 * 60)
        IntervalFactory(center=center, weekday=weekday, opens=16 * 60, closes=17 * 60)
    SlotRule.objects.create(center=center, agency=agency, **({"slot_minutes": 30} | rule))
    return center, agency, service


def starts(slots) -> list[dt.datetime]:
    return [s.start for s in slots]


def test_slots_cover_both_shifts_of_a_day():
    center, _agency, service = setup_center()
    slots = available_slots(service, center=center, start_day=SUNDAY, days=1, now=BEFORE)
    assert starts(slots) == [
        local(SUNDAY, 7),
        local(SUNDAY, 7, 30),
        local(SUNDAY, 8),
        local(SUNDAY, 8, 30),
        local(SUNDAY, 16),
        local(SUNDAY, 16, 30),
    ]
    assert all(s.remaining == 2 for s in slots)


def test_a_slot_that_does_not_fit_before_closing_is_not_offered():
    center, _agency, service = setup_center(slot_minutes=45)
    slots = available_slots(service, center=center, start_day=SUNDAY, days=1, now=BEFORE)
    # 07:00, 07:45 fit in 07:00–09:00 (08:30 would end at 09:15); 16:00 fits in 16:00–17:00.
    assert starts(slots) == [local(SUNDAY, 7), local(SUNDAY, 7, 45), local(SUNDAY, 16)]


def test_the_agency_desks_own_hours_are_used():
    center, agency, service = setup_center()
    IntervalFactory(center=center, agency=agency, weekday=6, opens=20 * 60, closes=24 * 60)
    slots = available_slots(service, center=center, start_day=SUNDAY, days=1, now=BEFORE)
    assert starts(slots)[0] == local(SUNDAY, 20)
    assert starts(slots)[-1] == local(SUNDAY, 23, 30)
    assert len(slots) == 8


def test_no_slots_on_a_holiday_or_a_closed_day():
    center, _agency, service = setup_center()
    ClosureFactory(center=None, starts_on=SUNDAY, ends_on=SUNDAY)
    slots = available_slots(
        service,
        center=center,
        start_day=SUNDAY - dt.timedelta(days=2),
        days=4,
        now=BEFORE - dt.timedelta(days=2),
    )
    days = {s.start.astimezone(QA).date() for s in slots}
    assert SUNDAY not in days  # holiday
    assert SUNDAY - dt.timedelta(days=2) not in days  # Friday: closed
    assert days == {SUNDAY + dt.timedelta(days=1)}


def test_minimum_notice_hides_slots_too_soon():
    center, _agency, service = setup_center(min_notice_minutes=120)
    now = local(SUNDAY, 6, 10)
    slots = available_slots(service, center=center, start_day=SUNDAY, days=1, now=now)
    assert starts(slots)[0] == local(SUNDAY, 8, 30)


def test_booking_window_limits_how_far_ahead():
    center, _agency, service = setup_center(window_days=2)
    slots = available_slots(service, center=center, start_day=SUNDAY, days=10, now=BEFORE)
    # Up to Monday 08:00 inclusive: Monday's first slots are in, its afternoon is not.
    assert max(starts(slots)) == local(SUNDAY + dt.timedelta(days=1), 8)


def test_full_slots_are_hidden_and_remaining_places_counted():
    center, agency, service = setup_center()
    start = local(SUNDAY, 7).astimezone(dt.UTC)
    for seat in (1, 2):
        Appointment.objects.create(
            center=center,
            agency=agency,
            service=service,
            start=start,
            end=start + dt.timedelta(minutes=30),
            seat=seat,
            phone=f"+9745512345{seat}",
        )
    Appointment.objects.create(
        center=center,
        agency=agency,
        service=service,
        start=start + dt.timedelta(minutes=30),
        end=start + dt.timedelta(minutes=60),
        seat=1,
        phone="+97455123459",
    )
    slots = available_slots(service, center=center, start_day=SUNDAY, days=1, now=BEFORE)
    assert local(SUNDAY, 7) not in starts(slots)
    assert slots[0].start == local(SUNDAY, 7, 30) and slots[0].remaining == 1


def test_slots_follow_the_centers_zone_across_a_clock_change():
    # London moves its clocks forward on 28 March 2027: 09:00 local is 08:00 UTC that day.
    center, _agency, service = setup_center(tz="Europe/London")
    day = dt.date(2027, 3, 28)
    center.intervals.all().delete()
    IntervalFactory(center=center, weekday=day.weekday(), opens=9 * 60, closes=10 * 60)
    london = zoneinfo.ZoneInfo("Europe/London")
    slots = available_slots(
        service, center=center, start_day=day, days=1, now=local(day, 0, tz=london)
    )
    assert starts(slots) == [local(day, 9, tz=london), local(day, 9, 30, tz=london)]
    assert slots[0].start.hour == 8  # UTC


def test_across_every_center_earliest_or_nearest_first():
    service = Service.objects.get(slug="passport-renewal")
    now = dt.datetime(2027, 1, 2, 8, 0, tzinfo=QA)
    slots = available_slots(service, start_day=SUNDAY, days=1, now=now)
    assert (
        len({s.center.slug for s in slots})
        == Center.objects.filter(center_services__service=service).count()
    )
    assert starts(slots) == sorted(starts(slots))
    wakra = Center.objects.get(slug="al-wakra")
    nearest = available_slots(
        service,
        start_day=SUNDAY,
        days=1,
        now=now,
        near=(float(wakra.latitude), float(wakra.longitude)),
    )
    assert nearest[0].center == wakra


def test_demo_centers_get_default_rules():
    assert SlotRule.objects.filter(service__isnull=True).count() == CenterAgency.objects.count()


def test_a_rule_may_take_bookings_in_part_of_the_opening_hours_only():
    center, _agency, service = setup_center(booking_opens=8 * 60, booking_closes=16 * 60 + 30)
    slots = available_slots(service, center=center, start_day=SUNDAY, days=1, now=BEFORE)
    assert starts(slots) == [local(SUNDAY, 8), local(SUNDAY, 8, 30), local(SUNDAY, 16)]


@pytest.mark.parametrize("near", [None, (25.3, 51.5)])
def test_a_limited_search_answers_the_first_free_slots_past_many_full_ones(near):
    # given two centers with 6 slots a day, capacity 1, and the first 130 slots of the
    # earliest-first order booked (more than the first chunk a limited search counts)
    _center, agency, service = setup_center(capacity=1)
    other = CenterFactory(time_zone="Asia/Qatar", latitude=25.3, longitude=51.5)
    CenterAgency.objects.create(center=other, agency=agency)
    CenterService.objects.create(center=other, service=service)
    for weekday in (6, 0, 1, 2, 3):
        IntervalFactory(center=other, weekday=weekday, opens=7 * 60, closes=10 * 60)
    SlotRule.objects.create(center=other, agency=agency, slot_minutes=30, capacity=1)
    every = available_slots(service, start_day=SUNDAY, days=60, now=BEFORE, near=near)
    assert len(every) > 200
    Appointment.objects.bulk_create(
        Appointment(
            center=slot.center,
            agency=agency,
            service=service,
            start=slot.start,
            end=slot.end,
            seat=1,
            start_minute=int(slot.start.timestamp()) // 60,
            phone=f"+974551{i:05d}",
            code=f"T{i:07d}",
        )
        for i, slot in enumerate(every[:130])
    )
    # when a search asks for the first 3 free slots
    first = available_slots(service, start_day=SUNDAY, days=60, now=BEFORE, near=near, limit=3)
    # then they are the 3 after the booked ones, as the unlimited search orders them
    assert [(s.center.pk, s.start) for s in first] == [
        (s.center.pk, s.start) for s in every[130:133]
    ]
    assert all(s.remaining == 1 for s in first)
    unlimited = available_slots(service, start_day=SUNDAY, days=60, now=BEFORE, near=near)
    assert [(s.center.pk, s.start) for s in unlimited[:3]] == [
        (s.center.pk, s.start) for s in first
    ]
