"""API of appointments: slot search, booking with a one-time code, the visitor's own
booking by code and phone, moving and cancelling, and check-in at a center."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from oneroof.accounts.otp import otp_request, otp_verify
from oneroof.appointments import actions
from oneroof.appointments.models import Appointment
from oneroof.appointments.selectors import available_slots
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput, NotFound
from oneroof.core.schemas import ERRORS
from oneroof.notify.actions import phone_normalize
from oneroof.queueing.api import TicketOut, _out, optional_bearer
from oneroof.queueing.permissions import works_at

router = Router(tags=["appointments"])
# The most slots one search answers with, in its order (earliest or nearest first).
MAX_SLOTS = 500


class CodeRequestIn(Schema):
    phone: str = Field(..., max_length=30)
    purpose: str = Field("appointment", pattern="^(appointment|history|survey)$")
    lang: str = Field("ar", pattern="^(ar|en)$")


class CodeRequestOut(Schema):
    sent: bool
    expires_in_seconds: int


class SlotOut(Schema):
    center: str
    center_name_ar: str
    center_name_en: str
    start: dt.datetime
    end: dt.datetime
    remaining: int


class SlotFilter(Schema):
    center: str | None = Field(None, max_length=80)
    start: dt.date | None = Field(None, alias="from", description="first day (local)")
    days: int = Field(7, ge=1, le=60)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class BookIn(Schema):
    service: str = Field(..., max_length=100)
    center: str = Field(..., max_length=80)
    start: dt.datetime
    phone: str = Field(..., max_length=30)
    otp: str | None = Field(None, max_length=6)
    lang: str = Field("ar", pattern="^(ar|en)$")
    email: str | None = Field(None, max_length=200)


class AppointmentOut(Schema):
    code: str
    status: str
    service: str
    service_name_ar: str
    service_name_en: str
    center: str
    center_name_ar: str
    center_name_en: str
    start: dt.datetime
    end: dt.datetime
    phone_last_digits: str


class RescheduleIn(Schema):
    phone: str = Field(..., max_length=30)
    start: dt.datetime


class CheckInIn(Schema):
    code: str | None = Field(None, max_length=12)
    phone: str | None = Field(None, max_length=30)


class CheckInOut(Schema):
    appointment: AppointmentOut
    ticket: TicketOut


def appointment_out(a: Appointment) -> dict:
    return {
        "code": a.code,
        "status": a.status,
        "service": a.service.slug,
        "service_name_ar": a.service.name_ar,
        "service_name_en": a.service.name_en or "",
        "center": a.center.slug,
        "center_name_ar": a.center.name_ar,
        "center_name_en": a.center.name_en or "",
        "start": a.start,
        "end": a.end,
        "phone_last_digits": a.phone[-3:],
    }


def _service(slug: str) -> Service:
    service = Service.objects.active().filter(slug=slug).first()
    if service is None:
        raise NotFound(_("No service “%(slug)s”.") % {"slug": slug})
    return service


def _center(slug: str) -> Center:
    center = Center.objects.active().filter(slug=slug).first()
    if center is None:
        raise InvalidInput(_("Unknown center “%(slug)s”.") % {"slug": slug})
    return center


def _own_booking(code: str, phone: str) -> Appointment:
    """A booking seen or changed by its holder: the code and the phone must both match, so a
    guessed code alone reveals nothing."""
    try:
        phone = phone_normalize(phone)
    except InvalidInput:
        phone = ""
    appointment = (
        Appointment.objects.select_related("service", "center")
        .filter(code=code.strip().upper(), phone=phone)
        .first()
    )
    if appointment is None:
        raise NotFound(_("No booking with this code and phone number."))
    return appointment


@router.post("/otp", response={202: CodeRequestOut, **ERRORS}, summary="Send a one-time code")
def request_code(request, payload: CodeRequestIn):
    """Sends a 6-digit code by SMS to prove the phone number. 429 when asked too often."""
    otp_request(
        phone=payload.phone,
        purpose=payload.purpose,
        lang=payload.lang,
        ip=request.META.get("REMOTE_ADDR"),
    )
    return Status(202, {"sent": True, "expires_in_seconds": settings.ONEROOF_OTP_TTL_SECONDS})


@router.get(
    "/services/{slug}/slots",
    response={200: list[SlotOut], **ERRORS},
    summary="Free appointment slots",
)
def slots(request, slug: str, filters: Query[SlotFilter]):
    """Free slots of a service over the next days at one center or every center offering it,
    earliest first, or nearest first when `lat` and `lon` are given; the first 500."""
    service = _service(slug)
    center = _center(filters.center) if filters.center else None
    near = (
        (filters.lat, filters.lon) if filters.lat is not None and filters.lon is not None else None
    )
    found = available_slots(
        service,
        center=center,
        start_day=filters.start,
        days=filters.days,
        near=near,
        limit=MAX_SLOTS,
    )
    return [
        {
            "center": s.center.slug,
            "center_name_ar": s.center.name_ar,
            "center_name_en": s.center.name_en or "",
            "start": s.start,
            "end": s.end,
            "remaining": s.remaining,
        }
        for s in found
    ]


@router.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Book an appointment",
)
def book(request, payload: BookIn):
    """Book with the code sent by `POST /otp` — or, for staff of that center with a key or a
    session, on a visitor's behalf without a code. 409 `slot_taken` lists the nearest free
    slots."""
    optional_bearer(request)
    service = _service(payload.service)
    center = _center(payload.center)
    staff = request.user.is_authenticated and works_at(request.user, center.pk)
    if not staff:
        if not payload.otp:
            raise InvalidInput(_("Enter the code sent to your phone."), code="code_required")
        otp_verify(phone=payload.phone, purpose="appointment", code=payload.otp)
    appointment = actions.appointment_book(
        service=service,
        center=center,
        start=payload.start,
        phone=payload.phone,
        lang=payload.lang,
        email=payload.email or "",
        acting_user=request.user,
    )
    return Status(201, appointment_out(appointment))


@router.get(
    "/appointments/{code}",
    response={200: AppointmentOut, **ERRORS},
    summary="A booking, by its code and phone",
)
def get_booking(request, code: str, phone: str = Query(..., max_length=30)):
    return appointment_out(_own_booking(code, phone))


@router.delete(
    "/appointments/{code}", response={200: AppointmentOut, **ERRORS}, summary="Cancel a booking"
)
def cancel_booking(request, code: str, phone: str = Query(..., max_length=30)):
    appointment = actions.appointment_cancel(appointment=_own_booking(code, phone))
    return appointment_out(appointment)


@router.post(
    "/appointments/{code}/reschedule",
    response={200: AppointmentOut, **ERRORS},
    summary="Move a booking",
)
def reschedule(request, code: str, payload: RescheduleIn):
    appointment = actions.appointment_reschedule(
        appointment=_own_booking(code, payload.phone), start=payload.start
    )
    return appointment_out(appointment)


@router.post(
    "/centers/{center}/check-in",
    response={200: CheckInOut, **ERRORS},
    summary="Check in on arrival",
)
def check_in(request, center: str, payload: CheckInIn):
    """With the booking code (or the phone number) at the center's kiosk or desk: on time, an
    appointment ticket that goes ahead in the queue; late, a normal ticket."""
    optional_bearer(request)
    where = Center.objects.active().filter(slug=center).first()
    if where is None:
        raise NotFound(_("No center “%(slug)s”.") % {"slug": center})
    appointment = actions.find_booking(
        center=where, code=payload.code or "", phone=payload.phone or "", now=timezone.now()
    )
    if appointment is None:
        raise NotFound(_("No booking for today was found with these details."))
    appointment, ticket = actions.appointment_check_in(
        appointment=appointment, acting_user=request.user
    )
    return {"appointment": appointment_out(appointment), "ticket": _out(ticket)}
