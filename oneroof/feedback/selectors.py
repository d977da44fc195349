"""The satisfaction index: share of 4–5 answers, mean and count, per center, agency,
service, employee and period, with too-small samples marked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from oneroof.feedback.models import SurveyAnswer

LOW_SAMPLE = 30  # fewer answers than this: the index is shown but marked as unreliable


@dataclass(frozen=True)
class SatisfactionIndex:
    responses: int
    satisfied_share: float | None  # share of answers scoring 4 or 5 overall
    mean: float | None
    low_sample: bool


def answers(
    *,
    center_id: int | None = None,
    agency_id: int | None = None,
    service_id: int | None = None,
    employee_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[SurveyAnswer]:
    qs = SurveyAnswer.objects.all()
    for field, value in (
        ("center_id", center_id),
        ("agency_id", agency_id),
        ("service_id", service_id),
        ("employee_id", employee_id),
    ):
        if value is not None:
            qs = qs.filter(**{field: value})
    if start is not None:
        qs = qs.filter(answered_at__gte=start)
    if end is not None:
        qs = qs.filter(answered_at__lt=end)
    return qs


def satisfaction_index(**filters) -> SatisfactionIndex:
    row = answers(**filters).aggregate(
        n=Count("pk"), satisfied=Count("pk", filter=Q(overall__gte=4)), mean=Avg("overall")
    )
    n = row["n"]
    return SatisfactionIndex(
        responses=n,
        satisfied_share=round(row["satisfied"] / n, 4) if n else None,
        mean=round(float(row["mean"]), 2) if n else None,
        low_sample=n < LOW_SAMPLE,
    )


def complaints(**filters) -> QuerySet[SurveyAnswer]:
    """Low scores with a comment, newest first, for supervisors to follow up."""
    return (
        answers(**filters)
        .filter(overall__lte=2)
        .exclude(comment="")
        .select_related("service", "center")
        .order_by("-answered_at")
    )
