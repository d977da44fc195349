from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from oneroof.centers.map import center_map
from oneroof.centers.models import fmt_minute
from oneroof.centers.presenters import opening_label
from oneroof.centers.selectors import (
    centers_for_list,
    centers_hours,
    opening_status,
    upcoming_closures,
    week_schedule,
)


def _days(hours, agency_id=None):
    return [
        {"weekday": day, "intervals": [(fmt_minute(o), fmt_minute(c)) for o, c in ivs]}
        for day, ivs in week_schedule(hours, agency_id)
    ]


def center_list(request: HttpRequest) -> HttpResponse:
    centers = list(centers_for_list())
    hours = centers_hours(centers)
    rows = [
        {"center": c, "opening": opening_label(opening_status(hours[c.pk]), c.tz)} for c in centers
    ]
    return render(
        request,
        "centers/center_list.html",
        {
            "rows": rows,
            "map": center_map(centers),
        },
    )


def center_detail(request: HttpRequest, slug: str) -> HttpResponse:
    center = get_object_or_404(centers_for_list(), slug=slug)
    hours = centers_hours([center])[center.pk]
    agencies = list(center.agencies.all())
    by_id = {a.pk: a for a in agencies}
    desks = [
        {
            "agency": by_id[aid],
            "days": _days(hours, aid),
            "opening": opening_label(opening_status(hours, agency_id=aid), center.tz),
        }
        for aid in sorted(hours.desk_schedules)
        if aid in by_id
    ]
    services = (
        center.services.filter(is_active=True).select_related("agency").order_by("agency_id", "pk")
    )
    groups = [
        {"agency": a, "services": [s for s in services if s.agency_id == a.pk]} for a in agencies
    ]
    return render(
        request,
        "centers/center_detail.html",
        {
            "center": center,
            "opening": opening_label(opening_status(hours), center.tz),
            "days": _days(hours),
            "desks": desks,
            "closures": upcoming_closures(hours),
            "groups": groups,
            "counter_count": center.counters.filter(is_active=True).count(),
            "map": center_map(list(centers_for_list()), highlight=center),
            "today": timezone.now().astimezone(center.tz).weekday(),
        },
    )
