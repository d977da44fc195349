"""One-time codes by SMS: 6 digits, valid a few minutes, a few tries, rate limited per phone
and per address. A wrong or expired code changes nothing but the count of tries."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oneroof.accounts.models import PhoneCode
from oneroof.core.errors import Conflict, InvalidInput
from oneroof.notify.actions import phone_normalize, sms_send

PURPOSES = {"appointment", "history", "survey"}


class TooManyCodes(Conflict):
    status_code = 429
    code = "too_many_requests"


def _hash(phone: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def otp_request(
    *,
    phone: str,
    purpose: str,
    ip: str | None = None,
    lang: str = "ar",
    now: dt.datetime | None = None,
) -> PhoneCode:
    """Send a new code to `phone`. Raises TooManyCodes past the hourly limits."""
    if purpose not in PURPOSES:
        raise InvalidInput(_("Unknown purpose “%(purpose)s”.") % {"purpose": purpose})
    phone = phone_normalize(phone)
    now = now or timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    if (
        PhoneCode.objects.filter(phone=phone, created_at__gte=hour_ago).count()
        >= settings.ONEROOF_OTP_PER_PHONE_PER_HOUR
    ):
        raise TooManyCodes(
            _("Too many codes were sent to this number. Please try again in an hour.")
        )
    if (
        ip
        and PhoneCode.objects.filter(ip=ip, created_at__gte=hour_ago).count()
        >= settings.ONEROOF_OTP_PER_IP_PER_HOUR
    ):
        raise TooManyCodes(
            _("Too many codes were requested from this address. Please try again later.")
        )
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        record = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_hash(phone, code),
            ip=ip,
            expires_at=now + dt.timedelta(seconds=settings.ONEROOF_OTP_TTL_SECONDS),
        )
        with translation.override(lang if lang in ("ar", "en") else "ar"):
            text = _(
                "Your OneRoof code is %(code)s. It expires in %(minutes)s minutes. Do not share it."
            ) % {"code": code, "minutes": settings.ONEROOF_OTP_TTL_SECONDS // 60}
        sms_send(to=phone, text=text, lang=lang, purpose=f"otp:{purpose}")
    return record


def otp_verify(*, phone: str, purpose: str, code: str, now: dt.datetime | None = None) -> str:
    """Check a code; returns the normalised phone. The code works once."""
    phone = phone_normalize(phone)
    now = now or timezone.now()
    code = (code or "").strip()
    # Decide inside the lock, raise after it: a wrong try must be counted, not rolled back.
    error: InvalidInput | None = None
    with transaction.atomic():
        record = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if record is None or record.expires_at <= now:
            error = InvalidInput(
                _("This code has expired. Please ask for a new one."), code="code_expired"
            )
        elif record.tries >= settings.ONEROOF_OTP_MAX_TRIES:
            error = InvalidInput(
                _("Too many wrong tries. Please ask for a new code."), code="code_locked"
            )
        elif not (
            len(code) == 6
            and code.isdigit()
            and hmac.compare_digest(record.code_hash, _hash(phone, code))
        ):
            PhoneCode.objects.filter(pk=record.pk).update(tries=record.tries + 1)
            error = InvalidInput(_("This code is not right."), code="code_wrong")
        else:
            PhoneCode.objects.filter(pk=record.pk).update(used_at=now)
    if error is not None:
        raise error
    return phone
