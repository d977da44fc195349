"""The automatic reply: a new inquiry the knowledge base answers confidently is answered at
once on its own channel and resolved; below the threshold it goes to a person; every match is
logged with its score; "not helpful" reopens the case for a person and marks the log."""

import re

import pytest

from oneroof.care.actions import case_open
from oneroof.care.backends import Inbound
from oneroof.care.messaging import case_token
from oneroof.care.models import AutoReplyLog, Case
from oneroof.care.tests.factories import answerable_inquiry, unanswerable_inquiry
from oneroof.catalog.models import Service
from oneroof.knowledge.search import ANSWER_THRESHOLD
from oneroof.notify.backends import MemorySmsBackend

pytestmark = pytest.mark.django_db


def open_inquiry(text, lang, capture, **extra):
    with capture(execute=True):
        return case_open(
            inbound=Inbound(channel="portal", kind="inquiry", text=text, lang=lang, **extra)
        )


def test_a_confident_inquiry_is_answered_at_once_on_its_channel_and_resolved(
    django_capture_on_commit_callbacks,
):
    text, lang, hit = answerable_inquiry()
    case = open_inquiry(text, lang, django_capture_on_commit_callbacks, phone="55123456")

    assert case.status == "resolved" and case.auto_answered
    assert case.auto_score == hit.score and case.first_response_at is not None
    # Routed to the article's service, so the figures count it for its agency.
    service = Service.objects.get(pk=hit.service_id)
    assert (case.service_id, case.agency_id) == (service.pk, service.agency_id)
    reply = case.messages.get(direction="outbound")
    assert reply.is_auto and hit.short_answer.strip() in reply.text
    # Sent by SMS (the channel of a portal case with a phone), with the "not helpful" link.
    sms = MemorySmsBackend.outbox[-1]
    assert sms["to"] == "+97455123456"
    assert hit.short_answer.strip() in sms["text"]
    assert f"/care/case/{case_token(case.pk)}/answer/" in sms["text"]
    log = AutoReplyLog.objects.get(case=case)
    assert log.replied and log.score == hit.score and log.article_id == hit.article_id
    assert log.threshold == ANSWER_THRESHOLD


def test_below_the_threshold_the_inquiry_goes_to_a_person_and_the_match_is_logged(
    django_capture_on_commit_callbacks,
):
    text, lang = unanswerable_inquiry()
    case = open_inquiry(text, lang, django_capture_on_commit_callbacks, phone="55123456")

    assert case.status == "new" and not case.auto_answered
    assert not case.messages.filter(direction="outbound").exists()
    log = AutoReplyLog.objects.get(case=case)
    assert not log.replied
    # The visitor is told the message arrived, with the link to follow it.
    assert f"/care/case/{case_token(case.pk)}/" in MemorySmsBackend.outbox[-1]["text"]


def test_a_complaint_is_never_answered_automatically(django_capture_on_commit_callbacks):
    text, lang, _hit = answerable_inquiry()
    with django_capture_on_commit_callbacks(execute=True):
        case = case_open(inbound=Inbound(channel="portal", kind="complaint", text=text, lang=lang))
    assert case.status == "new" and not case.auto_answered
    assert not AutoReplyLog.objects.filter(case=case).exists()


def test_not_helpful_reopens_the_case_for_a_person_and_marks_the_log(
    client, django_capture_on_commit_callbacks
):
    text, lang, _hit = answerable_inquiry()
    case = open_inquiry(text, lang, django_capture_on_commit_callbacks, phone="55123456")
    link = re.search(r"https?://\S+/answer/", MemorySmsBackend.outbox[-1]["text"]).group(0)
    path = link.split("example.org", 1)[1]

    # Opening the link (a phone's link preview does) changes nothing.
    assert client.get(path).status_code == 200
    assert Case.objects.get(pk=case.pk).status == "resolved"

    response = client.post(path, {"helpful": "no"})
    assert response.status_code == 302

    case.refresh_from_db()
    assert case.status == "open" and case.answer_helpful is False
    assert case.first_response_at is None  # a person has yet to answer
    assert case.resolved_at is None and case.due_at > case.created_at
    log = AutoReplyLog.objects.get(case=case)
    assert log.not_helpful_at is not None and log.helpful_at is None
    assert case.notes.filter(is_system=True, text__contains="did not help").exists()


def test_helpful_keeps_the_case_resolved_and_marks_the_log(
    client, django_capture_on_commit_callbacks
):
    text, lang, _hit = answerable_inquiry()
    case = open_inquiry(text, lang, django_capture_on_commit_callbacks)
    client.post(f"/en/care/case/{case_token(case.pk)}/answer/", {"helpful": "yes"})
    case.refresh_from_db()
    assert case.status == "resolved" and case.answer_helpful is True
    assert AutoReplyLog.objects.get(case=case).helpful_at is not None


def test_the_portal_case_page_shows_the_answer_and_the_question_whether_it_helped(
    client, django_capture_on_commit_callbacks
):
    text, lang, _hit = answerable_inquiry()
    case = open_inquiry(text, lang, django_capture_on_commit_callbacks)
    page = client.get(f"/en/care/case/{case_token(case.pk)}/").content.decode()
    assert "Answered automatically" in page
    assert "No, it did not help" in page
