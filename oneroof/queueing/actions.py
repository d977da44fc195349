"""Every change of the queue: issuing, calling, serving, transferring; opening counters.

Each action is one database transaction. Events for screens and SMS leave after commit.
Two counters calling at the same instant never get the same ticket: the candidate row is
locked with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL) or the write transaction is taken
immediately (SQLite), and the update is conditional on the ticket still waiting.
See docs/adr/0007-queue-numbers-and-calling.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oneroof.accounts.models import User
from oneroof.accounts.permissions import AnyUser
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center, Counter
from oneroof.centers.selectors import center_hours, opening_status
from oneroof.core import events, memo
from oneroof.core.errors import Conflict, InvalidInput, NotAllowed
from oneroof.core.memo import Memo
from oneroof.notify.actions import phone_normalize, sms_send
from oneroof.queueing import statements
from oneroof.queueing.choices import (
    ACTIVE_AT_COUNTER,
    CLASS_ORDER,
    CounterStatus,
    EventKind,
    IssueChannel,
    Outcome,
    PolicyKind,
    PriorityClass,
    PriorityReason,
    TicketStatus,
)
from oneroof.queueing.models import (
    CallingPolicy,
    CounterEvent,
    CounterState,
    Line,
    LineDay,
    LineService,
    Ticket,
    TicketEvent,
)
from oneroof.queueing.permissions import (
    can_operate_counter,
    is_supervisor_of,
    lines_user_may_serve,
    works_at,
)
from oneroof.transactions.actions import record_from_ticket

FAR_PAST = dt.timedelta(days=1)
# Read on every ticket issued and called; a change reaches every worker within 30 s.
_POLICIES = Memo("queueing.policies", ttl=30).clear_on(CallingPolicy)
_LINES = Memo("queueing.line_of_service", ttl=30).clear_on(Line, LineService)


class LineClosed(Conflict):
    code = "line_closed"


# --- helpers ---------------------------------------------------------------------------------


def policy_for(center: Center | int) -> CallingPolicy:
    """The center's calling policy (made with the defaults if it has none). Read-only: to
    change it, use policy_update."""
    center_id = center if isinstance(center, int) else center.pk

    def load() -> CallingPolicy:
        policy = CallingPolicy.objects.filter(center_id=center_id).first()
        if policy is None:
            policy, _created = CallingPolicy.objects.get_or_create(center_id=center_id)
        return policy

    return _POLICIES.get(center_id, load)


def _rank_at(policy: CallingPolicy, priority_class: str, queued_at: dt.datetime) -> dt.datetime:
    return queued_at - dt.timedelta(minutes=policy.bonus_minutes(priority_class))


def _event(
    ticket: Ticket,
    kind: str,
    from_status: str,
    to_status: str,
    *,
    at: dt.datetime,
    counter: Counter | None = None,
    user: AnyUser | None = None,
    reason: str = "",
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket if ticket.pk else None,
        at=at,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        counter=counter,
        user=user if user is not None and user.is_authenticated else None,
        reason=reason[:300],
    )


def _record(
    ticket: Ticket,
    kind: str,
    from_status: str,
    *,
    at: dt.datetime,
    counter: Counter | None = None,
    user: AnyUser | None = None,
    reason: str = "",
) -> None:
    _event(
        ticket, kind, from_status, ticket.status, at=at, counter=counter, user=user, reason=reason
    ).save(force_insert=True)


def _draw_number(line_id: int, business_date: dt.date) -> int:
    """The next number of a line on a day, in one atomic statement (PostgreSQL and SQLite)."""
    table = connection.ops.quote_name(LineDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (line_id, business_date, last_number) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (line_id, business_date) "
            f"DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number",
            [line_id, business_date],
        )
        return cursor.fetchone()[0]


def line_for_service(center: Center, service: Service) -> Line | None:
    def load() -> Line | None:
        link = (
            LineService.objects.select_related("line")
            .filter(center=center, service=service, line__is_active=True)
            .first()
        )
        return link.line if link else None

    return _LINES.get((center.pk, service.pk), load)


def _publish_ticket(ticket: Ticket, kind: str, extra: dict[str, Any] | None = None) -> None:
    payload = {
        "ticket": ticket.public_id,
        "number": ticket.number,
        "status": ticket.status,
        "line": ticket.line_id,
        "kind": kind,
        "counter": ticket.counter.number if ticket.counter_id else None,
    }
    payload.update(extra or {})
    events.publish_all(
        [
            (f"center.{ticket.center_id}", "queue.changed", payload),
            (f"line.{ticket.line_id}", "queue.changed", payload),
            (f"ticket.{ticket.public_id}", "ticket.changed", payload),
        ]
    )


def _announce(ticket: Ticket) -> None:
    """Tell the display boards of the center to show and announce a call."""
    events.publish(
        f"board.{ticket.center_id}",
        "ticket.called",
        {
            "ticket": ticket.public_id,
            "number": ticket.number,
            "line": ticket.line_id,
            "counter": ticket.counter.number,
            "counter_label": ticket.counter.label,
            "recall": ticket.recall_count,
        },
    )


def _sms(ticket: Ticket, text_for_lang) -> None:
    if not ticket.phone:
        return
    with translation.override(ticket.lang or "ar"):
        sms_send(to=ticket.phone, text=str(text_for_lang()), lang=ticket.lang, purpose="queue")


def _notify_called(ticket: Ticket) -> None:
    _sms(
        ticket,
        lambda: (
            _("Ticket %(number)s: please go to counter %(counter)s now.")
            % {"number": ticket.number, "counter": ticket.counter.number}
        ),
    )


def _notify_near_front(line: Line, policy: CallingPolicy) -> None:
    """SMS the visitors who are now within `notify_at_position` of the front.

    Runs after the call commits, in its own short transaction, and skips tickets another
    counter holds at that instant: marking them inside the call would make two counters
    calling at once wait on each other's tickets."""
    if not policy.notify_at_position:
        return
    line_id, limit = line.pk, policy.notify_at_position

    def notify() -> None:
        # Most calls have nobody to tell: one light read decides, outside any transaction.
        glance = _ordered(
            Ticket.objects.filter(line_id=line_id, status=TicketStatus.WAITING), policy
        ).values_list("phone", "position_notified")[:limit]
        if not any(phone and not notified for phone, notified in glance):
            return
        with transaction.atomic():
            front = list(
                _ordered(
                    Ticket.objects.filter(line_id=line_id, status=TicketStatus.WAITING), policy
                )[:limit]
            )
            due = [t.pk for t in front if t.phone and not t.position_notified]
            if not due:
                return
            locked = set(
                Ticket.objects.filter(pk__in=due, position_notified=False)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)
            )
            for ahead, ticket in enumerate(front):
                if ticket.pk not in locked:
                    continue
                Ticket.objects.filter(pk=ticket.pk).update(position_notified=True)
                if ahead == 0:
                    _sms(
                        ticket,
                        lambda t=ticket: (
                            _("Ticket %(number)s: you are next. Please stay near the counters.")
                            % {"number": t.number}
                        ),
                    )
                else:
                    _sms(
                        ticket,
                        lambda t=ticket, a=ahead: (
                            ngettext(
                                "Ticket %(number)s: %(ahead)s person is ahead of you. Please stay "
                                "near the counters.",
                                "Ticket %(number)s: %(ahead)s people are ahead of you. Please stay "
                                "near the counters.",
                                a,
                            )
                            % {"number": t.number, "ahead": a}
                        ),
                    )

    transaction.on_commit(notify)


