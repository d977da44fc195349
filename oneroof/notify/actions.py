"""Sending messages: recorded first, sent after the surrounding transaction commits, so a
rolled-back change never texts anyone and a gateway failure never undoes the change."""

from __future__ import annotations

import logging

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneroof.core.errors import InvalidInput
from oneroof.notify.backends import get_sms_backend
from oneroof.notify.models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)


def phone_normalize(raw: str, *, region: str | None = None) -> str:
    """A phone number in E.164 (+97455123456), or InvalidInput with a clear message."""
    try:
        number = phonenumbers.parse(raw.strip(), region or settings.ONEROOF_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(_("“%(phone)s” is not a phone number.") % {"phone": raw}) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(_("“%(phone)s” is not a valid phone number.") % {"phone": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _deliver(message_id: int) -> None:
    message = OutboundMessage.objects.get(pk=message_id)
    try:
        get_sms_backend().send(to=message.to, text=message.text)
    except Exception as exc:  # the gateway is outside; record and carry on
        logger.exception("SMS %s failed", message_id)
        OutboundMessage.objects.filter(pk=message_id).update(
            status=MessageStatus.FAILED, error=str(exc)[:300]
        )
        return
    OutboundMessage.objects.filter(pk=message_id).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )


def sms_send(*, to: str, text: str, lang: str = "ar", purpose: str = "") -> OutboundMessage:
    message = OutboundMessage.objects.create(
        channel="sms", to=to, text=text, lang=lang, purpose=purpose
    )
    transaction.on_commit(lambda: _deliver(message.pk))
    return message
