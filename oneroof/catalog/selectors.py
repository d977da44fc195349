"""Reads of the catalog for the portal, the API and staff screens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import (
    AnyUser,
    agency_ids,
    center_ids,
    is_system_admin,
    roles_of,
)
from oneroof.catalog.models import FAQ, Agency, Notice, RequiredDocument, Service, ServiceStep
from oneroof.catalog.text import tokens


def agencies_with_counts() -> QuerySet[Agency]:
    return Agency.objects.active().annotate(
        service_count=Count("services", filter=Q(services__is_active=True))
    )


def services_query(*, agency: str | None = None, center: str | None = None) -> QuerySet[Service]:
    qs = Service.objects.active().select_related("agency")
    if agency:
        qs = qs.filter(agency__slug=agency)
    if center:
        qs = qs.filter(
            center_services__center__slug=center, center_services__center__is_active=True
        )
    return qs.order_by("agency_id", "pk")


def service_detail(slug: str) -> Service | None:
    return (
        Service.objects.active()
        .select_related("agency")
        .prefetch_related(
            Prefetch("documents", queryset=RequiredDocument.objects.order_by("position", "pk")),
            Prefetch("steps", queryset=ServiceStep.objects.order_by("position", "pk")),
            Prefetch("faqs", queryset=FAQ.objects.order_by("position", "pk")),
        )
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True)
class ServiceHit:
    service: Service
    score: float


def _fields(service: Service) -> tuple[str, str]:
    names = f"{service.name_ar} {service.name_en} {service.agency.name_ar} {service.agency.name_en}"
    docs = " ".join(f"{d.name_ar} {d.name_en}" for d in service.documents.all())
    body = (
        f"{service.description_ar} {service.description_en} "
        f"{service.eligibility_ar} {service.eligibility_en} {docs}"
    )
    return names, body


def search_services(
    q: str, *, agency: str | None = None, center: str | None = None, limit: int = 50
) -> list[ServiceHit]:
    """A simple ranked search over names and descriptions in both languages.

    Words are normalised (Arabic letter forms, diacritics, digits) and matched by prefix, so
    "جواز" finds "جوازات" and "renew" finds "renewal". Name matches weigh more than body
    matches. The knowledge base replaces this with its Arabic-aware search.
    """
    query_tokens = set(tokens(q))
    if not query_tokens:
        return []
    services = services_query(agency=agency, center=center).prefetch_related("documents")
    hits: list[ServiceHit] = []
    for service in services:
        names, body = _fields(service)
        name_words, body_words = set(tokens(names)), set(tokens(body))
        score = 0.0
        for qt in query_tokens:
            if any(w.startswith(qt) or (qt.startswith(w) and len(w) >= 3) for w in name_words):
                score += 3
            elif any(w.startswith(qt) for w in body_words):
                score += 1
        if score:
            hits.append(ServiceHit(service=service, score=score / len(query_tokens)))
    hits.sort(key=lambda h: (-h.score, h.service.agency_id, h.service.pk))
    return hits[:limit]


def notices_for_staff(user: AnyUser) -> QuerySet[Notice]:
    """Notices a member of staff should know of: changes to services hosted at their centers
    (supervisors, employees of that agency) or of their agency (agency admins)."""
    if not user.is_authenticated:
        return Notice.objects.none()
    if is_system_admin(user):
        return Notice.objects.all()
    cond = Q(service__agency_id__in=agency_ids(user, Role.AGENCY_ADMIN))
    cond |= Q(service__center_services__center_id__in=center_ids(user, Role.SUPERVISOR))
    for role in (r for r in roles_of(user) if r.role == Role.EMPLOYEE):
        cond |= Q(
            service__center_services__center_id=role.center_id, service__agency_id=role.agency_id
        )
    return Notice.objects.filter(cond).distinct()


def unseen_notices_for(user: AnyUser, *, limit: int = 5) -> list[Notice]:
    if not user.is_authenticated:
        return []
    return list(
        notices_for_staff(user)
        .exclude(receipts__user=user)
        .select_related("service")
        .order_by("-created_at", "-pk")[:limit]
    )
