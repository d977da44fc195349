"""Booking, moving and cancelling appointments, and the default slot rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneroof.accounts.permissions import AnyUser
from oneroof.appointments import messaging
from oneroof.appointments.choices import HOLDS_PLACE, AppointmentStatus
from oneroof.appointments.models import Appointment, SlotRule
from oneroof.appointments.selectors import available_slots, rule_for
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center, CenterAgency, Closure
from oneroof.core.errors import Conflict, InvalidInput, NotAllowed
from oneroof.notify.actions import phone_normalize
from oneroof.queueing.actions import ticket_issue
from oneroof.queueing.choices import PriorityClass


class SlotTaken(Conflict):
    code = "slot_taken"


def no_shows_of(phone: str, *, since: dt.datetime) -> int:
    """How many appointments this phone booked and did not come to, since a moment."""
    return Appointment.objects.filter(
        phone=phone, status=AppointmentStatus.NO_SHOW, start__gte=since
    ).count()


def slot_rules_ensure_defaults() -> int:
    """Every hosted agency at every center takes appointments out of the box: 15-minute
    slots, 2 places, during the desk's opening hours. Idempotent."""
    created = 0
    for link in CenterAgency.objects.all():
        _rule, made = SlotRule.objects.get_or_create(
            center_id=link.center_id, agency_id=link.agency_id, service=None
        )
        created += made
    return created


def on_catalog_imported(group: str, event_type: str, payload: dict[str, Any]) -> None:
    if event_type == "catalog.imported":
        slot_rules_ensure_defaults()


def _alternatives(
    service: Service, center: Center, start: dt.datetime, now: dt.datetime, limit: int = 5
) -> list[dict]:
    local_day = start.astimezone(center.tz).date()
    slots = available_slots(service, start_day=local_day, days=3, now=now)
    slots.sort(key=lambda s: (abs((s.start - start).total_seconds()), s.center.pk != center.pk))
    return [
        {"center": s.center.slug, "start": s.start.isoformat(), "remaining": s.remaining}
        for s in slots[:limit]
    ]


def _after_commit(send, appointment_id: int, **kwargs: Any) -> None:
    """Messages leave only once the change is committed; a failure to send is logged by
    Django and never undoes the booking (robust)."""
    transaction.on_commit(lambda: send(appointment_id, **kwargs), robust=True)


