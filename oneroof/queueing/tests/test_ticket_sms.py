"""SMS to visitors: when called (in their language) and once when near the front."""

import re

import pytest
from django.db import transaction

from oneroof.notify.backends import MemorySmsBackend
from oneroof.notify.models import MessageStatus, OutboundMessage
from oneroof.queueing import actions
from oneroof.queueing.tests.factories import (
    fresh,
    issue,
    next_phone,
    open_counter,
    set_policy,
)

pytestmark = pytest.mark.django_db


def texts_to(phone: str) -> list[str]:
    return [m["text"] for m in MemorySmsBackend.outbox if m["to"] == phone]


def call_and_complete(desk, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(user))
    actions.ticket_complete(ticket=ticket, outcome="completed", acting_user=fresh(user))
    return ticket


def test_an_english_visitor_is_texted_the_counter_in_english(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    # given a visitor who left a phone and chose English, and counter 12 open
    set_policy(notify_at_position=0)
    ticket = issue(phone="55123456", lang="en")
    desk = open_counter(employee_a, 12)

    # when they are called
    with django_capture_on_commit_callbacks(execute=True):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    # then one SMS tells them, in English, to go to counter 12; it is recorded as sent
    assert texts_to("+97455123456") == ["Ticket A001: please go to counter 12 now."]
    message = OutboundMessage.objects.get(to="+97455123456")
    assert message.status == MessageStatus.SENT
    assert message.lang == "en" and message.purpose == "queue"
    assert ticket.number == "A001"


def test_an_arabic_visitor_is_texted_the_number_and_the_counter(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    set_policy(notify_at_position=0)
    issue(phone="55123457", lang="ar")
    desk = open_counter(employee_a, 9)

    with django_capture_on_commit_callbacks(execute=True):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    [text] = texts_to("+97455123457")
    assert "A001" in text
    assert re.search(r"(?<!\d)9(?!\d)", text)


def test_a_visitor_without_a_phone_gets_no_sms(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    issue()
    desk = open_counter(employee_a)

    with django_capture_on_commit_callbacks(execute=True):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))

    assert MemorySmsBackend.outbox == []
    assert not OutboundMessage.objects.exists()


def test_visitors_near_the_front_are_texted_once(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    # given four English visitors with phones and notification at 1 person ahead or fewer
    set_policy(notify_at_position=2)
    phones = [next_phone() for _ in range(4)]
    for minutes, phone in zip((40, 30, 20, 10), phones, strict=True):
        issue(phone=phone, lang="en", minutes_ago=minutes)
    desk = open_counter(employee_a, 3)

    # when the first is called
    call_and_complete(desk, employee_a, django_capture_on_commit_callbacks)

    # then the second is told they are next and the third that one person is ahead
    assert texts_to(phones[0]) == ["Ticket A001: please go to counter 3 now."]
    assert texts_to(phones[1]) == ["Ticket A002: you are next. Please stay near the counters."]
    assert texts_to(phones[2]) == [
        "Ticket A003: 1 person is ahead of you. Please stay near the counters."
    ]
    assert texts_to(phones[3]) == []

    # when the second is called
    call_and_complete(desk, employee_a, django_capture_on_commit_callbacks)

    # then the third is not texted again about their position (only the call comes later)
    # and the fourth, now one behind, is told
    assert len(texts_to(phones[2])) == 1
    assert texts_to(phones[3]) == [
        "Ticket A004: 1 person is ahead of you. Please stay near the counters."
    ]
    assert texts_to(phones[1])[-1] == "Ticket A002: please go to counter 3 now."

    # and every later call texts each remaining visitor only their call
    call_and_complete(desk, employee_a, django_capture_on_commit_callbacks)
    call_and_complete(desk, employee_a, django_capture_on_commit_callbacks)
    assert [len(texts_to(p)) for p in phones] == [1, 2, 2, 2]


def test_no_sms_is_sent_for_a_call_that_rolls_back(
    always_open, employee_a, django_capture_on_commit_callbacks
):
    issue(phone="55123456", lang="en")
    desk = open_counter(employee_a)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        actions.ticket_call_next(counter=desk, acting_user=fresh(employee_a))
        raise RuntimeError("rolled back")

    assert callbacks == []
    assert MemorySmsBackend.outbox == []
    assert not OutboundMessage.objects.exists()
