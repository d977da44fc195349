"""The kiosk and the ticket page, without a browser: what they offer, what they issue, and
that a refused ticket changes nothing."""

import datetime as dt
import logging
import re

import pytest
from django.utils import timezone

from oneroof.accounts.models import User
from oneroof.catalog.models import Service
from oneroof.centers.models import Center, Closure, Counter
from oneroof.conftest import PERSONAS, make_always_open
from oneroof.queueing import actions, printing
from oneroof.queueing.choices import IssueChannel, PriorityReason, TicketStatus
from oneroof.queueing.models import LineService, Ticket

KIOSK = "/en/kiosk/al-rayyan/"
RENEWAL = "/en/kiosk/al-rayyan/passports/passport-renewal/"


@pytest.fixture
def ticket(always_open):
    return actions.ticket_issue(
        center=always_open, service=Service.objects.get(slug="passport-renewal"), lang="en"
    )


def _close_today(center: Center) -> None:
    today = timezone.now().astimezone(center.tz).date()
    Closure.objects.create(center=center, starts_on=today, ends_on=today, reason="Maintenance")


def _no_inline_code(html: str) -> None:
    """The content security policy allows scripts and styles from files only."""
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html
    assert "<style" not in html


# --- kiosk -----------------------------------------------------------------------------------


def test_kiosk_offers_the_agencies_with_a_line_at_the_center_in_both_languages(client, always_open):
    english = client.get(KIOSK)
    arabic = client.get("/kiosk/al-rayyan/")

    assert english.status_code == arabic.status_code == 200
    html = english.content.decode()
    assert 'dir="ltr"' in html and 'dir="rtl"' in arabic.content.decode()
    assert "General Directorate of Passports and Residency" in html
    assert 'href="/en/kiosk/al-rayyan/passports/"' in html
    assert "agency-" in html
    assert "/agency-colors.css" in html
    _no_inline_code(html)


def test_kiosk_of_an_unknown_center_is_not_found(client, always_open):
    assert client.get("/kiosk/nowhere/").status_code == 404
    assert client.get("/kiosk/al-rayyan/no-such-agency/").status_code == 404


def test_kiosk_lists_only_services_with_a_line_at_the_center(client, always_open):
    without_line = LineService.objects.get(
        center=always_open, service__slug="passport-renewal"
    ).service
    LineService.objects.filter(center=always_open, service=without_line).delete()

    html = client.get("/en/kiosk/al-rayyan/passports/").content.decode()

    assert "Lost Passport Replacement" in html
    assert "passport-renewal" not in html
    assert client.get(RENEWAL).status_code == 404


def test_a_service_of_another_agency_is_not_offered(client, always_open):
    response = client.post("/en/kiosk/al-rayyan/traffic/passport-renewal/", {"phone": ""})

    assert response.status_code == 404
    assert Ticket.objects.count() == 0


def test_open_service_step_shows_the_form_with_phone_and_priority(client, always_open):
    response = client.get(RENEWAL)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="phone"' in html and 'name="priority_reason"' in html
    assert "csrfmiddlewaretoken" in html
    for reason in (PriorityReason.ELDERLY, PriorityReason.DISABILITY, PriorityReason.PREGNANCY):
        assert f'value="{reason.value}"' in html
    assert 'value="other"' not in html
    _no_inline_code(html)


def test_closed_desk_says_when_it_opens_before_the_visitor_presses(client, always_open):
    _close_today(always_open)

    agency_page = client.get("/en/kiosk/al-rayyan/passports/").content.decode()
    service_page = client.get(RENEWAL).content.decode()

    assert "opens tomorrow at 00:00" in agency_page
    assert "/en/kiosk/al-rayyan/passports/passport-renewal/" not in agency_page
    assert "opens tomorrow at 00:00" in service_page
    assert "Maintenance" in service_page
    assert "<form" not in service_page


def test_posting_to_a_closed_line_issues_nothing_and_says_when_it_opens(client, always_open):
    _close_today(always_open)

    response = client.post(RENEWAL, {"phone": "", "priority_reason": ""})

    assert response.status_code == 409
    html = response.content.decode()
    assert "No ticket was issued." in html
    tomorrow = timezone.now().astimezone(always_open.tz).date() + dt.timedelta(days=1)
    assert f"It opens on {tomorrow:%Y-%m-%d} at 00:00" in html
    assert Ticket.objects.count() == 0


