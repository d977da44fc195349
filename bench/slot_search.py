"""Slot search under load of existing bookings: a service's free slots over 30 days across
every demo center that offers it, with N bookings already in the database.

    .venv/bin/python bench/slot_search.py OUT.json [BOOKINGS] [REPEATS]

Runs against the database of DATABASE_URL (already migrated, with `load_demo`). Adds the
bookings in bulk (spread over the next 30 days, the services and the centers), then times
`appointments.selectors.available_slots` in-process, as the API's view calls it (every
slot of the month weighed, the first 500 answered), after the start-up a server process
makes (`core.startup`); and again materialising every free slot. Writes p50/p95/max in
milliseconds and the number of slots found."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time


def main(out: str, bookings: int, repeats: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from oneroof.appointments.models import Appointment, SlotRule, minute_of
    from oneroof.appointments.selectors import _day_slots, available_slots
    from oneroof.catalog.models import Service
    from oneroof.centers.models import Center
    from oneroof.centers.selectors import centers_hours

    rng = random.Random(1)
    service = Service.objects.get(slug="passport-renewal")
    now = timezone.now()
    Appointment.objects.all().delete()
    # Fill real slots of every center and agency, so the bookings land where the search looks.
    rules = list(SlotRule.objects.filter(service__isnull=True).select_related("center"))
    hours = centers_hours([r.center for r in rules])
    slots = []
    for rule in rules:
        first = now.astimezone(rule.center.tz).date()
        for offset in range(31):
            for start, end in _day_slots(hours[rule.center_id], rule, first + dt.timedelta(offset)):
                slots.append((rule, start, end))
    rng.shuffle(slots)
    services_of: dict[int, list[int]] = {}
    for pk, agency_id in Service.objects.values_list("pk", "agency_id"):
        services_of.setdefault(agency_id, []).append(pk)
    rows, seats = [], {}
    for i in range(bookings):
        rule, start, end = slots[i % len(slots)]
        key = (rule.center_id, rule.agency_id, start)
        seat = seats.get(key, 0) + 1
        if seat > rule.capacity:
            continue
        seats[key] = seat
        service_id = rng.choice(services_of[rule.agency_id])
        rows.append(
            Appointment(
                center_id=rule.center_id,
                agency_id=rule.agency_id,
                service_id=service_id,
                start=start,
                end=end,
                seat=seat,
                start_minute=minute_of(start),
                phone=f"+9745{i:07d}",
                code=f"B{i:07d}",
            )
        )
    Appointment.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE appointments_appointment")
    total = Appointment.objects.count()

    # As a server process is once it has loaded (oneroof/wsgi.py).
    from oneroof.appointments.api import MAX_SLOTS
    from oneroof.core.startup import freeze_loaded_objects

    freeze_loaded_objects()

    def timed(limit: int | None) -> tuple[list[float], int]:
        timings, found = [], 0
        for _ in range(3):  # warm-up
            available_slots(service, days=30, limit=limit)
        for _ in range(repeats):
            t0 = time.perf_counter()
            found = len(available_slots(service, days=30, limit=limit))
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        return timings, found

    def figures(timings: list[float]) -> dict:
        return {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
            "max_ms": round(timings[-1], 1),
        }

    # The API's search: every slot of the month weighed, the first 500 answered.
    timings, answered = timed(MAX_SLOTS)
    # Every free slot of the month materialised (the selector without a limit).
    all_timings, found = timed(None)
    result = {
        "vendor": connection.vendor,
        "bookings": total,
        "centers": Center.objects.filter(center_services__service=service).count(),
        "days": 30,
        "slots_found": found,
        "slots_answered": answered,
        "repeats": repeats,
        "loadavg": os.getloadavg()[0],
        **figures(timings),
        "all_slots": figures(all_timings),
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]) if len(sys.argv) > 2 else 100_000,
        int(sys.argv[3]) if len(sys.argv) > 3 else 40,
    )
