"""The insight screens in a real browser: the supervisor's live view follows a call made at a
counter elsewhere; a decision maker drills down from the command center to a center, an
agency, a service and its employees; the XLSX and PDF exports hold the figures the page
shows."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from oneroof.accounts.models import User
from oneroof.insights.tests.screens_world import make_world
from oneroof.queueing import actions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base: str, username: str, next_path: str) -> None:
    page.goto(base + "/en/accounts/login/?next=" + next_path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("oneroof-demo")
    page.get_by_role("button", name="Sign in").click()


def test_the_live_view_follows_a_call_made_at_a_counter(live_server, demo_data, page):
    world = make_world()
    sign_in(page, live_server.url, "supervisor.rayyan", "/en/staff/insights/live/al-rayyan/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Al Rayyan Government Services Complex"
    )
    waiting = page.locator("[data-figure=waiting_now]")
    expect(waiting).to_have_text("2")
    expect(page.locator("[data-alerts]")).to_contain_text("Line B (")
    counter = page.locator(f"[data-counter='{world.counter_a.pk}']")
    expect(counter).to_contain_text("Open")

    # Elsewhere, the employee at counter 5 calls the next passport visitor.
    employee = User.objects.get(username="employee.rayyan")
    ticket = actions.ticket_call_next(counter=world.counter_a, acting_user=employee)

    # The page fetches its state again (on the center's event, or by polling where this
    # server has no websockets) and shows the call without a reload.
    expect(waiting).to_have_text("1", timeout=15_000)
    expect(counter).to_contain_text(f"Serving {ticket.number}")
    expect(page.locator("[data-line] .figure").first).to_have_text("0")
    assert page.evaluate("window.oneroofInsightsLive.updates") >= 1


def test_a_decision_maker_drills_down_from_the_command_center(live_server, demo_data, page):
    make_world()
    sign_in(page, live_server.url, "decision", "/staff/insights/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    cards = page.locator("[data-centers] > li")
    expect(cards).to_have_count(11)
    first = cards.first
    expect(first.locator("[data-field=waiting_now]")).to_have_text("2")
    expect(first.locator("h3")).to_have_text("مجمع الخدمات الحكومية - الريان")
    expect(page.locator(".command-map [data-pin]")).to_have_count(11)

    first.locator("h3 a").click()
    expect(page).to_have_url(re.compile(r"/staff/insights/reports/\?center=al-rayyan&period=day$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("مجمع الخدمات الحكومية - الريان")
    table = page.locator("[data-breakdown]")
    table.get_by_role("link", name="الإدارة العامة للجوازات والإقامة").click()
    expect(page).to_have_url(re.compile(r"agency=passports"))
    page.locator("[data-breakdown]").get_by_role("link", name="تجديد جواز السفر").click()
    expect(page).to_have_url(re.compile(r"service=passport-renewal"))
    rows = page.locator("[data-breakdown] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("[data-cell=served]")).to_have_text("3")
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/staff/insights/employees/\d+/\?period=day"))
    expect(page.locator("[data-figure=served]")).to_have_text("3")


def test_the_xlsx_and_pdf_exports_hold_the_figures_on_screen(live_server, demo_data, page, pango):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    make_world()
    sign_in(page, live_server.url, "supervisor.rayyan", "/staff/insights/reports/?period=day")
    served = page.locator("[data-figure=served]").inner_text()
    wait = page.locator("[data-figure=avg_wait]").inner_text()
    assert served == "3"

    with page.expect_download() as download:
        page.locator("a[href*='export.xlsx']").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    values = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True) if r and r[0]}
    with translation.override("ar"):
        assert values[gettext("Services delivered")] == int(served)
        assert values[gettext("Average wait")] == float(wait)

    with page.expect_download() as download:
        page.locator("a[href*='export.pdf']").click()
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(download.value.path().read_bytes())).pages
    )
    assert "مجمع الخدمات الحكومية - الريان" in text
    assert wait in text
