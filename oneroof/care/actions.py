"""State changes of the care inbox. Pages, the API, the webhooks and the periodic commands
all call these, so a case behaves the same whichever way it arrived."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from oneroof.accounts.models import User
from oneroof.care import sla
from oneroof.care.backends import EmailInbox, Inbound, InboundPost, parse_email
from oneroof.care.choices import (
    ACTIVE_STATUSES,
    PRIORITY_ORDER,
    CaseChannel,
    CaseKind,
    CasePriority,
    CaseStatus,
    Direction,
    Sentiment,
)
from oneroof.care.messaging import (
    agent_reply_text,
    auto_reply_text,
    email_send,
    received_text,
    send_to_citizen,
    subscription_token,
)
from oneroof.care.models import (
    AutoReplyLog,
    Case,
    InternalNote,
    Message,
    MonitoredPost,
    NoticeSubscription,
    PublicNotice,
    Tag,
)
from oneroof.care.permissions import agents_for_case, escalation_target
from oneroof.care.sentiment import analyse
from oneroof.catalog.models import Agency, Service
from oneroof.catalog.text import normalize
from oneroof.centers.models import Center, CenterAgency, CenterService
from oneroof.core import events
from oneroof.core.errors import Conflict, InvalidInput, NotFound
from oneroof.knowledge import search as knowledge
from oneroof.notify.actions import phone_normalize, sms_send
from oneroof.notify.models import OutboundMessage

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
# The best match routes a case to its service's agency from this score up (below it, the
# case waits in the general queue for a person to route it). Lower than the answer threshold:
# a wrong route costs a click, a wrong answer costs the citizen's trust.
ROUTE_THRESHOLD = 0.35
AUTO_REPLY_CHANNELS = (CaseChannel.PORTAL, CaseChannel.EMAIL, CaseChannel.SOCIAL)
RESOLVED_CLOSE_AFTER = dt.timedelta(days=7)
SURVEY_LOOKBACK = dt.timedelta(days=14)
SUBSCRIBE_SMS_PER_HOUR = 3
_ARABIC = re.compile("[\u0600-\u06ff]")
_LATIN = re.compile("[A-Za-z]")


# --- helpers ---------------------------------------------------------------------------------


def detect_lang(text: str) -> str:
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "en" if latin > arabic else "ar"


def guess_kind(text: str) -> str:
    """Inquiry, unless the text reads clearly negative: then a complaint (an agent corrects
    it). A complaint is never answered automatically."""
    return CaseKind.COMPLAINT if analyse(text).score <= -0.4 else CaseKind.INQUIRY


def _center_names() -> list[tuple[int, list[str]]]:
    out = []
    for center in Center.objects.filter(is_active=True).only("pk", "slug", "name_ar", "name_en"):
        names = set()
        for name in (center.name_ar, center.name_en or ""):
            # "مجمع الخدمات الحكومية - الوكرة" → "الوكرة": the part that names the place.
            tail = name.split(" - ")[-1].split(" – ")[-1].strip()
            if tail:
                names.add(normalize(tail))
        place = center.slug.replace("-", " ")
        names.add(place)
        if place.startswith("al "):
            names.add(place[3:])
        out.append((center.pk, [n for n in names if len(n) >= 4]))
    return out


def guess_center(text: str) -> int | None:
    padded = f" {normalize(text)} "
    for center_id, names in _center_names():
        for name in names:
            bare = name[2:] if name.startswith("ال") else name
            for variant in {name, bare}:
                if len(variant) >= 4 and re.search(
                    rf"(?<!\w)(ال|بال|في|و)?{re.escape(variant)}(?!\w)", padded
                ):
                    return center_id
    return None


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            _("Please write your message."), details=[{"loc": ["text"], "msg": _("required")}]
        )
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("The message is too long (at most %(n)s characters).") % {"n": MAX_TEXT},
            details=[{"loc": ["text"], "msg": _("too long")}],
        )
    return text


def _clean_email(address: str) -> str:
    address = (address or "").strip().lower()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidInput(
            _("“%(email)s” is not an e-mail address.") % {"email": address},
            details=[{"loc": ["email"], "msg": _("not an e-mail address")}],
        ) from exc
    return address


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not phone:
        return ""
    try:
        return phone_normalize(phone)
    except InvalidInput as exc:
        raise InvalidInput(
            exc.message, details=[{"loc": ["phone"], "msg": str(exc.message)}]
        ) from exc


def _note(
    case: Case, text: str, *, author: User | None = None, system: bool = True
) -> InternalNote:
    return InternalNote.objects.create(case=case, author=author, text=text, is_system=system)


def _note_in_ar_and_en(case: Case, make) -> InternalNote:
    """A system note in both languages: staff read the inbox in either."""
    texts = []
    for lang in ("ar", "en"):
        with translation.override(lang):
            texts.append(make())
    return _note(case, " / ".join(dict.fromkeys(texts)))


def _set_targets(case: Case, start: dt.datetime) -> None:
    t = sla.targets(kind=case.kind, priority=case.priority, start=start)
    case.respond_by, case.due_at, case.warn_at = t.respond_by, t.due_at, t.warn_at
    case.breached_at = None


def _publish(case: Case, event: str) -> None:
    events.publish(
        "care",
        event,
        {
            "case": case.pk,
            "agency": case.agency_id,
            "center": case.center_id,
            "kind": case.kind,
            "channel": case.channel,
            "status": case.status,
        },
    )


def _search_top(text: str, lang: str):
    """The best knowledge match, or None; search is never allowed to lose a case."""
    try:
        hits = knowledge.search(text, lang=lang, limit=1)
    except Exception:
        logger.exception("knowledge search failed; the case goes to a person")
        return None
    return hits[0] if hits else None


def _confident(text: str, lang: str):
    try:
        return knowledge.confident_answer(text, lang=lang)
    except Exception:
        logger.exception("knowledge search failed; the case goes to a person")
        return None


def _route_from_hit(case: Case, hit) -> None:
    if hit is None or hit.service_id is None:
        return
    service = Service.objects.filter(pk=hit.service_id).select_related("agency").first()
    if service is None:
        return
    case.service = service
    case.agency = service.agency
    case.guess_score = hit.score


# --- opening and threading cases ---------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    inbound: Inbound,
    acting_user: User | None = None,
    auto_reply: bool = True,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case for a message. A new inquiry whose best knowledge match is confident is
    answered at once on its own channel and resolved ("answered automatically — reopen if
    not helpful"); every other case is routed to its agency's queue (or the general queue)."""
    now = now or timezone.now()
    text = _clean_text(inbound.text)
    if inbound.channel not in CaseChannel.values:
        raise InvalidInput(
            _("Unknown channel."), details=[{"loc": ["channel"], "msg": _("unknown")}]
        )
    kind = inbound.kind or guess_kind(text)
    if kind not in CaseKind.values:
        raise InvalidInput(
            _("Unknown kind of case."), details=[{"loc": ["kind"], "msg": _("unknown")}]
        )
    priority = inbound.priority or CasePriority.NORMAL
    if priority not in CasePriority.values:
        raise InvalidInput(
            _("Unknown priority."), details=[{"loc": ["priority"], "msg": _("unknown")}]
        )
    lang = inbound.lang if inbound.lang in ("ar", "en") else detect_lang(text)
    case = Case(
        kind=kind,
        channel=inbound.channel,
        lang=lang,
        subject=(inbound.subject or text.splitlines()[0])[:200],
        citizen_name=inbound.citizen_name[:120],
        phone=_clean_phone(inbound.phone),
        email=_clean_email(inbound.email),
        social_network=inbound.social_network[:30],
        social_handle=inbound.social_handle[:120],
        priority=priority,
        source_ref=inbound.external_id[:200],
        service_id=inbound.service_id,
        agency_id=inbound.agency_id,
        center_id=inbound.center_id,
        owner=acting_user if inbound.channel == CaseChannel.PHONE else None,
        status=CaseStatus.OPEN
        if acting_user and inbound.channel == CaseChannel.PHONE
        else CaseStatus.NEW,
    )
    if case.service_id and not case.agency_id:
        case.agency_id = (
            Service.objects.filter(pk=case.service_id).values_list("agency_id", flat=True).first()
        )
    if case.center_id is None:
        case.center_id = guess_center(text)
    _set_targets(case, now)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        # Delivered twice (a webhook retried, a poller crashed): the first case stands.
        existing = Case.objects.filter(channel=case.channel, source_ref=case.source_ref).first()
        if existing is None:
            raise
        return existing
    Message.objects.create(
        case=case,
        direction=Direction.INBOUND,
        channel=case.channel,
        author=acting_user if case.channel == CaseChannel.PHONE else None,
        text=text,
        external_id=inbound.external_id[:200],
        at=inbound.at or now,
    )
    answered, top, searched = False, None, False
    auto_reply = auto_reply and not inbound.automated
    if auto_reply and kind == CaseKind.INQUIRY and case.channel in AUTO_REPLY_CHANNELS:
        answered, top = _auto_reply(case, text, now=now)
        searched = True
    if not answered and case.agency_id is None:
        top = top if searched else _search_top(text, lang)
        if top is not None and top.score >= ROUTE_THRESHOLD:
            _route_from_hit(case, top)
            case.save(update_fields=["service", "agency", "guess_score"])
    if not answered and case.channel in (CaseChannel.PORTAL,) and (case.phone or case.email):
        send_to_citizen(case, received_text(case))
    _publish(case, "case.created")
    return case


