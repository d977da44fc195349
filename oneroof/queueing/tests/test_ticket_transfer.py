"""ticket_transfer: the visitor goes on to another service's line, keeping their number,
their arrival or the front of the line, and optionally comes back to the first counter."""

import pytest

from oneroof.core.errors import Conflict, NotAllowed
from oneroof.queueing import actions
from oneroof.queueing.choices import EventKind, IssueChannel, Outcome, TicketStatus
from oneroof.queueing.selectors import latest_leg
from oneroof.queueing.tests.factories import (
    ID_CARD,
    NOT_AT_RAYYAN,
    PASSPORTS,
    employee,
    events_of,
    fresh,
    issue,
    line,
    open_counter,
    reload,
    service,
    snapshot,
)

pytestmark = pytest.mark.django_db


def serving(user, number=1, minutes_ago=30):
    """A passports visitor who arrived `minutes_ago`, being served at counter `number`."""
    desk = open_counter(user, number, prefixes=("A",))
    issue(PASSPORTS, minutes_ago=minutes_ago)
    ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(user))
    actions.ticket_start(ticket=ticket, acting_user=fresh(user))
    return desk, ticket


def test_a_transfer_keeping_the_arrival_puts_the_visitor_ahead_of_later_arrivals(
    always_open, employee_a, supervisor_a
):
    # given a passports visitor who arrived 30 minutes ago, being served at counter 1,
    # and a civil-registry visitor who arrived 10 minutes ago
    _desk, ticket = serving(employee_a, minutes_ago=30)
    later = issue(ID_CARD, minutes_ago=10)

    # when the visitor is transferred to the civil registry keeping their arrival
    successor = actions.ticket_transfer(
        ticket=ticket, service=service(ID_CARD), keep_arrival=True, acting_user=fresh(employee_a)
    )

    # then the first ticket ends as transferred and a new one waits in line B with the same
    # number and the first arrival
    first = reload(ticket)
    assert first.status == TicketStatus.TRANSFERRED
    assert first.outcome == Outcome.REFERRED
    assert first.ended_at is not None
    assert events_of(first)[-1] == (
        EventKind.TRANSFERRED,
        TicketStatus.SERVING,
        TicketStatus.TRANSFERRED,
    )
    assert successor.line == line("B")
    assert successor.number == ticket.number
    assert successor.sequence is None
    assert successor.channel == IssueChannel.TRANSFER
    assert successor.transferred_from_id == ticket.pk
    assert successor.queued_at == ticket.issued_at
    assert events_of(successor) == [(EventKind.ISSUED, "", TicketStatus.WAITING)]
    # and the civil-registry counter calls them before the later arrival
    desk_b = open_counter(supervisor_a, 2, prefixes=("B",))
    assert actions.ticket_call_next(counter=desk_b, acting_user=supervisor_a).pk == successor.pk
    assert reload(later).status == TicketStatus.WAITING


def test_a_transfer_to_the_front_passes_even_earlier_arrivals(
    always_open, employee_a, supervisor_a
):
    # given a civil-registry visitor who has waited an hour
    _desk, ticket = serving(employee_a, minutes_ago=5)
    earlier = issue(ID_CARD, minutes_ago=60)

    # when the passports visitor is sent to the front of the civil registry
    successor = actions.ticket_transfer(
        ticket=ticket, service=service(ID_CARD), keep_arrival=False, acting_user=fresh(employee_a)
    )

    # then they are called first there
    desk_b = open_counter(supervisor_a, 2, prefixes=("B",))
    assert actions.ticket_call_next(counter=desk_b, acting_user=supervisor_a).pk == successor.pk
    assert reload(earlier).status == TicketStatus.WAITING