def appointment_book(
    *,
    service: Service,
    center: Center,
    start: dt.datetime,
    phone: str,
    lang: str = "ar",
    email: str = "",
    acting_user: AnyUser | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book one place in a slot. The phone is proven by a one-time code (checked by the
    caller) or the booking is made by an employee for a visitor. Two people taking the last
    place at the same instant: one gets it, the other SlotTaken with the nearest free slots.
    The visitor gets a confirmation by SMS (and e-mail) after commit."""
    appointment = _book(
        service=service,
        center=center,
        start=start,
        phone=phone,
        lang=lang,
        email=email,
        acting_user=acting_user,
        now=now,
    )
    _after_commit(messaging.send_confirmation, appointment.pk)
    return appointment


def _book(
    *,
    service: Service,
    center: Center,
    start: dt.datetime,
    phone: str,
    lang: str,
    email: str,
    acting_user: AnyUser | None,
    now: dt.datetime | None,
) -> Appointment:
    now = now or timezone.now()
    phone = phone_normalize(phone)
    if start.tzinfo is None:
        raise InvalidInput(_("The start time must include its time zone."))
    rule = rule_for(center.pk, service)
    if rule is None:
        raise Conflict(
            _("This service takes no appointments at this center."), code="no_appointments"
        )
    local_day = start.astimezone(center.tz).date()
    slot = next(
        (
            s
            for s in available_slots(
                service, center=center, start_day=local_day, days=1, now=now, include_full=True
            )
            if s.start == start
        ),
        None,
    )
    if slot is None:
        raise InvalidInput(
            _("There is no bookable slot at this time."),
            details={"alternatives": _alternatives(service, center, start, now)},
        )
    active = Appointment.objects.filter(
        phone=phone, service=service, status=AppointmentStatus.BOOKED, start__gt=now
    ).count()
    if active >= rule.max_active_per_phone:
        raise Conflict(
            _(
                "This phone number already has an appointment for this service. "
                "Move or cancel it instead."
            ),
            code="limit_reached",
        )
    if rule.max_no_shows:
        missed = no_shows_of(phone, since=now - dt.timedelta(days=rule.no_show_window_days))
        if missed >= rule.max_no_shows and not (acting_user and acting_user.is_authenticated):
            raise Conflict(
                _(
                    "This number missed %(n)s appointments recently, so it cannot book online "
                    "for now. Please take a ticket at the center or ask its staff."
                )
                % {"n": missed},
                code="no_show_limit",
            )
    taken = set(
        Appointment.objects.filter(
            center=center, agency_id=service.agency_id, start=start, status__in=HOLDS_PLACE
        ).values_list("seat", flat=True)
    )
    for seat in range(1, rule.capacity + 1):
        if seat in taken:
            continue
        try:
            with transaction.atomic():
                return Appointment.objects.create(
                    center=center,
                    agency_id=service.agency_id,
                    service=service,
                    start=start,
                    end=slot.end,
                    seat=seat,
                    phone=phone,
                    email=email,
                    lang=lang,
                    booked_by=acting_user if acting_user and acting_user.is_authenticated else None,
                )
        except IntegrityError:
            continue  # someone took this place a moment ago; try the next one
    raise SlotTaken(
        _("This time has just been taken. Here are the nearest free times."),
        details={"alternatives": _alternatives(service, center, start, now)},
    )


def _held(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update()
        .select_related("center", "service")
        .get(pk=appointment.pk)
    )
    if locked.status != AppointmentStatus.BOOKED:
        raise Conflict(
            _("This appointment is “%(status)s”: it cannot be changed.")
            % {"status": locked.get_status_display()},
            code="wrong_state",
        )
    return locked


def _before_deadline(appointment: Appointment, now: dt.datetime) -> None:
    rule = rule_for(appointment.center_id, appointment.service)
    minutes = rule.cancel_deadline_minutes if rule else 0
    if now > appointment.start - dt.timedelta(minutes=minutes):
        raise Conflict(
            _("It is too late to change this appointment online. Please contact the center."),
            code="too_late",
        )


def appointment_cancel(
    *, appointment: Appointment, acting_user: AnyUser | None = None, now: dt.datetime | None = None
) -> Appointment:
    """Cancel a booking (by the visitor's link or by staff) and free its place."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _held(appointment)
        if acting_user is None or not acting_user.is_authenticated:
            _before_deadline(appointment, now)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.save(update_fields=["status", "updated_at"])
        _after_commit(messaging.send_cancellation, appointment.pk)
    return appointment


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: dt.datetime,
    acting_user: AnyUser | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move a booking to another slot of the same service and center: the new place is
    taken first, then the old one freed, in one transaction (never left with neither)."""
    now = now or timezone.now()
    with transaction.atomic():
        old = _held(appointment)
        if acting_user is None or not acting_user.is_authenticated:
            _before_deadline(old, now)
        # The old booking must not count against the per-phone limit while moving.
        old.status = AppointmentStatus.CANCELLED
        old.save(update_fields=["status", "updated_at"])
        new = _book(
            service=old.service,
            center=old.center,
            start=start,
            phone=old.phone,
            lang=old.lang,
            email=old.email,
            acting_user=acting_user,
            now=now,
        )
        # Keep the code the visitor already has.
        code, old.code = old.code, f"{old.code}-{old.pk}"[:12]
        old.save(update_fields=["code"])
        new.code = code
        new.save(update_fields=["code"])
        _after_commit(messaging.send_confirmation, new.pk, moved=True)
    return new


def find_booking(
    *, center: Center, code: str = "", phone: str = "", now: dt.datetime | None = None
) -> Appointment | None:
    """The booking a visitor checks in with: by code, or by phone (today's nearest)."""
    now = now or timezone.now()
    qs = Appointment.objects.filter(center=center, status=AppointmentStatus.BOOKED)
    if code:
        return qs.filter(code=code.strip().upper()).first()
    if phone:
        phone = phone_normalize(phone)
        day = now.astimezone(center.tz).date()
        todays = [
            a
            for a in qs.filter(phone=phone).order_by("start")
            if a.start.astimezone(center.tz).date() == day
        ]
        return min(todays, key=lambda a: abs((a.start - now).total_seconds()), default=None)
    raise InvalidInput(_("Give the booking code or the phone number."))


def appointment_check_in(
    *,
    appointment: Appointment,
    acting_user: AnyUser | None = None,
    channel: str = "kiosk",
    now: dt.datetime | None = None,
):
    """On time (from `early_minutes` before to `late_minutes` after the start): a ticket of
    class appointment, which the calling policy puts ahead. Later: a normal ticket and the
    booking is marked late. Too early: come back at the time given."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _held(appointment)
        rule = rule_for(appointment.center_id, appointment.service)
        early = dt.timedelta(minutes=rule.early_minutes if rule else 15)
        late = dt.timedelta(minutes=rule.late_minutes if rule else 10)
        if now < appointment.start - early:
            opens = (appointment.start - early).astimezone(appointment.center.tz)
            raise Conflict(
                _("You are early. Check-in opens at %(time)s.") % {"time": opens.strftime("%H:%M")},
                code="too_early",
            )
        on_time = now <= appointment.start + late
        ticket = ticket_issue(
            center=appointment.center,
            service=appointment.service,
            channel=channel,
            phone=appointment.phone,
            lang=appointment.lang,
            acting_user=acting_user,
            priority_class=PriorityClass.APPOINTMENT if on_time else PriorityClass.NORMAL,
            at=now,
        )
        appointment.status = AppointmentStatus.CHECKED_IN if on_time else AppointmentStatus.LATE
        appointment.checked_in_at = now
        appointment.ticket = ticket
        appointment.save(update_fields=["status", "checked_in_at", "ticket", "updated_at"])
    return appointment, ticket


def appointments_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Bookings whose slot has ended without a check-in become no-shows."""
    now = now or timezone.now()
    return Appointment.objects.filter(status=AppointmentStatus.BOOKED, end__lt=now).update(
        status=AppointmentStatus.NO_SHOW, updated_at=now
    )


# --- closures --------------------------------------------------------------------------------


def _local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz)


def closure_affected_bookings(closure: Closure) -> list[Appointment]:
    """Bookings still to come that fall on the closure's days (at its center, and at its
    agency's desk when it has one), earliest first."""
    appointments = Appointment.objects.filter(status=AppointmentStatus.BOOKED).select_related(
        "center", "service", "agency"
    )
    if closure.agency_id:
        appointments = appointments.filter(agency_id=closure.agency_id)
    centers = [closure.center] if closure.center_id else list(Center.objects.all())
    found: list[Appointment] = []
    for center in centers:
        found += appointments.filter(
            center=center,
            start__gte=_local_midnight(closure.starts_on, center.tz),
            start__lt=_local_midnight(closure.ends_on + dt.timedelta(days=1), center.tz),
        )
    return sorted(found, key=lambda a: (a.start, a.seat, a.pk))


def closure_create_and_list_affected(
    *,
    center: Center,
    starts_on: dt.date,
    ends_on: dt.date,
    agency: Agency | None,
    reason_ar: str,
    reason_en: str,
    acting_user: AnyUser,
    now: dt.datetime | None = None,
) -> tuple[Closure, list[Appointment]]:
    """Close a center (or one agency's desk there) from `starts_on` to `ends_on` inclusive,
    and return the bookings on those days, which the supervisor then notifies, moves or
    cancels. No new booking can be made on those days from the moment it is saved."""
    from oneroof.appointments.permissions import is_supervisor_of

    if not is_supervisor_of(acting_user, center.pk):
        raise NotAllowed(_("Only the center's supervisor may close it."))
    now = now or timezone.now()
    reason_ar, reason_en = (reason_ar or "").strip(), (reason_en or "").strip()
    if not reason_ar and not reason_en:
        raise InvalidInput(_("Give the reason for the closure."))
    if ends_on < starts_on:
        raise InvalidInput(_("The closure must end on or after the day it starts."))
    if ends_on < now.astimezone(center.tz).date():
        raise InvalidInput(_("This closure is over already."))
    if (ends_on - starts_on).days > 366:
        raise InvalidInput(_("A closure may last a year at most."))
    if (
        agency is not None
        and not CenterAgency.objects.filter(center=center, agency=agency).exists()
    ):
        raise InvalidInput(_("This agency has no desk at this center."))
    closure = Closure.objects.create(
        center=center,
        agency=agency,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason_ar or reason_en,
        reason_ar=reason_ar or reason_en,
        reason_en=reason_en or reason_ar,
    )
    return closure, closure_affected_bookings(closure)


def appointment_move_to_nearest(
    *, appointment: Appointment, acting_user: AnyUser, now: dt.datetime | None = None
) -> Appointment:
    """Move a booking to the free slot nearest its time at the same center (the visitor gets
    the new time by SMS), or Conflict when the next weeks are full."""
    now = now or timezone.now()
    center = appointment.center
    first_day = max(
        now.astimezone(center.tz).date(),
        appointment.start.astimezone(center.tz).date() - dt.timedelta(days=14),
    )
    slots = available_slots(
        appointment.service, center=center, start_day=first_day, days=42, now=now
    )
    if not slots:
        raise Conflict(
            _("There is no free time at this center in the coming weeks."), code="no_free_slot"
        )
    nearest = min(
        slots, key=lambda s: (abs((s.start - appointment.start).total_seconds()), s.start)
    )
    return appointment_reschedule(
        appointment=appointment, start=nearest.start, acting_user=acting_user, now=now
    )
