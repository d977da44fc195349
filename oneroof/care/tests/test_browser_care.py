"""The care inbox in a real browser: a citizen asks in Gulf Arabic on the portal and gets the
right automatic answer; a complaint reaches an agent of the agency concerned, who answers it,
and the citizen's case page shows the answer."""

import pytest
from playwright.sync_api import expect

from oneroof.care.models import Case
from oneroof.catalog.models import Service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Colloquial Gulf Arabic: "I want to renew my passport (the loanword), what papers are needed?"
QUESTION = "السلام عليكم، ابي اجدد الباسبور حقي، وش الاوراق المطلوبة؟"
# "The passports employee at Al Rayyan didn't answer me and I waited two hours to renew my
# passport."
COMPLAINT = "موظف الجوازات في مجمع الريان ما رد علي وانتظرت ساعتين عشان اجدد جواز السفر"
ANSWER = "We apologise. Your renewal is ready; collect it from counter 4 any day this week."


def test_a_gulf_arabic_question_is_answered_automatically(live_server, demo_data, page):
    # The Arabic portal (right to left); elements are found by name, whatever the wording.
    page.goto(live_server.url + "/care/ask/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("textarea[name=text]").fill(QUESTION)
    page.locator(".ask-form button[type=submit]").click()

    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "resolved")
    case = Case.objects.get()
    renewal = Service.objects.get(slug="passport-renewal")
    assert case.auto_answered and case.service == renewal
    answer = page.locator(".bubble.auto")
    expect(answer).to_contain_text("/help/")
    # "Not helpful" is one click away, and brings a person.
    page.locator(".helpful-box button[value=no]").click()
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "open")
    case.refresh_from_db()
    assert case.status == "open" and case.answer_helpful is False


def test_a_complaint_reaches_an_agent_who_answers_it(live_server, demo_data, page, browser):
    # The citizen complains on the portal, in Arabic.
    page.goto(live_server.url + "/care/ask/")
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("textarea[name=text]").fill(COMPLAINT)
    page.locator("input[name=phone]").fill("55123456")
    page.locator(".ask-form button[type=submit]").click()
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "new")
    citizen_url = page.url.split("?")[0]
    case = Case.objects.get()
    assert case.kind == "complaint" and case.agency.slug == "passports"

    # An employee of the passports agency signs in and finds it in the inbox.
    agent = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    agent.goto(live_server.url + "/en/accounts/login/?next=/en/staff/care/")
    agent.get_by_label("Username").fill("employee.rayyan")
    agent.get_by_label("Password").fill("oneroof-demo")
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Care inbox")
    row = agent.locator(f'[data-case="{case.pk}"]')
    expect(row).to_contain_text("Complaint")
    row.get_by_role("link").first.click()

    agent.get_by_label("Answer", exact=True).fill(ANSWER)
    agent.get_by_label("After sending").select_option("resolved")
    agent.get_by_role("button", name="Send the answer").click()
    expect(agent.locator(".messages")).to_contain_text("Your answer was sent.")
    expect(agent.locator("[data-case-status]")).to_have_attribute("data-case-status", "resolved")
    agent.context.close()

    # The citizen's case page shows the answer.
    page.goto(citizen_url)
    expect(page.locator(".bubble.outbound")).to_contain_text(ANSWER)
    expect(page.locator("[data-case-status]")).to_have_attribute("data-case-status", "resolved")