def _auto_reply(case: Case, text: str, *, now: dt.datetime):
    """Answer from the knowledge base when the match is confident; log the best match
    either way, so the threshold can be tuned from what citizens say of the answers.
    Returns whether it answered, and the best match."""
    hit = _confident(text, case.lang)
    top = hit or _search_top(text, case.lang)
    log = AutoReplyLog(
        case=case,
        query=text[:2000],
        lang=case.lang,
        threshold=knowledge.ANSWER_THRESHOLD,
        replied=hit is not None,
    )
    if top is not None:
        log.article_id = top.article_id
        log.article_title = top.title[:200]
        log.article_url = top.url[:300]
        log.score = top.score
    log.save()
    if hit is None:
        return False, top
    reply = auto_reply_text(case, short_answer=hit.short_answer, url=hit.url)
    outbound = send_to_citizen(case, reply, automatic=True)
    Message.objects.create(
        case=case,
        direction=Direction.OUTBOUND,
        channel=case.channel,
        text=reply,
        is_auto=True,
        outbound=outbound,
        at=now,
    )
    if case.agency_id is None:
        _route_from_hit(case, hit)
    case.auto_answered = True
    case.auto_score = hit.score
    case.status = CaseStatus.RESOLVED
    case.first_response_at = now
    case.resolved_at = now
    case.save()
    return True, hit


