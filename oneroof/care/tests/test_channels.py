"""A case's whole life from each channel: the portal, e-mail (webhook and mailbox), phone,
the survey's low scores and social networks. Each is answered on its own channel."""

import datetime as dt
import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from oneroof.accounts.models import User
from oneroof.care.actions import case_reply, case_set_status, cases_close_resolved
from oneroof.care.backends import ImapInbox, MemorySocialBackend
from oneroof.care.messaging import case_token
from oneroof.care.models import Case, MonitoredPost
from oneroof.catalog.models import Service
from oneroof.centers.models import Center
from oneroof.feedback.models import SurveyAnswer, SurveyInvite, SurveyVersion
from oneroof.notify.backends import MemorySmsBackend
from oneroof.transactions.models import TransactionRecord

pytestmark = pytest.mark.django_db
COMPLAINT = "انتظرت ساعتين عند مكتب الجوازات والموظف ما رد علي"


# --- the portal ------------------------------------------------------------------------------


def test_portal_case_from_question_to_closed(
    client, employee_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/care/ask/",
            {"kind": "complaint", "text": COMPLAINT, "phone": "5512 3456", "name": "Salem"},
        )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith(f"/en/care/case/{case_token(case.pk)}/")
    assert (case.channel, case.kind, case.status, case.lang) == ("portal", "complaint", "new", "ar")
    assert case.phone == "+97455123456" and case.citizen_name == "Salem"
    assert "/care/case/" in MemorySmsBackend.outbox[-1]["text"]  # "we received it"

    # Routed to passports (the agent corrects it if the guess is wrong).
    case.agency = Service.objects.get(slug="passport-renewal").agency
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(case=case, text="We are sorry. Please come to desk 3.", acting_user=employee_a)
    case.refresh_from_db()
    assert case.status == "waiting_on_citizen" and case.owner == employee_a
    assert case.first_response_at is not None and case.paused_at is not None
    assert "Please come to desk 3." in MemorySmsBackend.outbox[-1]["text"]

    # The citizen writes back on the case page: the case is open again, the clock resumes.
    page = f"/en/care/case/{case_token(case.pk)}/"
    assert "Please come to desk 3." in client.get(page).content.decode()
    client.post(page, {"text": "Thank you, which desk exactly?"})
    case.refresh_from_db()
    assert case.status == "open" and case.paused_at is None

    with django_capture_on_commit_callbacks(execute=True):
        case_reply(case=case, text="Desk 3, first floor.", acting_user=employee_a, then="resolved")
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at is not None

    # A week later nobody wrote back: closed by the periodic job.
    assert cases_close_resolved(now=timezone.now() + dt.timedelta(days=8)) == 1
    case.refresh_from_db()
    assert case.status == "closed"
    assert "This case is closed." in client.get(page).content.decode()


def test_the_portal_form_refuses_bad_input_and_changes_nothing(client):
    response = client.post("/en/care/ask/", {"kind": "inquiry", "text": "Hi", "phone": "12"})
    assert response.status_code == 422
    assert "is not a valid phone number" in response.content.decode()
    response = client.post("/en/care/ask/", {"kind": "inquiry", "text": ""})
    assert response.status_code == 422
    assert not Case.objects.exists()


# --- e-mail ----------------------------------------------------------------------------------


def post_email(client, payload, secret="mail-secret"):  # noqa: S107 - the test secret
    return client.post(
        "/api/v1/care/inbound/email",
        json.dumps(payload),
        content_type="application/json",
        HTTP_X_ONEROOF_SECRET=secret,
    )


def test_email_case_from_webhook_to_reply_and_the_citizens_answer(
    client, employee_a, mailoutbox, django_capture_on_commit_callbacks
):
    first = {
        "from": "Mona <mona@example.com>",
        "subject": "Passport appointment",
        "text": "I booked an appointment but never got the confirmation. Can you help?",
        "message_id": "<m1@example.com>",
    }
    assert post_email(client, first, secret="wrong").status_code == 401
    assert not Case.objects.exists()

    response = post_email(client, first)
    assert response.status_code == 202 and response.json()["new"] is True
    case = Case.objects.get()
    assert (case.channel, case.email, case.citizen_name) == ("email", "mona@example.com", "Mona")
    # Delivered twice by the provider: still one case.
    assert post_email(client, first).json() == {"case": case.pk, "post": None, "new": False}

    case.agency = Service.objects.get(slug="passport-renewal").agency
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(case=case, text="Your booking code is 12345.", acting_user=employee_a)
    sent = mailoutbox[-1]
    assert sent.to == ["mona@example.com"] and f"[#{case.pk}]" in sent.subject
    assert sent.extra_headers["In-Reply-To"] == "<m1@example.com>"

    # Her reply (keeping the reference in the subject) continues the same case.
    reply = {
        "from": "mona@example.com",
        "subject": sent.subject,
        "text": "Thanks, got it.\n\nOn Monday OneRoof wrote:\n> Your booking code",
        "message_id": "<m2@example.com>",
    }
    assert post_email(client, reply).json()["case"] == case.pk
    case.refresh_from_db()
    assert case.status == "open"
    assert case.messages.last().text == "Thanks, got it."

    # Someone else quoting the same reference opens a case of their own.
    other = {**reply, "from": "someone@example.com", "message_id": "<m3@example.com>"}
    assert post_email(client, other).json()["case"] != case.pk


