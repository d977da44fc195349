"""Journeys a visitor takes on the portal, in a real browser, in Arabic and in English."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_arabic_visitor_searches_ticks_papers_and_finds_an_open_center(
    live_server, demo_data, page
):
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")

    page.get_by_role("searchbox").fill("تجديد جواز السفر")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="تجديد جواز السفر").first.click()
    expect(page).to_have_url(re.compile(r"/services/passport-renewal/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("تجديد جواز السفر")

    boxes = page.locator(".check-items input[type=checkbox]")
    expect(boxes).to_have_count(3)
    boxes.nth(0).check()
    expect(page.locator(".checklist-progress")).to_have_text("1 من 3 جاهزة")
    page.reload()  # ticks are remembered on this device
    expect(boxes.nth(0)).to_be_checked()
    boxes.nth(1).check()
    boxes.nth(2).check()
    expect(page.locator(".checklist-progress")).to_have_text("جميع المستندات جاهزة.")

    page.get_by_role("link", name="مجمع الخدمات الحكومية - الريان").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("الريان")
    expect(page.locator("table.hours").first).to_contain_text("07:00–13:00")
    expect(page.locator(".desk-hours")).to_contain_text("16:00–24:00")


def test_english_visitor_switches_language_uses_large_text_and_keyboard(
    live_server, demo_data, page
):
    page.goto(live_server.url + "/services/birth-certificate/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/services/birth-certificate/$"))
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator(".key-facts")).to_contain_text("Free")

    page.get_by_role("link", name=re.compile("Large text")).click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size == 20  # 125 % of 16 px

    # Keyboard only: the skip link is the first stop and moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))

    page.goto(live_server.url + "/en/centers/")
    expect(page.locator(".center-list > li")).to_have_count(11)
    page.locator(".map a").first.click()
    expect(page).to_have_url(re.compile(r"/en/centers/[a-z-]+/$"))
    expect(page.locator("h2#hours-title")).to_have_text("Opening hours")


def test_staff_member_signs_in_and_sees_their_roles(live_server, demo_data, page):
    page.goto(live_server.url + "/en/accounts/login/")
    page.get_by_label("Username").fill("employee.rayyan")
    page.get_by_label("Password").fill("oneroof-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator("main")).to_contain_text("Service employee")
