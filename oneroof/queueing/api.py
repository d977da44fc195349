"""API of the queue: issue and follow tickets, operate counters, feed display boards."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from oneroof.accounts.actions import api_key_authenticate
from oneroof.accounts.auth import BearerKey
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from oneroof.core.memo import Memo
from oneroof.core.schemas import ERRORS
from oneroof.queueing import actions
from oneroof.queueing.choices import IssueChannel, Outcome, PriorityReason
from oneroof.queueing.models import Line
from oneroof.queueing.permissions import (
    access_counter,
    access_ticket,
    access_ticket_for_staff,
    is_device_or_staff,
    works_at,
)
from oneroof.queueing.selectors import (
    board_state,
    center_counters,
    ticket_payload,
    ticket_view,
)
from oneroof.queueing.throttling import throttle_web_tickets

router = Router(tags=["queue"])
# Every kiosk request names its center and service by slug; a change reaches every
# worker within 30 s.
_CENTERS = Memo("queueing.api.centers", ttl=30).clear_on(Center)
_SERVICES = Memo("queueing.api.services", ttl=30).clear_on(Service, Agency)
STAFF_AUTH = [BearerKey(), django_auth]


def optional_bearer(request: HttpRequest) -> None:
    """For endpoints open to anyone: a device or staff key, when sent, identifies the caller
    (a session already does). The schema does not demand the header."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = api_key_authenticate(header[7:].strip())
        if user is not None:
            request.user = user


# --- schemas ---------------------------------------------------------------------------------


class TicketIn(Schema):
    service: str = Field(..., max_length=100, description="service slug")
    phone: str | None = Field(None, max_length=30)
    priority_reason: PriorityReason | None = None
    lang: str | None = Field(None, pattern="^(ar|en)$")
    channel: IssueChannel = IssueChannel.WEB


class TicketOut(Schema):
    id: str
    number: str
    status: str
    status_label: str
    line: str
    line_name_ar: str
    line_name_en: str
    service: str
    service_name_ar: str
    service_name_en: str
    center: str
    priority_class: str
    issued_at: dt.datetime
    position: int
    people_ahead: int
    estimated_wait_minutes: int
    counter: int | None
    called_at: dt.datetime | None
    track_url: str


class CounterOut(Schema):
    id: int
    number: int
    label: str
    status: str
    employee: str | None
    lines: list[str]
    current: str | None


class CounterOpenIn(Schema):
    services: list[str] = Field(
        ..., min_length=1, max_length=100, description="service slugs; their lines are served"
    )


class CallIn(Schema):
    ticket: str = Field(..., max_length=32)
    reason: str = Field(..., min_length=1, max_length=300)


class CompleteIn(Schema):
    outcome: Outcome
    note: str | None = Field(None, max_length=2000)


class TransferIn(Schema):
    service: str = Field(..., max_length=100)
    keep_arrival: bool = True
    return_to_counter: bool = False


class ResumeIn(Schema):
    counter: int | None = None


class CancelIn(Schema):
    reason: str | None = Field(None, max_length=300)


class BoardCallOut(Schema):
    ticket: str
    number: str
    counter: int
    status: str
    called_at: dt.datetime


class BoardLineOut(Schema):
    prefix: str
    name_ar: str
    name_en: str
    waiting: int


class BoardOut(Schema):
    center: str
    calls: list[BoardCallOut]
    lines: list[BoardLineOut]
    open_counters: int


# --- helpers ---------------------------------------------------------------------------------


def _center(slug: str) -> Center:
    center = _CENTERS.get(
        slug, lambda: Center.objects.active().filter(slug=slug).first(), keep_none=False
    )
    if center is None:
        raise NotFound(_("No center “%(slug)s”.") % {"slug": slug})
    return center


def _service(slug: str) -> Service:
    service = _SERVICES.get(
        slug,
        lambda: Service.objects.active().select_related("agency").filter(slug=slug).first(),
        keep_none=False,
    )
    if service is None:
        raise InvalidInput(
            _("Unknown service “%(slug)s”.") % {"slug": slug},
            details=[{"loc": ["body", "service"], "msg": "unknown service"}],
        )
    return service


