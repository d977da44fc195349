"""A visit seen from its history to its survey, in a real browser: the employee serves a
visitor at the counter console and sees their earlier service in the history panel, completes
the visit; the visitor opens the survey link of the SMS and answers in Arabic; the
satisfaction index moves, in the API and on the supervisor's complaints page."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from oneroof.catalog.models import Service
from oneroof.conftest import make_always_open
from oneroof.feedback.actions import surveys_send_due
from oneroof.notify.backends import MemorySmsBackend
from oneroof.queueing import actions
from oneroof.transactions.models import HistoryAccess, TransactionRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
COMMENT = "انتظرت طويلاً ولم يشرح لي الموظف المستندات المطلوبة"


def sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(base + next_path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("oneroof-demo")
    page.get_by_role("button", name="Sign in").click()


def satisfaction(page, base: str) -> dict:
    response = page.request.get(base + "/api/v1/satisfaction?center=al-rayyan")
    assert response.ok
    return response.json()


def test_serve_see_history_complete_and_the_survey_moves_the_index(
    live_server, demo_data, page, browser
):
    # The survey's first version, as its data migration makes it (an earlier transactional
    # test's flush may have removed it).
    importlib.import_module(
        "oneroof.feedback.migrations.0002_first_survey_version"
    ).create_first_version(apps, None)
    center = make_always_open()
    service = Service.objects.get(slug="passport-renewal")
    TransactionRecord.objects.create(
        service=service,
        agency=service.agency,
        center=center,
        phone="+97455123456",
        outcome="missing_documents",
        missing_documents=["Recent passport photo"],
        notes="Came without the photo; told to bring it",
        ended_at=timezone.now() - dt.timedelta(days=12),
    )
    ticket = actions.ticket_issue(center=center, service=service, phone="55123456", lang="ar")

    # The employee opens counter 5 for passports and calls the visitor.
    sign_in(page, live_server.url, "employee.rayyan", "/en/console/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Counter console")
    page.get_by_label("Counter", exact=True).select_option(label="5")
    page.get_by_label("Civil Status and National Identity Authority", exact=False).uncheck()
    page.get_by_role("button", name="Open the counter").click()
    page.get_by_role("button", name="Call next").click()
    expect(page.locator("[data-current-number]")).to_have_text(ticket.number)

    # The history panel shows the earlier service, and the look is audited for this ticket.
    panel = page.locator(".history-panel")
    expect(panel).to_contain_text("Came without the photo; told to bring it")
    expect(panel).to_contain_text("Missing documents")
    expect(panel).to_contain_text(f"for ticket {ticket.number}")
    assert HistoryAccess.objects.filter(ticket__public_id=ticket.public_id).exists()

    before = satisfaction(page, live_server.url)
    page.get_by_role("button", name="Start serving").click()
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"Ticket {ticket.number} is complete.")
    expect(page.locator(".history-panel")).to_have_count(0)

    # The survey SMS goes out after its delay; its link is in the visitor's language (Arabic).
    surveys_send_due(
        now=timezone.now() + dt.timedelta(minutes=settings.ONEROOF_SURVEY_DELAY_MINUTES + 1)
    )
    text = next(m["text"] for m in reversed(MemorySmsBackend.outbox) if "/s/" in m["text"])
    path = re.search(r"https?://[^/\s]+(/s/[\w-]+/)", text).group(1)

    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    visitor.goto(live_server.url + path)
    expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("كيف كانت خدمتنا؟")
    questions = visitor.locator("fieldset.survey-question")
    questions.nth(0).get_by_label("2", exact=True).check()
    questions.nth(1).get_by_label("1", exact=True).check()
    questions.nth(2).get_by_label("3", exact=True).check()
    questions.nth(3).get_by_label("لا", exact=True).check()
    visitor.locator("textarea[name=comment]").fill(COMMENT)
    visitor.get_by_role("button", name="إرسال").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("شكرًا لك")
    visitor.context.close()

    # The index moves: one more answer, and its low score pulls the mean.
    after = satisfaction(page, live_server.url)
    assert after["responses"] == before["responses"] + 1
    assert after["mean"] == 2.0 and after["satisfied_share"] == 0.0

    # The supervisor finds the complaint and the index on the complaints page.
    supervisor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(supervisor, live_server.url, "supervisor.rayyan", "/en/staff/")
    supervisor.get_by_role("link", name="Survey complaints").click()
    expect(supervisor.locator(".complaint-list")).to_contain_text(COMMENT)
    expect(supervisor.locator("[data-index-responses]").first).to_have_text("1")
    expect(supervisor.locator("[data-index-share]").first).to_have_text("0%")
    supervisor.context.close()