def _ordered(qs: QuerySet[Ticket], policy: CallingPolicy) -> QuerySet[Ticket]:
    if policy.kind == PolicyKind.STRICT:
        return qs.order_by("class_order", "queued_at", "pk")
    return qs.order_by("rank_at", "pk")


def _now() -> dt.datetime:
    return timezone.now()


# --- lines -----------------------------------------------------------------------------------

AGENCY_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q: they read like 1, 0 and O


def lines_ensure_defaults(*, center: Center | None = None) -> int:
    """Give every hosted agency at a center one line with all its services there, lettered
    the same at every center, unless the center already has lines for them. Idempotent."""
    agencies = list(Agency.objects.order_by("pk"))
    letters = {
        a.pk: AGENCY_LETTERS[i % len(AGENCY_LETTERS)]
        + ("" if i < len(AGENCY_LETTERS) else AGENCY_LETTERS[i // len(AGENCY_LETTERS)])
        for i, a in enumerate(agencies)
    }
    created = 0
    centers = [center] if center else list(Center.objects.all())
    for c in centers:
        with transaction.atomic():
            taken = set(LineService.objects.filter(center=c).values_list("service_id", flat=True))
            for agency in c.agencies.all():
                services = [s for s in c.services.filter(agency=agency) if s.pk not in taken]
                if not services:
                    continue
                line = Line.objects.filter(center=c, agency=agency).first()
                if line is None:
                    line = Line.objects.create(
                        center=c,
                        agency=agency,
                        prefix=letters[agency.pk],
                        name_ar=agency.name_ar,
                        name_en=agency.name_en,
                    )
                    created += 1
                LineService.objects.bulk_create(
                    [LineService(line=line, service=s, center=c) for s in services]
                )
            CallingPolicy.objects.get_or_create(center=c)
    memo.clear_all()  # bulk_create sends no signals
    return created


def on_catalog_imported(group: str, event_type: str, payload: dict[str, Any]) -> None:
    if event_type == "catalog.imported":
        lines_ensure_defaults()


# --- issuing ---------------------------------------------------------------------------------


def ticket_issue(
    *,
    center: Center,
    service: Service,
    channel: str = IssueChannel.KIOSK,
    phone: str = "",
    priority_reason: str = "",
    lang: str = "ar",
    priority_class: str | None = None,
    acting_user: AnyUser | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """Take a number in the line of `service` at `center`.

    A closed line (the agency's desk is closed now) raises LineClosed with the next opening.
    A phone number already waiting in the same line gets a clear conflict, not a second
    ticket."""
    now = at or _now()
    if channel not in IssueChannel.values:
        raise InvalidInput(_("Unknown channel “%(channel)s”.") % {"channel": channel})
    if priority_reason and priority_reason not in PriorityReason.values:
        raise InvalidInput(_("Unknown priority reason “%(reason)s”.") % {"reason": priority_reason})
    if lang not in ("ar", "en"):
        lang = "ar"
    phone = phone_normalize(phone) if phone and phone.strip() else ""
    if priority_class is None:
        priority_class = PriorityClass.PRIORITY if priority_reason else PriorityClass.NORMAL
    line = line_for_service(center, service)
    if line is None or not service.is_active:
        raise Conflict(
            _("“%(service)s” is not offered at this center.") % {"service": service.name},
            code="not_offered",
        )
    status = opening_status(center_hours(center), agency_id=service.agency_id, at=now)
    if not status.is_open:
        tz = center.tz
        when = status.next_opening.astimezone(tz) if status.next_opening else None
        message = (
            _("This line is closed now. It opens on %(day)s at %(time)s.")
            % {"day": when.strftime("%Y-%m-%d"), "time": when.strftime("%H:%M")}
            if when
            else _("This line is closed now.")
        )
        raise LineClosed(
            message,
            details={
                "next_opening": status.next_opening.isoformat() if status.next_opening else None,
                "reason": status.closed_reason,
            },
        )
    policy = policy_for(center)
    business_date = now.astimezone(center.tz).date()
    if not phone:
        # One statement on PostgreSQL: number, ticket, event and people ahead (statements.py).
        ticket = Ticket(
            center=center,
            line=line,
            service=service,
            business_date=business_date,
            priority_class=priority_class,
            class_order=CLASS_ORDER[priority_class],
            priority_reason=priority_reason,
            channel=channel,
            phone=phone,
            lang=lang,
            issued_at=now,
            queued_at=now,
            rank_at=_rank_at(policy, priority_class, now),
        )
        event = _event(ticket, EventKind.ISSUED, "", ticket.status, at=now, user=acting_user)
        ticket.people_ahead_when_issued = statements.issue(
            ticket, event, prefix=line.prefix, strict=policy.kind == PolicyKind.STRICT
        )
        _publish_ticket(ticket, "issued")
        return ticket
    with transaction.atomic():
        # Drawing the number first holds the line's day row until commit, so two kiosks
        # issuing for the same phone at once are taken one after the other; a refusal rolls
        # the number back, leaving no gap.
        sequence = _draw_number(line.pk, business_date)
        if phone:
            existing = Ticket.objects.filter(
                line=line, phone=phone, status__in=[TicketStatus.WAITING, TicketStatus.CALLED]
            ).first()
            if existing:
                raise Conflict(
                    _("This phone number already has ticket %(number)s in this line.")
                    % {"number": existing.number},
                    code="already_waiting",
                    details={"ticket": existing.public_id},
                )
        ticket = Ticket.objects.create(
            center=center,
            line=line,
            service=service,
            business_date=business_date,
            sequence=sequence,
            number=f"{line.prefix}{sequence:03d}",
            priority_class=priority_class,
            class_order=CLASS_ORDER[priority_class],
            priority_reason=priority_reason,
            channel=channel,
            phone=phone,
            lang=lang,
            issued_at=now,
            queued_at=now,
            rank_at=_rank_at(policy, priority_class, now),
        )
        _record(ticket, EventKind.ISSUED, "", at=now, user=acting_user)
        _publish_ticket(ticket, "issued")
    return ticket


# --- counters --------------------------------------------------------------------------------


def _state(counter: Counter, *, lock: bool = True, with_busy: bool = False) -> CounterState:
    """The counter's state (locked for this transaction unless `lock` is False); with
    `with_busy`, also whether a visitor is at the counter (`state.busy`), in the same read."""
    if lock and with_busy:
        state = statements.counter_state(counter.pk)
        if state is not None:
            state.counter = counter
            return state
    qs = CounterState.objects.select_for_update(of=("self",)) if lock else CounterState.objects
    if with_busy:
        qs = qs.annotate(
            busy=Exists(Ticket.objects.filter(counter=counter, status__in=ACTIVE_AT_COUNTER))
        )
    state = qs.filter(counter=counter).first()
    if state is None:
        CounterState.objects.get_or_create(counter=counter)
        state = qs.get(counter=counter)
    return state


def _counter_event(
    counter: Counter, status: str, user: AnyUser, line_ids: list[int], at: dt.datetime
) -> None:
    CounterEvent.objects.create(
        counter=counter,
        at=at,
        status=status,
        line_ids=line_ids,
        user=user if user.is_authenticated else None,
    )
    events.publish(
        f"center.{counter.center_id}",
        "counter.changed",
        {"counter": counter.number, "status": status},
    )
    events.publish(
        f"counter.{counter.pk}", "counter.changed", {"counter": counter.number, "status": status}
    )


def _active_ticket(counter: Counter) -> Ticket | None:
    return Ticket.objects.filter(counter=counter, status__in=ACTIVE_AT_COUNTER).first()


def counter_open(*, counter: Counter, lines: list[Line], acting_user: User) -> CounterState:
    """Open (or resume) a counter for some of the center's lines that the employee serves."""
    if not lines:
        raise InvalidInput(_("Choose at least one service for this counter."))
    if not counter.is_active:
        raise Conflict(_("Counter %(n)s is out of service.") % {"n": counter.number})
    allowed = {line.pk for line in lines_user_may_serve(acting_user, counter.center_id)}
    if any(line.center_id != counter.center_id for line in lines):
        raise NotAllowed(_("These services are not at this counter's center."))
    if any(line.pk not in allowed for line in lines):
        raise NotAllowed(_("You do not serve some of these services."))
    now = _now()
    with transaction.atomic():
        # One open counter per employee: opening takes the employee's row first, so two
        # counters opened by the same person at once are checked one after the other.
        User.objects.select_for_update().filter(pk=acting_user.pk).first()
        state = _state(counter)
        if state.status != CounterStatus.CLOSED and state.employee_id not in (None, acting_user.pk):
            raise Conflict(
                _("Counter %(n)s is already open by %(name)s.")
                % {"n": counter.number, "name": state.employee}
            )
        elsewhere = (
            CounterState.objects.filter(employee=acting_user)
            .exclude(status=CounterStatus.CLOSED)
            .exclude(pk=state.pk)
            .select_related("counter")
            .first()
        )
        if elsewhere:
            raise Conflict(
                _("You already have counter %(n)s open. Close it first.")
                % {"n": elsewhere.counter.number}
            )
        state.status = CounterStatus.OPEN
        state.employee = acting_user
        state.since = now
        state.save()
        state.lines.set(lines)
        _counter_event(counter, CounterStatus.OPEN, acting_user, [x.pk for x in lines], now)
    return state


def _operated_state(
    counter: Counter, acting_user: User, *, with_busy: bool = False
) -> CounterState:
    state = _state(counter, with_busy=with_busy)
    if not can_operate_counter(acting_user, state):
        raise NotAllowed(_("This counter is not yours to operate."))
    return state


def counter_pause(*, counter: Counter, acting_user: User) -> CounterState:
    now = _now()
    with transaction.atomic():
        state = _operated_state(counter, acting_user)
        if state.status != CounterStatus.OPEN:
            raise Conflict(_("Only an open counter can take a break."))
        if _active_ticket(counter):
            raise Conflict(_("Finish with the current visitor before a break."))
        state.status = CounterStatus.PAUSED
        state.since = now
        state.save(update_fields=["status", "since", "updated_at"])
        _counter_event(
            counter,
            CounterStatus.PAUSED,
            acting_user,
            list(state.lines.values_list("pk", flat=True)),
            now,
        )
    return state


def counter_close(*, counter: Counter, acting_user: User) -> CounterState:
    now = _now()
    with transaction.atomic():
        state = _operated_state(counter, acting_user)
        if state.status == CounterStatus.CLOSED:
            raise Conflict(_("This counter is already closed."))
        if _active_ticket(counter):
            raise Conflict(_("Finish with the current visitor before closing the counter."))
        state.status = CounterStatus.CLOSED
        state.employee = None
        state.since = now
        state.save(update_fields=["status", "employee", "since", "updated_at"])
        state.lines.clear()
        # Visitors sent back to this counter would wait for it forever: any counter may take
        # them now.
        Ticket.objects.filter(reserved_counter=counter, status=TicketStatus.WAITING).update(
            reserved_counter=None
        )
        _counter_event(counter, CounterStatus.CLOSED, acting_user, [], now)
    return state


# --- calling ---------------------------------------------------------------------------------


def _ready_to_call(counter: Counter, acting_user: User) -> CounterState:
    state = _operated_state(counter, acting_user, with_busy=True)
    if state.status != CounterStatus.OPEN:
        raise Conflict(_("Open the counter before calling visitors."))
    if state.busy:
        raise Conflict(_("Finish with the current visitor before calling the next one."))
    return state


def _take(
    ticket: Ticket,
    counter: Counter,
    acting_user: User,
    kind: str,
    now: dt.datetime,
    reason: str = "",
) -> Ticket:
    changes = {
        "status": TicketStatus.CALLED,
        "counter": counter,
        "served_by": acting_user,
        "called_at": now,
        "reserved_counter": None,
    }
    # The conditional update and its event, in one statement on PostgreSQL (statements.py).
    event = _event(ticket, kind, TicketStatus.WAITING, TicketStatus.CALLED,
                   at=now, counter=counter, user=acting_user, reason=reason)  # fmt: skip
    if not statements.update_and_record(
        ticket, changes, event, only_if_status=TicketStatus.WAITING
    ):  # taken by another counter in between: never call a visitor twice
        raise Conflict(
            _("This visitor has just been called by another counter."), code="already_called"
        )
    for name, value in changes.items():
        setattr(ticket, name, value)
    return ticket


def _after_call(ticket: Ticket, policy: CallingPolicy) -> None:
    _publish_ticket(ticket, "called")
    _announce(ticket)
    _notify_called(ticket)
    _notify_near_front(ticket.line, policy)


def ticket_call_next(*, counter: Counter, acting_user: User) -> Ticket | None:
    """Call the next visitor for this counter's lines under the center's policy; None when
    nobody waits."""
    now = _now()
    with transaction.atomic():
        state = _ready_to_call(counter, acting_user)
        policy = policy_for(counter.center_id)
        groups = [""]
        if policy.kind == PolicyKind.INTERLEAVE:
            cycle = policy.interleave_normal + policy.interleave_priority
            prefer_normal = state.cycle_position % cycle < policy.interleave_normal
            groups = ["normal", "favoured"] if prefer_normal else ["favoured", "normal"]
        ticket = None
        for group in groups:
            # One hand-written read (statements.py): the counter's lines, those sent back to
            # it first, then the policy's order; locked, skipping a visitor being taken.
            ticket = statements.next_waiting(
                state_id=state.pk,
                counter_id=counter.pk,
                by_class=policy.kind in (PolicyKind.STRICT, PolicyKind.INTERLEAVE),
                group=group,
            )
            if ticket is not None:
                break
        if ticket is None:
            return None
        ticket = _take(ticket, counter, acting_user, EventKind.CALLED, now)
        if policy.kind == PolicyKind.INTERLEAVE:
            state.cycle_position = (state.cycle_position + 1) % (
                policy.interleave_normal + policy.interleave_priority
            )
            state.save(update_fields=["cycle_position", "updated_at"])
        _after_call(ticket, policy)
    return ticket


def ticket_call(*, counter: Counter, ticket: Ticket, reason: str, acting_user: User) -> Ticket:
    """Call a particular waiting visitor out of order; the reason is logged."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why this visitor is called out of order."))
    now = _now()
    with transaction.atomic():
        state = _ready_to_call(counter, acting_user)
        if not state.lines.filter(pk=ticket.line_id).exists():
            raise Conflict(_("This visitor is not in a line this counter serves."))
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status != TicketStatus.WAITING:
            raise Conflict(_("This visitor is not waiting."), code="not_waiting")
        ticket = _take(locked, counter, acting_user, EventKind.CALLED_OUT_OF_ORDER, now, reason)
        _after_call(ticket, policy_for(counter.center_id))
    return ticket


# --- at the counter --------------------------------------------------------------------------


def ticket_ref(public_id: str) -> Ticket:
    """A ticket known only by its public id, for the counter actions (recall, start,
    complete, no-show, park) to read once, locked: unknown → 404, another center's → 403."""
    return Ticket(public_id=public_id[:32])


def _locked(ticket: Ticket, acting_user: AnyUser | None = None) -> Ticket:
    """The ticket read again under a row lock, with its counter and the counter's state,
    line, service and center (one hand-written read, statements.py)."""
    if ticket.pk is not None:
        locked = statements.locked_ticket(pk=ticket.pk)
        if locked is None:
            raise Ticket.DoesNotExist
        return locked
    locked = statements.locked_ticket(public_id=ticket.public_id)
    if locked is None:
        raise Http404
    if acting_user is None or not works_at(acting_user, locked.center_id):
        raise PermissionDenied
    return locked


def _counter_state(ticket: Ticket) -> CounterState:
    """The state of the ticket's counter, read with the ticket when it was locked."""
    try:
        return ticket.counter.state
    except CounterState.DoesNotExist:
        return _state(ticket.counter, lock=False)


def _at_my_counter(ticket: Ticket, acting_user: User, allowed: tuple[str, ...]) -> Ticket:
    locked = _locked(ticket, acting_user)
    if locked.status not in allowed:
        raise Conflict(
            _("Not possible while the ticket is “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="wrong_state",
        )
    if locked.counter_id is None or not can_operate_counter(acting_user, _counter_state(locked)):
        raise NotAllowed(_("This visitor is not at your counter."))
    return locked


def _save_and_record(
    ticket: Ticket,
    fields: list[str],
    kind: str,
    from_status: str,
    *,
    at: dt.datetime,
    counter: Counter | None = None,
    user: AnyUser | None = None,
    reason: str = "",
) -> None:
    """Save some of the ticket's fields and record its event: one statement on PostgreSQL."""
    event = _event(ticket, kind, from_status, ticket.status,
                   at=at, counter=counter, user=user, reason=reason)  # fmt: skip
    statements.update_and_record(ticket, {f: getattr(ticket, f) for f in fields}, event)


def ticket_recall(*, ticket: Ticket, acting_user: User) -> Ticket:
    now = _now()
    with transaction.atomic():
        ticket = _at_my_counter(ticket, acting_user, (TicketStatus.CALLED,))
        ticket.recall_count += 1
        _save_and_record(
            ticket,
            ["recall_count"],
            EventKind.RECALLED,
            ticket.status,
            at=now,
            counter=ticket.counter,
            user=acting_user,
        )
        _publish_ticket(ticket, "recalled")
        _announce(ticket)
    return ticket


def ticket_start(*, ticket: Ticket, acting_user: User) -> Ticket:
    now = _now()
    with transaction.atomic():
        ticket = _at_my_counter(ticket, acting_user, (TicketStatus.CALLED,))
        ticket.status = TicketStatus.SERVING
        ticket.started_at = now
        _save_and_record(
            ticket,
            ["status", "started_at"],
            EventKind.STARTED,
            TicketStatus.CALLED,
            at=now,
            counter=ticket.counter,
            user=acting_user,
        )
        _publish_ticket(ticket, "started")
    return ticket


def ticket_complete(
    *,
    ticket: Ticket,
    outcome: str,
    note: str = "",
    missing_documents: list[str] | None = None,
    acting_user: User,
) -> Ticket:
    """Finish the visit at this counter with an outcome. A visitor transferred with "come
    back" goes back to the first counter, ahead of everyone."""
    if outcome not in Outcome.values:
        raise InvalidInput(_("Unknown outcome “%(outcome)s”.") % {"outcome": outcome})
    now = _now()
    with transaction.atomic():
        ticket = _at_my_counter(ticket, acting_user, ACTIVE_AT_COUNTER)
        before = ticket.status
        ticket.status = TicketStatus.DONE
        ticket.outcome = outcome
        ticket.note = note[:2000]
        ticket.started_at = ticket.started_at or now
        ticket.ended_at = now
        _save_and_record(
            ticket,
            ["status", "outcome", "note", "started_at", "ended_at"],
            EventKind.COMPLETED,
            before,
            at=now,
            counter=ticket.counter,
            user=acting_user,
            reason=outcome,
        )
        # The record of the service delivered, in the same database transaction.
        record_from_ticket(ticket=ticket, missing_documents=missing_documents)
        _publish_ticket(ticket, "completed")
        if ticket.return_counter_id and ticket.transferred_from_id:
            first = Ticket.objects.select_related("line", "service").get(
                pk=ticket.transferred_from_id
            )
            _continue_visit(
                ticket,
                line=first.line,
                service=first.service,
                front=True,
                reserved_counter_id=ticket.return_counter_id,
                acting_user=acting_user,
                now=now,
            )
    return ticket


def ticket_no_show(*, ticket: Ticket, acting_user: User) -> Ticket:
    now = _now()
    with transaction.atomic():
        ticket = _at_my_counter(ticket, acting_user, (TicketStatus.CALLED,))
        ticket.status = TicketStatus.NO_SHOW
        ticket.ended_at = now
        ticket.save(update_fields=["status", "ended_at"])
        _record(
            ticket,
            EventKind.NO_SHOW,
            TicketStatus.CALLED,
            at=now,
            counter=ticket.counter,
            user=acting_user,
        )
        _publish_ticket(ticket, "no_show")
    return ticket


def ticket_requeue(*, ticket: Ticket, acting_user: User) -> Ticket:
    """A visitor marked as not come who returns within the policy's window queues again."""
    now = _now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != TicketStatus.NO_SHOW:
            raise Conflict(
                _("Only a visitor marked as not come can be queued again."), code="wrong_state"
            )
        _staff_at_center(acting_user, ticket.center_id)
        policy = policy_for(ticket.center_id)
        if ticket.ended_at and now - ticket.ended_at > dt.timedelta(
            minutes=policy.requeue_window_minutes
        ):
            raise Conflict(
                _("More than %(m)s minutes have passed: please take a new ticket.")
                % {"m": policy.requeue_window_minutes},
                code="too_late",
            )
        ticket.status = TicketStatus.WAITING
        ticket.queued_at = now
        ticket.rank_at = _rank_at(policy, ticket.priority_class, now)
        ticket.counter = None
        ticket.ended_at = None
        ticket.called_at = None
        ticket.save(
            update_fields=["status", "queued_at", "rank_at", "counter", "ended_at", "called_at"]
        )
        _record(ticket, EventKind.REQUEUED, TicketStatus.NO_SHOW, at=now, user=acting_user)
        _publish_ticket(ticket, "requeued")
    return ticket


def ticket_park(*, ticket: Ticket, acting_user: User) -> Ticket:
    """Put the visitor on hold (e.g. to fetch a paper) and free the counter."""
    now = _now()
    with transaction.atomic():
        ticket = _at_my_counter(ticket, acting_user, ACTIVE_AT_COUNTER)
        before = ticket.status
        ticket.status = TicketStatus.PARKED
        ticket.save(update_fields=["status"])
        _record(ticket, EventKind.PARKED, before, at=now, counter=ticket.counter, user=acting_user)
        _publish_ticket(ticket, "parked")
    return ticket


def ticket_resume(*, ticket: Ticket, counter: Counter | None = None, acting_user: User) -> Ticket:
    """Serve a visitor on hold again, at the counter that parked them or another open one."""
    now = _now()
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != TicketStatus.PARKED:
            raise Conflict(_("This visitor is not on hold."), code="wrong_state")
        counter = counter or ticket.counter
        if counter.center_id != ticket.center_id:
            raise NotAllowed(_("This counter is at another center."))
        _ready_to_call(counter, acting_user)
        ticket.status = TicketStatus.SERVING
        ticket.counter = counter
        ticket.served_by = acting_user
        ticket.save(update_fields=["status", "counter", "served_by"])
        _record(
            ticket,
            EventKind.RESUMED,
            TicketStatus.PARKED,
            at=now,
            counter=counter,
            user=acting_user,
        )
        _publish_ticket(ticket, "resumed")
    return ticket


def _continue_visit(
    ticket: Ticket,
    *,
    line: Line,
    service: Service,
    front: bool,
    reserved_counter_id: int | None,
    acting_user: User,
    now: dt.datetime,
    return_counter_id: int | None = None,
) -> Ticket:
    """A new leg of the same visit in another line, with the number the visitor holds."""
    policy = policy_for(ticket.center_id)
    queued_at = ticket.issued_at - FAR_PAST if front else ticket.issued_at
    successor = Ticket.objects.create(
        center_id=ticket.center_id,
        line=line,
        service=service,
        business_date=ticket.business_date,
        sequence=None,
        number=ticket.number,
        priority_class=ticket.priority_class,
        class_order=ticket.class_order,
        priority_reason=ticket.priority_reason,
        channel=IssueChannel.TRANSFER,
        phone=ticket.phone,
        lang=ticket.lang,
        issued_at=ticket.issued_at,
        queued_at=queued_at,
        rank_at=_rank_at(policy, ticket.priority_class, queued_at),
        transferred_from=ticket,
        reserved_counter_id=reserved_counter_id,
        return_counter_id=return_counter_id,
        position_notified=ticket.position_notified,
    )
    _record(
        successor, EventKind.ISSUED, "", at=now, user=acting_user, reason=f"from {ticket.public_id}"
    )
    _publish_ticket(successor, "issued")
    return successor


def ticket_transfer(
    *,
    ticket: Ticket,
    service: Service,
    keep_arrival: bool = True,
    return_to_counter: bool = False,
    acting_user: User,
) -> Ticket:
    """Send the visitor at this counter to another service's line at the same center. They
    keep their arrival time (or go to the front); optionally they come back to this counter
    once served there. Returns the visitor's new ticket."""
    now = _now()
    with transaction.atomic():
        ticket = _at_my_counter(ticket, acting_user, ACTIVE_AT_COUNTER)
        line = line_for_service(ticket.center, service)
        if line is None:
            raise Conflict(
                _("“%(service)s” is not offered at this center.") % {"service": service.name},
                code="not_offered",
            )
        before = ticket.status
        ticket.status = TicketStatus.TRANSFERRED
        ticket.outcome = Outcome.REFERRED
        ticket.started_at = ticket.started_at or now
        ticket.ended_at = now
        ticket.save(update_fields=["status", "outcome", "started_at", "ended_at"])
        _record(
            ticket,
            EventKind.TRANSFERRED,
            before,
            at=now,
            counter=ticket.counter,
            user=acting_user,
            reason=service.slug,
        )
        record_from_ticket(ticket=ticket, referred_to=service)
        _publish_ticket(ticket, "transferred")
        successor = _continue_visit(
            ticket,
            line=line,
            service=service,
            front=not keep_arrival,
            reserved_counter_id=None,
            acting_user=acting_user,
            now=now,
            return_counter_id=ticket.counter_id if return_to_counter else None,
        )
    return successor


def ticket_cancel(
    *, ticket: Ticket, acting_user: AnyUser | None, by_visitor: bool = False, reason: str = ""
) -> Ticket:
    """Cancel a ticket: the visitor may cancel their own waiting ticket; staff at the
    center may cancel one that waits, is on hold or was called."""
    now = _now()
    with transaction.atomic():
        ticket = _locked(ticket)
        allowed = (
            (TicketStatus.WAITING,)
            if by_visitor
            else (TicketStatus.WAITING, TicketStatus.PARKED, TicketStatus.CALLED)
        )
        if ticket.status not in allowed:
            raise Conflict(
                _("Not possible while the ticket is “%(status)s”.")
                % {"status": ticket.get_status_display()},
                code="wrong_state",
            )
        if not by_visitor:
            _staff_at_center(acting_user, ticket.center_id)
        before = ticket.status
        ticket.status = TicketStatus.CANCELLED
        ticket.ended_at = now
        ticket.save(update_fields=["status", "ended_at"])
        _record(
            ticket,
            EventKind.CANCELLED,
            before,
            at=now,
            counter=ticket.counter,
            user=acting_user,
            reason=reason,
        )
        _publish_ticket(ticket, "cancelled")
    return ticket


def _staff_at_center(user: AnyUser | None, center_id: int) -> None:
    if user is None or not lines_user_may_serve(user, center_id):
        raise NotAllowed(_("You do not work at this center."))


POLICY_FIELDS = {
    "kind",
    "appointment_bonus_minutes",
    "priority_bonus_minutes",
    "interleave_normal",
    "interleave_priority",
    "requeue_window_minutes",
    "notify_at_position",
    "pause_alert_minutes",
}


@transaction.atomic
def policy_update(*, center: Center, acting_user: User, **values: Any) -> CallingPolicy:
    """Change a center's calling policy (its supervisor or a system administrator) and
    re-rank its waiting visitors to match."""
    if not is_supervisor_of(acting_user, center.pk):
        raise NotAllowed(_("Only the center's supervisor may change its calling policy."))
    policy = CallingPolicy.objects.select_for_update().get(pk=policy_for(center).pk)
    for key, value in values.items():
        if key not in POLICY_FIELDS:
            raise InvalidInput(_("Unknown policy setting “%(name)s”.") % {"name": key})
        setattr(policy, key, value)
    try:
        policy.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("The calling policy is not valid."), details=exc.message_dict) from exc
    policy.save()
    for ticket in Ticket.objects.filter(center=center, status=TicketStatus.WAITING):
        rank = _rank_at(policy, ticket.priority_class, ticket.queued_at)
        if rank != ticket.rank_at:
            Ticket.objects.filter(pk=ticket.pk).update(rank_at=rank)
    events.publish(f"center.{center.pk}", "policy.changed", {"kind": policy.kind})
    return policy