def test_a_bad_phone_number_is_explained_and_changes_nothing(client, always_open):
    response = client.post(RENEWAL, {"phone": "12", "priority_reason": "elderly"})

    assert response.status_code == 422
    html = response.content.decode()
    assert "is not a valid phone number" in html or "is not a phone number" in html
    assert 'value="12"' in html  # the visitor corrects it instead of typing it again
    assert re.search(r'value="elderly"\s+checked', html)
    assert Ticket.objects.count() == 0


def test_an_unknown_priority_reason_changes_nothing(client, always_open):
    response = client.post(RENEWAL, {"phone": "", "priority_reason": "vip"})

    assert response.status_code == 422
    assert Ticket.objects.count() == 0


def test_a_phone_already_waiting_in_the_line_gets_no_second_ticket(client, always_open):
    client.post(RENEWAL, {"phone": "55123456"})

    response = client.post(
        "/en/kiosk/al-rayyan/passports/lost-passport-replacement/", {"phone": "55123456"}
    )

    assert response.status_code == 409
    assert "already has ticket A001" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_kiosk_issues_a_ticket_and_shows_it_with_its_qr_code(client, always_open):
    client.force_login(User.objects.get(username="kiosk.rayyan"))  # the center's kiosk device
    response = client.post(RENEWAL, {"phone": "55123456", "priority_reason": "pregnancy"})

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{RENEWAL}?ticket={ticket.public_id}"
    assert ticket.channel == IssueChannel.KIOSK
    assert ticket.phone == "+97455123456"
    assert ticket.priority_reason == PriorityReason.PREGNANCY
    assert ticket.lang == "en"

    shown = client.get(response["Location"])
    html = shown.content.decode()
    assert shown.status_code == 200
    assert ticket.number in html
    assert f'src="/en/t/{ticket.public_id}/qr.svg"' in html
    assert "data-auto-print" in html  # browser printing by default
    assert 'data-idle-seconds="30"' in html
    assert 'data-reset-url="/kiosk/al-rayyan/"' in html  # the next visitor starts in Arabic
    _no_inline_code(html)


def test_arabic_kiosk_issues_an_arabic_ticket(client, always_open):
    client.post("/kiosk/al-rayyan/passports/passport-renewal/", {"phone": ""})

    assert Ticket.objects.get().lang == "ar"


def test_kiosk_does_not_show_a_ticket_of_another_center(client, always_open):
    wakra = make_always_open("al-wakra")
    other = actions.ticket_issue(center=wakra, service=Service.objects.get(slug="passport-renewal"))

    assert client.get(f"{RENEWAL}?ticket={other.public_id}").status_code == 404
    assert client.get(f"{RENEWAL}?ticket=unknown").status_code == 404


def test_kiosk_prints_on_the_network_printer_when_configured(
    client, always_open, settings, monkeypatch
):
    settings.ONEROOF_TICKET_PRINTER = "escpos"
    settings.ONEROOF_TICKET_PRINTER_HOST = "10.0.0.9"
    printed = []
    monkeypatch.setattr(
        printing.EscposNetworkPrinter,
        "print_ticket",
        lambda self, ticket: printed.append((self.host, self.port, ticket.number)),
    )

    response = client.post(RENEWAL, {"phone": ""})

    assert response.status_code == 302
    assert printed == [("10.0.0.9", 9100, "A001")]
    assert "data-auto-print" not in client.get(response["Location"]).content.decode()


def test_a_printer_failure_never_loses_the_ticket(
    client, always_open, settings, monkeypatch, caplog
):
    settings.ONEROOF_TICKET_PRINTER = "escpos"
    settings.ONEROOF_TICKET_PRINTER_HOST = "10.0.0.9"

    def jammed(self, ticket):
        raise OSError("paper out")

    monkeypatch.setattr(printing.EscposNetworkPrinter, "print_ticket", jammed)

    with caplog.at_level(logging.ERROR, logger="oneroof.queueing.printing"):
        response = client.post(RENEWAL, {"phone": ""})

    assert response.status_code == 302
    assert Ticket.objects.count() == 1
    assert "Printing ticket A001 failed" in caplog.text


# --- the ticket page -------------------------------------------------------------------------