def _find_thread(inbound: Inbound) -> Case | None:
    """The case a message continues, if any: the reference in an e-mail's subject (from the
    same address), or the open conversation with the same social handle."""
    case = None
    if inbound.channel == CaseChannel.EMAIL and inbound.reply_to_case and inbound.email:
        case = Case.objects.filter(pk=inbound.reply_to_case, email__iexact=inbound.email).first()
    elif inbound.channel == CaseChannel.SOCIAL and inbound.social_handle:
        case = (
            Case.objects.filter(
                channel=CaseChannel.SOCIAL,
                social_network=inbound.social_network,
                social_handle=inbound.social_handle,
            )
            .exclude(status=CaseStatus.CLOSED, merged_into__isnull=True)
            .order_by("-created_at")
            .first()
        )
    seen = set()
    while case is not None and case.merged_into_id and case.pk not in seen:
        seen.add(case.pk)
        case = case.merged_into
    if case is None or case.status == CaseStatus.CLOSED:
        return None
    return case


@transaction.atomic
def case_receive(*, inbound: Inbound, now: dt.datetime | None = None) -> tuple[Case, bool]:
    """A message from a channel: added to the case it continues, or a new case. Returns the
    case and whether it is new. A message delivered twice is stored once."""
    if inbound.external_id:
        seen = (
            Message.objects.filter(channel=inbound.channel, external_id=inbound.external_id[:200])
            .select_related("case")
            .first()
        )
        if seen is not None:
            return seen.case, False
    case = _find_thread(inbound)
    if case is None:
        return case_open(inbound=inbound, now=now), True
    case_citizen_message(
        case=case,
        text=inbound.text,
        channel=inbound.channel,
        external_id=inbound.external_id,
        now=now,
    )
    return case, False


def _reopen(case: Case, now: dt.datetime) -> None:
    """Back to a person, with a fresh SLA clock from now."""
    case.status = CaseStatus.OPEN
    case.resolved_at = None
    case.closed_at = None
    case.paused_at = None
    _set_targets(case, now)


@transaction.atomic
def case_citizen_message(
    *,
    case: Case,
    text: str,
    channel: str | None = None,
    external_id: str = "",
    now: dt.datetime | None = None,
) -> Message:
    """The citizen writes again: waiting cases resume their clock, resolved ones reopen."""
    now = now or timezone.now()
    text = _clean_text(text)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This case is closed. Please write to us again as a new message."))
    message = Message.objects.create(
        case=case,
        direction=Direction.INBOUND,
        channel=channel or case.channel,
        text=text,
        external_id=external_id[:200],
        at=now,
    )
    if case.status == CaseStatus.WAITING:
        sla.resume(case, now)
        case.status = CaseStatus.OPEN
    elif case.status == CaseStatus.RESOLVED:
        _reopen(case, now)
    case.save()
    _publish(case, "case.message")
    return message


# --- agents ----------------------------------------------------------------------------------


