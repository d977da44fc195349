"""API of transactions: records posted by agency systems and kiosks, a visitor's history
(audited), and the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from ninja.security import django_auth

from oneroof.accounts.auth import BearerKey
from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import agency_ids, is_system_admin, roles_of
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput, NotAllowed
from oneroof.core.schemas import ERRORS
from oneroof.notify.actions import phone_normalize
from oneroof.queueing.models import Ticket
from oneroof.transactions.actions import RecordIn, history_view, record_create
from oneroof.transactions.choices import RecordChannel, RecordOutcome
from oneroof.transactions.models import HistoryAccess
from oneroof.transactions.permissions import may_review_audit

router = Router(tags=["transactions"])
AUTH = [BearerKey(), django_auth]


class RecordPostIn(Schema):
    service: str = Field(..., max_length=100)
    center: str | None = Field(None, max_length=80)
    channel: RecordChannel = RecordChannel.ONLINE
    outcome: RecordOutcome = RecordOutcome.COMPLETED
    ended_at: dt.datetime
    started_at: dt.datetime | None = None
    phone: str | None = Field(None, max_length=30)
    national_id: str | None = Field(None, max_length=30)
    fee_charged: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    notes: str | None = Field(None, max_length=2000)
    missing_documents: list[str] = Field(default_factory=list, max_length=50)
    idempotency_key: str = Field(..., min_length=1, max_length=100)


class RecordOut(Schema):
    id: int
    service: str
    agency: str
    center: str | None
    channel: str
    outcome: str
    ended_at: dt.datetime
    created: bool


class HistoryRowOut(Schema):
    ended_at: dt.datetime
    agency: str
    agency_name_ar: str
    agency_name_en: str
    outcome: str
    detailed: bool
    service: str | None = None
    service_name_ar: str | None = None
    service_name_en: str | None = None
    center: str | None = None
    channel: str | None = None
    wait_minutes: int | None = None
    notes: str | None = None
    missing_documents: list[str] | None = None
    national_id: str | None = None


class HistoryFilter(Schema):
    reason: str | None = Field(None, max_length=300)
    ticket: str | None = Field(None, max_length=32, description="the ticket being served")


class AuditOut(Schema):
    at: dt.datetime
    user: str | None = Field(
        None, description="null when visitors looked at their own history, after a code"
    )
    phone: str
    reason: str
    records_shown: int


class AuditFilter(Schema):
    phone: str | None = Field(None, max_length=30)
    user: str | None = Field(None, max_length=150)
    start: dt.date | None = Field(None, alias="from")
    end: dt.date | None = Field(None, alias="to")
    format: str = Field("json", pattern="^(json|csv)$")


@router.post(
    "/transactions",
    response={200: RecordOut, 201: RecordOut, **ERRORS},
    auth=AUTH,
    summary="Record a service delivered elsewhere",
)
def post_record(request, payload: RecordPostIn):
    """For an agency's systems (a bearer key of a user administering that agency) and
    self-service kiosks. Retrying with the same `idempotency_key` answers 200 with the first
    record instead of creating a second."""
    service = Service.objects.filter(slug=payload.service).select_related("agency").first()
    if service is None:
        raise InvalidInput(_("Unknown service “%(slug)s”.") % {"slug": payload.service})
    user = request.user
    allowed = (
        is_system_admin(user)
        or service.agency_id in agency_ids(user, Role.AGENCY_ADMIN, Role.EMPLOYEE)
        or any(r.role == Role.DEVICE for r in roles_of(user))
    )
    if not allowed:
        raise NotAllowed(_("You may not record services of this agency."))
    center = None
    if payload.center:
        center = Center.objects.filter(slug=payload.center).first()
        if center is None:
            raise InvalidInput(_("Unknown center “%(slug)s”.") % {"slug": payload.center})
    record, created = record_create(
        data=RecordIn(
            service=service,
            center=center,
            channel=payload.channel,
            outcome=payload.outcome,
            ended_at=payload.ended_at,
            started_at=payload.started_at,
            phone=payload.phone or "",
            national_id=payload.national_id or "",
            fee_charged=payload.fee_charged,
            notes=payload.notes or "",
            missing_documents=tuple(payload.missing_documents),
        ),
        idempotency_key=payload.idempotency_key,
        acting_user=user,
    )
    body = {
        "id": record.pk,
        "service": service.slug,
        "agency": service.agency.slug,
        "center": center.slug if center else None,
        "channel": record.channel,
        "outcome": record.outcome,
        "ended_at": record.ended_at,
        "created": created,
    }
    return Status(201 if created else 200, body)


@router.get(
    "/visitors/{phone}/transactions",
    response={200: list[HistoryRowOut], **ERRORS},
    auth=AUTH,
    summary="A visitor's history",
)
def visitor_history(request, phone: str, filters: Query[HistoryFilter]):
    """For employees and supervisors. The reason is the ticket being served (`ticket`) or a
    typed `reason`; every call is written to the audit log. Other agencies' records appear
    in full, as date, agency and outcome only, or not at all, as each agency decides."""
    ticket = None
    if filters.ticket:
        ticket = Ticket.objects.filter(public_id=filters.ticket).first()
        if ticket is None:
            raise InvalidInput(_("Unknown ticket."))
    rows = history_view(
        user=request.user,
        phone=phone,
        reason=filters.reason or "",
        ticket=ticket,
        ip=request.META.get("REMOTE_ADDR"),
    )
    out = []
    for row in rows:
        r = row.record
        item = {
            "ended_at": r.ended_at,
            "agency": r.agency.slug,
            "agency_name_ar": r.agency.name_ar,
            "agency_name_en": r.agency.name_en or "",
            "outcome": r.outcome,
            "detailed": row.full,
        }
        if row.full:
            item.update(
                service=r.service.slug,
                service_name_ar=r.service.name_ar,
                service_name_en=r.service.name_en or "",
                center=r.center.slug if r.center else None,
                channel=r.channel,
                wait_minutes=r.wait_seconds // 60 if r.wait_seconds is not None else None,
                notes=r.notes,
                missing_documents=r.missing_documents,
                national_id=r.masked_national_id,
            )
        out.append(item)
    return out


@router.get(
    "/audit",
    response={200: list[AuditOut], **ERRORS},
    auth=AUTH,
    summary="Who looked at visitors' history",
)
def audit(request, filters: Query[AuditFilter]):
    """For system administrators and evaluators; `format=csv` exports the same rows."""
    if not may_review_audit(request.user):
        raise NotAllowed(_("You may not review the audit log."))
    qs = HistoryAccess.objects.select_related("user").order_by("-at", "-pk")
    if filters.phone:
        qs = qs.filter(phone=phone_normalize(filters.phone))
    if filters.user:
        qs = qs.filter(user__username=filters.user)
    if filters.start:
        qs = qs.filter(at__date__gte=filters.start)
    if filters.end:
        qs = qs.filter(at__date__lte=filters.end)
    rows = [
        {
            "at": a.at,
            "user": a.user.username if a.user else None,
            "phone": a.phone,
            "reason": a.reason,
            "records_shown": a.records_shown,
        }
        for a in qs[:5000]
    ]
    if filters.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=["at", "user", "phone", "reason", "records_shown"]
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "at": row["at"].isoformat()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="history-audit.csv"'
        return response
    return rows
