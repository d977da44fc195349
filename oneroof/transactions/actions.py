"""Recording services delivered, looking at a visitor's history (always audited), and
erasing personal data after the retention period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oneroof.accounts.permissions import AnyUser
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.core import events, rows
from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.core.memo import Memo
from oneroof.notify.actions import phone_normalize
from oneroof.transactions.choices import HistorySharing, RecordChannel, RecordOutcome
from oneroof.transactions.models import AgencyHistoryPolicy, HistoryAccess, TransactionRecord
from oneroof.transactions.permissions import may_view_history, own_agency_ids

# Each agency's sharing policy, read on every history lookup; a change reaches every worker
# within 30 s (docs/adr/0011-per-process-memories.md).
_SHARING = Memo("transactions.sharing", ttl=30).clear_on(AgencyHistoryPolicy)
# The long texts of services and agencies are not shown in a history: not read either.
_UNSHOWN = [
    f"{relation}__{field}{suffix}"
    for relation, fields in (
        ("service", ("description", "eligibility")),
        ("agency", ("description",)),
    )
    for field in fields
    for suffix in ("", "_ar", "_en")
]


def _records_of(phone: str, limit: int):
    return (
        TransactionRecord.objects.filter(phone=phone)
        .select_related("service", "agency", "center", "referred_to")
        .defer(*_UNSHOWN)
        .order_by("-ended_at", "-pk")[:limit]
    )


# The queue's outcomes, as a record's.
QUEUE_OUTCOMES = {
    "completed": RecordOutcome.COMPLETED,
    "missing_documents": RecordOutcome.MISSING_DOCUMENTS,
    "referred": RecordOutcome.REFERRED,
    "other": RecordOutcome.OTHER,
}


def _seconds(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(int((end - start).total_seconds()), 0)


def record_from_ticket(
    *, ticket: Any, referred_to: Service | None = None, missing_documents: list[str] | None = None
) -> TransactionRecord:
    """The record of a visit served at a counter, written by the queue's complete and
    transfer actions inside their own database transaction."""
    # None when not booked; a booking always has a phone, which its ticket keeps.
    appointment = getattr(ticket, "appointment", None) if ticket.phone else None
    record = TransactionRecord(
        service_id=ticket.service_id,
        agency_id=ticket.service.agency_id,
        center_id=ticket.center_id,
        counter_id=ticket.counter_id,
        employee_id=ticket.served_by_id,
        ticket=ticket,
        appointment=appointment,
        channel=RecordChannel.DESK,
        phone=ticket.phone,
        arrived_at=ticket.issued_at,
        called_at=ticket.called_at,
        started_at=ticket.started_at,
        ended_at=ticket.ended_at,
        wait_seconds=_seconds(ticket.issued_at, ticket.called_at),
        handling_seconds=_seconds(ticket.started_at or ticket.called_at, ticket.ended_at),
        outcome=QUEUE_OUTCOMES.get(ticket.outcome, RecordOutcome.OTHER),
        missing_documents=missing_documents or [],
        referred_to=referred_to,
        fee_charged=ticket.service.fee if ticket.outcome == "completed" else Decimal("0"),
        notes=ticket.note or "",
        source_id=ticket.served_by_id,
    )
    # One hand-written INSERT: the ORM compiles its own on every call, inside the counter's
    # write transaction (on SQLite, the whole server's one writer).
    with connection.cursor() as cursor:
        rows.insert(cursor, record)
    # The survey (feedback) and roll-ups listen for this.
    events.publish("records", "record.created", {"record": record.pk, "phone": bool(record.phone)})
    return record


@dataclass(frozen=True)
class RecordIn:
    service: Service
    center: Center | None
    channel: str
    outcome: str
    ended_at: dt.datetime
    phone: str = ""
    national_id: str = ""
    started_at: dt.datetime | None = None
    fee_charged: Decimal = Decimal("0")
    notes: str = ""
    missing_documents: tuple[str, ...] = ()


def record_create(
    *, data: RecordIn, idempotency_key: str, acting_user: AnyUser
) -> tuple[TransactionRecord, bool]:
    """A record posted by an agency's system or a self-service kiosk. The same
    `idempotency_key` from the same caller returns the first record, never a second one.
    Returns (record, created)."""
    if data.channel not in RecordChannel.values:
        raise InvalidInput(_("Unknown channel “%(channel)s”.") % {"channel": data.channel})
    if data.outcome not in RecordOutcome.values:
        raise InvalidInput(_("Unknown outcome “%(outcome)s”.") % {"outcome": data.outcome})
    if not idempotency_key or len(idempotency_key) > 100:
        raise InvalidInput(_("An idempotency key of 1 to 100 characters is required."))
    existing = TransactionRecord.objects.filter(
        source=acting_user, idempotency_key=idempotency_key
    ).first()
    if existing:
        return existing, False
    phone = phone_normalize(data.phone) if data.phone else ""
    try:
        with transaction.atomic():
            record = TransactionRecord.objects.create(
                service=data.service,
                agency_id=data.service.agency_id,
                center=data.center,
                channel=data.channel,
                outcome=data.outcome,
                ended_at=data.ended_at,
                started_at=data.started_at,
                handling_seconds=_seconds(data.started_at, data.ended_at),
                phone=phone,
                national_id=data.national_id.strip(),
                fee_charged=data.fee_charged,
                notes=data.notes,
                missing_documents=list(data.missing_documents),
                source=acting_user,
                idempotency_key=idempotency_key,
            )
        events.publish("records", "record.created", {"record": record.pk})
    except IntegrityError:  # the same key arrived twice at the same instant
        return TransactionRecord.objects.get(
            source=acting_user, idempotency_key=idempotency_key
        ), False
    return record, True


@dataclass(frozen=True)
class HistoryRow:
    record: TransactionRecord
    full: bool  # False: only date, agency and outcome may be shown


def history_view(
    *,
    user: AnyUser,
    phone: str,
    reason: str = "",
    ticket: Any = None,
    ip: str | None = None,
    limit: int = 100,
) -> list[HistoryRow]:
    """A visitor's past services as this user may see them. Every call is audited with
    its reason: the ticket being served, or a typed reason."""
    if not may_view_history(user):
        raise NotAllowed(_("You may not look at visitors' history."))
    phone = phone_normalize(phone)
    reason = (reason or "").strip()
    if ticket is not None:
        if ticket.phone != phone or ticket.served_by_id != user.pk:
            raise NotAllowed(_("This ticket is not the visitor you are serving."))
        reason = reason or _("Serving ticket %(number)s") % {"number": ticket.number}
    if not reason:
        raise InvalidInput(
            _("Say why you are looking at this visitor's history."), code="reason_required"
        )
    own = own_agency_ids(user)
    sharing = _SHARING.get(
        "all", lambda: dict(AgencyHistoryPolicy.objects.values_list("agency_id", "sharing"))
    )
    rows: list[HistoryRow] = []
    for record in _records_of(phone, limit):
        if own is None or record.agency_id in own:
            rows.append(HistoryRow(record=record, full=True))
            continue
        policy = sharing.get(record.agency_id, HistorySharing.SUMMARY)
        if policy == HistorySharing.FULL:
            rows.append(HistoryRow(record=record, full=True))
        elif policy == HistorySharing.SUMMARY:
            rows.append(HistoryRow(record=record, full=False))
    HistoryAccess.objects.create(
        user=user,
        phone=phone,
        reason=reason[:300],
        ticket=ticket if ticket is not None else None,
        records_shown=len(rows),
        ip=ip,
    )
    return rows


def history_view_own(*, phone: str, ip: str | None = None, limit: int = 200) -> list[HistoryRow]:
    """Visitors' own history, every agency in full, once they have proven the phone with a
    one-time code (the caller checks the code). Audited as the visitor's own look."""
    phone = phone_normalize(phone)
    rows = [HistoryRow(record=record, full=True) for record in _records_of(phone, limit)]
    HistoryAccess.objects.create(
        user=None,
        phone=phone,
        reason=_("The visitor's own history, phone proven by a one-time code")[:300],
        records_shown=len(rows),
        ip=ip,
    )
    return rows


def purge_personal_data(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Erase phone and national ID of records older than the retention period; the records
    stay for statistics. Returns how many were anonymised."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days if days is not None else settings.ONEROOF_RETENTION_DAYS)
    return TransactionRecord.objects.filter(ended_at__lt=cutoff, anonymised_at__isnull=True).update(
        phone="", national_id="", anonymised_at=now
    )
