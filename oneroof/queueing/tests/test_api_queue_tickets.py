"""The visitor side of the queue API: take a ticket, follow it, cancel it; the board; and
the one error shape for requests out of order."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client

from oneroof.accounts.actions import api_key_create
from oneroof.accounts.models import User
from oneroof.centers.models import Closure
from oneroof.conftest import make_always_open
from oneroof.queueing import actions
from oneroof.queueing.choices import IssueChannel, TicketStatus
from oneroof.queueing.models import Ticket
from oneroof.queueing.tests.factories import (
    PASSPORTS,
    QA,
    called_ticket,
    fresh,
    issue,
    open_counter,
    reload,
    snapshot,
)

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/centers/al-rayyan/tickets"
TICKET_FIELDS = {
    "id",
    "number",
    "status",
    "status_label",
    "line",
    "line_name_ar",
    "line_name_en",
    "service",
    "service_name_ar",
    "service_name_en",
    "center",
    "priority_class",
    "issued_at",
    "position",
    "people_ahead",
    "estimated_wait_minutes",
    "counter",
    "called_at",
    "track_url",
}


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def post(client: Client, url: str, body: dict | None = None, **extra):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_a_visitor_takes_a_ticket(always_open):
    # when an anonymous visitor asks for a passport renewal ticket in English with a phone
    response = post(Client(), TICKETS, {"service": PASSPORTS, "phone": "55123456", "lang": "en"})

    # then they get a web ticket, first in line, with a link to follow it
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == TICKET_FIELDS
    assert body["number"] == "A001"
    assert body["status"] == "waiting"
    assert body["line"] == "A"
    assert body["service"] == PASSPORTS
    assert body["center"] == "al-rayyan"
    assert body["position"] == 1 and body["people_ahead"] == 0
    assert body["counter"] is None and body["called_at"] is None
    assert body["track_url"] == f"/t/{body['id']}/"
    ticket = Ticket.objects.get(public_id=body["id"])
    assert ticket.channel == IssueChannel.WEB
    assert ticket.phone == "+97455123456"
    assert ticket.lang == "en"


def test_a_priority_reason_makes_a_priority_ticket(always_open):
    response = post(Client(), TICKETS, {"service": PASSPORTS, "priority_reason": "elderly"})
    assert response.status_code == 201
    assert response.json()["priority_class"] == "priority"


def test_a_closed_line_answers_409_with_the_next_opening(monkeypatch):
    # given the real demo hours and a Friday noon (al-rayyan is closed on Fridays)
    day = dt.date.today() + dt.timedelta(days=7)
    while day.weekday() != 4 or Closure.objects.filter(
        starts_on__lte=day + dt.timedelta(days=1), ends_on__gte=day
    ):
        day += dt.timedelta(days=1)
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=QA)
    monkeypatch.setattr(actions, "_now", lambda: noon)
    before = snapshot()

    # when a visitor asks for a ticket
    response = post(Client(), TICKETS, {"service": PASSPORTS})

    # then the answer says when the line opens (Saturday 08:00), and nothing was created
    error = assert_error(response, 409, "line_closed")
    saturday = dt.datetime(day.year, day.month, day.day, 8, tzinfo=QA) + dt.timedelta(days=1)
    assert dt.datetime.fromisoformat(error["details"]["next_opening"]) == saturday
    assert snapshot() == before


def test_web_tickets_are_limited_per_address(always_open, settings):
    # given at most two web tickets per address in ten minutes
    settings.ONEROOF_WEB_TICKETS_PER_10_MIN = 2
    visitor = Client()

    # when the same address asks three times
    first = post(visitor, TICKETS, {"service": PASSPORTS})
    second = post(visitor, TICKETS, {"service": PASSPORTS})
    before = snapshot()
    third = post(visitor, TICKETS, {"service": PASSPORTS})

    # then the third is refused and creates nothing
    assert (first.status_code, second.status_code) == (201, 201)
    assert_error(third, 409, "too_many")
    assert snapshot() == before
    # while another address may still take one
    other = post(Client(REMOTE_ADDR="10.0.0.9"), TICKETS, {"service": PASSPORTS})
    assert other.status_code == 201


def test_a_kiosk_key_sets_the_channel_and_is_not_limited(always_open, settings):
    # given the kiosk of al-rayyan (a device of that center) with its key
    settings.ONEROOF_WEB_TICKETS_PER_10_MIN = 2
    _key, raw = api_key_create(user=User.objects.get(username="kiosk.rayyan"))
    kiosk = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    # when it prints four tickets
    responses = [post(kiosk, TICKETS, {"service": PASSPORTS, "channel": "kiosk"}) for _ in "1234"]

    # then all are kiosk tickets
    assert [r.status_code for r in responses] == [201] * 4
    ids = [r.json()["id"] for r in responses]
    assert set(Ticket.objects.filter(public_id__in=ids).values_list("channel", flat=True)) == {
        IssueChannel.KIOSK
    }


def test_an_anonymous_visitor_cannot_claim_the_kiosk_channel(always_open):
    response = post(Client(), TICKETS, {"service": PASSPORTS, "channel": "kiosk"})
    assert response.status_code == 201
    assert Ticket.objects.get(public_id=response.json()["id"]).channel == IssueChannel.WEB


def test_a_kiosk_of_another_center_is_a_web_visitor_there(always_open):
    # given al-wakra open and the key of al-rayyan's kiosk
    make_always_open("al-wakra")
    _key, raw = api_key_create(user=User.objects.get(username="kiosk.rayyan"))

    # when it asks al-wakra for a kiosk ticket
    response = post(
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}"),
        "/api/v1/centers/al-wakra/tickets",
        {"service": "driving-licence-renewal", "channel": "kiosk"},
    )

    # then it gets a web ticket: it is a device of another center
    assert response.status_code == 201, response.content
    assert Ticket.objects.get(public_id=response.json()["id"]).channel == IssueChannel.WEB


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"service": "no-such-service"}, 422, "invalid"),
        ({"service": PASSPORTS, "phone": "12"}, 422, "invalid"),
        ({"service": PASSPORTS, "priority_reason": "vip"}, 422, "invalid"),
        ({"service": PASSPORTS, "lang": "fr"}, 422, "invalid"),
        ({"service": "document-attestation"}, 409, "not_offered"),
    ],
)
def test_bad_requests_for_a_ticket_create_nothing(always_open, body, status, code):
    before = snapshot()
    assert_error(post(Client(), TICKETS, body), status, code)
    assert snapshot() == before


def test_an_unknown_center_is_404(always_open):
    assert_error(
        post(Client(), "/api/v1/centers/nowhere/tickets", {"service": PASSPORTS}), 404, "not_found"
    )


def test_the_same_phone_twice_is_409_already_waiting(always_open):
    first = post(Client(), TICKETS, {"service": PASSPORTS, "phone": "55123456"}).json()
    error = assert_error(
        post(Client(), TICKETS, {"service": PASSPORTS, "phone": "+97455123456"}),
        409,
        "already_waiting",
    )
    assert error["details"] == {"ticket": first["id"]}


def test_a_ticket_is_followed_by_its_id(always_open, employee_a):
    # given two waiting visitors
    issue(minutes_ago=2)
    ticket = issue(minutes_ago=1)

    # then the second sees one person ahead
    body = Client().get(f"/api/v1/tickets/{ticket.public_id}").json()
    assert body["position"] == 2 and body["people_ahead"] == 1
    assert body["estimated_wait_minutes"] > 0

    # and once called, the counter
    desk = open_counter(employee_a, 5)
    actions.ticket_call(counter=desk, ticket=ticket, reason="papers", acting_user=employee_a)
    body = Client().get(f"/api/v1/tickets/{ticket.public_id}").json()
    assert body["status"] == "called" and body["counter"] == 5 and body["position"] == 0

    assert_error(Client().get("/api/v1/tickets/not-a-ticket"), 404, "not_found")


def test_a_visitor_cancels_with_the_id_alone(always_open):
    ticket = issue()

    response = post(Client(), f"/api/v1/tickets/{ticket.public_id}/cancel")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    assert reload(ticket).status == TicketStatus.CANCELLED
    # a second cancel is out of order
    assert_error(post(Client(), f"/api/v1/tickets/{ticket.public_id}/cancel"), 409, "wrong_state")


def test_a_visitor_cannot_cancel_once_called_but_staff_can(always_open, employee_a, as_persona):
    _desk, ticket = called_ticket(employee_a)
    before = snapshot()

    assert_error(post(Client(), f"/api/v1/tickets/{ticket.public_id}/cancel"), 409, "wrong_state")
    # an employee of another center is only a visitor here
    assert_error(
        post(as_persona("employee_b"), f"/api/v1/tickets/{ticket.public_id}/cancel"),
        409,
        "wrong_state",
    )
    assert snapshot() == before

    response = post(
        as_persona("supervisor_a"), f"/api/v1/tickets/{ticket.public_id}/cancel", {"reason": "x"}
    )
    assert response.status_code == 200
    assert reload(ticket).status == TicketStatus.CANCELLED


def test_out_of_order_requests_are_409_with_a_code(always_open, employee_a, as_persona):
    # given a waiting ticket and employee A's counter holding another visitor
    desk, called = called_ticket(employee_a)
    waiting = issue()
    client = as_persona("employee_a")
    before = snapshot()

    # completing or recalling a waiting ticket
    complete = post(client, f"/api/v1/tickets/{waiting.public_id}/complete", {"outcome": "other"})
    assert_error(complete, 409, "wrong_state")
    assert_error(post(client, f"/api/v1/tickets/{waiting.public_id}/recall"), 409, "wrong_state")
    # resuming a visitor who is not on hold, requeuing one who was served
    assert_error(post(client, f"/api/v1/tickets/{called.public_id}/resume"), 409, "wrong_state")
    assert_error(post(client, f"/api/v1/tickets/{called.public_id}/requeue"), 409, "wrong_state")
    # calling while a visitor is at the counter, or calling a called visitor
    assert_error(post(client, f"/api/v1/counters/{desk.pk}/call-next"), 409, "conflict")
    actions.ticket_complete(ticket=called, outcome="completed", acting_user=fresh(employee_a))
    before = snapshot()
    error = assert_error(
        post(
            client,
            f"/api/v1/counters/{desk.pk}/call",
            {"ticket": called.public_id, "reason": "again"},
        ),
        409,
        "not_waiting",
    )
    assert error["details"] is None
    assert snapshot() == before


def test_invalid_bodies_are_422_in_the_error_shape(always_open, employee_a, as_persona):
    desk, called = called_ticket(employee_a)
    client = as_persona("employee_a")
    before = snapshot()

    error = assert_error(
        post(client, f"/api/v1/tickets/{called.public_id}/complete", {"outcome": "great"}),
        422,
        "invalid",
    )
    assert error["details"][0]["loc"][-1] == "outcome"
    assert_error(
        post(
            client, f"/api/v1/counters/{desk.pk}/call", {"ticket": called.public_id, "reason": ""}
        ),
        422,
        "invalid",
    )
    assert_error(
        post(client, f"/api/v1/counters/{desk.pk}/open", {"services": ["nope"]}), 422, "invalid"
    )
    assert_error(
        post(client, f"/api/v1/tickets/{called.public_id}/transfer", {"service": "nope"}),
        422,
        "invalid",
    )
    assert snapshot() == before


def test_unknown_counter_or_ticket_is_404(always_open, as_persona):
    client = as_persona("employee_a")
    assert_error(post(client, "/api/v1/counters/999999/call-next"), 404, "not_found")
    assert_error(post(client, "/api/v1/tickets/nope/start"), 404, "not_found")


def test_the_board_and_counters_of_a_center(always_open, employee_a, as_persona):
    _desk, ticket = called_ticket(employee_a, 3)
    issue()

    board = Client().get("/api/v1/centers/al-rayyan/board").json()
    assert board["calls"][0]["number"] == ticket.number
    assert board["calls"][0]["counter"] == 3
    assert next(x for x in board["lines"] if x["prefix"] == "A")["waiting"] == 1
    assert board["open_counters"] == 1

    counters = as_persona("supervisor_a").get("/api/v1/centers/al-rayyan/counters").json()
    three = next(c for c in counters if c["number"] == 3)
    assert three["status"] == "open" and three["current"] == ticket.number
    assert three["lines"] == ["A"]
    assert as_persona("employee_b").get("/api/v1/centers/al-rayyan/counters").status_code == 403
