"""Prepare a freshly migrated OneRoof database (with `load_demo`) for the benchmarks.

- one demo center is made open 24/7 (its opening intervals and closures replaced by 0-1440
  on every weekday), so tickets can be issued at any hour;
- N+1 employees of one agency at that center, each with a bearer key (N for the
  throughput clients, one for the display-board fan-out);
- a device user (a kiosk) at that center with a bearer key, used to issue tickets;
- one service of each other line of the center, for the issuing-only runs.

Writes the identifiers and keys the load generators need as JSON (argument 1).
Run with the main project's settings and DATABASE_URL, e.g.
`.venv/bin/python bench/prepare.py /tmp/x.json 16`."""

from __future__ import annotations

import json
import os
import sys


def main(out: str, clients: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneroof.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.db.models import Q

    from oneroof.accounts.actions import api_key_create, role_assign
    from oneroof.accounts.models import User
    from oneroof.centers.models import Center, Closure, Counter, OpeningInterval
    from oneroof.queueing.models import Line, LineService

    with transaction.atomic():
        # The demo center with a kiosk; any center with a line and enough counters would do.
        center = Center.objects.get(slug="al-rayyan")
        OpeningInterval.objects.filter(center=center).delete()
        Closure.objects.filter(Q(center=center) | Q(center__isnull=True)).delete()
        OpeningInterval.objects.bulk_create(
            OpeningInterval(center=center, weekday=day, opens=0, closes=1440) for day in range(7)
        )
        line = Line.objects.filter(center=center, is_active=True).order_by("prefix").first()
        service = LineService.objects.filter(line=line).select_related("service").first().service
        agency_id = line.agency_id
        # Issuing-only runs spread over the center's other lines, as a kiosk does, so the
        # tickets they leave waiting stay out of the cycle's line.
        issue_services = [
            link.service.slug
            for other in Line.objects.filter(center=center, is_active=True)
            .exclude(pk=line.pk)
            .order_by("prefix")
            if (link := LineService.objects.filter(line=other).select_related("service").first())
        ] or [service.slug]

        have = Counter.objects.filter(center=center).count()
        for number in range(have + 1, clients + 2):
            Counter.objects.create(center=center, number=number, label=f"B{number}")
        counters = list(Counter.objects.filter(center=center).order_by("number")[: clients + 1])

        employees = []
        for i in range(clients + 1):
            user, _ = User.objects.get_or_create(username=f"bench.employee{i:02d}")
            role_assign(user=user, role="employee", agency_id=agency_id, center_id=center.pk)
            _key, raw = api_key_create(user=user, name="bench")
            employees.append({"username": user.username, "key": raw, "counter": counters[i].pk})

        kiosk, _ = User.objects.get_or_create(username="bench.kiosk")
        role_assign(user=kiosk, role="device", center_id=center.pk)
        _key, kiosk_key = api_key_create(user=kiosk, name="bench kiosk")

    config = {
        "center_id": center.pk,
        "center_slug": center.slug,
        "service": service.slug,
        "issue_services": issue_services,
        "line_id": line.pk,
        "line_prefix": line.prefix,
        "kiosk_key": kiosk_key,
        "employees": employees[:clients],
        "fanout_employee": employees[clients],
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(config, fh, indent=1)
    print(
        f"prepared center {center.slug} (id {center.pk}), line {line.prefix}, "
        f"service {service.slug}, {clients + 1} employees"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 16)
