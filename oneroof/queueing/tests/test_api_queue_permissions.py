"""Who may operate counters and serve tickets through the API: a permission matrix over the
personas on a counter of al-rayyan. A refused request changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from oneroof.accounts.actions import api_key_create
from oneroof.queueing import actions
from oneroof.queueing.choices import TicketStatus
from oneroof.queueing.tests.factories import (
    ID_CARD,
    PASSPORTS,
    counter,
    fresh,
    issue,
    open_counter,
    reload,
    snapshot,
)

pytestmark = pytest.mark.django_db

DENIED = {
    "anonymous": 401,
    "employee_b": 403,
    "evaluator": 403,
    "decision_maker": 403,
    "agency_admin": 403,
}
ALLOWED = ["employee_a", "supervisor_a", "system_admin"]


@dataclass
class Request:
    url: str
    body: dict | None
    ok: int
    check: Callable[[], None]


def _counter_open_by_a(employee_a):
    return open_counter(employee_a, 1)


def _called(employee_a):
    desk = open_counter(employee_a, 1)
    issue()
    return desk, actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))


def setup_open(employee_a) -> Request:
    desk = counter(1)

    def check():
        assert desk.state.status == "open"

    return Request(f"/api/v1/counters/{desk.pk}/open", {"services": [PASSPORTS]}, 200, check)


def setup_pause(employee_a) -> Request:
    desk = _counter_open_by_a(employee_a)

    def check():
        desk.state.refresh_from_db()
        assert desk.state.status == "paused"

    return Request(f"/api/v1/counters/{desk.pk}/pause", None, 200, check)


def setup_close(employee_a) -> Request:
    desk = _counter_open_by_a(employee_a)

    def check():
        desk.state.refresh_from_db()
        assert desk.state.status == "closed"

    return Request(f"/api/v1/counters/{desk.pk}/close", None, 200, check)


def setup_call_next(employee_a) -> Request:
    desk = _counter_open_by_a(employee_a)
    ticket = issue()

    def check():
        assert reload(ticket).status == TicketStatus.CALLED

    return Request(f"/api/v1/counters/{desk.pk}/call-next", None, 200, check)


def setup_call_next_nobody(employee_a) -> Request:
    desk = _counter_open_by_a(employee_a)
    return Request(f"/api/v1/counters/{desk.pk}/call-next", None, 204, lambda: None)


def setup_call(employee_a) -> Request:
    desk = _counter_open_by_a(employee_a)
    issue()
    ticket = issue()

    def check():
        assert reload(ticket).status == TicketStatus.CALLED

    body = {"ticket": ticket.public_id, "reason": "elderly visitor"}
    return Request(f"/api/v1/counters/{desk.pk}/call", body, 200, check)


def _ticket_request(employee_a, verb, body, expected, prepare=None) -> Request:
    _desk, ticket = _called(employee_a)
    if prepare:
        prepare(ticket, employee_a)

    def check():
        assert reload(ticket).status == expected

    return Request(f"/api/v1/tickets/{ticket.public_id}/{verb}", body, 200, check)


def _park(ticket, user):
    actions.ticket_park(ticket=ticket, acting_user=fresh(user))


SETUPS = {
    "open": setup_open,
    "pause": setup_pause,
    "close": setup_close,
    "call-next": setup_call_next,
    "call-next (nobody)": setup_call_next_nobody,
    "call": setup_call,
    "recall": lambda u: _ticket_request(u, "recall", None, TicketStatus.CALLED),
    "start": lambda u: _ticket_request(u, "start", None, TicketStatus.SERVING),
    "complete": lambda u: _ticket_request(
        u, "complete", {"outcome": "completed"}, TicketStatus.DONE
    ),
    "no-show": lambda u: _ticket_request(u, "no-show", None, TicketStatus.NO_SHOW),
    "park": lambda u: _ticket_request(u, "park", None, TicketStatus.PARKED),
    "resume": lambda u: _ticket_request(u, "resume", {}, TicketStatus.SERVING, _park),
    "transfer": lambda u: _ticket_request(
        u, "transfer", {"service": ID_CARD}, TicketStatus.TRANSFERRED
    ),
}


def post(client: Client, url: str, body: dict | None, **extra):
    if body is None:
        return client.post(url, **extra)
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


@pytest.mark.parametrize("endpoint", list(SETUPS))
@pytest.mark.parametrize("persona", list(DENIED))
def test_refused_personas_change_nothing(always_open, employee_a, as_persona, endpoint, persona):
    # given the scene of the endpoint on counter 1 of al-rayyan, operated by employee A
    request = SETUPS[endpoint](employee_a)
    before = snapshot()

    # when a persona who does not work there sends the request
    response = post(as_persona(persona), request.url, request.body)

    # then it is refused in the error shape and nothing changed
    assert response.status_code == DENIED[persona], response.content
    error = response.json()["error"]
    assert error["status"] == DENIED[persona]
    assert error["code"] == ("unauthorized" if persona == "anonymous" else "forbidden")
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", list(SETUPS))
@pytest.mark.parametrize("persona", ALLOWED)
def test_staff_of_the_center_may(always_open, employee_a, as_persona, endpoint, persona):
    request = SETUPS[endpoint](employee_a)

    response = post(as_persona(persona), request.url, request.body)

    assert response.status_code == request.ok, response.content
    request.check()


def test_another_employee_of_the_center_may_not_serve_my_visitor(always_open, employee_a):
    # given a visitor called at employee A's counter, and a colleague of the same agency
    from oneroof.queueing.tests.factories import employee

    _desk, ticket = _called(employee_a)
    colleague = Client()
    colleague.force_login(employee("passports"))
    before = snapshot()

    # when the colleague tries to complete it
    response = post(
        colleague, f"/api/v1/tickets/{ticket.public_id}/complete", {"outcome": "completed"}
    )

    # then it is forbidden and nothing changed
    assert response.status_code == 403
    assert snapshot() == before


def test_a_bearer_key_authenticates_staff(always_open, employee_a):
    # given employee A's API key and their open counter with a visitor waiting
    desk = open_counter(employee_a, 1)
    ticket = issue()
    _key, raw = api_key_create(user=employee_a, name="console")

    # when the key calls the next visitor
    response = Client().post(
        f"/api/v1/counters/{desk.pk}/call-next", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    # then it works as employee A
    assert response.status_code == 200, response.content
    assert response.json()["id"] == ticket.public_id
    assert reload(ticket).served_by == employee_a


def test_a_wrong_bearer_key_is_401_and_changes_nothing(always_open, employee_a):
    desk = open_counter(employee_a, 1)
    issue()
    before = snapshot()

    response = Client().post(
        f"/api/v1/counters/{desk.pk}/call-next", HTTP_AUTHORIZATION="Bearer ork_x_y"
    )

    assert response.status_code == 401
    assert snapshot() == before


def test_a_device_key_may_not_operate_counters(always_open, employee_a):
    from oneroof.accounts.models import User

    desk = open_counter(employee_a, 1)
    issue()
    _key, raw = api_key_create(user=User.objects.get(username="kiosk.rayyan"))
    before = snapshot()

    response = Client().post(
        f"/api/v1/counters/{desk.pk}/call-next", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )

    assert response.status_code == 403
    assert snapshot() == before
