"""API of the care inbox: open a case (portal apps, agency systems), list the cases an agent
works on, public notices for screens, and the inbound webhooks of e-mail and social networks."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError
from ninja.responses import Status
from ninja.security import django_auth

from oneroof.accounts.actions import api_key_authenticate
from oneroof.accounts.auth import BearerKey
from oneroof.accounts.models import User
from oneroof.accounts.permissions import is_system_admin
from oneroof.care import sla
from oneroof.care.actions import case_open, email_receive, social_post_receive
from oneroof.care.backends import Inbound, get_social_adapter, social_secret
from oneroof.care.choices import CaseChannel, CaseKind, Direction
from oneroof.care.messaging import case_link
from oneroof.care.models import Case
from oneroof.care.permissions import is_care_agent
from oneroof.care.selectors import InboxFilter, current_notices, inbox
from oneroof.care.throttling import throttle_cases
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.core.schemas import ERRORS

router = Router(tags=["care"])


def _key_user(request) -> User | None:
    """The user of a bearer key, if one is sent (401 if it is not valid). The endpoint is
    open to anyone without a key; a key says who is calling, never a session (no CSRF)."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    user = api_key_authenticate(key.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise AuthenticationError
    return user


class CaseIn(Schema):
    channel: CaseChannel
    text: str = Field(..., min_length=1, max_length=5000)
    lang: Literal["ar", "en"] | None = None
    kind: CaseKind | None = None
    phone: str | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    name: str | None = Field(None, max_length=120)


class AutoReplyOut(Schema):
    text: str
    article_title: str
    url: str
    score: float


class CaseCreatedOut(Schema):
    id: int
    status: str
    kind: str
    agency: str | None
    service: str | None
    auto_reply: AutoReplyOut | None
    link: str = Field(..., description="the citizen's signed link to follow the case")


@router.post(
    "/care/cases",
    response={201: CaseCreatedOut, **ERRORS},
    auth=None,
    summary="Open a case (an inquiry, complaint or suggestion)",
)
def create_case(request, payload: CaseIn):
    """Anyone may open a case from the portal (`channel: portal`, limited per address);
    agency systems and call centers open `phone`, `email` or `social` cases with the bearer
    key of a care agent (`Authorization: Bearer <key>`). A confident answer from the
    knowledge base comes back at once in `auto_reply` (and on the channel, when a phone or
    e-mail is given)."""
    user = _key_user(request)
    if payload.channel == CaseChannel.SURVEY:
        raise InvalidInput(
            _("Survey cases come from the survey itself."),
            details=[{"loc": ["body", "payload", "channel"], "msg": _("not accepted")}],
        )
    if payload.channel != CaseChannel.PORTAL and not (
        user is not None and (is_care_agent(user) or is_system_admin(user))
    ):
        raise NotAllowed(_("Only care agents may open cases for this channel."))
    if user is None:
        throttle_cases(request)
    case = case_open(
        inbound=Inbound(
            channel=payload.channel,
            text=payload.text,
            lang=payload.lang,
            kind=payload.kind,
            phone=payload.phone or "",
            email=payload.email or "",
            citizen_name=payload.name or "",
        ),
        acting_user=user,
        auto_reply=payload.channel != CaseChannel.PHONE,
    )
    auto = None
    if case.auto_answered:
        log = case.auto_replies.filter(replied=True).first()
        message = case.messages.filter(direction=Direction.OUTBOUND, is_auto=True).first()
        auto = {
            "text": message.text if message else "",
            "article_title": log.article_title if log else "",
            "url": log.article_url if log else "",
            "score": log.score if log and log.score is not None else 0.0,
        }
    return Status(
        201,
        {
            "id": case.pk,
            "status": case.status,
            "kind": case.kind,
            "agency": case.agency.slug if case.agency_id else None,
            "service": case.service.slug if case.service_id else None,
            "auto_reply": auto,
            "link": case_link(case),
        },
    )


class CaseOut(Schema):
    id: int
    kind: str
    channel: str
    status: str
    priority: str
    sla: str
    subject: str
    lang: str
    agency: str | None
    service: str | None
    center: str | None
    owner: str | None
    auto_answered: bool
    created_at: dt.datetime
    due_at: dt.datetime


class CaseFilter(Schema):
    status: str = Field(
        "active", pattern="^(active|all|new|open|waiting_on_citizen|resolved|closed)$"
    )
    channel: CaseChannel | None = None
    kind: CaseKind | None = None
    agency: str | None = Field(None, max_length=80, description="an agency's slug")
    sla: Literal["on_time", "due_soon", "breached", "paused"] | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


