"""API of the catalog: agencies and their services, with documents, fees and where they are
offered."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from oneroof.catalog.models import Agency, Service
from oneroof.catalog.selectors import (
    agencies_with_counts,
    search_services,
    service_detail,
    services_query,
)
from oneroof.centers.api import OpeningOut, opening_out
from oneroof.centers.models import Center
from oneroof.centers.selectors import centers_hours
from oneroof.core.errors import InvalidInput, NotFound
from oneroof.core.schemas import ERRORS

router = Router(tags=["catalog"])


class AgencyOut(Schema):
    slug: str
    name_ar: str
    name_en: str
    color: str
    service_count: int
    url: str


class ServiceOut(Schema):
    slug: str
    agency: str
    name_ar: str
    name_en: str
    fee: Decimal
    currency: str
    is_free: bool
    avg_service_minutes: int
    channels: list[str]
    url: str
    score: float | None = None


class TextPair(Schema):
    ar: str
    en: str


class FaqOut(Schema):
    question_ar: str
    question_en: str
    answer_ar: str
    answer_en: str


class OfferedAtOut(Schema):
    center: str
    name_ar: str
    name_en: str
    opening: OpeningOut


class ServiceDetailOut(ServiceOut):
    agency_name_ar: str
    agency_name_en: str
    description_ar: str
    description_en: str
    eligibility_ar: str
    eligibility_en: str
    documents: list[TextPair]
    steps: list[TextPair]
    faqs: list[FaqOut]
    offered_at: list[OfferedAtOut]


class ServiceFilter(Schema):
    agency: str | None = Field(None, max_length=80, description="agency slug")
    center: str | None = Field(None, max_length=80, description="center slug")
    q: str | None = Field(None, max_length=200, description="words to search for")


def service_out(service: Service, score: float | None = None) -> dict:
    return {
        "slug": service.slug,
        "agency": service.agency.slug,
        "name_ar": service.name_ar,
        "name_en": service.name_en or "",
        "fee": service.fee,
        "currency": service.currency,
        "is_free": service.is_free,
        "avg_service_minutes": service.avg_service_minutes,
        "channels": service.channels,
        "url": service.get_absolute_url(),
        "score": score,
    }


@router.get("/agencies", response={200: list[AgencyOut], **ERRORS}, summary="List agencies")
def list_agencies(request):
    return [
        {
            "slug": a.slug,
            "name_ar": a.name_ar,
            "name_en": a.name_en or "",
            "color": a.color,
            "service_count": a.service_count,
            "url": a.get_absolute_url(),
        }
        for a in agencies_with_counts()
    ]


@router.get("/services", response={200: list[ServiceOut], **ERRORS}, summary="List services")
def list_services(request, filters: Query[ServiceFilter]):
    """Services, optionally of one agency, offered at one center, or matching words (ranked)."""
    if filters.agency and not Agency.objects.active().filter(slug=filters.agency).exists():
        raise InvalidInput(
            _("Unknown agency “%(slug)s”.") % {"slug": filters.agency},
            details=[{"loc": ["query", "agency"], "msg": "unknown agency"}],
        )
    if filters.center and not Center.objects.active().filter(slug=filters.center).exists():
        raise InvalidInput(
            _("Unknown center “%(slug)s”.") % {"slug": filters.center},
            details=[{"loc": ["query", "center"], "msg": "unknown center"}],
        )
    if filters.q and filters.q.strip():
        hits = search_services(filters.q, agency=filters.agency, center=filters.center)
        return [service_out(h.service, round(h.score, 4)) for h in hits]
    return [service_out(s) for s in services_query(agency=filters.agency, center=filters.center)]


@router.get("/services/{slug}", response={200: ServiceDetailOut, **ERRORS}, summary="One service")
def get_service(request, slug: str):
    """A service with what it is, who may apply, steps, fee, required documents, FAQs, and the
    centers that offer it with whether its agency's desk there is open now."""
    service = service_detail(slug)
    if service is None:
        raise NotFound(_("No service “%(slug)s”.") % {"slug": slug})
    centers = list(Center.objects.active().filter(center_services__service=service).order_by("pk"))
    hours = centers_hours(centers)
    data = service_out(service)
    data.update(
        agency_name_ar=service.agency.name_ar,
        agency_name_en=service.agency.name_en or "",
        description_ar=service.description_ar or "",
        description_en=service.description_en or "",
        eligibility_ar=service.eligibility_ar or "",
        eligibility_en=service.eligibility_en or "",
        documents=[{"ar": d.name_ar or "", "en": d.name_en or ""} for d in service.documents.all()],
        steps=[{"ar": s.text_ar or "", "en": s.text_en or ""} for s in service.steps.all()],
        faqs=[
            {
                "question_ar": f.question_ar or "",
                "question_en": f.question_en or "",
                "answer_ar": f.answer_ar or "",
                "answer_en": f.answer_en or "",
            }
            for f in service.faqs.all()
        ],
        offered_at=[
            {
                "center": c.slug,
                "name_ar": c.name_ar,
                "name_en": c.name_en or "",
                "opening": opening_out(hours[c.pk], service.agency_id),
            }
            for c in centers
        ],
    )
    return data
