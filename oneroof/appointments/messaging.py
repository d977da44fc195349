"""Messages to visitors about their appointments, each in the visitor's language with the
time in the center's local time: the confirmation (SMS, and e-mail with a calendar file when
an address was given), the notice of a cancellation or a closure, and the reminders 24 hours
and 2 hours before.

Every SMS carries a signed link to the booking, so a visitor needs no account to move or
cancel it. The link names the booking code and is signed with a key bound to the booking's
phone number: the number never appears in the address, and a link is worthless for any
other booking."""

from __future__ import annotations

import datetime as dt
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from oneroof.appointments.choices import AppointmentStatus
from oneroof.appointments.models import Appointment
from oneroof.appointments.selectors import rule_for
from oneroof.catalog.models import Service
from oneroof.core.errors import InvalidInput
from oneroof.notify.actions import sms_send
from oneroof.notify.models import OutboundMessage

logger = logging.getLogger(__name__)

SIGNING_SALT = "oneroof.appointments.manage-link"
# Longer than the longest booking window (a year), so the link of the confirmation still
# works on the day of the visit.
LINK_MAX_AGE = dt.timedelta(days=400)
REMINDERS = (("reminder24", dt.timedelta(hours=24)), ("reminder2", dt.timedelta(hours=2)))


class LinkInvalid(InvalidInput):
    code = "link_invalid"


class LinkExpired(InvalidInput):
    code = "link_expired"


def _lang(lang: str | None) -> str:
    return lang if lang in ("ar", "en") else settings.LANGUAGE_CODE


def site_url() -> str:
    return (getattr(settings, "ONEROOF_SITE_URL", "") or getattr(settings, "SITE_URL", "")).rstrip(
        "/"
    )


# --- the signed link -------------------------------------------------------------------------


