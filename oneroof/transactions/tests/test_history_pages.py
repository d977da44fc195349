"""The history pages and their permission matrix: the counter console's panel (the ticket
being served is the reason), the staff search by phone (a typed reason), and visitors' own
history after a one-time code. Every look that shows something is audited; every refusal
shows nothing and audits nothing."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from oneroof.accounts.otp import otp_request
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.notify.backends import MemorySmsBackend
from oneroof.queueing.actions import (
    counter_open,
    line_for_service,
    ticket_call_next,
    ticket_complete,
    ticket_issue,
)
from oneroof.transactions.choices import HistorySharing
from oneroof.transactions.models import AgencyHistoryPolicy, HistoryAccess, TransactionRecord

pytestmark = pytest.mark.django_db
PHONE = "+97455123456"
SEARCH = "/en/staff/history/"
OWN = "/en/my/transactions/"


def past_record(slug: str, *, days_ago: int, center: str = "al-rayyan", **extra):
    service = Service.objects.get(slug=slug)
    return TransactionRecord.objects.create(
        service=service,
        agency=service.agency,
        center=Center.objects.get(slug=center),
        phone=PHONE,
        outcome="completed",
        notes=f"note about {slug}",
        ended_at=timezone.now() - dt.timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def history(db):
    """A visitor with services at passports (employee A's agency), traffic (summary for
    others, by default) and health (hidden from other agencies)."""
    AgencyHistoryPolicy.objects.create(
        agency=Agency.objects.get(slug="health"), sharing=HistorySharing.HIDDEN
    )
    health = Service.objects.filter(agency__slug="health").first()
    return {
        "passports": past_record("passport-renewal", days_ago=3, national_id="28463401234"),
        "traffic": past_record("driving-licence-renewal", days_ago=5, center="al-wakra"),
        "health": past_record(health.slug, days_ago=9),
    }


def serve(center, employee, *, phone: str = "55123456", number: int = 3):
    """A visitor called at a counter by `employee`; returns the ticket."""
    service = Service.objects.get(slug="passport-renewal")
    ticket_issue(center=center, service=service, phone=phone)
    counter = center.counters.get(number=number)
    counter_open(counter=counter, lines=[line_for_service(center, service)], acting_user=employee)
    return ticket_call_next(counter=counter, acting_user=employee)


def panel_url(ticket, lang: str = "/en") -> str:
    return f"{lang}/staff/history/ticket/{ticket.public_id}/"


# --- the counter console's panel --------------------------------------------------------------

PANEL = {  # persona → status of the panel for a visitor employee A is serving
    "anonymous": 302,
    "employee_a": 200,
    "employee_b": 403,
    "supervisor_a": 403,  # a supervisor searches with a reason; the panel is the server's
    "agency_admin": 403,
    "evaluator": 403,
    "system_admin": 403,
}


@pytest.mark.parametrize("persona", list(PANEL))
def test_only_the_employee_serving_the_visitor_sees_the_panel_and_it_is_audited(
    as_persona, persona, always_open, employee_a, history
):
    ticket = serve(always_open, employee_a)
    response = as_persona(persona).get(panel_url(ticket), HTTP_HX_REQUEST="true")
    assert response.status_code == PANEL[persona]
    accesses = list(HistoryAccess.objects.all())
    if PANEL[persona] == 200:
        assert len(accesses) == 1
        assert accesses[0].user == employee_a and accesses[0].ticket == ticket
        assert ticket.number in accesses[0].reason and accesses[0].records_shown == 2
    else:
        assert accesses == []
        assert b"note about" not in response.content


def test_the_panel_shows_own_agency_in_full_and_others_as_they_decide(
    always_open, employee_a, history
):
    ticket = serve(always_open, employee_a)
    client = Client()
    client.force_login(employee_a)
    page = client.get(panel_url(ticket), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in page  # a partial for the console's fetch
    assert "note about passport-renewal" in page
    assert "note about driving-licence-renewal" not in page  # traffic: summary only
    assert "General Directorate of Traffic" in page and "Details are kept by this agency." in page
    assert history["health"].service.name_en not in page  # hidden by its agency
    assert "This look is recorded in the audit log, for ticket" in page
    # Without the script the link opens the same history as a page, audited again.
    full = client.get(panel_url(ticket))
    assert b"<html" in full.content and b"note about passport-renewal" in full.content
    assert HistoryAccess.objects.filter(ticket=ticket).count() == 2


def test_the_panel_is_in_arabic_on_unprefixed_addresses(always_open, employee_a, history):
    ticket = serve(always_open, employee_a)
    client = Client()
    client.force_login(employee_a)
    page = client.get(panel_url(ticket, lang="")).content.decode()
    assert 'dir="rtl"' in page and "الإدارة العامة للجوازات" in page


def test_after_the_visit_ends_the_panel_shows_nothing(always_open, employee_a, history):
    ticket = serve(always_open, employee_a)
    ticket_complete(ticket=ticket, outcome="completed", acting_user=employee_a)
    client = Client()
    client.force_login(employee_a)
    response = client.get(panel_url(ticket), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert b"not the visitor you are serving" in response.content
    assert not HistoryAccess.objects.exists()


def test_a_visitor_without_a_phone_has_no_history_to_show(always_open, employee_a, history):
    ticket = serve(always_open, employee_a, phone="")
    client = Client()
    client.force_login(employee_a)
    response = client.get(panel_url(ticket), HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and b"gave no phone number" in response.content
    assert not HistoryAccess.objects.exists()
    assert client.get("/en/staff/history/ticket/nope/").status_code == 404


def test_the_console_loads_the_panel_only_for_the_employee_serving(
    always_open, employee_a, history
):
    ticket = serve(always_open, employee_a)
    client = Client()
    client.force_login(employee_a)
    console = client.get(f"/en/console/{ticket.counter_id}/").content.decode()
    assert f'data-history-url="/en/staff/history/ticket/{ticket.public_id}/"' in console
    # The console page itself and its live polls never read the history.
    client.get(f"/en/console/{ticket.counter_id}/", HTTP_HX_REQUEST="true")
    assert not HistoryAccess.objects.exists()


# --- staff search -----------------------------------------------------------------------------

SEARCH_ACCESS = {  # persona → status of the search page
    "anonymous": 302,
    "employee_a": 200,
    "employee_b": 200,
    "supervisor_a": 200,
    "system_admin": 200,
    "agency_admin": 403,
    "evaluator": 403,
    "decision_maker": 403,
}


@pytest.mark.parametrize("persona", list(SEARCH_ACCESS))
def test_who_may_search_history_and_every_search_is_audited(as_persona, persona, history):
    client = as_persona(persona)
    assert client.get(SEARCH).status_code == SEARCH_ACCESS[persona]
    response = client.post(SEARCH, {"phone": "55 123 456", "reason": "complaint 118 follow-up"})
    assert response.status_code == SEARCH_ACCESS[persona]
    accesses = list(HistoryAccess.objects.all())
    if SEARCH_ACCESS[persona] == 200:
        assert [(a.phone, a.reason, a.ticket) for a in accesses] == [
            (PHONE, "complaint 118 follow-up", None)
        ]
        assert b"note about" in response.content
    else:
        assert accesses == [] and b"note about" not in response.content


def test_search_results_are_scoped_like_the_api(as_persona, history):
    reason = {"phone": PHONE, "reason": "checking a complaint"}
    page_a = as_persona("employee_a").post(SEARCH, reason).content.decode()
    assert "note about passport-renewal" in page_a and "••••••••234" in page_a
    assert "note about driving-licence-renewal" not in page_a
    assert history["health"].service.name_en not in page_a
    page_b = as_persona("employee_b").post(SEARCH, reason).content.decode()
    assert "note about driving-licence-renewal" in page_b
    assert "note about passport-renewal" not in page_b
    # The supervisor of Al Rayyan sees in full every agency hosted there, health included.
    page_s = as_persona("supervisor_a").post(SEARCH, reason).content.decode()
    assert "note about passport-renewal" in page_s
    assert history["health"].service.name_en in page_s
    assert HistoryAccess.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": PHONE, "reason": ""}, "This field is required."),
        ({"phone": PHONE, "reason": "x"}, "Ensure this value has at least 5 characters"),
        ({"phone": "12ab", "reason": "checking a complaint"}, "is not a phone number"),
        ({"phone": "+97412", "reason": "checking a complaint"}, "is not a valid phone number"),
    ],
)
def test_a_bad_search_says_why_and_shows_and_audits_nothing(as_persona, history, data, message):
    response = as_persona("supervisor_a").post(SEARCH, data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert b"note about" not in response.content
    assert not HistoryAccess.objects.exists()


def test_a_bad_phone_is_explained_in_arabic(as_persona, history):
    response = as_persona("supervisor_a").post(
        "/staff/history/", {"phone": "abc", "reason": "متابعة شكوى"}
    )
    assert response.status_code == 422
    assert "ليس رقم هاتف" in response.content.decode()


def test_staff_home_links_the_tools_each_role_may_use(as_persona):
    supervisor = as_persona("supervisor_a").get("/en/staff/").content.decode()
    assert (
        'href="/en/staff/history/"' in supervisor and 'href="/en/staff/complaints/"' in supervisor
    )
    employee = as_persona("employee_a").get("/en/staff/").content.decode()
    assert 'href="/en/staff/history/"' in employee and "/en/staff/complaints/" not in employee
    evaluator = as_persona("evaluator").get("/en/staff/").content.decode()
    assert "/en/staff/history/" not in evaluator


# --- visitors' own history --------------------------------------------------------------------


def send_code(client, capture, phone: str = "55123456") -> str:
    with capture(execute=True):
        response = client.post(OWN, {"action": "send", "phone": phone})
    assert response.status_code == 200 and b"Code from the SMS" in response.content
    return re.search(r"\b(\d{6})\b", MemorySmsBackend.outbox[-1]["text"]).group(1)


def test_a_visitor_sees_their_whole_history_after_the_code(
    history, django_capture_on_commit_callbacks
):
    client = Client()
    assert b"note about" not in client.get(OWN).content
    code = send_code(client, django_capture_on_commit_callbacks)
    assert MemorySmsBackend.outbox[-1]["to"] == PHONE
    verified = client.post(OWN, {"action": "verify", "phone": "55123456", "code": code})
    assert verified.status_code == 302
    page = client.get(OWN).content.decode()
    # Every agency, in full: even the one hidden from other agencies' staff.
    for record in history.values():
        assert record.service.name_en in page
    assert "Al Wakra" in page and "••••••••234" in page and "28463401234" not in page
    assert "note about" not in page  # staff notes stay with the staff
    access = HistoryAccess.objects.get()
    assert access.user is None and access.phone == PHONE and access.records_shown == 3
    assert "own history" in access.reason
    # Done: the history is gone from this browser.
    client.post(OWN, {"action": "forget"})
    assert history["health"].service.name_en not in client.get(OWN).content.decode()
    assert HistoryAccess.objects.count() == 1


def test_a_wrong_code_shows_nothing(history, django_capture_on_commit_callbacks):
    client = Client()
    code = send_code(client, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(OWN, {"action": "verify", "phone": "55123456", "code": wrong})
    assert response.status_code == 422 and b"This code is not right." in response.content
    assert b"note about" not in response.content
    assert history["passports"].service.name_en not in client.get(OWN).content.decode()
    assert not HistoryAccess.objects.exists()


def test_an_expired_code_shows_nothing(history):
    otp_request(phone=PHONE, purpose="history", now=timezone.now() - dt.timedelta(hours=1))
    response = Client().post(OWN, {"action": "verify", "phone": PHONE, "code": "123456"})
    assert response.status_code == 422 and b"This code has expired." in response.content
    assert b"note about" not in response.content
    assert not HistoryAccess.objects.exists()


def test_a_code_for_another_purpose_does_not_open_the_history(
    history, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(phone=PHONE, purpose="appointment")
    code = re.search(r"\b(\d{6})\b", MemorySmsBackend.outbox[-1]["text"]).group(1)
    response = Client().post(OWN, {"action": "verify", "phone": PHONE, "code": code})
    assert response.status_code == 422
    assert not HistoryAccess.objects.exists()


def test_the_own_history_page_is_in_arabic_and_a_bad_phone_is_explained(history):
    client = Client()
    page = client.get("/my/transactions/").content.decode()
    assert 'dir="rtl"' in page and "رقم الجوال" in page and "أرسل لي الرمز" in page
    response = client.post("/my/transactions/", {"action": "send", "phone": "abc"})
    assert response.status_code == 422 and "ليس رقم هاتف" in response.content.decode()
    assert not MemorySmsBackend.outbox


def test_the_audit_api_names_the_visitor_as_null(
    as_persona, history, django_capture_on_commit_callbacks
):
    client = Client()
    code = send_code(client, django_capture_on_commit_callbacks)
    client.post(OWN, {"action": "verify", "phone": "55123456", "code": code})
    client.get(OWN)
    rows = as_persona("evaluator").get("/api/v1/audit", {"phone": PHONE}).json()
    assert rows[0]["user"] is None and rows[0]["records_shown"] == 3
