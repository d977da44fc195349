"""Reads of the queue for the ticket page, the counter console, the display board and the
API: positions, estimated waits, what each counter is doing."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from oneroof.centers.models import Center, Counter
from oneroof.core.memo import Memo
from oneroof.queueing.choices import ACTIVE_AT_COUNTER, CounterStatus, PolicyKind, TicketStatus
from oneroof.queueing.models import CallingPolicy, CounterState, Line, Ticket

RECENT_SERVED = 20
# Estimates, recomputed at most every HANDLING_TTL seconds per line.
HANDLING_TTL = 30
_HANDLING = Memo("queueing.handling_minutes", ttl=HANDLING_TTL)
_SERVING = Memo("queueing.counters_serving", ttl=30).clear_on(CounterState)


def latest_leg(ticket: Ticket) -> Ticket:
    """A transferred visitor's current ticket (the page of the first one follows them, also
    back to the first counter when the transfer said "come back")."""
    seen = 0
    while seen < 20 and (
        ticket.status == TicketStatus.TRANSFERRED
        or (ticket.status == TicketStatus.DONE and ticket.return_counter_id)
    ):
        nxt = (
            Ticket.objects.select_related("line", "service", "counter", "center")
            .filter(transferred_from=ticket)
            .first()
        )
        if nxt is None:
            break
        ticket, seen = nxt, seen + 1
    return ticket


def _policy(center_id: int) -> CallingPolicy:
    from oneroof.queueing.actions import policy_for

    return policy_for(center_id)


def people_ahead(ticket: Ticket, policy: CallingPolicy | None = None) -> int:
    """How many waiting visitors of the same line would be called first. Exact for strict
    priority and weighted ageing; for interleaving, the weighted order is the estimate."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    policy = policy or _policy(ticket.center_id)
    waiting = Ticket.objects.filter(line_id=ticket.line_id, status=TicketStatus.WAITING)
    if policy.kind == PolicyKind.STRICT:
        ahead = (
            Q(class_order__lt=ticket.class_order)
            | Q(class_order=ticket.class_order, queued_at__lt=ticket.queued_at)
            | Q(class_order=ticket.class_order, queued_at=ticket.queued_at, pk__lt=ticket.pk)
        )
    else:
        ahead = Q(rank_at__lt=ticket.rank_at) | Q(rank_at=ticket.rank_at, pk__lt=ticket.pk)
    return waiting.filter(ahead).count()


def handling_minutes(line: Line) -> float:
    """Mean minutes per visitor over the line's recent visits, else the services' norm."""
    return _HANDLING.get(line.pk, lambda: _handling_minutes(line))


def _handling_minutes(line: Line) -> float:
    since = timezone.now() - dt.timedelta(days=7)
    recent = list(
        Ticket.objects.filter(
            line=line, status=TicketStatus.DONE, ended_at__gte=since, called_at__isnull=False
        )
        .order_by("-ended_at")
        .values_list("called_at", "ended_at")[:RECENT_SERVED]
    )
    if recent:
        total = sum((end - start).total_seconds() for start, end in recent)
        return max(total / len(recent) / 60, 0.5)
    norms = list(line.services.values_list("avg_service_minutes", flat=True))
    return sum(norms) / len(norms) if norms else 10.0


def counters_serving(line: Line) -> int:
    return _SERVING.get(
        line.pk,
        lambda: CounterState.objects.filter(lines=line, status=CounterStatus.OPEN).count(),
    )


def estimated_wait_minutes(ahead: int, line: Line) -> int:
    per_visitor = handling_minutes(line)
    return math.ceil(ahead * per_visitor / max(counters_serving(line), 1))


@dataclass(frozen=True)
class TicketView:
    ticket: Ticket
    people_ahead: int
    estimated_wait_minutes: int


def ticket_view(ticket: Ticket) -> TicketView:
    ticket = latest_leg(ticket)
    # A ticket just issued comes with its count, made by the statement that inserted it.
    ahead = getattr(ticket, "people_ahead_when_issued", None)
    if ahead is None:
        ahead = people_ahead(ticket)
    wait = (
        estimated_wait_minutes(ahead, ticket.line) if ticket.status == TicketStatus.WAITING else 0
    )
    return TicketView(ticket=ticket, people_ahead=ahead, estimated_wait_minutes=wait)


