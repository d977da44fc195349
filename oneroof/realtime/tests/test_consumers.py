"""The websocket of live screens: public groups (boards) for anyone, staff groups (a center,
a counter) only for people who work there, and events reaching sockets after commit."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from oneroof.core import events
from oneroof.queueing import actions
from oneroof.queueing.tests.factories import center, counter, fresh, issue, open_counter
from oneroof.realtime.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db

TIMEOUT = 3


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """Channels closes old database connections around each database call of a consumer; in
    a test that is the connection holding the test's transaction, so keep it open."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


def as_user(user):
    """The websocket app with `user` in the scope, as AuthMiddlewareStack would put it."""
    router = URLRouter(websocket_urlpatterns)

    async def app(scope, receive, send):
        return await router({**scope, "user": user}, receive, send)

    return app


def connects(user, path: str) -> bool:
    async def attempt() -> bool:
        communicator = WebsocketCommunicator(as_user(user), path)
        connected, _code = await communicator.connect(timeout=TIMEOUT)
        await communicator.disconnect()
        return connected

    return async_to_sync(attempt)()


def test_a_board_is_public():
    assert connects(AnonymousUser(), f"/ws/board/{center().pk}/")


def test_staff_groups_refuse_anonymous_visitors():
    assert not connects(AnonymousUser(), f"/ws/center/{center().pk}/")
    assert not connects(AnonymousUser(), f"/ws/counter/{counter(5).pk}/")


def test_staff_groups_admit_only_staff_of_that_center(employee_a, employee_b):
    assert connects(employee_a, f"/ws/center/{center().pk}/")
    assert connects(employee_a, f"/ws/counter/{counter(5).pk}/")
    assert not connects(employee_b, f"/ws/center/{center().pk}/")
    assert not connects(employee_b, f"/ws/counter/{counter(5).pk}/")


def test_unknown_kinds_and_keys_are_refused():
    assert not connects(AnonymousUser(), "/ws/secret/1/")
    assert not connects(AnonymousUser(), "/ws/board/abc/")


def test_a_published_event_reaches_the_board_after_commit(django_capture_on_commit_callbacks):
    group = f"board.{center().pk}"

    def publish():
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(group, "ticket.called", {"number": "A001", "counter": 5})

    async def scenario():
        communicator = WebsocketCommunicator(as_user(AnonymousUser()), f"/ws/board/{center_pk}/")
        connected, _ = await communicator.connect(timeout=TIMEOUT)
        assert connected
        await sync_to_async(publish)()
        message = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return message

    center_pk = center().pk
    message = async_to_sync(scenario)()
    assert message == {"event": "ticket.called", "payload": {"number": "A001", "counter": 5}}


def test_a_call_at_a_counter_is_pushed_to_the_board_and_the_console(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    desk = open_counter(employee_a, 5)
    ticket = issue()

    def call_next():
        with django_capture_on_commit_callbacks(execute=True):
            return actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    async def scenario():
        board = WebsocketCommunicator(as_user(AnonymousUser()), f"/ws/board/{desk.center_id}/")
        console = WebsocketCommunicator(as_user(employee_a), f"/ws/center/{desk.center_id}/")
        assert (await board.connect(timeout=TIMEOUT))[0]
        assert (await console.connect(timeout=TIMEOUT))[0]
        await sync_to_async(call_next)()
        on_board = await board.receive_json_from(timeout=TIMEOUT)
        on_console = await console.receive_json_from(timeout=TIMEOUT)
        await board.disconnect()
        await console.disconnect()
        return on_board, on_console

    on_board, on_console = async_to_sync(scenario)()
    assert on_board["event"] == "ticket.called"
    assert (on_board["payload"]["number"], on_board["payload"]["counter"]) == (ticket.number, 5)
    assert on_board["payload"]["recall"] == 0
    assert on_console["event"] == "queue.changed"
    assert on_console["payload"]["status"] == "called"


def test_the_socket_answers_a_ping():
    async def scenario():
        communicator = WebsocketCommunicator(as_user(AnonymousUser()), f"/ws/board/{pk}/")
        await communicator.connect(timeout=TIMEOUT)
        await communicator.send_json_to({"type": "ping"})
        answer = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return answer

    pk = center().pk
    assert async_to_sync(scenario)() == {"type": "pong"}