def test_an_out_of_office_reply_is_never_answered_automatically(client):
    message = (
        "From: mona@example.com\nSubject: Out of office\nAuto-Submitted: auto-replied\n"
        "Message-ID: <ooo@example.com>\n\nPassport renewal"
    )
    body = post_email(client, {"raw": message}).json()
    case = Case.objects.get(pk=body["case"])
    assert not case.auto_answered and not case.auto_replies.exists()


EML = """From: Khalid <khalid@example.com>
To: care@example.org
Subject: {subject}
Message-ID: <{mid}@example.com>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{body}
"""


def test_email_mailbox_poller_reads_new_mail_into_cases(settings):
    inbox = Path(settings.ONEROOF_CARE_EMAIL_DIR)
    (inbox / "new").mkdir(parents=True)
    (inbox / "new" / "1.eml").write_text(
        EML.format(subject="رخصة القيادة", mid="a1", body="متى تنتهي رخصة القيادة؟"), "utf-8"
    )
    (inbox / "new" / "2.eml").write_text("Subject: no sender\n\n", "utf-8")
    call_command("care_poll_email")
    case = Case.objects.get()
    assert (case.channel, case.email, case.subject) == (
        "email",
        "khalid@example.com",
        "رخصة القيادة",
    )
    assert sorted(p.name for p in (inbox / "cur").iterdir()) == ["1.eml", "2.eml"]
    assert not list((inbox / "new").iterdir())
    call_command("care_poll_email")  # nothing new
    assert Case.objects.count() == 1


class FakeImap:
    """Stands in for the mail server (an outside service): two unseen messages."""

    def __init__(self, host, port):
        self.seen = []
        self.messages = {
            b"7": EML.format(subject="Question", mid="i7", body="Where is my ID card?").encode(),
            b"8": EML.format(subject="Again", mid="i8", body="Hello?").encode(),
        }

    def login(self, user, password):
        self.user = user

    def select(self, folder):
        self.folder = folder

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(k for k in self.messages if k not in self.seen)]
        if command == "FETCH":
            return "OK", [(b"1 (UID x)", self.messages[args[0]]), b")"]
        if command == "STORE":
            self.seen.append(args[0].encode())
            return "OK", []
        raise AssertionError(command)

    def logout(self):
        pass


def test_the_imap_inbox_marks_each_message_seen_once_stored(settings, monkeypatch):
    from oneroof.care.actions import email_inbox_poll

    settings.ONEROOF_CARE_IMAP_HOST = "imap.example.org"
    monkeypatch.setattr(ImapInbox, "imap_class", FakeImap)
    inbox = ImapInbox()
    report = email_inbox_poll(inbox=inbox)
    assert report == {"read": 2, "new": 2, "threaded": 0, "failed": 0}
    assert inbox.conn.seen == [b"7", b"8"]
    assert email_inbox_poll(inbox=inbox)["read"] == 0


# --- phone -----------------------------------------------------------------------------------


def test_phone_case_logged_by_an_agent_and_answered_by_sms(
    as_persona, employee_a, django_capture_on_commit_callbacks
):
    client = as_persona("employee_a")
    response = client.post(
        "/en/staff/care/new/",
        {
            "kind": "inquiry",
            "text": "Caller asks which papers a child's first passport needs.",
            "phone": "55123456",
            "lang": "en",
            "priority": "normal",
            "service": Service.objects.get(slug="child-first-passport").pk,
        },
    )
    case = Case.objects.get()
    assert response["Location"] == f"/en/staff/care/{case.pk}/"
    assert (case.channel, case.status, case.owner) == ("phone", "open", employee_a)
    assert not case.auto_replies.exists()  # the agent answers a caller, not the robot
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/en/staff/care/{case.pk}/",
            {"action": "reply", "text": "Birth certificate and two photos.", "then": "resolved"},
        )
    case.refresh_from_db()
    assert case.status == "resolved"
    assert MemorySmsBackend.outbox[-1]["to"] == "+97455123456"
    assert "Birth certificate and two photos." in MemorySmsBackend.outbox[-1]["text"]


# --- the survey ------------------------------------------------------------------------------


def survey_answer(overall: int, comment: str) -> SurveyAnswer:
    service = Service.objects.get(slug="passport-renewal")
    now = timezone.now() - dt.timedelta(hours=1)
    record = TransactionRecord.objects.create(
        service=service,
        agency=service.agency,
        center=Center.objects.get(slug="al-rayyan"),
        employee=User.objects.get(username="employee.rayyan"),
        phone="+97455999888",
        outcome="completed",
        ended_at=now,
    )
    invite = SurveyInvite.objects.create(
        record=record,
        phone=record.phone,
        lang="ar",
        due_at=now,
        expires_at=now + dt.timedelta(days=7),
    )
    return SurveyAnswer.objects.create(
        invite=invite,
        version=SurveyVersion.objects.get(is_active=True),
        center=record.center,
        agency=record.agency,
        service=service,
        employee=record.employee,
        overall=overall,
        waiting=1,
        courtesy=2,
        one_visit=False,
        comment=comment,
        answered_at=now,
    )


