"""A whole visit in a real browser: a ticket is issued, the employee signs in and calls it at
the counter console, the display board (a second page, in Arabic) shows it and announces it
in Arabic then English, the visitor's ticket page shows the counter, and the employee
completes the visit. The live server has no websockets, so the screens get there by polling."""

import time

import pytest
from playwright.sync_api import expect

from oneroof.catalog.models import Service
from oneroof.conftest import make_always_open
from oneroof.queueing import actions
from oneroof.queueing.choices import Outcome, TicketStatus
from oneroof.queueing.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLL = 15_000  # the board polls every 5 s, the console every 4 s


def announced_when(board, count: int) -> list[str]:
    """The board's announcements once there are `count` of them (polled from here: the
    content security policy forbids the eval that wait_for_function needs)."""
    deadline = time.monotonic() + POLL / 1000
    while True:
        announced = board.evaluate("window.oneroofBoard.announced")
        if len(announced) >= count or time.monotonic() > deadline:
            return announced
        board.wait_for_timeout(250)


def issue(center, slug: str = "passport-renewal") -> Ticket:
    return actions.ticket_issue(center=center, service=Service.objects.get(slug=slug))


def test_a_visit_from_the_ticket_to_the_counter_the_board_and_back(
    live_server, demo_data, page, browser
):
    center = make_always_open()
    ticket = issue(center)

    # the display board of the center, started from the TV's remote (Enter)
    board = page.context.new_page()
    board.set_viewport_size({"width": 1920, "height": 1080})
    board.goto(live_server.url + "/board/al-rayyan/")
    expect(board.locator("html")).to_have_attribute("dir", "rtl")
    expect(board.locator("[data-lines]")).to_contain_text("الإدارة العامة للجوازات")
    board.keyboard.press("Enter")
    expect(board.locator("[data-sound-gate]")).to_be_hidden()

    # the employee signs in and opens counter 5 for passports
    page.goto(live_server.url + "/en/console/")
    page.get_by_label("Username").fill("employee.rayyan")
    page.get_by_label("Password").fill("oneroof-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Counter console")
    page.get_by_label("Counter", exact=True).select_option(label="5")
    page.get_by_label("Civil Status and National Identity Authority", exact=False).uncheck()
    page.get_by_role("button", name="Open the counter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Counter 5")
    expect(page.locator(".waiting-list")).to_contain_text(ticket.number)

    # a visitor who arrives now appears in the waiting list by itself
    later = issue(center)
    expect(page.locator(".waiting-list")).to_contain_text(later.number, timeout=POLL)

    page.get_by_role("button", name="Call next").click()
    expect(page.locator("[data-current-number]")).to_have_text(ticket.number)
    expect(page.locator(".checklist")).to_contain_text("Current passport")

    # the board shows the call and announces it, Arabic first
    expect(board.locator("[data-now-number]")).to_have_text(ticket.number, timeout=POLL)
    expect(board.locator("[data-now-counter]")).to_have_text("5")
    value = int(ticket.number[1:])
    announcement = [
        f"التذكرة رقم A {value}، الرجاء التوجه إلى الكاونتر 5.",
        f"Ticket number A {value}, please go to counter 5.",
    ]
    assert announced_when(board, 2) == announcement

    # calling again is announced again, after the first
    page.get_by_role("button", name="Call again").click()
    assert announced_when(board, 4) == announcement * 2

    # the visitor's ticket page says where to go
    visitor = page.context.new_page()
    visitor.goto(live_server.url + f"/en/t/{ticket.public_id}/")
    expect(visitor.locator(".ticket-counter").first).to_have_text("5")

    # the employee starts and completes the visit
    page.get_by_role("button", name="Start serving").click()
    page.get_by_label("Missing documents").check()
    page.get_by_label("Note (optional)").fill("Brings the photo tomorrow")
    page.get_by_role("button", name="Complete", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(f"Ticket {ticket.number} is complete.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome) == (TicketStatus.DONE, Outcome.MISSING_DOCUMENTS)
    assert ticket.note == "Brings the photo tomorrow"
