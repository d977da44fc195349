"""The counter console: who may use it, and every button calling its action (a refused or
out-of-order action shows its message and changes nothing)."""

import pytest
from django.urls import reverse
from django.utils import translation

from oneroof.queueing.choices import CounterStatus, EventKind, Outcome, TicketStatus
from oneroof.queueing.models import CounterState, Ticket, TicketEvent
from oneroof.queueing.tests.factories import (
    ID_CARD,
    counter,
    issue,
    line,
    open_counter,
    reload,
    snapshot,
)

pytestmark = pytest.mark.django_db


def console_url(desk, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("queueing:console-counter", args=[desk.pk])


def home_url(lang: str = "en") -> str:
    with translation.override(lang):
        return reverse("queueing:console")


def act(client, desk, action: str, **data):
    """Press a console button; the page it redirects to."""
    response = client.post(console_url(desk), {"action": action, **data}, follow=True)
    assert response.status_code == 200
    return response


def error_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


# --- who may use it --------------------------------------------------------------------------


def test_the_console_asks_anonymous_visitors_to_sign_in(as_persona, always_open):
    client = as_persona("anonymous")
    for url in (home_url(), console_url(counter(5))):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    before = snapshot()
    response = client.post(console_url(counter(5)), {"action": "call_next"})
    assert response.status_code == 302
    assert snapshot() == before


def test_an_employee_of_another_center_is_refused_and_nothing_changes(
    as_persona, always_open, employee_a
):
    # given a visitor waiting at al-rayyan and counter 5 open there
    issue()
    desk = open_counter(employee_a, 5)
    client = as_persona("employee_b")  # al-wakra
    before = snapshot()
    assert client.get(console_url(desk)).status_code == 403
    for action in ("call_next", "pause", "close", "open"):
        assert client.post(console_url(desk), {"action": action}).status_code == 403
    closed = counter(6)
    response = client.post(home_url(), {"counter": closed.pk, "line": [line("A").pk]})
    assert response.status_code == 403
    assert snapshot() == before
    # their own center's counters are listed for them
    page = client.get(home_url())
    assert page.status_code == 200
    assert "Al Wakra" in page.content.decode()


@pytest.mark.parametrize("persona", ["employee_a", "supervisor_a"])
def test_staff_of_the_center_see_the_console(as_persona, always_open, persona):
    client = as_persona(persona)
    assert client.get(home_url()).status_code == 200
    response = client.get(console_url(counter(5)))
    assert response.status_code == 200
    assert "Counter 5" in response.content.decode()


@pytest.mark.parametrize("persona", ["agency_admin", "evaluator"])
def test_staff_who_work_at_no_center_have_no_console(as_persona, persona):
    assert as_persona(persona).get(home_url()).status_code == 403


def test_an_unknown_counter_is_not_found(as_persona):
    assert as_persona("supervisor_a").get("/en/console/999999/").status_code == 404


# --- opening and closing ---------------------------------------------------------------------


def test_an_employee_opens_a_counter_for_the_lines_they_serve(as_persona, always_open):
    client = as_persona("employee_a")
    page = client.get(home_url()).content.decode()
    assert "Passports" in page and "Civil Status" in page
    desk = counter(5)
    response = client.post(home_url(), {"counter": desk.pk, "line": [line("A").pk, line("B").pk]})
    assert response.status_code == 302
    assert response["Location"] == console_url(desk, "en")
    state = CounterState.objects.get(counter=desk)
    assert state.status == CounterStatus.OPEN
    assert {x.prefix for x in state.lines.all()} == {"A", "B"}


def test_a_line_the_employee_does_not_serve_is_refused(as_persona, always_open):
    client = as_persona("employee_a")
    before = snapshot()
    response = client.post(
        home_url(), {"counter": counter(5).pk, "line": [line("C").pk]}, follow=True
    )
    assert error_of(response) == ["You do not serve some of these services."]
    assert snapshot() == before


def test_break_back_and_close(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    act(client, desk, "pause")
    assert CounterState.objects.get(counter=desk).status == CounterStatus.PAUSED
    page = client.get(console_url(desk)).content.decode()
    assert "Back from the break" in page
    act(client, desk, "open", line=[line("A").pk])
    assert CounterState.objects.get(counter=desk).status == CounterStatus.OPEN
    response = act(client, desk, "close")
    assert CounterState.objects.get(counter=desk).status == CounterStatus.CLOSED
    assert "Counter 5 is closed." in response.content.decode()


# --- serving ---------------------------------------------------------------------------------


def test_a_visit_call_again_start_and_complete_with_an_outcome(as_persona, always_open):
    # given an appointment visitor with a phone number, and counter 5 open for lines A and B
    ticket = issue(ID_CARD, phone="+97455123456", priority_class="appointment")
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk, line("B").pk])

    page = act(client, desk, "call_next").content.decode()
    ticket = reload(ticket)
    assert ticket.status == TicketStatus.CALLED and ticket.counter_id == desk.pk
    # the console shows the visitor, the appointment, the phone and the papers to check
    assert ticket.number in page
    assert "Came by appointment" in page
    assert "+97455123456" in page
    for document in ticket.service.documents.all():
        assert document.name_en in page

    act(client, desk, "recall", ticket=ticket.public_id)
    assert reload(ticket).recall_count == 1
    act(client, desk, "start", ticket=ticket.public_id)
    assert reload(ticket).status == TicketStatus.SERVING
    response = act(
        client,
        desk,
        "complete",
        ticket=ticket.public_id,
        outcome=Outcome.MISSING_DOCUMENTS,
        note="No photo",
    )
    ticket = reload(ticket)
    assert (ticket.status, ticket.outcome, ticket.note) == (
        TicketStatus.DONE,
        Outcome.MISSING_DOCUMENTS,
        "No photo",
    )
    assert f"Ticket {ticket.number} is complete." in response.content.decode()