@router.get(
    "/care/cases",
    response={200: list[CaseOut], **ERRORS},
    auth=[BearerKey(), django_auth],
    summary="The cases an agent works on",
)
def list_cases(request, filters: Query[CaseFilter]):
    """Scoped like the inbox: an agency's staff see its cases and the general queue,
    supervisors their centers' cases, system administrators all; others get 403."""
    user = request.auth
    if not is_care_agent(user):
        raise NotAllowed(_("Only care agents see cases."))
    agency_id = None
    if filters.agency:
        from oneroof.catalog.models import Agency

        agency_id = Agency.objects.filter(slug=filters.agency).values_list("pk", flat=True).first()
        if agency_id is None:
            raise InvalidInput(_("Unknown agency “%(slug)s”.") % {"slug": filters.agency})
    now = timezone.now()
    qs = inbox(
        user,
        InboxFilter(
            agency=agency_id,
            channel=filters.channel,
            kind=filters.kind,
            status=filters.status,
            sla=filters.sla,
        ),
        now=now,
    )[filters.offset : filters.offset + filters.limit]
    return [
        {
            "id": c.pk,
            "kind": c.kind,
            "channel": c.channel,
            "status": c.status,
            "priority": c.priority,
            "sla": sla.state(c, now),
            "subject": c.subject,
            "lang": c.lang,
            "agency": c.agency.slug if c.agency_id else None,
            "service": c.service.slug if c.service_id else None,
            "center": c.center.slug if c.center_id else None,
            "owner": c.owner.get_username() if c.owner_id else None,
            "auto_answered": c.auto_answered,
            "created_at": c.created_at,
            "due_at": c.due_at,
        }
        for c in qs
    ]


class NoticeOut(Schema):
    id: int
    kind: str
    title_ar: str
    title_en: str
    body_ar: str
    body_en: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None


@router.get(
    "/care/notices",
    response={200: list[NoticeOut], **ERRORS},
    auth=None,
    summary="Public notices shown now",
    url_name="care-notices",
)
def list_notices(request, center: str | None = Query(None, max_length=80)):
    """Closures, changed requirements and new services published now; with `center` (a
    slug or id), those a display board of that center shows in its ticker."""
    center_id = None
    if center:
        found = Center.objects.filter(
            **({"pk": int(center)} if center.isdigit() else {"slug": center})
        ).first()
        if found is None:
            raise InvalidInput(_("Unknown center “%(slug)s”.") % {"slug": center})
        center_id = found.pk
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "title_ar": n.title_ar,
            "title_en": n.title_en,
            "body_ar": n.body_ar,
            "body_en": n.body_en,
            "starts_at": n.starts_at,
            "ends_at": n.ends_at,
        }
        for n in current_notices(center_id=center_id)[:20]
    ]


# --- inbound webhooks --------------------------------------------------------------------------


class InboundOut(Schema):
    case: int | None = None
    post: int | None = None
    new: bool


class EmailIn(Schema):
    sender: str | None = Field(None, alias="from", max_length=320)
    name: str | None = Field(None, max_length=120)
    subject: str | None = Field(None, max_length=500)
    text: str | None = Field(None, max_length=20000)
    message_id: str | None = Field(None, max_length=300)
    raw: str | None = Field(None, max_length=500000, description="the whole message (RFC 5322)")


@router.post(
    "/care/inbound/email",
    response={202: InboundOut, **ERRORS},
    auth=None,
    summary="Inbound e-mail (webhook of a mail provider)",
)
def inbound_email(request, payload: EmailIn):
    """For a mail provider's inbound webhook. The shared secret
    (`ONEROOF_CARE_EMAIL_WEBHOOK_SECRET`) comes in the `X-OneRoof-Secret` header. Send
    either `raw` (the whole message) or `from`, `subject`, `text` and `message_id`."""
    secret = settings.ONEROOF_CARE_EMAIL_WEBHOOK_SECRET
    given = request.headers.get("X-OneRoof-Secret", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        raise AuthenticationError
    if payload.raw:
        raw = payload.raw.encode("utf-8", "surrogateescape")
    else:
        from email.message import EmailMessage

        message = EmailMessage()
        message["From"] = (
            f"{payload.name} <{payload.sender}>" if payload.name else (payload.sender or "")
        )
        message["Subject"] = payload.subject or ""
        if payload.message_id:
            message["Message-ID"] = payload.message_id
        message.set_content(payload.text or "")
        raw = message.as_bytes()
    case, new = email_receive(raw=raw)
    return Status(202, {"case": case.pk, "new": new})


@router.post(
    "/care/inbound/social/{network}",
    response={202: InboundOut, **ERRORS},
    auth=None,
    summary="Inbound social network post (webhook)",
)
def inbound_social(request, network: str):
    """One webhook per network (`network` is its name, e.g. `x`, `instagram`). The body is
    signed with the network's shared secret (`ONEROOF_CARE_SOCIAL_SECRETS`): the header
    `X-OneRoof-Signature: sha256=<hex HMAC-SHA256 of the body>`. A direct message
    (`"type": "message"`) becomes a case; a public mention is monitored with its sentiment."""
    if not network.isidentifier() or len(network) > 30:
        raise InvalidInput(_("Unknown network."))
    secret = social_secret(network)
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    given = request.headers.get("X-OneRoof-Signature", "")
    if not secret or not hmac.compare_digest(given.encode(), expected.encode()):
        raise AuthenticationError
    try:
        payload = json.loads(request.body or b"null")
    except ValueError as exc:
        raise InvalidInput(_("The body must be a JSON object.")) from exc
    post = get_social_adapter().parse(network, payload)
    result, new = social_post_receive(post=post)
    if isinstance(result, Case):
        return Status(202, {"case": result.pk, "new": new})
    return Status(202, {"post": result.pk, "case": result.case_id, "new": new})