def _signer(phone: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{SIGNING_SALT}:{phone}")


def manage_token(appointment: Appointment) -> str:
    """`CODE:timestamp:signature`. The code stays the same when the booking moves."""
    return _signer(appointment.phone).sign(appointment.code)


def appointment_from_token(token: str) -> Appointment:
    """The booking a link stands for; LinkInvalid when tampered with, LinkExpired when old."""
    code = (token or "").split(":", 1)[0]
    appointment = (
        Appointment.objects.select_related("center", "service", "agency").filter(code=code).first()
        if code
        else None
    )
    if appointment is None:
        raise LinkInvalid(_("This link is not valid. Find your booking with its code instead."))
    try:
        _signer(appointment.phone).unsign(token, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpired(
            _("This link has expired. Find your booking with its code and phone number.")
        ) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(
            _("This link is not valid. Find your booking with its code instead.")
        ) from exc
    return appointment


def manage_path(appointment: Appointment, lang: str | None = None) -> str:
    with translation.override(_lang(lang or appointment.lang)):
        return reverse("appointments:manage", kwargs={"token": manage_token(appointment)})


def manage_url(appointment: Appointment) -> str:
    return site_url() + manage_path(appointment)


def book_again_url(service: Service, lang: str) -> str:
    with translation.override(_lang(lang)):
        return site_url() + reverse("appointments:book", kwargs={"service": service.slug})


# --- words -----------------------------------------------------------------------------------


def local_start(appointment: Appointment) -> dt.datetime:
    return appointment.start.astimezone(appointment.center.tz)


def when_label(appointment: Appointment) -> str:
    """“Sunday 3 January 2027 at 09:00” in the active language, center's local time."""
    local = local_start(appointment)
    return _("%(day)s at %(time)s") % {
        "day": formats.date_format(local, "l j F Y"),
        "time": local.strftime("%H:%M"),
    }


def _facts(appointment: Appointment) -> dict[str, str]:
    return {
        "code": appointment.code,
        "service": appointment.service.name,
        "center": appointment.center.name,
        "when": when_label(appointment),
        "link": manage_url(appointment),
    }


def _fresh(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_related("center", "service", "agency")
        .filter(pk=appointment_id)
        .first()
    )


# --- the calendar file -----------------------------------------------------------------------


def _ics_escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    """RFC 5545 §3.1: lines of at most 75 octets, continued after CRLF and one space, never
    cutting a UTF-8 character in two (Arabic letters take two octets)."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not parts else 74  # a continuation line starts with the space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_text(appointment: Appointment, lang: str, now: dt.datetime | None = None) -> str:
    """A calendar file (RFC 5545) of the visit, written in `lang`. The UID is the booking
    code, which the booking keeps when moved, so a new file updates the same event."""
    now = now or timezone.now()
    host = urlsplit(site_url()).hostname or "oneroof"
    with translation.override(_lang(lang)):
        center = appointment.center
        location = ", ".join(x for x in (center.name, center.address) if x)
        description = _(
            "Booking code %(code)s for %(service)s (%(agency)s). On arrival, check in at the "
            "kiosk with this code. To move or cancel: %(link)s"
        ) % {
            "code": appointment.code,
            "service": appointment.service.name,
            "agency": appointment.agency.name,
            "link": site_url() + manage_path(appointment, lang),
        }
        summary = _("%(service)s at %(center)s") % {
            "service": appointment.service.name,
            "center": center.name,
        }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OneRoof//Appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment.code}@{host}",
        f"DTSTAMP:{_ics_time(now)}",
        f"DTSTART:{_ics_time(appointment.start)}",
        f"DTEND:{_ics_time(appointment.end)}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"LOCATION:{_ics_escape(location)}",
        f"DESCRIPTION:{_ics_escape(description)}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_ics_fold(line) + "\r\n" for line in lines)


# --- sending ---------------------------------------------------------------------------------


def _sms(appointment: Appointment, text: str, purpose: str) -> OutboundMessage:
    return sms_send(to=appointment.phone, text=text, lang=appointment.lang, purpose=purpose)


def _email(appointment: Appointment, subject: str, body: str) -> None:
    """E-mail with the calendar file attached. A mail server that fails is logged: the SMS
    has already told the visitor."""
    message = EmailMessage(subject=subject, body=body, to=[appointment.email])
    message.attach(
        f"oneroof-{appointment.code}.ics",
        ics_text(appointment, appointment.lang),
        "text/calendar; charset=utf-8; method=PUBLISH",
    )
    try:
        message.send()
    except Exception:  # the mail server is outside; record and carry on
        logger.exception("E-mail about appointment %s failed", appointment.pk)


def send_confirmation(appointment_id: int, *, moved: bool = False) -> None:
    """After a booking or a move: the code, the center, the time and the link to manage it."""
    appointment = _fresh(appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return
    with translation.override(_lang(appointment.lang)):
        facts = _facts(appointment)
        if moved:
            text = _(
                "OneRoof: your appointment has moved. Code %(code)s · %(service)s · "
                "%(center)s · %(when)s. To move or cancel: %(link)s"
            )
            subject = _("Your appointment at %(center)s has moved")
        else:
            text = _(
                "OneRoof: your appointment is booked. Code %(code)s · %(service)s · "
                "%(center)s · %(when)s. To move or cancel: %(link)s"
            )
            subject = _("Your appointment at %(center)s")
        _sms(appointment, text % facts, "appointment:confirmation")
        if appointment.email:
            _email(appointment, subject % facts, text % facts)


def send_cancellation(appointment_id: int) -> None:
    appointment = _fresh(appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.CANCELLED:
        return
    with translation.override(_lang(appointment.lang)):
        text = _(
            "OneRoof: your appointment %(code)s at %(center)s on %(when)s is cancelled. "
            "To book again: %(link)s"
        ) % {
            **_facts(appointment),
            "link": book_again_url(appointment.service, appointment.lang),
        }
    _sms(appointment, text, "appointment:cancelled")


def closure_notice_purpose(closure_id: int, appointment: Appointment) -> str:
    return f"appointment:closure:{closure_id}:{appointment.pk}"


def send_closure_notice(*, appointment: Appointment, closure_id: int, reason: str) -> bool:
    """Tell a visitor that the center is closed on the day of the booking, with the link to
    choose another time. Once per booking and closure; False if already told."""
    purpose = closure_notice_purpose(closure_id, appointment)
    if OutboundMessage.objects.filter(to=appointment.phone, purpose=purpose).exists():
        return False
    with translation.override(_lang(appointment.lang)):
        text = _(
            "OneRoof: %(center)s is closed on the day of your appointment %(code)s "
            "(%(when)s): %(reason)s. Please choose another time: %(link)s"
        ) % {**_facts(appointment), "reason": reason}
    _sms(appointment, text, purpose)
    return True


def reminder_purpose(kind: str, appointment: Appointment) -> str:
    # By booking row, not code: a booking that moves keeps its code but is a new row, and
    # its new time deserves its own reminders.
    return f"appointment:{kind}:{appointment.pk}"


def appointments_send_reminders(*, now: dt.datetime | None = None) -> int:
    """Send the reminders that are due: 24 hours and 2 hours before the start. Idempotent,
    so it can run every minute: each reminder sent is an OutboundMessage with its own
    purpose, and one that exists is not sent again. A booking made after a reminder's moment
    does not get it (the confirmation has just told the visitor). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for kind, before in REMINDERS:
        # Due from `before` ahead until the next, shorter reminder takes over.
        nearer = next((b for k, b in REMINDERS if b < before), dt.timedelta(0))
        with transaction.atomic():
            due = list(
                Appointment.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("center", "service", "agency")
                .filter(
                    status=AppointmentStatus.BOOKED,
                    start__gt=now + nearer,
                    start__lte=now + before,
                )
                .order_by("start", "pk")
            )
            due = [a for a in due if a.created_at <= a.start - before]
            if not due:
                continue
            done = set(
                OutboundMessage.objects.filter(
                    to__in={a.phone for a in due},
                    purpose__in=[reminder_purpose(kind, a) for a in due],
                ).values_list("purpose", flat=True)
            )
            for appointment in due:
                purpose = reminder_purpose(kind, appointment)
                if purpose in done:
                    continue
                with translation.override(_lang(appointment.lang)):
                    text = _(
                        "OneRoof reminder: your appointment %(code)s for %(service)s at "
                        "%(center)s is on %(when)s. Check in at the kiosk with your code. "
                        "To move or cancel: %(link)s"
                    ) % _facts(appointment)
                _sms(appointment, text, purpose)
                sent += 1
    return sent


def reminder_check_in_minutes(appointment: Appointment) -> int:
    rule = rule_for(appointment.center_id, appointment.service)
    return rule.early_minutes if rule else 15