def test_low_survey_scores_with_a_comment_become_complaints_once(as_persona):
    low = survey_answer(1, "الموظف تأخر علي كثير")
    survey_answer(2, "")  # no comment: nothing to follow up
    survey_answer(5, "ممتاز")  # not a complaint
    call_command("care_tick")
    case = Case.objects.get()
    assert (case.channel, case.kind, case.priority) == ("survey", "complaint", "high")
    assert (case.agency_id, case.center_id, case.service_id) == (
        low.agency_id,
        low.center_id,
        low.service_id,
    )
    assert case.phone == "+97455999888" and case.source_ref == f"survey-answer:{low.pk}"
    call_command("care_tick")
    assert Case.objects.count() == 1
    # The passports agency's staff find it in their inbox.
    assert (
        f'data-case="{case.pk}"' in as_persona("employee_a").get("/en/staff/care/").content.decode()
    )


# --- social networks -------------------------------------------------------------------------


def post_social(client, network, payload, secret):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        f"/api/v1/care/inbound/social/{network}",
        body,
        content_type="application/json",
        HTTP_X_ONEROOF_SIGNATURE=signature,
    )


def test_social_direct_message_from_webhook_to_reply_on_the_network(
    client, employee_b, django_capture_on_commit_callbacks
):
    message = {
        "id": "dm-1",
        "type": "message",
        "author": {"handle": "@fahad", "name": "Fahad"},
        "text": "My driving licence expired abroad, what do I do?",
        "lang": "en",
    }
    assert post_social(client, "x", message, "wrong").status_code == 401
    assert post_social(client, "nosuchnetwork", message, "x-secret").status_code == 401
    assert not Case.objects.exists()

    response = post_social(client, "x", message, "x-secret")
    assert response.status_code == 202
    case = Case.objects.get(pk=response.json()["case"])
    assert (case.channel, case.social_network, case.social_handle) == ("social", "x", "@fahad")

    case.agency = Service.objects.get(slug="driving-licence-renewal").agency
    case.status = "open"
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_reply(case=case, text="Renew it online with your ID.", acting_user=employee_b)
    sent = MemorySocialBackend.outbox[-1]
    assert sent["network"] == "x" and sent["to"] == "@fahad" and sent["in_reply_to"] == "dm-1"
    assert "Renew it online with your ID." in sent["text"]

    # The next message from the same person continues the conversation.
    follow = {**message, "id": "dm-2", "text": "Thanks! And the fee?"}
    assert post_social(client, "x", follow, "x-secret").json()["case"] == case.pk
    case.refresh_from_db()
    assert case.status == "open"
    assert case.messages.last().text == "Thanks! And the fee?"


def test_social_mentions_are_monitored_with_their_sentiment(as_persona, client, employee_a):
    negative = {
        "id": "p-1",
        "type": "mention",
        "author": {"handle": "@angry"},
        "text": "زحمة وتأخير في مجمع الريان، خدمة سيئة جدا",
        "url": "https://x.example/p-1",
    }
    positive = {
        "id": "p-2",
        "type": "mention",
        "author": {"handle": "@happy"},
        "text": "Great service at the Al Wakra center, very fast, thank you!",
    }
    post_social(client, "x", negative, "x-secret")
    post_social(client, "instagram", positive, "ig-secret")
    assert post_social(client, "x", negative, "x-secret").json()["new"] is False
    assert not Case.objects.exists()
    bad, good = (
        MonitoredPost.objects.get(external_id="p-1"),
        MonitoredPost.objects.get(external_id="p-2"),
    )
    assert bad.sentiment == "negative" and good.sentiment == "positive"

    agent = as_persona("employee_a")
    page = agent.get("/en/staff/care/monitoring/?sentiment=negative").content.decode()
    assert "@angry" in page and "@happy" not in page
    agent.post(f"/en/staff/care/monitoring/{bad.pk}/case/")
    bad.refresh_from_db()
    assert bad.case is not None and bad.case.kind == "complaint" and bad.case.channel == "social"


def test_a_malformed_social_post_is_refused_with_the_error_shape(client):
    response = post_social(client, "x", {"type": "message", "text": ""}, "x-secret")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert not Case.objects.exists()


def test_setting_a_case_waiting_pauses_and_a_citizen_message_resumes(employee_a):
    from oneroof.care.tests.factories import make_case

    case = make_case(service_id=Service.objects.get(slug="passport-renewal").pk)
    case = case_set_status(case=case, status="waiting_on_citizen", acting_user=employee_a)
    assert case.paused_at is not None
    assert re.search("waiting", case.notes.last().text, re.I)
