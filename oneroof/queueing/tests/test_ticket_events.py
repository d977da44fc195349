"""Events the queue actions publish after commit: display boards, ticket pages, consoles."""

import pytest
from django.db import transaction

from oneroof.core.events import capture_events
from oneroof.queueing import actions
from oneroof.queueing.tests.factories import (
    called_ticket,
    center,
    fresh,
    issue,
    open_counter,
    reload,
)

pytestmark = pytest.mark.django_db


def groups_and_types(events) -> set[tuple[str, str]]:
    return {(group, kind) for group, kind, _payload in events}


def test_a_call_is_announced_on_the_board_the_ticket_and_the_center(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    # given a waiting visitor and counter 7 open
    ticket = issue()
    desk = open_counter(employee_a, 7)
    center_id = center().pk

    # when the counter calls the next visitor
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    # then the board announces it, and the ticket page and the center hear of it
    assert {
        (f"board.{center_id}", "ticket.called"),
        (f"ticket.{ticket.public_id}", "ticket.changed"),
        (f"center.{center_id}", "queue.changed"),
        (f"line.{ticket.line_id}", "queue.changed"),
    } <= groups_and_types(events)
    board = next(p for g, k, p in events if k == "ticket.called")
    assert board == {
        "ticket": ticket.public_id,
        "number": "A001",
        "line": ticket.line_id,
        "counter": 7,
        "counter_label": desk.label,
        "recall": 0,
    }
    page = next(p for g, k, p in events if g == f"ticket.{ticket.public_id}")
    assert page["status"] == "called" and page["counter"] == 7 and page["kind"] == "called"


def test_events_leave_only_after_commit(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    ticket = issue()
    desk = open_counter(employee_a)

    # a call inside a transaction that rolls back publishes nothing
    with (
        capture_events() as events,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert events == []
    assert reload(ticket).status == "waiting"


def test_a_recall_is_announced_again_with_its_count(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    _desk, ticket = called_ticket(employee_a)

    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        actions.ticket_recall(ticket=ticket, acting_user=fresh(employee_a))

    board = [p for g, k, p in events if k == "ticket.called"]
    assert len(board) == 1 and board[0]["recall"] == 1


def test_issuing_and_completing_are_published_to_the_center(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    with capture_events() as events, django_capture_on_commit_callbacks(execute=True):
        ticket = issue()
        desk = open_counter(employee_a)
        called = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
        actions.ticket_complete(ticket=called, outcome="completed", acting_user=fresh(employee_a))

    kinds = [p["kind"] for g, k, p in events if g == f"ticket.{ticket.public_id}"]
    assert kinds == ["issued", "called", "completed"]
    assert (f"center.{center().pk}", "counter.changed") in groups_and_types(events)
    assert (f"counter.{desk.pk}", "counter.changed") in groups_and_types(events)


def test_a_call_runs_a_bounded_number_of_queries(
    always_open, employee_a, django_assert_max_num_queries
):
    # the hot path of a counter: calling the next visitor
    for _ in range(5):
        issue()
    desk = open_counter(employee_a)
    user = fresh(employee_a)
    with django_assert_max_num_queries(30):
        actions.ticket_call_next(counter=desk, acting_user=user)
