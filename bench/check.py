"""Correctness after a throughput run, read directly in the database (DATABASE_URL):

- duplicate numbers: (line, business_date, sequence) held by more than one ticket;
- tickets called twice: more "called" events (in or out of order) than 1 + requeues;
- counters with more than one visitor (tickets called or being served at one counter);
- tickets left called or being served (the load generator completes every call).

Prints one JSON object with the counts."""

from __future__ import annotations

import json
import os


def main() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db.models import Count, F, Q

    from oneroof.queueing.choices import ACTIVE_AT_COUNTER, EventKind
    from oneroof.queueing.models import Ticket, TicketEvent

    duplicates = (
        Ticket.objects.filter(sequence__isnull=False)
        .values("line_id", "business_date", "sequence")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    calls = Q(events__kind__in=[EventKind.CALLED, EventKind.CALLED_OUT_OF_ORDER])
    called_twice = (
        Ticket.objects.annotate(
            calls=Count("events", filter=calls),
            requeues=Count("events", filter=Q(events__kind=EventKind.REQUEUED)),
        )
        .filter(calls__gt=1 + F("requeues"))
        .count()
    )
    crowded_counters = (
        Ticket.objects.filter(status__in=ACTIVE_AT_COUNTER)
        .values("counter_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "tickets": Ticket.objects.count(),
        "called_events": TicketEvent.objects.filter(
            kind__in=[EventKind.CALLED, EventKind.CALLED_OUT_OF_ORDER]
        ).count(),
        "duplicate_numbers": duplicates,
        "tickets_called_twice": called_twice,
        "counters_with_more_than_one_visitor": crowded_counters,
        "left_at_a_counter": Ticket.objects.filter(status__in=ACTIVE_AT_COUNTER).count(),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
