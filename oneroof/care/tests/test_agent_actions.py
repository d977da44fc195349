"""What agents do with a case: merge duplicates, escalate, assign, correct the routing,
tag, and suggested answers from the knowledge base."""

import pytest

from oneroof.care.actions import case_assign, case_escalate, case_merge, case_tags_set
from oneroof.care.messaging import case_token
from oneroof.care.models import Message
from oneroof.care.tests.factories import make_case
from oneroof.catalog.models import Service
from oneroof.core.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def passports():
    return Service.objects.get(slug="passport-renewal")


def test_merging_a_duplicate_moves_its_conversation_and_closes_it(passports, employee_a, client):
    first = make_case(text="My passport renewal is late", phone="55123456", service_id=passports.pk)
    dup = make_case(
        text="Still waiting for my passport!", phone="55123456", service_id=passports.pk
    )
    case_tags_set(case=dup, names=["late", " Late ", "passport"], acting_user=employee_a)

    into = case_merge(case=dup, into=first, acting_user=employee_a)

    dup.refresh_from_db()
    assert into.pk == first.pk
    assert (dup.status, dup.merged_into_id) == ("closed", first.pk)
    assert sorted(Message.objects.filter(case=first).values_list("text", flat=True)) == [
        "My passport renewal is late",
        "Still waiting for my passport!",
    ]
    assert sorted(t.name for t in first.tags.all()) == ["late", "passport"]
    assert first.notes.filter(text__contains=dup.reference).exists()
    # The duplicate's link takes the citizen to the case it joined.
    response = client.get(f"/en/care/case/{case_token(dup.pk)}/")
    assert response["Location"] == f"/en/care/case/{case_token(first.pk)}/"


def test_merging_into_itself_or_into_a_merged_case_is_refused(passports, employee_a):
    a = make_case(service_id=passports.pk)
    b = make_case(service_id=passports.pk)
    c = make_case(service_id=passports.pk)
    with pytest.raises(InvalidInput):
        case_merge(case=a, into=a, acting_user=employee_a)
    case_merge(case=b, into=a, acting_user=employee_a)
    with pytest.raises(InvalidInput):
        case_merge(case=c, into=b, acting_user=employee_a)
    with pytest.raises(Conflict):
        case_merge(case=b, into=c, acting_user=employee_a)


def test_the_page_offers_other_open_cases_of_the_same_person(as_persona, passports):
    a = make_case(phone="55123456", service_id=passports.pk)
    b = make_case(phone="55123456", service_id=passports.pk)
    page = as_persona("employee_a").get(f"/en/staff/care/{b.pk}/").content.decode()
    assert f'href="/en/staff/care/{a.pk}/"' in page


def test_escalating_hands_the_case_to_the_agency_administrator(
    passports, employee_a, agency_admin, mailoutbox, django_capture_on_commit_callbacks
):
    agency_admin.email = "admin@passports.example.org"
    agency_admin.save()
    case = make_case(service_id=passports.pk, priority="normal")
    with django_capture_on_commit_callbacks(execute=True):
        case_escalate(case=case, acting_user=employee_a, reason="Citizen is very upset")
    case.refresh_from_db()
    assert (case.owner, case.escalated_to, case.priority) == (agency_admin, agency_admin, "high")
    assert case.notes.filter(text__contains="Citizen is very upset").exists()
    assert mailoutbox[-1].to == ["admin@passports.example.org"]


def test_a_case_is_assigned_only_to_people_of_its_agency(passports, employee_a, employee_b):
    case = make_case(service_id=passports.pk)
    with pytest.raises(InvalidInput):
        case_assign(case=case, owner=employee_b, acting_user=employee_a)
    case_assign(case=case, owner=employee_a, acting_user=employee_a)
    case.refresh_from_db()
    assert case.owner == employee_a and case.status == "open"


def test_correcting_the_agency_moves_the_case_to_the_other_agencys_inbox(
    as_persona, passports, employee_a
):
    case = make_case(service_id=passports.pk)
    case_assign(case=case, owner=employee_a, acting_user=employee_a)
    traffic = Service.objects.get(slug="driving-licence-renewal")
    response = as_persona("employee_a").post(
        f"/en/staff/care/{case.pk}/",
        {
            "action": "fields",
            "kind": "inquiry",
            "priority": "normal",
            "service": traffic.pk,
            "tags": "moved",
        },
    )
    assert response["Location"] == "/en/staff/care/"  # no longer theirs to see
    case.refresh_from_db()
    assert (case.agency_id, case.service_id) == (traffic.agency_id, traffic.pk)
    assert case.routing_corrected and case.owner is None
    assert as_persona("employee_b").get(f"/en/staff/care/{case.pk}/").status_code == 200


def test_suggested_answers_fill_the_reply(as_persona, passports):
    case = make_case(text="How do I renew my passport?", lang="en", service_id=passports.pk)
    page = as_persona("employee_a").get(f"/en/staff/care/{case.pk}/?use=0").content.decode()
    assert "Use this answer" in page
    assert "https://services.example.org/" in page  # the article's link, absolute
