"""Appointment pages. Included at the root of the language patterns, so Arabic pages have no
prefix (/book/passport-renewal/) and English ones live under /en/."""

import datetime as dt

from django.urls import path, register_converter

from oneroof.appointments import views


class DayConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)  # ValueError → no match → 404

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


class SlotConverter:
    """A slot's start in UTC: 20270103T0600Z (parsed by the view)."""

    regex = r"\d{8}T\d{4}Z"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(DayConverter, "day")
register_converter(SlotConverter, "slot")

app_name = "appointments"
urlpatterns = [
    # The kiosk's check-in (included before the queue's kiosk pages, whose agency step would
    # otherwise take "check-in" for an agency).
    path("kiosk/<slug:center>/check-in/", views.kiosk_check_in, name="kiosk-check-in"),
    # Visitors, no account: book (center → day → time → phone and code).
    path("book/<slug:service>/", views.book, name="book"),
    path("book/<slug:service>/<slug:center>/", views.book_day, name="book-day"),
    path("book/<slug:service>/<slug:center>/<day:day>/", views.book_time, name="book-time"),
    path(
        "book/<slug:service>/<slug:center>/<slot:start>/",
        views.book_details,
        name="book-details",
    ),
    # "My bookings": by code and phone, or from the signed link of the SMS.
    path("bookings/", views.find_booking, name="find"),
    path("bookings/<str:token>/", views.manage, name="manage"),
    path("bookings/<str:token>/booked/", views.booked, name="booked"),
    path("bookings/<str:token>/move/", views.booking_move, name="move"),
    path("bookings/<str:token>/cancel/", views.booking_cancel, name="cancel"),
    path("bookings/<str:token>/qr.svg", views.booking_qr, name="qr"),
    path("bookings/<str:token>/calendar.ics", views.booking_ics, name="ics"),
    # Supervisors: the day's bookings, check-in, booking for a visitor, closures.
    path("staff/appointments/", views.staff_home, name="staff-home"),
    path("staff/appointments/<slug:center>/", views.staff_day, name="staff-day"),
    path(
        "staff/appointments/<slug:center>/check-in/",
        views.staff_check_in,
        name="staff-check-in",
    ),
    path("staff/appointments/<slug:center>/book/", views.staff_book, name="staff-book"),
    path(
        "staff/appointments/<slug:center>/closures/",
        views.staff_closures,
        name="staff-closures",
    ),
    path(
        "staff/appointments/<slug:center>/closures/<int:pk>/",
        views.staff_closure,
        name="staff-closure",
    ),
]