def test_ticket_page_shows_number_state_people_ahead_and_wait(client, ticket):
    response = client.get(f"/en/t/{ticket.public_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert 'data-ticket-status="waiting"' in html
    assert f'data-line-id="{ticket.line_id}"' in html
    assert f'data-api-url="/api/v1/tickets/{ticket.public_id}?lang=en"' in html
    assert "People ahead of you" in html and "Estimated wait" in html
    assert "Cancel my ticket" in html
    assert "oneroof/js/ticket.js" in html
    assert "no-cache" in response["Cache-Control"]
    _no_inline_code(html)


def test_ticket_page_of_an_unknown_ticket_is_not_found(client, always_open):
    assert client.get("/t/not-a-ticket/").status_code == 404
    assert client.get("/t/not-a-ticket/print/").status_code == 404
    assert client.get("/t/not-a-ticket/qr.svg").status_code == 404


def test_called_ticket_page_shows_the_counter(client, ticket, employee_a):
    counter = Counter.objects.get(center=ticket.center, number=3)
    actions.counter_open(counter=counter, lines=[ticket.line], acting_user=employee_a)
    actions.ticket_call_next(counter=counter, acting_user=employee_a)

    html = client.get(f"/en/t/{ticket.public_id}/").content.decode()

    assert 'data-ticket-status="called"' in html
    assert 'data-counter="3"' in html
    assert "Please go to counter" in html
    assert "Yes, cancel my ticket" in html  # present in the page but hidden
    assert re.search(r'class="ticket-cancel" data-when="waiting"\s+hidden', html)


def test_transferred_ticket_page_follows_the_visitor(client, ticket, employee_a):
    counter = Counter.objects.get(center=ticket.center, number=1)
    actions.counter_open(counter=counter, lines=[ticket.line], acting_user=employee_a)
    actions.ticket_call_next(counter=counter, acting_user=employee_a)
    successor = actions.ticket_transfer(
        ticket=ticket,
        service=Service.objects.get(slug="birth-certificate"),
        acting_user=employee_a,
    )

    html = client.get(f"/en/t/{ticket.public_id}/").content.decode()

    assert f'data-ticket-id="{successor.public_id}"' in html
    assert f'data-line-id="{successor.line_id}"' in html
    assert "Birth Certificate" in html


def test_visitor_cancels_a_waiting_ticket_without_javascript(client, ticket):
    response = client.post(f"/en/t/{ticket.public_id}/", {"action": "cancel"}, follow=True)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CANCELLED
    html = response.content.decode()
    assert "Your ticket is cancelled." in html
    assert 'data-ticket-status="cancelled"' in html


def test_visitor_cannot_cancel_a_called_ticket(client, ticket, employee_a):
    counter = Counter.objects.get(center=ticket.center, number=1)
    actions.counter_open(counter=counter, lines=[ticket.line], acting_user=employee_a)
    actions.ticket_call_next(counter=counter, acting_user=employee_a)

    response = client.post(f"/en/t/{ticket.public_id}/", {"action": "cancel"}, follow=True)

    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    assert "Not possible while the ticket is" in response.content.decode()


def test_print_page_is_an_80mm_slip_that_prints_itself(client, ticket):
    response = client.get(f"/en/t/{ticket.public_id}/print/")

    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert "Passport Renewal" in html
    assert "Al Rayyan" in html
    assert f'src="/en/t/{ticket.public_id}/qr.svg"' in html
    assert "data-auto-print" in html and "oneroof/js/ticket.js" in html
    assert "oneroof/css/ticket.css" in html
    _no_inline_code(html)


def test_qr_code_is_svg_of_the_absolute_ticket_address(client, ticket, settings):
    response = client.get(f"/t/{ticket.public_id}/qr.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"<path" in response.content
    assert printing.ticket_url(ticket) == f"{settings.SITE_URL}/en/t/{ticket.public_id}/"


KIOSK_CHANNEL_PERSONAS = {"employee_a", "supervisor_a", "system_admin"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_reaches_the_visitor_pages_and_issues_as_a_kiosk(
    as_persona, persona, always_open
):
    """Staff of the center (and the center's device) issue kiosk tickets; anyone else who
    opens the kiosk page gets a web ticket, limited per address."""
    client = as_persona(persona)

    for url in (KIOSK, "/en/kiosk/al-rayyan/passports/", RENEWAL):
        assert client.get(url).status_code == 200
    response = client.post(RENEWAL, {"phone": ""})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    expected = IssueChannel.KIOSK if persona in KIOSK_CHANNEL_PERSONAS else IssueChannel.WEB
    assert ticket.channel == expected
    assert client.get(f"/t/{ticket.public_id}/").status_code == 200


def test_an_anonymous_kiosk_page_is_limited_per_address(client, always_open, settings):
    settings.ONEROOF_WEB_TICKETS_PER_10_MIN = 2
    for _ in range(2):
        client.post(RENEWAL, {"phone": ""})
    response = client.post(RENEWAL, {"phone": ""})
    assert response.status_code == 409
    assert Ticket.objects.count() == 2
