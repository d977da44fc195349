"""Reads of the care inbox: the agents' inbox, a case's thread, suggested answers, the
supervisors' figures, public notices and monitoring."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from oneroof.accounts.permissions import AnyUser
from oneroof.care import sla
from oneroof.care.choices import ACTIVE_STATUSES, CaseChannel, CaseStatus, Direction
from oneroof.care.models import AutoReplyLog, Case, MonitoredPost, PublicNotice
from oneroof.care.permissions import cases_for, dashboard_scope
from oneroof.catalog.models import Agency
from oneroof.centers.models import CenterAgency
from oneroof.knowledge import search as knowledge


@dataclass(frozen=True)
class InboxFilter:
    agency: int | None = None
    channel: str | None = None
    status: str = "active"  # a status, "active" (new, open, waiting) or "all"
    sla: str | None = None
    kind: str | None = None
    owner: str | None = None  # "me", "none" or None
    q: str = ""


def inbox(user: AnyUser, f: InboxFilter, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    """The cases an agent works on, filtered, the most urgent first."""
    now = now or timezone.now()
    qs = cases_for(user).filter(merged_into__isnull=True)
    if f.status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif f.status in CaseStatus.values:
        qs = qs.filter(status=f.status)
    if f.agency == 0:
        qs = qs.filter(agency__isnull=True)
    elif f.agency:
        qs = qs.filter(agency_id=f.agency)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.sla:
        qs = qs.filter(sla.state_q(f.sla, now))
    if f.owner == "me" and getattr(user, "pk", None):
        qs = qs.filter(owner_id=user.pk)
    elif f.owner == "none":
        qs = qs.filter(owner__isnull=True)
    if f.q:
        term = f.q.strip()
        qs = qs.filter(
            Q(subject__icontains=term)
            | Q(phone__icontains=term)
            | Q(email__icontains=term)
            | Q(social_handle__icontains=term)
            | Q(messages__text__icontains=term)
            | (Q(pk=int(term.lstrip("#"))) if term.lstrip("#").isdigit() else Q(pk__in=[]))
        ).distinct()
    return qs.select_related("agency", "service", "center", "owner").order_by("due_at", "pk")


def inbox_counts(user: AnyUser, *, now: dt.datetime | None = None) -> dict[str, int]:
    """How many of the agent's active cases are in each SLA state, and unassigned."""
    now = now or timezone.now()
    qs = cases_for(user).filter(merged_into__isnull=True, status__in=ACTIVE_STATUSES)
    return qs.aggregate(
        active=Count("pk"),
        breached=Count("pk", filter=sla.state_q("breached", now)),
        due_soon=Count("pk", filter=sla.state_q("due_soon", now)),
        unassigned=Count("pk", filter=Q(owner__isnull=True)),
    )


@dataclass
class ThreadItem:
    at: dt.datetime
    kind: str  # "message" or "note"
    item: object


def thread(case: Case) -> list[ThreadItem]:
    """The conversation with the citizen, with the staff's notes, in time order."""
    items = [ThreadItem(m.at, "message", m) for m in case.messages.select_related("author").all()]
    items += [ThreadItem(n.created_at, "note", n) for n in case.notes.select_related("author")]
    return sorted(items, key=lambda i: (i.at, 0 if i.kind == "message" else 1))


def public_thread(case: Case) -> list:
    return list(case.messages.all())


def suggested_answers(case: Case, *, limit: int = 3) -> list:
    """Canned answers: the knowledge articles that best match the citizen's messages."""
    first = case.messages.filter(direction=Direction.INBOUND).first()
    text = first.text if first else case.subject
    try:
        return knowledge.search(text, lang=case.lang, limit=limit)
    except Exception:  # the knowledge base is a help here, never a failure
        return []


def merge_candidates(user: AnyUser, case: Case, *, limit: int = 5) -> QuerySet[Case]:
    """Active cases from the same person (phone, e-mail or handle) the agent may see."""
    same = Q(pk__in=[])
    if case.phone:
        same |= Q(phone=case.phone)
    if case.email:
        same |= Q(email__iexact=case.email)
    if case.social_handle:
        same |= Q(social_network=case.social_network, social_handle=case.social_handle)
    return (
        cases_for(user)
        .filter(same, merged_into__isnull=True)
        .exclude(pk=case.pk)
        .exclude(status=CaseStatus.CLOSED)
        .order_by("-created_at")[:limit]
    )


# --- the supervisors' figures ------------------------------------------------------------------


@dataclass
class Figures:
    received: int = 0
    inquiries: int = 0
    auto_answered: int = 0
    answered_by_people: int = 0
    resolved: int = 0
    breached: int = 0
    first_response_hours: float | None = None  # median, answers by people
    resolution_hours: float | None = None  # median, resolved or closed cases
    helpful: int = 0
    not_helpful: int = 0

    @property
    def auto_share(self) -> float | None:
        return self.auto_answered / self.inquiries if self.inquiries else None

    @property
    def helpful_share(self) -> float | None:
        n = self.helpful + self.not_helpful
        return self.helpful / n if n else None


@dataclass
class Dashboard:
    start: dt.datetime
    total: Figures
    by_agency: list[tuple[str, Figures]] = field(default_factory=list)
    by_channel: list[tuple[str, Figures]] = field(default_factory=list)
    score_bands: list[dict] = field(default_factory=list)