def _out(ticket) -> dict:
    return ticket_payload(ticket_view(ticket))


# --- tickets ---------------------------------------------------------------------------------


@router.post(
    "/centers/{center}/tickets",
    response={201: TicketOut, **ERRORS},
    summary="Take a ticket",
)
def issue_ticket(request, center: str, payload: TicketIn):
    """Take a number for a service at a center. Kiosks (device keys) and staff may say the
    channel; anyone else gets a web ticket, limited per address. 409 `line_closed` says when
    the line opens."""
    optional_bearer(request)
    where = _center(center)
    service = _service(payload.service)
    channel = payload.channel
    if not is_device_or_staff(request.user, where.pk):
        channel = IssueChannel.WEB
        throttle_web_tickets(request)
    ticket = actions.ticket_issue(
        center=where,
        service=service,
        channel=channel,
        phone=payload.phone or "",
        priority_reason=payload.priority_reason or "",
        lang=payload.lang or "ar",
        acting_user=request.user,
    )
    return Status(201, _out(ticket))


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="A ticket")
def get_ticket(request, ticket_id: str):
    """A ticket by its unguessable id: state, people ahead, estimated wait, the counter when
    called. A transferred ticket answers with the visitor's current one."""
    return _out(access_ticket(ticket_id))


def _staff_ticket(request, ticket_id: str):
    return access_ticket_for_staff(request.user, ticket_id)


@router.post(
    "/tickets/{ticket_id}/recall",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Announce again",
)
def recall(request, ticket_id: str):
    return _out(
        actions.ticket_recall(ticket=actions.ticket_ref(ticket_id), acting_user=request.user)
    )


@router.post(
    "/tickets/{ticket_id}/start",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Start serving",
)
def start(request, ticket_id: str):
    return _out(
        actions.ticket_start(ticket=actions.ticket_ref(ticket_id), acting_user=request.user)
    )


@router.post(
    "/tickets/{ticket_id}/complete",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Complete with an outcome",
)
def complete(request, ticket_id: str, payload: CompleteIn):
    return _out(
        actions.ticket_complete(
            ticket=actions.ticket_ref(ticket_id),
            outcome=payload.outcome,
            note=payload.note or "",
            acting_user=request.user,
        )
    )


@router.post(
    "/tickets/{ticket_id}/no-show",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="The visitor did not come",
)
def no_show(request, ticket_id: str):
    return _out(
        actions.ticket_no_show(ticket=actions.ticket_ref(ticket_id), acting_user=request.user)
    )


@router.post(
    "/tickets/{ticket_id}/requeue",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Queue a returning no-show again",
)
def requeue(request, ticket_id: str):
    return _out(
        actions.ticket_requeue(ticket=_staff_ticket(request, ticket_id), acting_user=request.user)
    )


@router.post(
    "/tickets/{ticket_id}/park",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Put on hold",
)
def park(request, ticket_id: str):
    return _out(actions.ticket_park(ticket=actions.ticket_ref(ticket_id), acting_user=request.user))


@router.post(
    "/tickets/{ticket_id}/resume",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Resume a visitor on hold",
)
def resume(request, ticket_id: str, payload: ResumeIn):
    ticket = _staff_ticket(request, ticket_id)
    counter = access_counter(request.user, payload.counter) if payload.counter else None
    return _out(actions.ticket_resume(ticket=ticket, counter=counter, acting_user=request.user))


@router.post(
    "/tickets/{ticket_id}/transfer",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Transfer to another service",
)
def transfer(request, ticket_id: str, payload: TransferIn):
    """Answers with the visitor's new ticket in the other line (same number)."""
    ticket = _staff_ticket(request, ticket_id)
    successor = actions.ticket_transfer(
        ticket=ticket,
        service=_service(payload.service),
        keep_arrival=payload.keep_arrival,
        return_to_counter=payload.return_to_counter,
        acting_user=request.user,
    )
    return _out(successor)