@transaction.atomic
def case_reply(
    *,
    case: Case,
    text: str,
    acting_user: User,
    then: str = CaseStatus.WAITING,
    now: dt.datetime | None = None,
) -> Message:
    """An agent answers the citizen on the case's channel. `then` is the status after the
    answer: waiting on the citizen (the clock pauses), resolved, or still open."""
    now = now or timezone.now()
    text = _clean_text(text)
    if then not in (CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.OPEN):
        raise InvalidInput(_("Choose what happens to the case after the answer."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("This case is closed."))
    if case.merged_into_id:
        raise Conflict(
            _("This case was merged into %(ref)s; answer there.")
            % {"ref": f"#{case.merged_into_id}"}
        )
    last_inbound = case.messages.filter(direction=Direction.INBOUND).exclude(external_id="").last()
    outbound = send_to_citizen(
        case,
        agent_reply_text(case, body=text),
        in_reply_to=last_inbound.external_id if last_inbound else "",
    )
    message = Message.objects.create(
        case=case,
        direction=Direction.OUTBOUND,
        channel=case.channel,
        author=acting_user,
        text=text,
        outbound=outbound,
        at=now,
    )
    if case.first_response_at is None:
        case.first_response_at = now
    if case.owner_id is None:
        case.owner = acting_user
    if case.status == CaseStatus.WAITING:
        sla.resume(case, now)
    if case.status == CaseStatus.RESOLVED and then != CaseStatus.RESOLVED:
        case.resolved_at = None
    case.answer_helpful = None
    case.status = then
    if then == CaseStatus.WAITING:
        sla.pause(case, now)
    elif then == CaseStatus.RESOLVED:
        case.resolved_at = now
    case.save()
    _publish(case, "case.replied")
    return message


@transaction.atomic
def case_note_add(*, case: Case, text: str, acting_user: User) -> InternalNote:
    text = _clean_text(text)
    return _note(case, text, author=acting_user, system=False)


@transaction.atomic
def case_assign(*, case: Case, owner: User | None, acting_user: User) -> Case:
    if owner is not None and not agents_for_case(case).filter(pk=owner.pk).exists():
        raise InvalidInput(_("This person does not work on this agency's cases."))
    case.owner = owner
    if owner is not None and case.status == CaseStatus.NEW:
        case.status = CaseStatus.OPEN
    case.save(update_fields=["owner", "status", "updated_at"])
    if owner is None:
        _note_in_ar_and_en(
            case, lambda: _("Unassigned by %(user)s.") % {"user": acting_user.get_username()}
        )
    else:
        _note_in_ar_and_en(
            case,
            lambda: (
                _("Assigned to %(owner)s by %(user)s.")
                % {"owner": owner.get_username(), "user": acting_user.get_username()}
            ),
        )
    return case


@transaction.atomic
def case_update(
    *,
    case: Case,
    acting_user: User,
    kind: str | None = None,
    priority: str | None = None,
    service: Service | None = None,
    agency: Agency | None = None,
    center: Center | None = None,
    clear: tuple[str, ...] = (),
) -> Case:
    """Correct what was guessed: the kind, priority, service, agency or center. A new kind or
    priority recomputes the SLA targets from when the case arrived."""
    changed = []
    if kind is not None and kind != case.kind:
        if kind not in CaseKind.values:
            raise InvalidInput(_("Unknown kind of case."))
        case.kind = kind
        changed.append("kind")
    if priority is not None and priority != case.priority:
        if priority not in CasePriority.values:
            raise InvalidInput(_("Unknown priority."))
        case.priority = priority
        changed.append("priority")
    if service is not None and service.pk != case.service_id:
        case.service = service
        changed.append("service")
        if agency is None and service.agency_id != case.agency_id:
            agency = service.agency
    if agency is not None and agency.pk != case.agency_id:
        case.agency = agency
        changed.append("agency")
        if case.service_id and case.service.agency_id != agency.pk:
            case.service = None
    if center is not None and center.pk != case.center_id:
        case.center = center
        changed.append("center")
    for name in clear:
        if name in changed:  # set in this same call (a service brings its agency)
            continue
        if name in ("service", "agency", "center") and getattr(case, f"{name}_id") is not None:
            setattr(case, name, None)
            changed.append(name)
    if case.agency_id is None and case.service_id is not None:
        case.service = None  # a service belongs to an agency: back to the general queue
        changed.append("service")
    if not changed:
        return case
    if {"kind", "priority"} & set(changed) and case.status in ACTIVE_STATUSES:
        first_response_at = case.first_response_at
        _set_targets(case, case.created_at)
        case.first_response_at = first_response_at
    if {"service", "agency", "center"} & set(changed):
        case.routing_corrected = True
        if case.owner_id and not agents_for_case(case).filter(pk=case.owner_id).exists():
            case.owner = None
    case.save()
    _note_in_ar_and_en(
        case,
        lambda: (
            _("%(user)s changed: %(fields)s.")
            % {
                "user": acting_user.get_username(),
                "fields": ", ".join(str(Case._meta.get_field(f).verbose_name) for f in changed),
            }
        ),
    )
    return case


@transaction.atomic
def case_set_status(
    *, case: Case, status: str, acting_user: User, now: dt.datetime | None = None
) -> Case:
    now = now or timezone.now()
    if status not in CaseStatus.values:
        raise InvalidInput(_("Unknown status."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status == case.status:
        return case
    if case.merged_into_id:
        raise Conflict(_("This case was merged into another."))
    before = case.status
    if before == CaseStatus.WAITING:
        sla.resume(case, now)
    if status in (CaseStatus.NEW, CaseStatus.OPEN) and before in (
        CaseStatus.RESOLVED,
        CaseStatus.CLOSED,
    ):
        _reopen(case, now)
    case.status = status
    if status == CaseStatus.WAITING:
        sla.pause(case, now)
    elif status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    case.save()
    _note_in_ar_and_en(
        case,
        lambda: (
            _("%(user)s set the status to “%(status)s”.")
            % {"user": acting_user.get_username(), "status": CaseStatus(status).label}
        ),
    )
    _publish(case, "case.status")
    return case


@transaction.atomic
def case_tags_set(*, case: Case, names: list[str], acting_user: User) -> list[Tag]:
    clean = []
    for name in names:
        name = " ".join(name.strip().split())[:40]
        if name and name.lower() not in {n.lower() for n in clean}:
            clean.append(name)
    tags = []
    for name in clean[:20]:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    case.tags.set(tags)
    return tags


@transaction.atomic
def case_escalate(
    *, case: Case, acting_user: User, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """Hand the case up: to the agency's administrator, else the center's supervisor, else a
    system administrator, with a higher priority and an e-mail to them."""
    now = now or timezone.now()
    target = escalation_target(case)
    if target is None:
        raise Conflict(_("There is nobody to escalate this case to."))
    index = PRIORITY_ORDER.index(CasePriority(case.priority))
    case.priority = PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]
    case.escalated_at = now
    case.escalated_to = target
    case.owner = target
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.OPEN
    case.save()
    reason = (reason or "").strip()[:500]
    _note_in_ar_and_en(
        case,
        lambda: (
            _("%(user)s escalated the case to %(target)s.")
            % {"user": acting_user.get_username(), "target": target.get_username()}
            + (f" {reason}" if reason else "")
        ),
    )
    _email_staff(
        [target],
        subject=_("Case %(ref)s was escalated to you") % {"ref": case.reference},
        text=_staff_case_text(case, reason),
        purpose="care:escalated",
    )
    _publish(case, "case.escalated")
    return case


@transaction.atomic
def case_merge(
    *, case: Case, into: Case, acting_user: User, now: dt.datetime | None = None
) -> Case:
    """A duplicate joins the case it repeats: its messages, notes and tags move there, and it
    is closed with a pointer to it."""
    now = now or timezone.now()
    if case.pk == into.pk:
        raise InvalidInput(_("A case cannot be merged into itself."))
    locked = {c.pk: c for c in Case.objects.select_for_update().filter(pk__in=[case.pk, into.pk])}
    case, into = locked[case.pk], locked[into.pk]
    if case.merged_into_id:
        raise Conflict(_("This case was already merged."))
    if into.merged_into_id:
        raise InvalidInput(
            _("Case %(ref)s was itself merged; merge into %(target)s instead.")
            % {"ref": into.reference, "target": f"#{into.merged_into_id}"}
        )
    Message.objects.filter(case=case).update(case=into)
    InternalNote.objects.filter(case=case).update(case=into)
    AutoReplyLog.objects.filter(case=case).update(case=into)
    into.tags.add(*case.tags.all())
    for field in ("phone", "email", "citizen_name"):
        if not getattr(into, field) and getattr(case, field):
            setattr(into, field, getattr(case, field))
    if into.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and case.status in ACTIVE_STATUSES:
        _reopen(into, now)
    into.save()
    case.merged_into = into
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.save()
    _note_in_ar_and_en(
        into,
        lambda: (
            _("%(user)s merged case %(ref)s into this one.")
            % {"user": acting_user.get_username(), "ref": case.reference}
        ),
    )
    _note_in_ar_and_en(
        case,
        lambda: (
            _("Merged into case %(ref)s by %(user)s.")
            % {"user": acting_user.get_username(), "ref": into.reference}
        ),
    )
    return into


# --- the citizen -----------------------------------------------------------------------------


@transaction.atomic
def case_answer_feedback(*, case: Case, helpful: bool, now: dt.datetime | None = None) -> Case:
    """The citizen says whether the answer helped. "Not helpful" reopens the case for a
    person and marks the automatic reply's log entry, so the threshold can be tuned."""
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.messages.filter(direction=Direction.OUTBOUND).exists():
        raise Conflict(_("This case has no answer yet."))
    if case.merged_into_id:
        raise Conflict(_("This case was merged into another."))
    case.answer_helpful = helpful
    log = case.auto_replies.filter(replied=True).order_by("-created_at", "-pk").first()
    if log is not None and case.auto_answered:
        if helpful:
            log.helpful_at, log.not_helpful_at = now, None
        else:
            log.not_helpful_at, log.helpful_at = now, None
        log.save(update_fields=["helpful_at", "not_helpful_at", "updated_at"])
    if not helpful and case.status in (CaseStatus.RESOLVED, CaseStatus.WAITING, CaseStatus.CLOSED):
        if case.status == CaseStatus.WAITING:
            sla.resume(case, now)
            case.status = CaseStatus.OPEN
        else:
            _reopen(case, now)
        if (
            case.auto_answered
            and not case.messages.filter(direction=Direction.OUTBOUND, is_auto=False).exists()
        ):
            case.first_response_at = None  # a person has yet to answer
    case.save()
    if not helpful:
        _note_in_ar_and_en(
            case, lambda: _("The citizen said the answer did not help; the case is open again.")
        )
        _publish(case, "case.reopened")
    return case


# --- periodic work ---------------------------------------------------------------------------


def _staff_case_text(case: Case, extra: str = "") -> str:
    from django.urls import reverse

    from oneroof.care.messaging import absolute

    parts = [
        f"{case.reference} · {case.get_kind_display()} · {case.get_channel_display()}",
        case.subject,
        absolute(reverse("care:case", args=[case.pk])),
    ]
    if extra:
        parts.insert(2, extra)
    return "\n".join(p for p in parts if p)


def _email_staff(users, *, subject: str, text: str, purpose: str) -> int:
    sent = 0
    for user in users:
        if user is not None and user.email:
            email_send(
                to=user.email,
                subject=subject,
                text=text,
                lang=user.preferred_language,
                purpose=purpose,
            )
            sent += 1
    return sent


@transaction.atomic
def sla_flag_breaches(*, now: dt.datetime | None = None) -> list[Case]:
    """Flag each case whose SLA has just been breached, once: a note, an e-mail to its owner
    (or, with no owner, the agency's administrators) and a `case.breached` event."""
    from oneroof.accounts.choices import Role
    from oneroof.accounts.models import RoleAssignment

    now = now or timezone.now()
    flagged = list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(sla.breached_q(now), breached_at__isnull=True, merged_into__isnull=True)
        .select_related("owner")
    )
    for case in flagged:
        case.breached_at = now
        case.save(update_fields=["breached_at", "updated_at"])
        _note_in_ar_and_en(case, lambda: _("The SLA was breached."))
        if case.owner is not None:
            recipients = [case.owner]
        elif case.agency_id:
            recipients = [
                r.user
                for r in RoleAssignment.objects.filter(
                    role=Role.AGENCY_ADMIN, agency_id=case.agency_id
                ).select_related("user")
            ]
        else:
            recipients = []
        _email_staff(
            recipients,
            subject=_("Case %(ref)s is late") % {"ref": case.reference},
            text=_staff_case_text(case),
            purpose="care:breached",
        )
        _publish(case, "case.breached")
    return flagged


@transaction.atomic
def cases_close_resolved(*, now: dt.datetime | None = None) -> int:
    """Resolved cases nobody wrote back to for a week are closed."""
    now = now or timezone.now()
    return Case.objects.filter(
        status=CaseStatus.RESOLVED, resolved_at__lte=now - RESOLVED_CLOSE_AFTER
    ).update(status=CaseStatus.CLOSED, closed_at=now, updated_at=now)


def survey_complaints_import(*, now: dt.datetime | None = None) -> int:
    """A case for every low survey score with a comment (the feedback app's complaints) of
    the last two weeks that has none yet. Safe to run again: the answer is the case's source."""
    from oneroof.feedback.selectors import complaints

    now = now or timezone.now()
    answers = list(complaints(start=now - SURVEY_LOOKBACK).select_related("invite"))
    done = set(
        Case.objects.filter(
            channel=CaseChannel.SURVEY,
            source_ref__in=[f"survey-answer:{a.pk}" for a in answers],
        ).values_list("source_ref", flat=True)
    )
    created = 0
    for answer in answers:
        ref = f"survey-answer:{answer.pk}"
        if ref in done:
            continue
        invite = answer.invite
        case_open(
            inbound=Inbound(
                channel=CaseChannel.SURVEY,
                kind=CaseKind.COMPLAINT,
                text=answer.comment,
                lang=invite.lang,
                phone=invite.phone,
                external_id=ref,
                service_id=answer.service_id,
                agency_id=answer.agency_id,
                center_id=answer.center_id,
                priority=CasePriority.HIGH if answer.overall == 1 else CasePriority.NORMAL,
                at=answer.answered_at,
            ),
            auto_reply=False,
            now=now,
        )
        created += 1
    return created


# --- e-mail ----------------------------------------------------------------------------------


def email_receive(*, raw: bytes) -> tuple[Case, bool]:
    """An e-mail (from the webhook or the mailbox): a reply with the case reference in its
    subject, from the case's own address, continues that case; anything else opens one."""
    return case_receive(inbound=parse_email(raw))


def email_inbox_poll(*, inbox: EmailInbox) -> dict[str, int]:
    """Read every new e-mail of a mailbox into cases. An e-mail is acknowledged to the
    mailbox only once stored; one that cannot be read (no sender, no text) is acknowledged
    and logged, so it does not come back every minute."""
    report = {"read": 0, "new": 0, "threaded": 0, "failed": 0}
    for message_id, raw in inbox.fetch():
        report["read"] += 1
        try:
            _case, new = email_receive(raw=raw)
        except InvalidInput as exc:
            logger.warning("e-mail %s was not read: %s", message_id, exc.message)
            report["failed"] += 1
        else:
            report["new" if new else "threaded"] += 1
        inbox.done(message_id)
    return report


# --- social networks and monitoring ------------------------------------------------------------


def social_post_receive(*, post: InboundPost) -> tuple[Case | MonitoredPost, bool]:
    """A direct message becomes (part of) a case; a public mention is monitored with its
    sentiment. Returns the case or the post, and whether it is new."""
    if post.kind == "message":
        return case_receive(
            inbound=Inbound(
                channel=CaseChannel.SOCIAL,
                text=post.text,
                lang=post.lang,
                citizen_name=post.name,
                social_network=post.network,
                social_handle=post.handle,
                external_id=f"{post.network}:{post.external_id}",
                at=post.posted_at,
            )
        )
    return monitored_post_record(post=post)


@transaction.atomic
def monitored_post_record(*, post: InboundPost) -> tuple[MonitoredPost, bool]:
    existing = MonitoredPost.objects.filter(
        network=post.network, external_id=post.external_id
    ).first()
    if existing is not None:
        return existing, False
    feeling = analyse(post.text)
    lang = post.lang or detect_lang(post.text)
    top = _search_top(post.text, lang)
    agency_id = None
    if top is not None and top.service_id and top.score >= ROUTE_THRESHOLD:
        agency_id = (
            Service.objects.filter(pk=top.service_id).values_list("agency_id", flat=True).first()
        )
    record = MonitoredPost.objects.create(
        network=post.network,
        external_id=post.external_id,
        author_handle=post.handle,
        text=post.text,
        url=post.url,
        lang=lang,
        posted_at=post.posted_at,
        sentiment=feeling.label,
        sentiment_score=feeling.score,
        agency_id=agency_id,
    )
    events.publish("care", "post.recorded", {"post": record.pk, "sentiment": record.sentiment})
    return record, True


@transaction.atomic
def monitored_post_open_case(*, post: MonitoredPost, acting_user: User) -> Case:
    """An agent turns a public mention into a case (a complaint when it reads negative)."""
    if post.case_id:
        return post.case
    case = case_open(
        inbound=Inbound(
            channel=CaseChannel.SOCIAL,
            kind=CaseKind.COMPLAINT if post.sentiment == Sentiment.NEGATIVE else CaseKind.INQUIRY,
            text=post.text,
            lang=post.lang,
            social_network=post.network,
            social_handle=post.author_handle,
            external_id=f"{post.network}:{post.external_id}",
            agency_id=post.agency_id,
            at=post.posted_at,
        ),
        acting_user=acting_user,
        auto_reply=False,
    )
    post.case = case
    post.save(update_fields=["case", "updated_at"])
    _note_in_ar_and_en(
        case,
        lambda: _("Opened by %(user)s from a public post.") % {"user": acting_user.get_username()},
    )
    return case


# --- public notices --------------------------------------------------------------------------


def _board_centers(notice: PublicNotice) -> list[int]:
    centers = Center.objects.filter(is_active=True)
    if notice.center_id:
        return [notice.center_id]
    if notice.service_id:
        ids = CenterService.objects.filter(service_id=notice.service_id).values("center_id")
        return list(centers.filter(pk__in=ids).values_list("pk", flat=True))
    if notice.agency_id:
        ids = CenterAgency.objects.filter(agency_id=notice.agency_id).values("center_id")
        return list(centers.filter(pk__in=ids).values_list("pk", flat=True))
    return list(centers.values_list("pk", flat=True))


def _subscribers(notice: PublicNotice):
    qs = NoticeSubscription.objects.filter(confirmed_at__isnull=False, cancelled_at__isnull=True)
    agency_id = notice.agency_id or (notice.service.agency_id if notice.service_id else None)
    qs = (
        qs.filter(Q(agency__isnull=True) | Q(agency_id=agency_id))
        if agency_id
        else qs.filter(agency__isnull=True)
    )
    if notice.center_id:
        qs = qs.filter(Q(center__isnull=True) | Q(center_id=notice.center_id))
    return qs.order_by("pk")


@transaction.atomic
def public_notice_create(
    *,
    acting_user: User,
    kind: str,
    title_ar: str,
    title_en: str = "",
    body_ar: str = "",
    body_en: str = "",
    agency: Agency | None = None,
    service: Service | None = None,
    center: Center | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    source_notice=None,
) -> PublicNotice:
    title_ar = (title_ar or "").strip()
    if not title_ar:
        raise InvalidInput(
            _("Write the title in Arabic."), details=[{"loc": ["title_ar"], "msg": _("required")}]
        )
    starts_at = starts_at or timezone.now()
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidInput(
            _("The notice must end after it starts."),
            details=[{"loc": ["ends_at"], "msg": _("before the start")}],
        )
    if service is not None and agency is None:
        agency = service.agency
    return PublicNotice.objects.create(
        kind=kind,
        title_ar=title_ar[:160],
        title_en=(title_en or "").strip()[:160],
        body_ar=(body_ar or "").strip(),
        body_en=(body_en or "").strip(),
        agency=agency,
        service=service,
        center=center,
        starts_at=starts_at,
        ends_at=ends_at,
        source_notice=source_notice,
        created_by=acting_user,
    )


@transaction.atomic
def public_notice_publish(
    *, notice: PublicNotice, acting_user: User, now: dt.datetime | None = None
) -> PublicNotice:
    """Publish to the portal (at once), the display boards of the centers concerned (an
    event their ticker listens to) and SMS subscribers of the agency or center."""
    from django.urls import reverse

    from oneroof.care.messaging import absolute

    now = now or timezone.now()
    notice = PublicNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.published_at is not None:
        raise Conflict(_("This notice is already published."))
    notice.published_at = now
    texts = {
        "ar": notice.title_ar + (f" — {notice.body_ar}" if notice.body_ar else ""),
        "en": (notice.title_en or notice.title_ar)
        + (f" — {notice.body_en}" if notice.body_en else ""),
    }
    for center_id in _board_centers(notice):
        events.publish(
            f"board.{center_id}",
            "notice.published",
            {"notice": notice.pk, "kind": notice.kind, "text": texts},
        )
    sent = 0
    for sub in _subscribers(notice).iterator():
        lang = sub.lang if sub.lang in ("ar", "en") else "ar"
        with translation.override(lang):
            link = absolute(reverse("care:notices"))
            stop = absolute(reverse("care:unsubscribe", args=[subscription_token(sub.pk)]))
            title = notice.title_en if lang == "en" and notice.title_en else notice.title_ar
            text = _("OneRoof notice: %(title)s. %(link)s To stop these messages: %(stop)s") % {
                "title": title,
                "link": link,
                "stop": stop,
            }
        sms_send(to=sub.phone, text=text, lang=lang, purpose="care:notice")
        sent += 1
    notice.sms_sent = sent
    notice.save(update_fields=["published_at", "sms_sent", "updated_at"])
    events.publish("care", "notice.published", {"notice": notice.pk})
    return notice


@transaction.atomic
def public_notice_withdraw(
    *, notice: PublicNotice, acting_user: User, now: dt.datetime | None = None
) -> PublicNotice:
    now = now or timezone.now()
    if notice.withdrawn_at is not None:
        return notice
    notice.withdrawn_at = now
    notice.save(update_fields=["withdrawn_at", "updated_at"])
    if notice.published_at is not None:
        for center_id in _board_centers(notice):
            events.publish(f"board.{center_id}", "notice.withdrawn", {"notice": notice.pk})
    return notice


@transaction.atomic
def subscription_request(
    *,
    phone: str,
    lang: str = "ar",
    agency: Agency | None = None,
    center: Center | None = None,
    now: dt.datetime | None = None,
) -> NoticeSubscription:
    """Ask for notices by SMS. Nothing is sent to the phone but a link to confirm, at most a
    few an hour, so nobody can subscribe someone else."""
    from django.urls import reverse

    from oneroof.accounts.otp import TooManyCodes
    from oneroof.care.messaging import absolute

    now = now or timezone.now()
    phone = _clean_phone(phone)
    if not phone:
        raise InvalidInput(
            _("Please enter your phone number."), details=[{"loc": ["phone"], "msg": _("required")}]
        )
    recent = OutboundMessage.objects.filter(
        to=phone, purpose="care:subscribe", created_at__gte=now - dt.timedelta(hours=1)
    ).count()
    if recent >= SUBSCRIBE_SMS_PER_HOUR:
        raise TooManyCodes(
            _("Too many messages were sent to this number. Please try again in an hour.")
        )
    lang = lang if lang in ("ar", "en") else "ar"
    sub = NoticeSubscription.objects.filter(phone=phone, agency=agency, center=center).first()
    if sub is None:
        sub = NoticeSubscription.objects.create(
            phone=phone, lang=lang, agency=agency, center=center
        )
    else:
        sub.lang = lang
        sub.save(update_fields=["lang", "updated_at"])
    if sub.is_live:
        return sub
    with translation.override(lang):
        link = absolute(reverse("care:subscribe-confirm", args=[subscription_token(sub.pk)]))
        text = _("To receive OneRoof notices by SMS, confirm here: %(link)s") % {"link": link}
    sms_send(to=phone, text=text, lang=lang, purpose="care:subscribe")
    return sub


@transaction.atomic
def subscription_confirm(
    *, subscription_id: int, now: dt.datetime | None = None
) -> NoticeSubscription:
    sub = NoticeSubscription.objects.filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound(_("This link is not valid."))
    sub.confirmed_at = now or timezone.now()
    sub.cancelled_at = None
    sub.save(update_fields=["confirmed_at", "cancelled_at", "updated_at"])
    return sub


@transaction.atomic
def subscription_cancel(
    *, subscription_id: int, now: dt.datetime | None = None
) -> NoticeSubscription:
    sub = NoticeSubscription.objects.filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound(_("This link is not valid."))
    if sub.cancelled_at is None:
        sub.cancelled_at = now or timezone.now()
        sub.save(update_fields=["cancelled_at", "updated_at"])
    return sub