def test_coming_back_to_the_first_counter_after_the_other_service(
    always_open, employee_a, supervisor_a
):
    # given a visitor served at counter 1 (passports), with another passports visitor waiting
    desk_1, ticket = serving(employee_a, number=1, minutes_ago=30)
    waiting_a = issue(PASSPORTS, minutes_ago=20)

    # when counter 1 transfers them to the civil registry and asks them to come back
    successor = actions.ticket_transfer(
        ticket=ticket,
        service=service(ID_CARD),
        return_to_counter=True,
        acting_user=fresh(employee_a),
    )
    assert successor.return_counter == desk_1
    # and the civil registry (counter 2) serves and completes them
    desk_2 = open_counter(supervisor_a, 2, prefixes=("B",))
    called = actions.ticket_call_next(counter=desk_2, acting_user=supervisor_a)
    assert called.pk == successor.pk
    actions.ticket_complete(ticket=called, outcome="completed", acting_user=supervisor_a)

    # then a new passports ticket with the same number waits, reserved to counter 1
    back = reload(successor).transferred_to
    assert back.line == line("A")
    assert back.number == ticket.number
    assert back.reserved_counter == desk_1
    assert back.status == TicketStatus.WAITING
    assert events_of(back) == [(EventKind.ISSUED, "", TicketStatus.WAITING)]
    # and counter 1 calls the returning visitor first, before the one who waited in line A
    nxt = actions.ticket_call_next(counter=desk_1, acting_user=fresh(employee_a))
    assert nxt.pk == back.pk
    assert reload(waiting_a).status == TicketStatus.WAITING


def test_a_counter_other_than_the_reserved_one_never_gets_the_returning_visitor(
    always_open, employee_a, supervisor_a
):
    desk_1, ticket = serving(employee_a, number=1)
    successor = actions.ticket_transfer(
        ticket=ticket, service=service(ID_CARD), return_to_counter=True, acting_user=employee_a
    )
    desk_2 = open_counter(supervisor_a, 2, prefixes=("A", "B"))
    called = actions.ticket_call_next(counter=desk_2, acting_user=supervisor_a)
    assert called.pk == successor.pk
    actions.ticket_complete(ticket=called, outcome="completed", acting_user=supervisor_a)

    # only the reserved visitor waits in line A: counter 2 finds nobody
    assert actions.ticket_call_next(counter=desk_2, acting_user=supervisor_a) is None
    assert actions.ticket_call_next(counter=desk_1, acting_user=fresh(employee_a)) is not None


def test_the_first_tickets_page_follows_the_visitor_back_to_the_first_counter(
    always_open, employee_a, supervisor_a
):
    # given a visitor transferred with "come back" and served at the other service
    desk_1, ticket = serving(employee_a, number=1)
    actions.ticket_transfer(
        ticket=ticket, service=service(ID_CARD), return_to_counter=True, acting_user=employee_a
    )
    desk_2 = open_counter(supervisor_a, 2, prefixes=("B",))
    called = actions.ticket_call_next(counter=desk_2, acting_user=supervisor_a)
    actions.ticket_complete(ticket=called, outcome="completed", acting_user=supervisor_a)

    # when the visitor looks at their first ticket
    current = latest_leg(reload(ticket))

    # then they see the ticket that waits for them at counter 1
    assert current.status == TicketStatus.WAITING
    assert current.reserved_counter == desk_1


def test_a_service_not_offered_at_the_center_is_refused(always_open, employee_a):
    _desk, ticket = serving(employee_a)
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        actions.ticket_transfer(
            ticket=ticket, service=service(NOT_AT_RAYYAN), acting_user=fresh(employee_a)
        )

    assert caught.value.code == "not_offered"
    assert snapshot() == before


def test_a_waiting_visitor_cannot_be_transferred(always_open, employee_a):
    open_counter(employee_a)
    ticket = issue()
    before = snapshot()

    with pytest.raises(Conflict) as caught:
        actions.ticket_transfer(ticket=ticket, service=service(ID_CARD), acting_user=employee_a)

    assert caught.value.code == "wrong_state"
    assert snapshot() == before


def test_another_employee_cannot_transfer_my_visitor(always_open, employee_a):
    _desk, ticket = serving(employee_a)
    before = snapshot()

    with pytest.raises(NotAllowed):
        actions.ticket_transfer(
            ticket=ticket, service=service(ID_CARD), acting_user=employee("passports")
        )

    assert snapshot() == before