def test_completing_with_no_visitor_shows_the_error_and_changes_nothing(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    issue()
    before = snapshot()
    response = act(client, desk, "complete", outcome="completed")
    assert error_of(response) == ["There is no visitor at this counter."]
    assert snapshot() == before


def test_an_out_of_order_action_shows_its_message_and_changes_nothing(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    ticket = issue()
    act(client, desk, "call_next")
    before = snapshot()
    # starting twice: the second is out of order
    act(client, desk, "start", ticket=ticket.public_id)
    after_start = snapshot()
    response = act(client, desk, "start", ticket=ticket.public_id)
    assert error_of(response) == ["Not possible while the ticket is “Being served”."]
    assert snapshot() == after_start
    assert after_start != before
    # and a ticket the screen no longer shows is never acted on
    other = issue()
    before_stale = snapshot()
    response = act(client, desk, "complete", ticket=other.public_id, outcome="completed")
    assert error_of(response) == [
        "The visitor at this counter has changed. Check the screen again."
    ]
    assert snapshot() == before_stale


def test_nobody_waiting_is_said_plainly(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    response = act(client, desk, "call_next")
    assert "Nobody is waiting." in response.content.decode()


def test_no_show_then_back_in_the_queue(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    ticket = issue()
    act(client, desk, "call_next")
    page = act(client, desk, "no_show", ticket=ticket.public_id).content.decode()
    assert reload(ticket).status == TicketStatus.NO_SHOW
    assert f"Queue {ticket.number} again" in page
    act(client, desk, "requeue", ticket=ticket.public_id)
    assert reload(ticket).status == TicketStatus.WAITING


def test_put_on_hold_then_resume(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    ticket = issue()
    act(client, desk, "call_next")
    page = act(client, desk, "park", ticket=ticket.public_id).content.decode()
    assert reload(ticket).status == TicketStatus.PARKED
    assert f"Resume {ticket.number}" in page
    act(client, desk, "resume", ticket=ticket.public_id)
    ticket = reload(ticket)
    assert (ticket.status, ticket.counter_id) == (TicketStatus.SERVING, desk.pk)


def test_transfer_to_another_line_keeps_the_number_and_may_return(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    ticket = issue()
    act(client, desk, "call_next")
    response = act(
        client,
        desk,
        "transfer",
        ticket=ticket.public_id,
        service=ID_CARD,
        position="front",
        **{"return": "1"},
    )
    assert reload(ticket).status == TicketStatus.TRANSFERRED
    successor = Ticket.objects.get(transferred_from=ticket)
    assert successor.number == ticket.number
    assert successor.line.prefix == "B"
    assert successor.return_counter_id == desk.pk
    assert successor.queued_at < ticket.issued_at  # at the front
    assert "(line B)" in response.content.decode()


def test_transfer_to_a_service_not_offered_here_is_refused(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    issue()
    act(client, desk, "call_next")
    before = snapshot()
    response = act(client, desk, "transfer", service="document-attestation")
    assert error_of(response) == ["Choose a service offered at this center."]
    assert snapshot() == before


def test_call_out_of_order_needs_a_reason(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    issue(minutes_ago=10)
    later = issue()
    before = snapshot()
    response = act(client, desk, "call", ticket=later.public_id, reason="  ")
    assert error_of(response) == ["Say why this visitor is called out of order."]
    assert snapshot() == before
    act(client, desk, "call", ticket=later.public_id, reason="Wheelchair user")
    later = reload(later)
    assert later.status == TicketStatus.CALLED
    event = TicketEvent.objects.filter(ticket=later).last()
    assert (event.kind, event.reason) == (EventKind.CALLED_OUT_OF_ORDER, "Wheelchair user")


def test_an_unknown_action_changes_nothing(as_persona, always_open):
    client = as_persona("employee_a")
    before = snapshot()
    response = act(client, counter(5), "explode")
    assert error_of(response) == ["Unknown action."]
    assert snapshot() == before


def test_the_arabic_console_shows_translated_errors(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    response = client.post(console_url(desk, "ar"), {"action": "call_next"}, follow=True)
    with translation.override("ar"):
        expected = translation.gettext("This counter is not yours to operate.")
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert response.context["LANG"] == "ar"


# --- live ------------------------------------------------------------------------------------


def test_the_live_region_comes_alone_for_the_live_script(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    waiting = [issue(), issue()]
    response = client.get(console_url(desk), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'data-live-key="open:-:-"' in body
    for ticket in waiting:
        assert ticket.number in body


def test_the_console_page_has_no_inline_script_or_style(as_persona, always_open):
    client = as_persona("employee_a")
    desk = counter(5)
    act(client, desk, "open", line=[line("A").pk])
    issue()
    act(client, desk, "call_next")
    page = client.get(console_url(desk)).content.decode()
    assert "style=" not in page
    assert "<script>" not in page
    assert 'src="/static/oneroof/js/console.js"' in page
