"""The selector that answers "is this center / desk open now, and when does it next open"."""

import datetime as dt
import zoneinfo

import pytest

from oneroof.catalog.tests.factories import AgencyFactory
from oneroof.centers.selectors import center_hours, opening_status, week_schedule
from oneroof.centers.tests.factories import CenterFactory, ClosureFactory, IntervalFactory

QA = zoneinfo.ZoneInfo("Asia/Qatar")
pytestmark = pytest.mark.django_db

# 2027-01-03 is a Sunday; 2027-01-08 a Friday; 2027-01-09 a Saturday.
SUNDAY = dt.date(2027, 1, 3)


def at(day: dt.date, hh: int, mm: int = 0, tz=QA) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=tz)


def two_shift_center(**kwargs):
    """Sunday–Thursday 07:00–13:00 and 16:00–21:00; Saturday 08:00–13:00; Friday closed."""
    center = CenterFactory(**kwargs)
    for weekday in (6, 0, 1, 2, 3):
        IntervalFactory(center=center, weekday=weekday, opens=7 * 60, closes=13 * 60)
        IntervalFactory(center=center, weekday=weekday, opens=16 * 60, closes=21 * 60)
    IntervalFactory(center=center, weekday=5, opens=8 * 60, closes=13 * 60)
    return center


def test_open_in_the_morning_shift_closes_at_its_end():
    center = two_shift_center()
    status = opening_status(center_hours(center, today=SUNDAY), at=at(SUNDAY, 9, 30))
    assert status.is_open
    assert status.closes_at == at(SUNDAY, 13)


def test_between_shifts_is_closed_and_opens_for_the_evening_shift():
    center = two_shift_center()
    status = opening_status(center_hours(center, today=SUNDAY), at=at(SUNDAY, 14))
    assert not status.is_open
    assert status.next_opening == at(SUNDAY, 16)


def test_thursday_evening_next_opening_is_saturday_morning():
    center = two_shift_center()
    thursday = SUNDAY + dt.timedelta(days=4)
    status = opening_status(center_hours(center, today=thursday), at=at(thursday, 21, 5))
    assert status.next_opening == at(thursday + dt.timedelta(days=2), 8)


def test_opening_boundaries_are_half_open():
    center = two_shift_center()
    hours = center_hours(center, today=SUNDAY)
    assert opening_status(hours, at=at(SUNDAY, 7)).is_open
    assert not opening_status(hours, at=at(SUNDAY, 13)).is_open


def test_agency_desk_hours_replace_the_centers_and_may_run_to_midnight():
    center = two_shift_center()
    passports = AgencyFactory()
    IntervalFactory(center=center, agency=passports, weekday=6, opens=16 * 60, closes=24 * 60)
    IntervalFactory(center=center, agency=passports, weekday=0, opens=0, closes=2 * 60)
    hours = center_hours(center, today=SUNDAY)

    late = at(SUNDAY, 23, 30)
    assert not opening_status(hours, at=late).is_open  # the center closed at 21:00
    desk = opening_status(hours, agency_id=passports.pk, at=late)
    assert desk.is_open
    # 24:00 on Sunday touches 00:00 on Monday, so the desk stays open until 02:00.
    assert desk.closes_at == at(SUNDAY + dt.timedelta(days=1), 2)
    # Another agency with no own hours follows the center's.
    other = AgencyFactory()
    assert not opening_status(hours, agency_id=other.pk, at=late).is_open


def test_a_holiday_closes_every_center_and_gives_its_reason():
    center = two_shift_center()
    ClosureFactory(
        center=None,
        starts_on=SUNDAY,
        ends_on=SUNDAY,
        reason_en="National Day",
        reason_ar="اليوم الوطني",
    )
    status = opening_status(center_hours(center, today=SUNDAY), at=at(SUNDAY, 9))
    assert not status.is_open
    assert status.closed_reason in {"National Day", "اليوم الوطني"}
    assert status.next_opening == at(SUNDAY + dt.timedelta(days=1), 7)


def test_a_closure_of_one_agency_desk_leaves_the_center_open():
    center = two_shift_center()
    agency = AgencyFactory()
    ClosureFactory(center=center, agency=agency, starts_on=SUNDAY, ends_on=SUNDAY)
    hours = center_hours(center, today=SUNDAY)
    assert opening_status(hours, at=at(SUNDAY, 9)).is_open
    assert not opening_status(hours, agency_id=agency.pk, at=at(SUNDAY, 9)).is_open


def test_a_long_closure_still_finds_the_next_opening():
    center = two_shift_center()
    ClosureFactory(center=center, starts_on=SUNDAY, ends_on=SUNDAY + dt.timedelta(days=40))
    status = opening_status(center_hours(center, today=SUNDAY), at=at(SUNDAY, 9))
    reopening_day = SUNDAY + dt.timedelta(days=41)  # a Saturday
    assert reopening_day.weekday() == 5
    assert status.next_opening == at(reopening_day, 8)


def test_a_center_with_no_hours_is_closed_with_no_next_opening():
    center = CenterFactory()
    status = opening_status(center_hours(center, today=SUNDAY), at=at(SUNDAY, 9))
    assert status == type(status)(is_open=False)


def test_hours_are_read_in_the_centers_own_time_zone():
    # A center in London: 09:00 local is 12:00 in Qatar in winter and 11:00 in summer (BST).
    center = CenterFactory(time_zone="Europe/London")
    for weekday in range(7):
        IntervalFactory(center=center, weekday=weekday, opens=9 * 60, closes=17 * 60)
    london = zoneinfo.ZoneInfo("Europe/London")
    winter, summer = dt.date(2027, 1, 4), dt.date(2027, 7, 5)
    for day in (winter, summer):
        hours = center_hours(center, today=day)
        assert not opening_status(hours, at=at(day, 8, 59, tz=london)).is_open
        status = opening_status(hours, at=at(day, 9, 0, tz=london))
        assert status.is_open and status.closes_at == at(day, 17, tz=london)
    # The day clocks go forward (28 March 2027), 09:00 is still 09:00 local.
    spring = dt.date(2027, 3, 28)
    status = opening_status(center_hours(center, today=spring), at=at(spring, 8, tz=london))
    assert status.next_opening == at(spring, 9, tz=london)
    assert status.next_opening.astimezone(dt.UTC).hour == 8


def test_week_schedule_starts_on_sunday_and_lists_closed_days():
    center = two_shift_center()
    week = week_schedule(center_hours(center, today=SUNDAY))
    assert [day for day, _ in week] == [6, 0, 1, 2, 3, 4, 5]
    assert dict(week)[4] == []  # Friday
    assert dict(week)[6] == [(420, 780), (960, 1260)]
