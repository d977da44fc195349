"""A small day of visits for the tests of the insight screens, made through the queue's own
actions: at Al Rayyan, passports (employee A) and civil registry visitors; at Al Wakra,
traffic visitors (employee B). Roll-ups are rebuilt from the raw rows afterwards, because
tests run inside a transaction that never commits (events wait for the commit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from oneroof.accounts.models import User
from oneroof.catalog.models import Service
from oneroof.centers.models import Center, Counter
from oneroof.conftest import make_always_open
from oneroof.insights.actions import rollups_rebuild
from oneroof.queueing import actions
from oneroof.queueing.models import Line, Ticket


@dataclass
class World:
    rayyan: Center
    wakra: Center
    counter_a: Counter
    counter_b: Counter
    waiting_passport: Ticket  # still waiting at Al Rayyan, issued 30 minutes ago
    waiting_civil: Ticket
    day: dt.date  # Al Rayyan's local day of the visits

    def rebuild(self) -> None:
        rollups_rebuild(start=self.day - dt.timedelta(days=1), end=self.day + dt.timedelta(days=1))


def serve(counter: Counter, user: User, *, outcome: str = "completed") -> Ticket | None:
    ticket = actions.ticket_call_next(counter=counter, acting_user=user)
    if ticket is None:
        return None
    actions.ticket_start(ticket=ticket, acting_user=user)
    return actions.ticket_complete(ticket=ticket, outcome=outcome, acting_user=user)


def make_world() -> World:
    rayyan = make_always_open("al-rayyan")
    wakra = make_always_open("al-wakra")
    employee_a = User.objects.get(username="employee.rayyan")
    employee_b = User.objects.get(username="employee.wakra")
    passport = Service.objects.get(slug="passport-renewal")
    id_card = Service.objects.get(slug="id-card-renewal")
    licence = Service.objects.get(slug="driving-licence-renewal")
    now = timezone.now()
    # Visitors who came 10 to 14 minutes ago, so their waits are not zero; and one passport
    # visitor and one civil-registry visitor still waiting after 30 minutes.
    for minutes in (14, 12, 10):
        actions.ticket_issue(
            center=rayyan, service=passport, at=now - dt.timedelta(minutes=minutes)
        )
    waiting_passport = actions.ticket_issue(
        center=rayyan, service=passport, at=now - dt.timedelta(minutes=1)
    )
    waiting_civil = actions.ticket_issue(
        center=rayyan, service=id_card, at=now - dt.timedelta(minutes=30)
    )
    for minutes in (8, 6):
        actions.ticket_issue(center=wakra, service=licence, at=now - dt.timedelta(minutes=minutes))

    counter_a = Counter.objects.get(center=rayyan, number=5)
    actions.counter_open(
        counter=counter_a,
        lines=[Line.objects.get(center=rayyan, agency=passport.agency)],
        acting_user=employee_a,
    )
    for _ in range(3):
        serve(counter_a, employee_a)
    counter_b = Counter.objects.get(center=wakra, number=3)
    actions.counter_open(
        counter=counter_b,
        lines=[Line.objects.get(center=wakra, agency=licence.agency)],
        acting_user=employee_b,
    )
    serve(counter_b, employee_b)
    world = World(
        rayyan=rayyan,
        wakra=wakra,
        counter_a=counter_a,
        counter_b=counter_b,
        waiting_passport=waiting_passport,
        waiting_civil=waiting_civil,
        day=now.astimezone(rayyan.tz).date(),
    )
    world.rebuild()
    return world
