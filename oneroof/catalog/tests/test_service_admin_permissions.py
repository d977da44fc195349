"""Permission matrix of the agency admin screens: an agency admin edits only its agency's
services; everyone else is refused; a refused change changes nothing."""

from decimal import Decimal

import pytest

from oneroof.catalog.models import Notice, Service

pytestmark = pytest.mark.django_db

OWN = "passport-renewal"  # passports: the agency admin's own agency
OTHER = "driving-licence-renewal"  # traffic


def change_url(slug: str) -> str:
    return f"/en/admin/catalog/service/{Service.objects.get(slug=slug).pk}/change/"


def form_data(service: Service, **overrides) -> dict:
    data = {
        "slug": service.slug,
        "agency": service.agency_id,
        "name_ar": service.name_ar,
        "name_en": service.name_en,
        "description_ar": service.description_ar,
        "description_en": service.description_en,
        "eligibility_ar": service.eligibility_ar,
        "eligibility_en": service.eligibility_en,
        "fee": str(service.fee),
        "currency": service.currency,
        "avg_service_minutes": service.avg_service_minutes,
        "channel_desk": "on",
        "is_active": "on",
    }
    for prefix, rows, fields in (
        ("documents", service.documents.all(), ["name_ar", "name_en", "position"]),
        ("steps", service.steps.all(), ["text_ar", "text_en", "position"]),
        (
            "faqs",
            service.faqs.all(),
            ["question_ar", "question_en", "answer_ar", "answer_en", "position"],
        ),
    ):
        rows = list(rows)
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-service"] = service.pk
            for f in fields:
                data[f"{prefix}-{i}-{f}"] = getattr(row, f)
    data.update(overrides)
    return data


EXPECTED_CHANGE = {  # persona → (may open own-agency service, may open other agency's)
    "anonymous": (False, False),
    "employee_a": (False, False),
    "supervisor_a": (False, False),
    "employee_b": (False, False),
    "agency_admin": (True, False),
    "system_admin": (True, True),
    "evaluator": (False, False),
    "decision_maker": (False, False),
}


@pytest.mark.parametrize("persona", list(EXPECTED_CHANGE))
def test_who_may_open_a_services_change_page(as_persona, persona):
    client = as_persona(persona)
    own_allowed, other_allowed = EXPECTED_CHANGE[persona]
    for slug, allowed in ((OWN, own_allowed), (OTHER, other_allowed)):
        status = client.get(change_url(slug)).status_code
        assert (status == 200) == allowed, (persona, slug, status)


@pytest.mark.parametrize("persona", [p for p, (own, _) in EXPECTED_CHANGE.items() if not own])
def test_a_refused_fee_change_changes_nothing(as_persona, persona):
    service = Service.objects.get(slug=OWN)
    as_persona(persona).post(change_url(OWN), form_data(service, fee="999"))
    service.refresh_from_db()
    assert service.fee == Decimal("200.00")
    assert not Notice.objects.exists()


def test_agency_admin_cannot_change_another_agencys_service(as_persona):
    service = Service.objects.get(slug=OTHER)
    fee = service.fee
    as_persona("agency_admin").post(change_url(OTHER), form_data(service, fee="1"))
    service.refresh_from_db()
    assert service.fee == fee


def test_agency_admin_changes_the_fee_and_staff_get_a_notice(as_persona):
    service = Service.objects.get(slug=OWN)
    response = as_persona("agency_admin").post(change_url(OWN), form_data(service, fee="250"))
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.fee == Decimal("250.00")
    notice = Notice.objects.get(service=service)
    assert notice.kind == "fee" and "250" in notice.text_en
    assert notice.text_en in as_persona("employee_a").get("/en/").content.decode()


def test_agency_admin_lists_only_its_services(as_persona):
    page = as_persona("agency_admin").get("/en/admin/catalog/service/").content.decode()
    assert "Passport Renewal" in page
    assert "Driving Licence Renewal" not in page and "Driving License Renewal" not in page
