"""The satisfaction index: share of 4–5 answers, mean and count, per center, agency,
service, employee and period, with too-small samples marked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from oneroof.accounts.permissions import AnyUser
from oneroof.centers.models import Counter
from oneroof.feedback.actions import TABLET_WINDOW
from oneroof.feedback.models import SurveyAnswer
from oneroof.feedback.permissions import complaints_scope
from oneroof.queueing.selectors import current_ticket
from oneroof.transactions.models import TransactionRecord

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
    # Only `overall` is read (never the primary key), so the (center, answered_at, overall)
    # index answers a center's index without reading the table.
    row = answers(**filters).aggregate(
        n=Count("*"), satisfied=Count("overall", filter=Q(overall__gte=4)), mean=Avg("overall")
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
        .order_by("-answered_at", "-pk")
    )


def complaints_for(user: AnyUser, **filters) -> QuerySet[SurveyAnswer]:
    """The complaints a user follows up (supervisors: their centers; agency administrators:
    their agency; system administrators: all), newest first. Nothing for anyone else. The
    care inbox reuses this to open a case for each."""
    scope = complaints_scope(user)
    if scope is None:
        return SurveyAnswer.objects.none()
    return complaints(**filters).filter(scope).select_related("agency", "employee", "version")


def survey_pending_at_counter(
    counter: Counter,
    *,
    skipped: Collection[int] = (),
    now: dt.datetime | None = None,
) -> TransactionRecord | None:
    """The service just finished at a counter whose survey a tablet there may show: ended
    within the tablet's window, not cancelled, not answered, and no visitor at the counter
    since (the next visitor is never asked about the previous one's service)."""
    now = now or timezone.now()
    if current_ticket(counter) is not None:
        return None
    return (
        TransactionRecord.objects.filter(
            counter=counter, ended_at__gte=now - TABLET_WINDOW, ended_at__lte=now
        )
        .exclude(outcome="cancelled")
        .exclude(survey_invite__answered_at__isnull=False)
        .exclude(pk__in=list(skipped))
        .select_related("service", "center")
        .order_by("-ended_at", "-pk")
        .first()
    )
