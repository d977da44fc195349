"""A visitor takes a ticket at the kiosk and follows it on a phone, in a real browser, in
Arabic and in English. The test server speaks no websockets, so the ticket page falls back
to asking the API every 5 seconds."""

import re

import pytest
from playwright.sync_api import expect

from oneroof.accounts.models import User
from oneroof.catalog.models import Service
from oneroof.centers.models import Counter
from oneroof.conftest import make_always_open
from oneroof.queueing import actions
from oneroof.queueing.choices import IssueChannel, TicketStatus
from oneroof.queueing.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 15_000  # two polls and some


def _qr_loaded(page, selector: str) -> bool:
    """Wait until the QR image (served by its own view) has loaded and decoded."""
    handle = page.wait_for_function(
        "s => { const i = document.querySelector(s);"
        " return !!i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
    )
    return bool(handle.json_value())


def sign_in_as_the_kiosk(page, live_server) -> None:
    """A kiosk runs signed in as its center's device account."""
    page.goto(live_server.url + "/en/accounts/login/")
    page.get_by_label("Username").fill("kiosk.rayyan")
    page.get_by_label("Password").fill("oneroof-demo")
    page.get_by_role("button", name="Sign in").click()


def test_arabic_visitor_takes_a_ticket_with_a_phone_number(live_server, demo_data, page):
    make_always_open()
    sign_in_as_the_kiosk(page, live_server)
    page.goto(live_server.url + "/kiosk/al-rayyan/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")

    page.get_by_role("link", name=re.compile("الإدارة العامة للجوازات والإقامة")).click()
    expect(page).to_have_url(re.compile(r"/kiosk/al-rayyan/passports/$"))
    page.get_by_role("link", name="تجديد جواز السفر").click()

    for digit in "55123456":
        page.locator(f'.keypad [data-key="{digit}"]').click()
    expect(page.locator("#phone")).to_have_value("55123456")
    page.locator(".kiosk-submit").click()

    number = page.locator(".kiosk-ticket-number")
    expect(number).to_have_text("A001")
    assert _qr_loaded(page, ".kiosk-qr img")
    ticket = Ticket.objects.get()
    assert ticket.channel == IssueChannel.KIOSK
    assert ticket.phone == "+97455123456"
    assert ticket.lang == "ar"

    page.goto(live_server.url + f"/t/{ticket.public_id}/")
    expect(page.locator(".ticket-number")).to_have_text("A001")
    expect(page.locator("body")).to_have_attribute("data-ticket-status", "waiting")

    page.goto(live_server.url + f"/t/{ticket.public_id}/print/")
    expect(page.locator(".slip-number")).to_have_text("A001")
    expect(page.locator(".slip-service")).to_have_text("تجديد جواز السفر")
    assert _qr_loaded(page, ".slip-qr")


def test_english_visitor_asks_for_priority_and_starts_over(live_server, demo_data, page):
    make_always_open()
    page.goto(live_server.url + "/kiosk/al-rayyan/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/kiosk/al-rayyan/$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.get_by_role("link", name=re.compile("General Directorate of Traffic")).click()
    page.get_by_role("link", name="Driving Licence Renewal").click()
    page.get_by_label("Elderly").check()
    page.get_by_role("button", name="Take my ticket").click()

    expect(page.locator(".kiosk-ticket-number")).to_have_text("C001")
    expect(page.locator(".kiosk-ticket-priority")).to_contain_text("Elderly")
    assert _qr_loaded(page, ".kiosk-qr img")
    ticket = Ticket.objects.get()
    assert (ticket.priority_reason, ticket.lang) == ("elderly", "en")

    # The next visitor starts in Arabic.
    page.get_by_role("link", name="Done · start over").click()
    expect(page).to_have_url(re.compile(r"/kiosk/al-rayyan/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    page.goto(live_server.url + "/en/kiosk/al-rayyan/traffic/")
    page.get_by_role("link", name="Driving Licence Renewal").click()
    page.get_by_role("link", name="Start over").click()
    expect(page).to_have_url(re.compile(r"/en/kiosk/al-rayyan/$"))
    page.get_by_role("link", name=re.compile("General Directorate of Traffic")).click()
    page.get_by_role("link", name="Driving Licence Renewal").click()
    page.locator("#phone").fill("12")
    page.get_by_role("button", name="Take my ticket").click()
    expect(page.get_by_role("alert")).to_contain_text("No ticket was issued.")
    assert Ticket.objects.count() == 1


def test_ticket_page_shows_the_counter_when_called_from_elsewhere(live_server, demo_data, page):
    center = make_always_open()
    ticket = actions.ticket_issue(
        center=center, service=Service.objects.get(slug="passport-renewal"), lang="en"
    )
    page.goto(live_server.url + f"/en/t/{ticket.public_id}/")
    body = page.locator("body")
    expect(body).to_have_attribute("data-ticket-status", "waiting")
    expect(page.locator(".ticket-counter").first).to_be_hidden()

    employee = User.objects.get(username="employee.rayyan")
    counter = Counter.objects.get(center=center, number=4)
    actions.counter_open(counter=counter, lines=[ticket.line], acting_user=employee)
    assert actions.ticket_call_next(counter=counter, acting_user=employee).pk == ticket.pk

    expect(body).to_have_attribute("data-ticket-status", "called", timeout=LIVE_TIMEOUT)
    expect(body).to_have_attribute("data-counter", "4")
    expect(page.locator("[data-when=called] .ticket-counter")).to_have_text("4")
    expect(page.locator("[data-when=called]")).to_contain_text("Please go to counter")
    expect(page.get_by_text("Cancel my ticket", exact=True)).to_be_hidden()


def test_visitor_cancels_the_ticket_from_the_phone(live_server, demo_data, page):
    center = make_always_open()
    ticket = actions.ticket_issue(
        center=center, service=Service.objects.get(slug="passport-renewal"), lang="en"
    )
    page.goto(live_server.url + f"/en/t/{ticket.public_id}/")

    page.get_by_text("Cancel my ticket", exact=True).click()
    page.get_by_role("button", name="Yes, cancel my ticket").click()

    expect(page.locator("body")).to_have_attribute("data-ticket-status", "cancelled")
    expect(page.locator("[data-when=cancelled]")).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
