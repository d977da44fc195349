"""ticket_recall: announcing a called visitor again."""

import pytest

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, TicketStatus
from oneroof.queueing.tests.factories import (
    called_ticket,
    employee,
    events_of,
    fresh,
    issue,
    reload,
    snapshot,
)

pytestmark = pytest.mark.django_db


def test_recalling_counts_and_logs_each_announcement(always_open, employee_a):
    # given a called visitor
    _desk, ticket = called_ticket(employee_a)

    # when the employee recalls them twice
    actions.ticket_recall(ticket=ticket, acting_user=fresh(employee_a))
    recalled = actions.ticket_recall(ticket=ticket, acting_user=fresh(employee_a))

    # then the count is 2, the status stays called, and each recall is an event
    assert recalled.recall_count == 2
    assert reload(ticket).status == TicketStatus.CALLED
    recalls = [e for e in events_of(ticket) if e[0] == EventKind.RECALLED]
    assert recalls == [(EventKind.RECALLED, TicketStatus.CALLED, TicketStatus.CALLED)] * 2


def test_a_waiting_visitor_cannot_be_recalled(always_open, employee_a):
    ticket = issue()
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        actions.ticket_recall(ticket=ticket, acting_user=employee_a)

    assert caught.value.code == "wrong_state"
    assert snapshot() == before


def test_only_the_counters_operator_or_a_supervisor_may_recall(
    always_open, employee_a, supervisor_a
):
    _desk, ticket = called_ticket(employee_a)
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.ticket_recall(ticket=ticket, acting_user=employee("passports"))
    assert snapshot() == before

    assert actions.ticket_recall(ticket=ticket, acting_user=supervisor_a).recall_count == 1
