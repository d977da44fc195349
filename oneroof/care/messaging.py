"""What the care inbox sends and how: the citizen's signed links, the texts of replies in the
citizen's language, and delivery on the channel a case came from. Every message is recorded
(`notify.OutboundMessage`) before it leaves, and leaves only after the surrounding
transaction commits, so a rolled-back change never reaches anyone."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oneroof.care.backends import get_social_backend
from oneroof.care.choices import CaseChannel
from oneroof.notify.actions import sms_send
from oneroof.notify.models import MessageStatus, OutboundMessage

logger = logging.getLogger(__name__)

CASE_SALT = "oneroof.care.case"
SUBSCRIPTION_SALT = "oneroof.care.subscription"
_REFERENCE = re.compile(r"\[#(\d{1,12})\]")


# --- signed links ----------------------------------------------------------------------------


def _signer(salt: str) -> signing.Signer:
    # "." never occurs in a signature (URL-safe base64), so the token reads well in an SMS.
    return signing.Signer(salt=salt, sep=".")


def case_token(case_id: int) -> str:
    return _signer(CASE_SALT).sign(str(case_id))


def case_id_from_token(token: str) -> int | None:
    try:
        value = _signer(CASE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def subscription_token(subscription_id: int) -> str:
    return _signer(SUBSCRIPTION_SALT).sign(str(subscription_id))


def subscription_id_from_token(token: str) -> int | None:
    try:
        value = _signer(SUBSCRIPTION_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _lang(lang: str) -> str:
    return lang if lang in ("ar", "en") else "ar"


def case_link(case, *, lang: str | None = None) -> str:
    with translation.override(_lang(lang or case.lang)):
        return absolute(reverse("care:case-public", args=[case_token(case.pk)]))


def answer_feedback_link(case, *, lang: str | None = None) -> str:
    with translation.override(_lang(lang or case.lang)):
        return absolute(reverse("care:answer-feedback", args=[case_token(case.pk)]))


def case_reference_in(subject: str) -> int | None:
    found = _REFERENCE.search(subject or "")
    return int(found.group(1)) if found else None


# --- texts -----------------------------------------------------------------------------------


def auto_reply_text(case, *, short_answer: str, url: str) -> str:
    with translation.override(_lang(case.lang)):
        return _(
            "%(answer)s\nMore: %(link)s\nThis answer was sent automatically. If it did not "
            "help, tell us and a person will answer: %(feedback)s"
        ) % {
            "answer": short_answer.strip(),
            "link": absolute(url) if url.startswith("/") else url,
            "feedback": answer_feedback_link(case),
        }


def agent_reply_text(case, *, body: str) -> str:
    """An agent's answer as it leaves: the text, then the link to the case."""
    with translation.override(_lang(case.lang)):
        link = _("Your case %(ref)s: %(link)s") % {"ref": case.reference, "link": case_link(case)}
        return f"{body.strip()}\n\n{link}"


def received_text(case) -> str:
    with translation.override(_lang(case.lang)):
        return _(
            "We received your message (case %(ref)s). A member of staff will answer you. "
            "Follow it here: %(link)s"
        ) % {"ref": case.reference, "link": case_link(case)}


# --- delivery --------------------------------------------------------------------------------


def _mark(message_id: int, *, error: str = "") -> None:
    if error:
        OutboundMessage.objects.filter(pk=message_id).update(
            status=MessageStatus.FAILED, error=error[:300]
        )
    else:
        OutboundMessage.objects.filter(pk=message_id).update(
            status=MessageStatus.SENT, sent_at=timezone.now()
        )


def email_send(
    *, to: str, subject: str, text: str, lang: str = "ar", purpose: str = "", headers=None
) -> OutboundMessage:
    """Record an e-mail, then send it through Django's e-mail backend after commit."""
    record = OutboundMessage.objects.create(
        channel="email", to=to, text=text, lang=lang, purpose=purpose
    )

    def deliver() -> None:
        try:
            EmailMessage(
                subject=subject,
                body=text,
                from_email=settings.ONEROOF_CARE_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
                to=[to],
                headers=headers or {},
            ).send()
        except Exception as exc:  # the mail server is outside; record and carry on
            logger.exception("e-mail %s failed", record.pk)
            _mark(record.pk, error=str(exc))
            return
        _mark(record.pk)

    transaction.on_commit(deliver)
    return record


def social_send(
    *, network: str, handle: str, text: str, lang: str, in_reply_to: str = ""
) -> OutboundMessage:
    record = OutboundMessage.objects.create(
        channel="social", to=f"{network}:{handle}"[:120], text=text, lang=lang, purpose="care"
    )

    def deliver() -> None:
        try:
            get_social_backend().send(
                network=network, handle=handle, text=text, in_reply_to=in_reply_to
            )
        except Exception as exc:  # the network is outside; record and carry on
            logger.exception("social reply %s failed", record.pk)
            _mark(record.pk, error=str(exc))
            return
        _mark(record.pk)

    transaction.on_commit(deliver)
    return record


def email_subject(case) -> str:
    with translation.override(_lang(case.lang)):
        base = case.subject or _("Your message to OneRoof")
    if not base.lower().startswith("re:"):
        base = f"Re: {base}"
    return f"{base} [{case.reference}]"


def reply_route(case) -> str:
    """How an answer reaches the citizen: "social", "email", "sms" or "" (the case page
    only). The same order as `send_to_citizen`."""
    if case.channel == CaseChannel.SOCIAL and case.social_handle:
        return "social"
    if case.channel == CaseChannel.EMAIL and case.email:
        return "email"
    if case.phone:
        return "sms"
    if case.email:
        return "email"
    return ""


def send_to_citizen(
    case, text: str, *, in_reply_to: str = "", automatic: bool = False
) -> OutboundMessage | None:
    """Send on the case's own channel: a social network back to the handle, e-mail back to
    the address, anything else by SMS to the phone. A portal visitor who left no contact
    reads the answer on the case's page; nothing is sent then."""
    route = reply_route(case)
    if route == "social":
        # Messages are stored as "<network>:<id>"; the network knows its own id.
        prefix = f"{case.social_network}:"
        return social_send(
            network=case.social_network,
            handle=case.social_handle,
            text=text,
            lang=case.lang,
            in_reply_to=in_reply_to.removeprefix(prefix),
        )
    if route == "email":
        headers = {"In-Reply-To": in_reply_to} if in_reply_to else {}
        if automatic:
            headers["Auto-Submitted"] = "auto-replied"  # RFC 3834: do not answer this
        return email_send(
            to=case.email,
            subject=email_subject(case),
            text=text,
            lang=case.lang,
            purpose="care",
            headers=headers,
        )
    if route == "sms":
        return sms_send(to=case.phone, text=text, lang=case.lang, purpose="care")
    return None