@router.post(
    "/tickets/{ticket_id}/cancel",
    response={200: TicketOut, **ERRORS},
    summary="Cancel a ticket",
)
def cancel(request, ticket_id: str, payload: CancelIn | None = None):
    """The holder of a waiting ticket may cancel it with its id alone; staff of the center
    may also cancel one on hold or called."""
    optional_bearer(request)
    ticket = access_ticket(ticket_id)
    staff = request.user.is_authenticated and works_at(request.user, ticket.center_id)
    return _out(
        actions.ticket_cancel(
            ticket=ticket,
            acting_user=request.user,
            by_visitor=not staff,
            reason=(payload.reason if payload else "") or "",
        )
    )


# --- counters --------------------------------------------------------------------------------


@router.get(
    "/centers/{center}/counters",
    response={200: list[CounterOut], **ERRORS},
    auth=STAFF_AUTH,
    summary="Counters of a center",
)
def list_counters(request, center: str):
    where = _center(center)
    if not works_at(request.user, where.pk):
        raise NotAllowed(_("You do not work at this center."))
    return center_counters(where)


def _counter_out(counter) -> dict:
    return next(c for c in center_counters(counter.center) if c["id"] == counter.pk)


@router.post(
    "/counters/{counter_id}/open",
    response={200: CounterOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Open a counter for some services",
)
def open_counter(request, counter_id: int, payload: CounterOpenIn):
    counter = access_counter(request.user, counter_id)
    lines = list(
        Line.objects.filter(
            center=counter.center, is_active=True, line_services__service__slug__in=payload.services
        ).distinct()
    )
    known = set(
        Line.objects.filter(
            center=counter.center, line_services__service__slug__in=payload.services
        ).values_list("line_services__service__slug", flat=True)
    )
    unknown = sorted(set(payload.services) - known)
    if unknown:
        raise InvalidInput(
            _("Not offered at this center: %(slugs)s.") % {"slugs": ", ".join(unknown)}
        )
    actions.counter_open(counter=counter, lines=lines, acting_user=request.user)
    return _counter_out(counter)


@router.post(
    "/counters/{counter_id}/pause",
    response={200: CounterOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Take a break",
)
def pause_counter(request, counter_id: int):
    counter = access_counter(request.user, counter_id)
    actions.counter_pause(counter=counter, acting_user=request.user)
    return _counter_out(counter)


@router.post(
    "/counters/{counter_id}/close",
    response={200: CounterOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Close a counter",
)
def close_counter(request, counter_id: int):
    counter = access_counter(request.user, counter_id)
    actions.counter_close(counter=counter, acting_user=request.user)
    return _counter_out(counter)


@router.post(
    "/counters/{counter_id}/call-next",
    response={200: TicketOut, 204: None, **ERRORS},
    auth=STAFF_AUTH,
    summary="Call the next visitor",
)
def call_next(request, counter_id: int):
    """200 with the called ticket, or 204 when nobody waits."""
    counter = access_counter(request.user, counter_id)
    ticket = actions.ticket_call_next(counter=counter, acting_user=request.user)
    if ticket is None:
        return Status(204, None)
    return Status(200, _out(ticket))


@router.post(
    "/counters/{counter_id}/call",
    response={200: TicketOut, **ERRORS},
    auth=STAFF_AUTH,
    summary="Call a visitor out of order",
)
def call(request, counter_id: int, payload: CallIn):
    counter = access_counter(request.user, counter_id)
    ticket = access_ticket(payload.ticket)
    if ticket.center_id != counter.center_id:
        raise Conflict(_("This visitor is not in a line this counter serves."))
    return _out(
        actions.ticket_call(
            counter=counter, ticket=ticket, reason=payload.reason, acting_user=request.user
        )
    )


# --- display board ---------------------------------------------------------------------------


@router.get(
    "/centers/{center}/board",
    response={200: BoardOut, **ERRORS},
    summary="What the display board shows",
)
def board(request, center: str):
    return board_state(_center(center))
