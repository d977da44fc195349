"""Appointment pages.

Visitors, with no account: from a service, choose a center (each with its next free time),
a day, a time, then prove the phone with a one-time code and book; the confirmation shows the
booking code, a QR code and a calendar file. "My bookings" finds a booking by code and phone,
or opens it from the signed link of the SMS, to move or cancel it.

Supervisors (and system admins): the day's bookings at their center with check-in, booking on
a visitor's behalf, and closures with the bookings they affect.

Every page is plain links and forms; booking.js only adds small comforts. Each POST calls one
action; a domain error changes nothing and is shown with its message."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oneroof.accounts.otp import otp_request, otp_verify
from oneroof.appointments import actions, messaging
from oneroof.appointments.choices import AppointmentStatus
from oneroof.appointments.forms import ClosureForm, FindBookingForm, PhoneForm, StaffBookingForm
from oneroof.appointments.models import Appointment
from oneroof.appointments.permissions import (
    access_appointment_at,
    access_center_for_supervision,
    access_closure_at,
    centers_supervised,
    mask_phone,
)
from oneroof.appointments.selectors import Slot, available_slots, rule_for
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center, Closure
from oneroof.core.errors import DomainError, InvalidInput, NotFound
from oneroof.notify.actions import phone_normalize
from oneroof.notify.models import OutboundMessage
from oneroof.queueing.choices import IssueChannel
from oneroof.queueing.visitor_views import kiosk_context

BOOKING_DAYS = 14  # how far ahead the portal offers days
VERIFIED_KEY = "appointments.verified_phone"
VERIFIED_FOR = dt.timedelta(minutes=15)  # a proven phone books again without a new code
SLOT_FORMAT = "%Y%m%dT%H%MZ"  # a slot's start in addresses: 20270103T0600Z (UTC)


# --- helpers ---------------------------------------------------------------------------------


def _lang() -> str:
    return "en" if translation.get_language() == "en" else "ar"


def slot_key(start: dt.datetime) -> str:
    return start.astimezone(dt.UTC).strftime(SLOT_FORMAT)


def parse_slot_key(value: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, SLOT_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise Http404 from exc


def _day_label(day: dt.date) -> str:
    return formats.date_format(day, "l j F")


def _slot_view(slot: Slot) -> dict:
    local = slot.start.astimezone(slot.center.tz)
    return {
        "slot": slot,
        "center": slot.center,
        "key": slot_key(slot.start),
        "day": local.date(),
        "day_label": _day_label(local.date()),
        "time": local.strftime("%H:%M"),
        "remaining": slot.remaining,
    }


def _service(slug: str) -> Service:
    service = Service.objects.active().select_related("agency").filter(slug=slug).first()
    if service is None:
        raise Http404
    return service


def _center_offering(service: Service, slug: str) -> Center:
    center = Center.objects.active().filter(slug=slug, center_services__service=service).first()
    if center is None:
        raise Http404
    return center


def _today(center: Center) -> dt.date:
    return timezone.now().astimezone(center.tz).date()


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _alternatives(error: DomainError, service: Service, only_center: Center | None = None):
    """The nearby free slots a SlotTaken (or a vanished slot) offers, ready for the page."""
    found = (error.details or {}).get("alternatives") if isinstance(error.details, dict) else None
    if not found:
        return []
    centers = {c.slug: c for c in Center.objects.filter(slug__in={a["center"] for a in found})}
    rows = []
    for alt in found:
        center = centers.get(alt["center"])
        if center is None or (only_center is not None and center.pk != only_center.pk):
            continue
        start = dt.datetime.fromisoformat(alt["start"])
        slot = Slot(center=center, start=start, end=start, capacity=alt["remaining"], booked=0)
        rows.append(_slot_view(slot))
    return rows


def _verified_phone(request: HttpRequest) -> str:
    data = request.session.get(VERIFIED_KEY) or {}
    if data.get("until", 0) < timezone.now().timestamp():
        return ""
    return data.get("phone", "")


def _remember_verified(request: HttpRequest, phone: str) -> None:
    request.session[VERIFIED_KEY] = {
        "phone": phone,
        "until": (timezone.now() + VERIFIED_FOR).timestamp(),
    }


# --- booking, for visitors -------------------------------------------------------------------


@require_GET
def book(request: HttpRequest, service: str) -> HttpResponse:
    """Step 1: the centers offering the service, each with its next free time."""
    what = _service(service)
    first: dict[int, Slot] = {}
    for slot in available_slots(what, days=BOOKING_DAYS):
        first.setdefault(slot.center.pk, slot)
    centers = Center.objects.active().filter(center_services__service=what).order_by("pk")
    rows = [
        {"center": c, "next": _slot_view(first[c.pk]) if c.pk in first else None} for c in centers
    ]
    rows.sort(key=lambda r: (r["next"] is None, r["next"]["slot"].start if r["next"] else 0))
    return render(
        request,
        "appointments/book_center.html",
        {"service": what, "rows": rows, "days": BOOKING_DAYS, "step": 1},
    )


@require_GET
def book_day(request: HttpRequest, service: str, center: str) -> HttpResponse:
    """Step 2: the days of the next two weeks that have free places."""
    what = _service(service)
    where = _center_offering(what, center)
    days: dict[dt.date, dict] = {}
    for slot in available_slots(what, center=where, days=BOOKING_DAYS):
        view = _slot_view(slot)
        row = days.setdefault(
            view["day"], {"day": view["day"], "label": view["day_label"], "times": 0, "first": view}
        )
        row["times"] += 1
    return render(
        request,
        "appointments/book_day.html",
        {
            "service": what,
            "center": where,
            "days": list(days.values()),
            "has_rule": rule_for(where.pk, what) is not None,
            "step": 2,
        },
    )


@require_GET
def book_time(request: HttpRequest, service: str, center: str, day: dt.date) -> HttpResponse:
    """Step 3: the free times of that day, with the places left."""
    what = _service(service)
    where = _center_offering(what, center)
    slots = [_slot_view(s) for s in available_slots(what, center=where, start_day=day, days=1)]
    return render(
        request,
        "appointments/book_time.html",
        {
            "service": what,
            "center": where,
            "day": day,
            "day_label": _day_label(day),
            "slots": slots,
            "step": 3,
        },
    )


def _free_slot(service: Service, center: Center, start: dt.datetime) -> Slot | None:
    day = start.astimezone(center.tz).date()
    return next(
        (
            s
            for s in available_slots(service, center=center, start_day=day, days=1)
            if s.start == start
        ),
        None,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def book_details(request: HttpRequest, service: str, center: str, start: str) -> HttpResponse:
    """Step 4, one page in two steps: the phone (and e-mail), then the code sent to it.

    POST `action=send` asks for a code; POST `action=book` checks it and books. A phone proven
    a moment ago (say, before its time was taken) books again without a new code."""
    what = _service(service)
    where = _center_offering(what, center)
    when = parse_slot_key(start)
    verified = "" if request.GET.get("other") else _verified_phone(request)
    form = PhoneForm(request.POST or None, initial={"phone": verified})
    stage = "verified" if verified else "phone"
    error, status, alternatives = "", 200, []

    if request.method == "POST":
        action = request.POST.get("action")
        if not form.is_valid():
            error, status = _("Please correct the fields marked below."), 422
            stage = "code" if action == "book" and stage != "verified" else stage
        else:
            try:
                phone = phone_normalize(form.cleaned_data["phone"])
                if action == "send":
                    otp_request(
                        phone=phone, purpose="appointment", ip=_client_ip(request), lang=_lang()
                    )
                    stage = "code"
                    messages.info(
                        request,
                        _("We have sent a code to %(phone)s.") % {"phone": phone},
                    )
                else:
                    if phone != verified:
                        stage = "code"
                        if not form.cleaned_data["code"]:
                            raise InvalidInput(
                                _("Enter the code sent to your phone."), code="code_required"
                            )
                        otp_verify(
                            phone=phone, purpose="appointment", code=form.cleaned_data["code"]
                        )
                        _remember_verified(request, phone)
                        verified, stage = phone, "verified"
                    appointment = actions.appointment_book(
                        service=what,
                        center=where,
                        start=when,
                        phone=phone,
                        lang=_lang(),
                        email=form.cleaned_data["email"],
                        acting_user=request.user,
                    )
                    request.session.pop(VERIFIED_KEY, None)
                    token = messaging.manage_token(appointment)
                    return HttpResponseRedirect(
                        reverse("appointments:booked", kwargs={"token": token})
                    )
            except DomainError as exc:
                error, status = str(exc.message), exc.status_code
                alternatives = _alternatives(exc, what)

    slot = _free_slot(what, where, when)
    if slot is None and not error:
        error = _("This time is no longer free. Please choose another one.")
        alternatives = [
            _slot_view(s)
            for s in sorted(
                available_slots(
                    what, center=where, start_day=when.astimezone(where.tz).date(), days=3
                ),
                key=lambda s: abs((s.start - when).total_seconds()),
            )[:5]
        ]
    local = when.astimezone(where.tz)
    return render(
        request,
        "appointments/book_details.html",
        {
            "service": what,
            "center": where,
            "start_key": start,
            "day": local.date(),
            "day_label": _day_label(local.date()),
            "time": local.strftime("%H:%M"),
            "slot_free": slot is not None,
            "form": form,
            "stage": stage,
            "verified": verified,
            "error": error,
            "alternatives": alternatives,
            "ttl_minutes": settings.ONEROOF_OTP_TTL_SECONDS // 60,
            "step": 4,
        },
        status=status,
    )


# --- the visitor's booking -------------------------------------------------------------------


def _booking_context(request: HttpRequest, appointment: Appointment, token: str) -> dict:
    rule = rule_for(appointment.center_id, appointment.service)
    deadline = appointment.start - dt.timedelta(minutes=rule.cancel_deadline_minutes if rule else 0)
    local = messaging.local_start(appointment)
    changeable = appointment.status == AppointmentStatus.BOOKED and timezone.now() <= deadline
    return {
        "appointment": appointment,
        "token": token,
        "when": messaging.when_label(appointment),
        "day_label": _day_label(local.date()),
        "time": local.strftime("%H:%M"),
        "end_time": appointment.end.astimezone(appointment.center.tz).strftime("%H:%M"),
        "is_booked": appointment.status == AppointmentStatus.BOOKED,
        "changeable": changeable,
        "deadline_minutes": rule.cancel_deadline_minutes if rule else 0,
        "early_minutes": rule.early_minutes if rule else 15,
        "late_minutes": rule.late_minutes if rule else 10,
    }


def _link_error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request,
        "appointments/link_error.html",
        {"error": str(error.message), "form": FindBookingForm()},
        status=400 if isinstance(error, messaging.LinkInvalid) else 410,
    )


def _from_link(token: str) -> Appointment:
    return messaging.appointment_from_token(token[:200])


@never_cache
@require_GET
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """A booking opened from its signed link: code, QR code, calendar file, move, cancel."""
    try:
        appointment = _from_link(token)
    except DomainError as exc:
        return _link_error(request, exc)
    return render(
        request, "appointments/booking.html", _booking_context(request, appointment, token)
    )


@never_cache
@require_GET
def booked(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation right after booking: the same page, saying so."""
    try:
        appointment = _from_link(token)
    except DomainError as exc:
        return _link_error(request, exc)
    context = _booking_context(request, appointment, token)
    context["just_booked"] = True
    return render(request, "appointments/booking.html", context)


