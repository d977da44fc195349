"""Records of services delivered, a visitor's history by phone with its permission matrix,
the audit of every access, and the erasure of personal data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from oneroof.accounts.actions import api_key_create
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.queueing.actions import (
    counter_open,
    line_for_service,
    ticket_call_next,
    ticket_complete,
    ticket_issue,
)
from oneroof.transactions.actions import purge_personal_data
from oneroof.transactions.choices import HistorySharing
from oneroof.transactions.models import AgencyHistoryPolicy, HistoryAccess, TransactionRecord

pytestmark = pytest.mark.django_db
PHONE = "+97455123456"


def past_record(slug: str, *, days_ago: int = 10, phone: str = PHONE, **extra):
    service = Service.objects.get(slug=slug)
    return TransactionRecord.objects.create(
        service=service,
        agency=service.agency,
        center=Center.objects.get(slug="al-rayyan"),
        phone=phone,
        outcome="completed",
        notes=f"note about {slug}",
        ended_at=timezone.now() - dt.timedelta(days=days_ago),
        **extra,
    )


def test_completing_a_ticket_writes_its_record(always_open, employee_a):
    service = Service.objects.get(slug="passport-renewal")
    ticket_issue(center=always_open, service=service, phone="55123456")
    counter = always_open.counters.get(number=3)
    counter_open(
        counter=counter, lines=[line_for_service(always_open, service)], acting_user=employee_a
    )
    ticket = ticket_call_next(counter=counter, acting_user=employee_a)
    ticket_complete(
        ticket=ticket,
        outcome="missing_documents",
        note="no photo",
        missing_documents=["Recent passport photo"],
        acting_user=employee_a,
    )
    record = TransactionRecord.objects.get(ticket=ticket)
    assert record.outcome == "missing_documents"
    assert record.missing_documents == ["Recent passport photo"]
    assert record.employee == employee_a and record.counter == counter
    assert record.phone == PHONE and record.fee_charged == Decimal("0")
    assert record.wait_seconds is not None and record.handling_seconds is not None


def history(client, **params):
    return client.get(f"/api/v1/visitors/{PHONE}/transactions", params)


EXPECTED = {  # persona → status of the history endpoint with a reason
    "anonymous": 401,
    "employee_a": 200,
    "supervisor_a": 200,
    "employee_b": 200,
    "agency_admin": 403,
    "system_admin": 200,
    "evaluator": 403,
    "decision_maker": 403,
}


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_who_may_look_at_history_and_every_look_is_audited(as_persona, persona):
    past_record("passport-renewal")
    response = history(as_persona(persona), reason="checking a complaint")
    assert response.status_code == EXPECTED[persona]
    audited = HistoryAccess.objects.filter(phone=PHONE).count()
    assert audited == (1 if EXPECTED[persona] == 200 else 0)


def test_own_agency_in_full_others_as_their_agency_decides(as_persona):
    past_record("passport-renewal", days_ago=3, national_id="28463401234")
    past_record("driving-licence-renewal", days_ago=5)  # traffic: summary by default
    hidden = past_record("birth-certificate", days_ago=7)  # civil registry
    AgencyHistoryPolicy.objects.create(
        agency=Agency.objects.get(slug="health"), sharing=HistorySharing.HIDDEN
    )
    past_record(Service.objects.filter(agency__slug="health").first().slug, days_ago=9)
    rows = history(as_persona("employee_a"), reason="serving").json()
    by_agency = {r["agency"]: r for r in rows}
    assert by_agency["passports"]["detailed"] is True
    assert by_agency["passports"]["notes"] == "note about passport-renewal"
    assert by_agency["passports"]["national_id"] == "••••••••234"
    assert by_agency["traffic"]["detailed"] is False and by_agency["traffic"]["service"] is None
    assert by_agency["civil-registry"]["detailed"] is True  # employee_a serves it too
    assert "health" not in by_agency
    assert hidden.agency.slug in by_agency
    # employee_b (traffic at al-wakra) sees traffic in full, passports only in summary.
    rows_b = {r["agency"]: r for r in history(as_persona("employee_b"), reason="x").json()}
    assert rows_b["traffic"]["detailed"] and not rows_b["passports"]["detailed"]


def test_a_reason_is_required_and_its_absence_changes_nothing(as_persona):
    past_record("passport-renewal")
    response = history(as_persona("employee_a"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "reason_required"
    assert not HistoryAccess.objects.exists()


def test_the_ticket_being_served_is_the_reason(always_open, employee_a):
    service = Service.objects.get(slug="passport-renewal")
    ticket_issue(center=always_open, service=service, phone="55123456")
    counter = always_open.counters.get(number=4)
    counter_open(
        counter=counter, lines=[line_for_service(always_open, service)], acting_user=employee_a
    )
    ticket = ticket_call_next(counter=counter, acting_user=employee_a)
    client = Client()
    client.force_login(employee_a)
    assert history(client, ticket=ticket.public_id).status_code == 200
    access = HistoryAccess.objects.get()
    assert access.ticket == ticket and ticket.number in access.reason


def test_audit_is_for_admins_and_evaluators_and_cannot_be_changed(as_persona):
    past_record("passport-renewal")
    history(as_persona("employee_a"), reason="follow-up")
    assert as_persona("employee_a").get("/api/v1/audit").status_code == 403
    rows = as_persona("evaluator").get("/api/v1/audit", {"phone": "55123456"}).json()
    assert rows[0]["user"] == "employee.rayyan" and rows[0]["reason"] == "follow-up"
    csv = as_persona("system_admin").get("/api/v1/audit", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and b"follow-up" in csv.content
    entry = HistoryAccess.objects.get()
    entry.reason = "edited"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert (
        as_persona("system_admin")
        .post(f"/en/admin/transactions/historyaccess/{entry.pk}/delete/", {"post": "yes"})
        .status_code
        == 403
    )
    assert HistoryAccess.objects.filter(reason="follow-up").count() == 1


def test_agency_systems_post_records_idempotently(agency_admin):
    _key, raw = api_key_create(user=agency_admin)
    body = {
        "service": "passport-renewal",
        "channel": "online",
        "outcome": "completed",
        "ended_at": timezone.now().isoformat(),
        "phone": "55123456",
        "idempotency_key": "order-77",
    }
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    first = client.post("/api/v1/transactions", body, content_type="application/json")
    again = client.post("/api/v1/transactions", body, content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert TransactionRecord.objects.filter(idempotency_key="order-77").count() == 1
    other = client.post(
        "/api/v1/transactions",
        {**body, "service": "driving-licence-renewal", "idempotency_key": "x"},
        content_type="application/json",
    )
    assert other.status_code == 403


def test_personal_data_is_erased_after_retention(settings):
    settings.ONEROOF_RETENTION_DAYS = 30
    old = past_record("passport-renewal", days_ago=40, national_id="123456789")
    recent = past_record("passport-renewal", days_ago=5)
    assert purge_personal_data() == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.phone == "" and old.national_id == "" and old.anonymised_at is not None
    assert recent.phone == PHONE
    assert purge_personal_data() == 0