def ticket_payload(view: TicketView) -> dict:
    t = view.ticket
    return {
        "id": t.public_id,
        "number": t.number,
        "status": t.status,
        "status_label": str(TicketStatus(t.status).label),
        "line": t.line.prefix,
        "line_name_ar": t.line.name_ar or "",
        "line_name_en": t.line.name_en or "",
        "service": t.service.slug,
        "service_name_ar": t.service.name_ar,
        "service_name_en": t.service.name_en or "",
        "center": t.center.slug,
        "priority_class": t.priority_class,
        "issued_at": t.issued_at,
        "position": view.people_ahead + 1 if t.status == TicketStatus.WAITING else 0,
        "people_ahead": view.people_ahead,
        "estimated_wait_minutes": view.estimated_wait_minutes,
        "counter": t.counter.number
        if t.counter_id and t.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        else None,
        "called_at": t.called_at,
        "track_url": f"/t/{t.public_id}/",
    }


def waiting_for_lines(line_ids: list[int], center_id: int, *, limit: int = 50) -> list[dict]:
    """The waiting list a counter sees, in calling order, with each visitor's wait so far."""
    policy = _policy(center_id)
    qs = Ticket.objects.filter(line_id__in=line_ids, status=TicketStatus.WAITING).select_related(
        "service", "line"
    )
    if policy.kind == PolicyKind.STRICT:
        qs = qs.order_by("class_order", "queued_at", "pk")
    else:
        qs = qs.order_by("rank_at", "pk")
    now = timezone.now()
    return [
        {"ticket": t, "waited_minutes": int((now - t.issued_at).total_seconds() // 60)}
        for t in qs[:limit]
    ]


def current_ticket(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.select_related("service", "line", "service__agency")
        .filter(counter=counter, status__in=ACTIVE_AT_COUNTER)
        .first()
    )


def parked_at(counter: Counter) -> QuerySet[Ticket]:
    return Ticket.objects.filter(counter=counter, status=TicketStatus.PARKED).select_related(
        "service"
    )


def center_counters(center: Center) -> list[dict]:
    states = {
        s.counter_id: s
        for s in CounterState.objects.filter(counter__center=center)
        .select_related("employee")
        .prefetch_related("lines")
    }
    active = {
        t.counter_id: t for t in Ticket.objects.filter(center=center, status__in=ACTIVE_AT_COUNTER)
    }
    rows = []
    for counter in Counter.objects.filter(center=center, is_active=True).order_by("number"):
        state = states.get(counter.pk)
        rows.append(
            {
                "id": counter.pk,
                "number": counter.number,
                "label": counter.label,
                "status": state.status if state else CounterStatus.CLOSED,
                "employee": (state.employee.get_full_name() or state.employee.username)
                if state and state.employee
                else None,
                "lines": [line.prefix for line in state.lines.all()] if state else [],
                "current": active[counter.pk].number if counter.pk in active else None,
            }
        )
    return rows


def board_state(center: Center, *, recent: int = 8) -> dict:
    """What a display board shows: the latest calls with counters, waiting per line."""
    today = timezone.now().astimezone(center.tz).date()
    calls = (
        Ticket.objects.filter(
            center=center, business_date=today, called_at__isnull=False, counter__isnull=False
        )
        .select_related("counter")
        .order_by("-called_at", "-pk")[:recent]
    )
    lines = (
        Line.objects.filter(center=center, is_active=True)
        .order_by("prefix")
        .annotate(waiting=Count("tickets", filter=Q(tickets__status=TicketStatus.WAITING)))
    )
    return {
        "center": center.slug,
        "calls": [
            {
                "ticket": t.public_id,
                "number": t.number,
                "counter": t.counter.number,
                "status": t.status,
                "called_at": t.called_at,
            }
            for t in calls
        ],
        "lines": [
            {
                "prefix": line.prefix,
                "name_ar": line.name_ar or "",
                "name_en": line.name_en or "",
                "waiting": line.waiting,
            }
            for line in lines
        ],
        "open_counters": CounterState.objects.filter(
            counter__center=center, status=CounterStatus.OPEN
        ).count(),
    }


def tickets_of_day(center: Center, day: dt.date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(center=center, business_date=day).annotate(
        wait=F("called_at") - F("issued_at")
    )
