"""API of the knowledge base: ranked search over published articles."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from oneroof.catalog.models import Service
from oneroof.core.schemas import ERRORS
from oneroof.knowledge.models import Article
from oneroof.knowledge.search import search

router = Router(tags=["knowledge"])


class SearchFilter(Schema):
    q: str = Field(..., min_length=1, max_length=500, description="The question, as typed")
    lang: Literal["ar", "en"] | None = Field(None, description="Language of titles and snippets")
    limit: int = Field(10, ge=1, le=50)


class ArticleRef(Schema):
    id: int
    slug: str
    title: str
    url: str
    short_answer: str


class ServiceRef(Schema):
    slug: str
    name_ar: str
    name_en: str


class SearchHitOut(Schema):
    article: ArticleRef
    service: ServiceRef | None
    score: float = Field(..., description="0..1; automatic replies need the answer threshold")
    snippet: str = Field(..., description="HTML-escaped text with <mark> around matches")


@router.get(
    "/knowledge/search",
    response={200: list[SearchHitOut], **ERRORS},
    summary="Search the knowledge base",
)
def knowledge_search(request, filters: Query[SearchFilter]):
    """Published articles ranked for a question in Arabic (any spelling, Gulf words) or
    English, best first. Public."""
    lang = filters.lang or getattr(request, "LANGUAGE_CODE", "ar")[:2]
    hits = search(filters.q, lang=lang, limit=filters.limit)
    ids = [h.article_id for h in hits]
    slugs = dict(Article.objects.filter(pk__in=ids).values_list("pk", "slug"))
    services = Service.objects.in_bulk([h.service_id for h in hits if h.service_id])
    out = []
    for h in hits:
        service = services.get(h.service_id)
        out.append(
            {
                "article": {
                    "id": h.article_id,
                    "slug": slugs.get(h.article_id, ""),
                    "title": h.title,
                    "url": h.url,
                    "short_answer": h.short_answer,
                },
                "service": {
                    "slug": service.slug,
                    "name_ar": service.name_ar,
                    "name_en": service.name_en or "",
                }
                if service
                else None,
                "score": h.score,
                "snippet": h.snippet,
            }
        )
    return Status(200, out)
