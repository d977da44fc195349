"""The permission matrix of the care inbox: an agent of agency A never sees agency B's cases
(inbox, case page, actions, API), supervisors see their centers' cases, citizens their own
case through its signed link only; nothing changes when access is denied."""

import pytest

from oneroof.care.messaging import case_token
from oneroof.care.models import Case, InternalNote, Message
from oneroof.care.tests.factories import make_case
from oneroof.catalog.models import Service
from oneroof.centers.models import Center

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(db):
    passports = Service.objects.get(slug="passport-renewal")
    traffic = Service.objects.get(slug="driving-licence-renewal")
    return {
        # Agency A (passports), at center B (Al Wakra): employee_a's agency, not their center.
        "passports": make_case(
            text="passport case text",
            service_id=passports.pk,
            center_id=Center.objects.get(slug="al-wakra").pk,
        ),
        # Agency B (traffic), at center A (Al Rayyan).
        "traffic": make_case(
            text="traffic case text",
            service_id=traffic.pk,
            center_id=Center.objects.get(slug="al-rayyan").pk,
        ),
        # Traffic at Al Wakra: neither employee_a's agency nor supervisor_a's center.
        "traffic_wakra": make_case(
            text="traffic wakra text",
            service_id=traffic.pk,
            center_id=Center.objects.get(slug="al-wakra").pk,
        ),
    }


# persona → which of the cases it sees in its inbox
MATRIX = {
    "employee_a": {"passports"},
    "agency_admin": {"passports"},
    "supervisor_a": {"traffic"},
    "employee_b": {"traffic", "traffic_wakra"},
    "system_admin": {"passports", "traffic", "traffic_wakra"},
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_each_agent_sees_exactly_their_cases(persona, as_persona, cases):
    client = as_persona(persona)
    page = client.get("/en/staff/care/?status=all").content.decode()
    api = client.get("/api/v1/care/cases?status=all").json()
    ids = {c["id"] for c in api}
    for name, case in cases.items():
        expected = name in MATRIX[persona]
        assert (f'data-case="{case.pk}"' in page) is expected, (persona, name)
        assert (case.pk in ids) is expected, (persona, name)
        status = client.get(f"/en/staff/care/{case.pk}/").status_code
        assert status == (200 if expected else 403), (persona, name)


@pytest.mark.parametrize("persona", ["evaluator", "decision_maker"])
def test_people_who_are_not_agents_see_no_case(persona, as_persona, cases):
    client = as_persona(persona)
    assert client.get("/en/staff/care/").status_code == 403
    assert client.get(f"/en/staff/care/{cases['passports'].pk}/").status_code == 403
    assert client.get("/api/v1/care/cases").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(as_persona, cases):
    client = as_persona("anonymous")
    response = client.get(f"/en/staff/care/{cases['passports'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/care/cases").status_code == 401


def test_an_unknown_case_is_404_and_another_agencys_is_403(as_persona, cases):
    client = as_persona("employee_b")
    assert client.get("/en/staff/care/999999/").status_code == 404
    assert client.get(f"/en/staff/care/{cases['passports'].pk}/").status_code == 403


@pytest.mark.parametrize(
    "action",
    [
        {"action": "reply", "text": "Hello", "then": "resolved"},
        {"action": "note", "text": "note"},
        {"action": "status", "status": "closed"},
        {"action": "take"},
        {"action": "escalate", "reason": "why"},
        {"action": "fields", "kind": "complaint", "priority": "urgent", "tags": "x"},
    ],
)
def test_an_agent_of_another_agency_changes_nothing(action, as_persona, cases):
    case = cases["passports"]
    before = Case.objects.filter(pk=case.pk).values().get()
    messages, notes = Message.objects.count(), InternalNote.objects.count()
    response = as_persona("employee_b").post(f"/en/staff/care/{case.pk}/", action)
    assert response.status_code == 403
    assert Case.objects.filter(pk=case.pk).values().get() == before
    assert (Message.objects.count(), InternalNote.objects.count()) == (messages, notes)


def test_an_agent_cannot_merge_into_a_case_they_may_not_see(as_persona, cases):
    client = as_persona("employee_b")
    response = client.post(
        f"/en/staff/care/{cases['traffic'].pk}/",
        {"action": "merge", "into": str(cases["passports"].pk)},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=cases["traffic"].pk).merged_into_id is None


def test_the_general_queue_is_seen_by_every_agent(as_persona, db):
    unrouted = make_case(text="zzqx unroutable words", agency_id=None)
    Case.objects.filter(pk=unrouted.pk).update(agency=None, service=None)
    for persona in ("employee_a", "employee_b", "agency_admin", "supervisor_a"):
        assert as_persona(persona).get(f"/en/staff/care/{unrouted.pk}/").status_code == 200


def test_citizens_open_their_case_with_its_signed_link_only(as_persona, cases):
    client = as_persona("anonymous")
    case = cases["passports"]
    token = case_token(case.pk)
    assert client.get(f"/en/care/case/{token}/").status_code == 200
    forged = f"{case.pk}.{token.split('.')[1][:-2]}xx"
    assert client.get(f"/en/care/case/{forged}/").status_code == 404
    other = cases["traffic"]
    swapped = f"{other.pk}.{token.split('.')[1]}"
    assert client.get(f"/en/care/case/{swapped}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("employee_a", 403),
        ("evaluator", 403),
        ("supervisor_a", 200),
        ("agency_admin", 200),
        ("decision_maker", 200),
        ("system_admin", 200),
    ],
)
def test_the_dashboard_is_for_supervisors_administrators_and_decision_makers(
    persona, status, as_persona
):
    assert as_persona(persona).get("/en/staff/care/dashboard/").status_code == status


def test_the_dashboard_counts_only_the_agencys_cases(as_persona, cases):
    page = as_persona("agency_admin").get("/en/staff/care/dashboard/?days=30").content.decode()
    assert "data-kpi-received>1<" in page
    page = as_persona("system_admin").get("/en/staff/care/dashboard/?days=30").content.decode()
    assert "data-kpi-received>3<" in page
