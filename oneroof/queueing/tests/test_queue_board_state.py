"""board_state: what a center's display board shows."""

import pytest

from oneroof.queueing import actions
from oneroof.queueing.selectors import board_state
from oneroof.queueing.tests.factories import (
    ID_CARD,
    center,
    employee,
    fresh,
    issue,
    open_counter,
)

pytestmark = pytest.mark.django_db


def board_state_of_a() -> dict:
    return board_state(center())


def test_the_board_shows_the_latest_calls_waiting_per_line_and_open_counters(
    always_open, employee_a, supervisor_a
):
    # given two counters; counter 4 called A001 and then A002, counter 6 called B001
    for _ in range(3):
        issue()
    issue(ID_CARD)
    desk_4 = open_counter(employee_a, 4)
    desk_6 = open_counter(supervisor_a, 6, prefixes=("B",))
    first = actions.ticket_call_next(counter=desk_4, acting_user=fresh(employee_a))
    actions.ticket_complete(ticket=first, outcome="completed", acting_user=fresh(employee_a))
    actions.ticket_call_next(counter=desk_6, acting_user=supervisor_a)
    actions.ticket_call_next(counter=desk_4, acting_user=fresh(employee_a))

    # when the board is read
    board = board_state_of_a()

    # then the calls come latest first, with their counters
    assert [(c["number"], c["counter"]) for c in board["calls"]] == [
        ("A002", 4),
        ("B001", 6),
        ("A001", 4),
    ]
    assert [c["status"] for c in board["calls"]] == ["called", "called", "done"]
    # and each line says how many wait
    waiting = {line["prefix"]: line["waiting"] for line in board["lines"]}
    assert waiting["A"] == 1
    assert waiting["B"] == 0
    assert waiting["C"] == 0
    assert board["open_counters"] == 2
    assert board["center"] == "al-rayyan"


def test_the_board_shows_at_most_the_recent_calls(always_open, employee_a):
    desk = open_counter(employee_a)
    for _ in range(4):
        issue()
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
        actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(employee_a))

    board = board_state(center(), recent=2)

    assert [c["number"] for c in board["calls"]] == ["A004", "A003"]


def test_an_empty_center_has_an_empty_board(always_open):
    board = board_state_of_a()
    assert board["calls"] == []
    assert board["open_counters"] == 0
    assert all(line["waiting"] == 0 for line in board["lines"])


def test_paused_counters_are_not_counted_open(always_open, employee_a):
    open_counter(employee_a, 1)
    colleague = employee("passports")
    paused = open_counter(colleague, 2)
    actions.counter_pause(counter=paused, acting_user=fresh(colleague))

    assert board_state_of_a()["open_counters"] == 1