@require_GET
@cache_control(max_age=3600, private=True)
def booking_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The booking code as a QR code (SVG), to show at the kiosk's scanner."""
    try:
        appointment = _from_link(token)
    except DomainError as exc:
        raise Http404 from exc
    image = qrcode.make(
        appointment.code, image_factory=qrcode.image.svg.SvgPathImage, border=2, box_size=12
    )
    return HttpResponse(image.to_string(), content_type="image/svg+xml")


@require_GET
def booking_ics(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = _from_link(token)
    except DomainError as exc:
        raise Http404 from exc
    response = HttpResponse(
        messaging.ics_text(appointment, _lang()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="oneroof-{appointment.code}.ics"'
    return response


@require_POST
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        appointment = _from_link(token)
    except DomainError as exc:
        return _link_error(request, exc)
    try:
        actions.appointment_cancel(appointment=appointment)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your appointment is cancelled. We have sent you an SMS."))
    return HttpResponseRedirect(reverse("appointments:manage", kwargs={"token": token}))


@never_cache
@require_http_methods(["GET", "POST"])
def booking_move(request: HttpRequest, token: str) -> HttpResponse:
    """Move to another time at the same center: the days with free places, then the times of
    the chosen day (`?day=`), then POST `start`."""
    try:
        appointment = _from_link(token)
    except DomainError as exc:
        return _link_error(request, exc)
    context = _booking_context(request, appointment, token)
    if not context["changeable"]:
        messages.error(
            request,
            _("It is too late to change this appointment online. Please contact the center."),
        )
        return HttpResponseRedirect(reverse("appointments:manage", kwargs={"token": token}))
    center, service = appointment.center, appointment.service
    error, status, alternatives = "", 200, []
    if request.method == "POST":
        try:
            start = parse_slot_key(request.POST.get("start", ""))
        except Http404:
            error, status = _("Choose a time."), 422
        else:
            try:
                moved = actions.appointment_reschedule(appointment=appointment, start=start)
            except DomainError as exc:
                error, status = str(exc.message), exc.status_code
                alternatives = _alternatives(exc, service, only_center=center)
            else:
                messages.success(request, _("Your appointment has moved. We have sent you an SMS."))
                return HttpResponseRedirect(
                    reverse("appointments:manage", kwargs={"token": messaging.manage_token(moved)})
                )
    day = None
    if request.GET.get("day"):
        try:
            day = dt.date.fromisoformat(request.GET["day"])
        except ValueError:
            day = None
    days: dict[dt.date, dict] = {}
    times: list[dict] = []
    if day is not None:
        times = [
            _slot_view(s)
            for s in available_slots(service, center=center, start_day=day, days=1)
            if s.start != appointment.start
        ]
    else:
        for slot in available_slots(service, center=center, days=BOOKING_DAYS):
            if slot.start == appointment.start:
                continue
            view = _slot_view(slot)
            row = days.setdefault(
                view["day"], {"day": view["day"], "label": view["day_label"], "times": 0}
            )
            row["times"] += 1
    context.update(
        {
            "day": day,
            "chosen_day_label": _day_label(day) if day else "",
            "days": list(days.values()),
            "times": times,
            "error": error,
            "alternatives": alternatives,
        }
    )
    return render(request, "appointments/booking_move.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def find_booking(request: HttpRequest) -> HttpResponse:
    """ "My bookings": the booking code and the phone number together open a booking (the
    code alone reveals nothing). POST, so the phone number stays out of addresses and logs."""
    form = FindBookingForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        appointment = None
        if form.is_valid():
            try:
                phone = phone_normalize(form.cleaned_data["phone"])
            except InvalidInput:
                phone = ""
            appointment = (
                Appointment.objects.filter(
                    code=form.cleaned_data["code"].strip().upper(), phone=phone
                ).first()
                if phone
                else None
            )
        if appointment is not None:
            return HttpResponseRedirect(
                reverse(
                    "appointments:manage", kwargs={"token": messaging.manage_token(appointment)}
                )
            )
        error, status = _("No booking with this code and phone number."), 404
    return render(request, "appointments/find.html", {"form": form, "error": error}, status=status)


# --- supervisors -----------------------------------------------------------------------------


def _staff_day(request: HttpRequest, center: Center) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", "") or request.POST.get("day", ""))
    except ValueError:
        return _today(center)


def _day_url(center: Center, day: dt.date) -> str:
    return reverse("appointments:staff-day", kwargs={"center": center.slug}) + f"?day={day}"


@login_required
@require_GET
def staff_home(request: HttpRequest) -> HttpResponse:
    centers = list(centers_supervised(request.user))
    if not centers:
        raise PermissionDenied
    if len(centers) == 1:
        return HttpResponseRedirect(
            reverse("appointments:staff-day", kwargs={"center": centers[0].slug})
        )
    return render(request, "appointments/staff_home.html", {"centers": centers})


@login_required
@require_GET
def staff_day(request: HttpRequest, center: str) -> HttpResponse:
    """The day's bookings at the center, by agency, with check-in state and no-shows."""
    where = access_center_for_supervision(request.user, center)
    day = _staff_day(request, where)
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=where.tz)
    rows = (
        Appointment.objects.filter(
            center=where, start__gte=midnight, start__lt=midnight + dt.timedelta(days=1)
        )
        .exclude(status=AppointmentStatus.CANCELLED, code__contains="-")  # moved elsewhere
        .select_related("agency", "service", "ticket")
        .order_by("agency__pk", "start", "seat")
    )
    groups: dict[int, dict] = {}
    totals: dict[str, int] = defaultdict(int)
    now = timezone.now()
    for a in rows:
        group = groups.setdefault(a.agency_id, {"agency": a.agency, "rows": []})
        group["rows"].append(
            {
                "appointment": a,
                "time": a.start.astimezone(where.tz).strftime("%H:%M"),
                "phone": mask_phone(a.phone),
                "can_check_in": a.status == AppointmentStatus.BOOKED and a.end >= now,
            }
        )
        totals[a.status] += 1
    return render(
        request,
        "appointments/staff_day.html",
        {
            "center": where,
            "day": day,
            "day_label": formats.date_format(day, "l j F Y"),
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "groups": list(groups.values()),
            "totals": [(s.label, totals.get(s.value, 0), s.value) for s in AppointmentStatus],
            "count": sum(totals.values()),
        },
    )


@login_required
@require_POST
def staff_check_in(request: HttpRequest, center: str) -> HttpResponse:
    where = access_center_for_supervision(request.user, center)
    appointment = access_appointment_at(where, request.POST.get("appointment", ""))
    try:
        appointment, ticket = actions.appointment_check_in(
            appointment=appointment, acting_user=request.user, channel=IssueChannel.DESK
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(code)s checked in: ticket %(ticket)s.")
            % {"code": appointment.code, "ticket": ticket.number},
        )
    day = appointment.start.astimezone(where.tz).date()
    return HttpResponseRedirect(_day_url(where, day))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_book(request: HttpRequest, center: str) -> HttpResponse:
    """Book for a visitor (on the phone or at the desk): a service and a day, then a free time
    and the visitor's number. No code: the staff member vouches for the number."""
    where = access_center_for_supervision(request.user, center)
    services = list(
        Service.objects.active()
        .filter(center_services__center=where, agency__slot_rules__center=where)
        .select_related("agency")
        .distinct()
        .order_by("agency__pk", "pk")
    )
    chosen = next((s for s in services if s.slug == request.GET.get("service")), None)
    day = _staff_day(request, where)
    form = StaffBookingForm(request.POST or None, initial={"lang": _lang()})
    error, status, alternatives = "", 200, []
    if request.method == "POST" and chosen is not None:
        if form.is_valid():
            try:
                start = parse_slot_key(request.POST.get("start", ""))
            except Http404:
                error, status = _("Choose a time."), 422
            else:
                try:
                    appointment = actions.appointment_book(
                        service=chosen,
                        center=where,
                        start=start,
                        phone=form.cleaned_data["phone"],
                        lang=form.cleaned_data["lang"],
                        email=form.cleaned_data["email"],
                        acting_user=request.user,
                    )
                except DomainError as exc:
                    error, status = str(exc.message), exc.status_code
                    alternatives = _alternatives(exc, chosen, only_center=where)
                else:
                    messages.success(
                        request,
                        _("Booked: code %(code)s. The visitor gets an SMS.")
                        % {"code": appointment.code},
                    )
                    return HttpResponseRedirect(
                        _day_url(where, appointment.start.astimezone(where.tz).date())
                    )
        else:
            error, status = _("Please correct the fields marked below."), 422
    slots = (
        [_slot_view(s) for s in available_slots(chosen, center=where, start_day=day, days=1)]
        if chosen
        else []
    )
    return render(
        request,
        "appointments/staff_book.html",
        {
            "center": where,
            "services": services,
            "chosen": chosen,
            "day": day,
            "slots": slots,
            "form": form,
            "error": error,
            "alternatives": alternatives,
            "chosen_start": request.POST.get("start", ""),
        },
        status=status,
    )


def _closure_reason(closure: Closure, lang: str) -> str:
    if lang == "en" and closure.reason_en:
        return closure.reason_en
    return closure.reason_ar or closure.reason


def _center_agencies(center: Center):
    return Agency.objects.filter(center_agencies__center=center).order_by("pk")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_closures(request: HttpRequest, center: str) -> HttpResponse:
    """The center's coming closures, and a form for a new one."""
    where = access_center_for_supervision(request.user, center)
    form = ClosureForm(request.POST or None, agencies=_center_agencies(where))
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                closure, _affected = actions.closure_create_and_list_affected(
                    center=where,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    agency=data["agency"],
                    reason_ar=data["reason_ar"],
                    reason_en=data["reason_en"],
                    acting_user=request.user,
                )
            except DomainError as exc:
                error, status = str(exc.message), exc.status_code
            else:
                messages.success(request, _("The closure is saved. No one can book those days."))
                return HttpResponseRedirect(
                    reverse(
                        "appointments:staff-closure",
                        kwargs={"center": where.slug, "pk": closure.pk},
                    )
                )
        else:
            error, status = _("Please correct the fields marked below."), 422
    closures = (
        Closure.objects.filter(center=where, ends_on__gte=_today(where))
        .select_related("agency")
        .order_by("starts_on", "pk")
    )
    return render(
        request,
        "appointments/staff_closures.html",
        {"center": where, "form": form, "closures": closures, "error": error},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def staff_closure(request: HttpRequest, center: str, pk: int) -> HttpResponse:
    """The bookings a closure affects; notify their visitors, move them to the nearest free
    time at the center, or cancel them (both of which send an SMS too)."""
    where = access_center_for_supervision(request.user, center)
    closure = access_closure_at(where, pk)
    affected = actions.closure_affected_bookings(closure)
    if request.method == "POST":
        chosen = set(request.POST.getlist("appointment"))
        picked = [a for a in affected if str(a.pk) in chosen]
        what = request.POST.get("action")
        if not picked:
            messages.error(request, _("Choose at least one booking."))
        elif what == "notify":
            told = sum(
                messaging.send_closure_notice(
                    appointment=a,
                    closure_id=closure.pk,
                    reason=_closure_reason(closure, a.lang),
                )
                for a in picked
            )
            messages.success(request, _("Visitors told: %(n)s.") % {"n": told})
        elif what in ("move", "cancel"):
            done, failed = 0, []
            for a in picked:
                try:
                    if what == "move":
                        actions.appointment_move_to_nearest(appointment=a, acting_user=request.user)
                    else:
                        actions.appointment_cancel(appointment=a, acting_user=request.user)
                    done += 1
                except DomainError as exc:
                    failed.append(f"{a.code}: {exc.message}")
            if done:
                messages.success(
                    request,
                    (
                        _("Bookings moved: %(n)s.")
                        if what == "move"
                        else _("Bookings cancelled: %(n)s.")
                    )
                    % {"n": done},
                )
            for line in failed:
                messages.error(request, line)
        return HttpResponseRedirect(request.path)
    told = set(
        OutboundMessage.objects.filter(
            purpose__in=[messaging.closure_notice_purpose(closure.pk, a) for a in affected]
        ).values_list("purpose", flat=True)
    )
    rows = [
        {
            "appointment": a,
            "when": a.start.astimezone(where.tz),
            "day_label": _day_label(a.start.astimezone(where.tz).date()),
            "time": a.start.astimezone(where.tz).strftime("%H:%M"),
            "phone": mask_phone(a.phone),
            "told": messaging.closure_notice_purpose(closure.pk, a) in told,
        }
        for a in affected
    ]
    return render(
        request,
        "appointments/staff_closure.html",
        {"center": where, "closure": closure, "rows": rows},
    )


# --- kiosk check-in ----------------------------------------------------------------------------


def kiosk_check_in(request: HttpRequest, center: str) -> HttpResponse:
    """At the center's kiosk: the booking's QR code (a scanner types the code), its code or
    the phone booked with. On time: an appointment ticket that goes ahead; late: a normal
    ticket; early: when check-in opens. The ticket is then shown as any kiosk ticket."""
    where = get_object_or_404(Center.objects.active(), slug=center)
    code = request.POST.get("code", "").strip()[:12]
    phone = request.POST.get("phone", "").strip()[:20]
    error = ""
    status = 200
    if request.method == "POST":
        try:
            booking = actions.find_booking(center=where, code=code, phone=phone)
            if booking is None:
                raise NotFound(_("No booking for today was found with these details."))
            booking, ticket = actions.appointment_check_in(
                appointment=booking, acting_user=request.user, channel="kiosk"
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status_code
        else:
            url = reverse(
                "queueing:kiosk-service",
                kwargs={
                    "center": where.slug,
                    "agency": ticket.service.agency.slug,
                    "service": ticket.service.slug,
                },
            )
            return HttpResponseRedirect(f"{url}?ticket={ticket.public_id}")
    return render(
        request,
        "appointments/kiosk_check_in.html",
        kiosk_context(where, error=error, code=code, phone=phone),
        status=status,
    )
