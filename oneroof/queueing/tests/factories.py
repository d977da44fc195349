"""Builders for queue tests on the demo data: center A (al-rayyan), its passports line "A"
and civil-registry line "B", counters, extra employees, and tickets in a given state."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import factory
from django.utils import timezone

from oneroof.accounts.actions import role_assign
from oneroof.accounts.choices import Role
from oneroof.accounts.models import User
from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center, Counter
from oneroof.queueing import actions
from oneroof.queueing.models import (
    CallingPolicy,
    CounterEvent,
    CounterState,
    Line,
    LineDay,
    Ticket,
    TicketEvent,
)

QA = zoneinfo.ZoneInfo("Asia/Qatar")
CENTER_A = "al-rayyan"
PASSPORTS = "passport-renewal"  # line A at al-rayyan
LOST_PASSPORT = "lost-passport-replacement"  # also line A
ID_CARD = "id-card-renewal"  # line B (civil registry) at al-rayyan
NOT_AT_RAYYAN = "document-attestation"  # foreign affairs has no desk at al-rayyan

_phones = itertools.count(5510000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"queue.employee.{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Employee {n}")


def next_phone() -> str:
    """A distinct valid Qatari mobile number in E.164."""
    return f"+97455{next(_phones) % 1000000:06d}"


def center(slug: str = CENTER_A) -> Center:
    return Center.objects.get(slug=slug)


def service(slug: str) -> Service:
    return Service.objects.get(slug=slug)


def line(prefix: str, center_slug: str = CENTER_A) -> Line:
    return Line.objects.get(center__slug=center_slug, prefix=prefix)


def counter(number: int, center_slug: str = CENTER_A) -> Counter:
    return Counter.objects.get(center__slug=center_slug, number=number)


def fresh(user: User) -> User:
    """The user read again, so role caches set on an older object do not leak."""
    return User.objects.get(pk=user.pk)


def employee(*agencies: str, center_slug: str = CENTER_A, **kwargs) -> User:
    """A new employee of the given agencies (slugs) at a center."""
    user = UserFactory(**kwargs)
    where = center(center_slug)
    for slug in agencies or ("passports",):
        role_assign(
            user=user,
            role=Role.EMPLOYEE,
            agency_id=Agency.objects.get(slug=slug).pk,
            center_id=where.pk,
        )
    return fresh(user)


def set_policy(center_obj: Center | None = None, **values) -> CallingPolicy:
    policy = actions.policy_for(center_obj or center())
    for key, value in values.items():
        setattr(policy, key, value)
    policy.save()
    return policy


def issue(
    slug: str = PASSPORTS,
    *,
    center_obj: Center | None = None,
    minutes_ago: float = 0,
    at: dt.datetime | None = None,
    **kwargs,
) -> Ticket:
    """A ticket issued `minutes_ago` (center A must be open then: use `always_open`)."""
    when = at or timezone.now() - dt.timedelta(minutes=minutes_ago)
    return actions.ticket_issue(
        center=center_obj or center(), service=service(slug), at=when, **kwargs
    )


def open_counter(user: User, number: int = 1, prefixes: tuple[str, ...] = ("A",)) -> Counter:
    desk = counter(number)
    actions.counter_open(counter=desk, lines=[line(p) for p in prefixes], acting_user=fresh(user))
    return desk


def called_ticket(user: User, number: int = 1, **issue_kwargs) -> tuple[Counter, Ticket]:
    """A counter opened by `user` for line A, holding a ticket it has just called."""
    desk = open_counter(user, number)
    issue(**issue_kwargs)
    ticket = actions.ticket_call_next(counter=desk, acting_user=fresh(user))
    assert ticket is not None
    return desk, ticket


def reload(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def events_of(ticket: Ticket) -> list[tuple[str, str, str]]:
    """(kind, from_status, to_status) of a ticket's events, in order."""
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("at", "pk")
        .values_list("kind", "from_status", "to_status")
    )


def last_event(ticket: Ticket) -> TicketEvent:
    return TicketEvent.objects.filter(ticket=ticket).order_by("at", "pk").last()


def snapshot() -> dict[str, list]:
    """Everything a queue action may change, to compare before and after a refusal."""
    return {
        "tickets": list(Ticket.objects.order_by("pk").values()),
        "events": list(TicketEvent.objects.order_by("pk").values()),
        "line_days": list(LineDay.objects.order_by("pk").values()),
        "states": list(CounterState.objects.order_by("pk").values()),
        "state_lines": list(
            CounterState.lines.through.objects.order_by("pk").values_list(
                "counterstate_id", "line_id"
            )
        ),
        "counter_events": list(CounterEvent.objects.order_by("pk").values()),
    }


def clear_queue() -> None:
    """An empty queue: no tickets, numbers, counter states or their events."""
    TicketEvent.objects.all().delete()
    Ticket.objects.update(transferred_from=None)
    Ticket.objects.all().delete()
    LineDay.objects.all().delete()
    CounterEvent.objects.all().delete()
    CounterState.objects.all().delete()