def _median_hours(deltas: list[dt.timedelta]) -> float | None:
    if not deltas:
        return None
    return round(statistics.median(d.total_seconds() for d in deltas) / 3600, 1)


def _figures(rows: list[dict], now: dt.datetime) -> Figures:
    f = Figures(received=len(rows))
    first, resolution = [], []
    for r in rows:
        f.inquiries += r["kind"] == "inquiry"
        f.auto_answered += bool(r["auto_answered"])
        if r["first_response_at"] and not r["auto_answered"]:
            f.answered_by_people += 1
            first.append(r["first_response_at"] - r["created_at"])
        if r["resolved_at"]:
            f.resolved += 1
            resolution.append(r["resolved_at"] - r["created_at"])
        f.breached += r["breached_at"] is not None
        f.helpful += r["answer_helpful"] is True
        f.not_helpful += r["answer_helpful"] is False
    f.first_response_hours = _median_hours(first)
    f.resolution_hours = _median_hours(resolution)
    return f


def dashboard(
    user: AnyUser,
    *,
    days: int = 30,
    agency_id: int | None = None,
    now: dt.datetime | None = None,
) -> Dashboard | None:
    """Volumes, first-answer and resolution times (medians), the share answered
    automatically and how citizens rated the answers, per agency and channel, over the
    last `days`. Reads the cases of the period (one query); None if the user sees none."""
    now = now or timezone.now()
    scope = dashboard_scope(user)
    if scope is None:
        return None
    start = now - dt.timedelta(days=days)
    qs = Case.objects.filter(scope, created_at__gte=start, merged_into__isnull=True)
    if agency_id:
        qs = qs.filter(agency_id=agency_id)
    rows = list(
        qs.values(
            "pk",
            "kind",
            "channel",
            "agency_id",
            "created_at",
            "first_response_at",
            "resolved_at",
            "breached_at",
            "auto_answered",
            "answer_helpful",
        )
    )
    board = Dashboard(start=start, total=_figures(rows, now))
    names = {a.pk: a.name for a in Agency.objects.filter(pk__in={r["agency_id"] for r in rows})}
    by_agency: dict[int | None, list[dict]] = {}
    by_channel: dict[str, list[dict]] = {}
    for r in rows:
        by_agency.setdefault(r["agency_id"], []).append(r)
        by_channel.setdefault(r["channel"], []).append(r)
    board.by_agency = sorted(
        ((names.get(k, "") if k else "", _figures(v, now)) for k, v in by_agency.items()),
        key=lambda item: -item[1].received,
    )
    labels = dict(CaseChannel.choices)
    board.by_channel = sorted(
        ((str(labels.get(k, k)), _figures(v, now)) for k, v in by_channel.items()),
        key=lambda item: -item[1].received,
    )
    board.score_bands = score_bands(rows_case_ids=[r["pk"] for r in rows])
    return board


def score_bands(*, rows_case_ids: list[int]) -> list[dict]:
    """The automatic-reply log by score band: how many were answered, and how many of those
    citizens said did not help. The data to move the answer threshold on."""
    logs = AutoReplyLog.objects.filter(case_id__in=rows_case_ids, score__isnull=False).values(
        "score", "replied", "helpful_at", "not_helpful_at"
    )
    bands = [
        {"low": i / 10, "high": (i + 1) / 10, "n": 0, "replied": 0, "helpful": 0, "not_helpful": 0}
        for i in range(10)
    ]
    for log in logs:
        band = bands[min(int(log["score"] * 10), 9)]
        band["n"] += 1
        band["replied"] += log["replied"]
        band["helpful"] += log["helpful_at"] is not None
        band["not_helpful"] += log["not_helpful_at"] is not None
    return [b for b in bands if b["n"]][::-1]


# --- public notices --------------------------------------------------------------------------


def current_notices(*, center_id: int | None = None, now: dt.datetime | None = None):
    """Published notices shown now; for a center's board, those of every center, of that
    center, or of an agency or service it hosts."""
    now = now or timezone.now()
    qs = PublicNotice.objects.filter(
        published_at__isnull=False, withdrawn_at__isnull=True, starts_at__lte=now
    ).filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    if center_id is not None:
        agencies = CenterAgency.objects.filter(center_id=center_id).values("agency_id")
        qs = qs.filter(Q(center_id=center_id) | Q(center__isnull=True)).filter(
            Q(agency__isnull=True) | Q(agency_id__in=agencies)
        )
    return qs.select_related("agency", "service", "center").order_by("-starts_at", "-pk")


# --- monitoring ------------------------------------------------------------------------------


def monitoring(
    user: AnyUser, *, sentiment: str | None = None, network: str | None = None, days: int = 30
):
    from oneroof.care.permissions import posts_for

    start = timezone.now() - dt.timedelta(days=days)
    qs = posts_for(user).filter(posted_at__gte=start)
    counts = dict(qs.values_list("sentiment").annotate(n=Count("pk")).values_list("sentiment", "n"))
    if sentiment:
        qs = qs.filter(sentiment=sentiment)
    if network:
        qs = qs.filter(network=network)
    return qs.select_related("agency", "case"), counts


def networks() -> list[str]:
    return list(MonitoredPost.objects.order_by().values_list("network", flat=True).distinct()[:20])
