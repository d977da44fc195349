"""Reads of the knowledge base for pages, the API and staff screens."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from oneroof.accounts.permissions import AnyUser
from oneroof.knowledge.choices import ProposalStatus
from oneroof.knowledge.models import Article, ArticleVersion, EditProposal
from oneroof.knowledge.permissions import articles_for_edit, articles_for_staff


def published_article(slug: str) -> Article | None:
    return Article.objects.published().select_related("service", "agency").filter(slug=slug).first()


def free_articles() -> QuerySet[Article]:
    return Article.objects.published().filter(service__isnull=True).order_by("pk")


def staff_article_list(user: AnyUser, *, q: str = "") -> QuerySet[Article]:
    qs = articles_for_staff(user).select_related("agency", "service")
    if q:
        qs = qs.filter(Q(title_ar__icontains=q) | Q(title_en__icontains=q) | Q(slug__icontains=q))
    return qs.annotate(
        pending=Count("proposals", filter=Q(proposals__status=ProposalStatus.PENDING))
    ).order_by("agency_id", "pk")


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("created_by").order_by("-number")


def pending_proposals(article: Article) -> QuerySet[EditProposal]:
    return article.proposals.filter(status=ProposalStatus.PENDING).select_related("proposed_by")


def proposals_to_decide(user: AnyUser) -> QuerySet[EditProposal]:
    return EditProposal.objects.filter(
        status=ProposalStatus.PENDING, article__in=articles_for_edit(user)
    ).select_related("article", "proposed_by")


@dataclass(frozen=True)
class Section:
    """A block of an article's body as rendered: a heading, a list, a question or a
    paragraph (the article markup: "## ", "### ", "- ")."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()


def render_body(body: str) -> list[Section]:
    sections: list[Section] = []
    items: list[str] = []

    def flush() -> None:
        if items:
            sections.append(Section("list", items=tuple(items)))
            items.clear()

    for raw in (body or "").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush()
        if line.startswith("### "):
            sections.append(Section("question", line[4:]))
        elif line.startswith("## "):
            sections.append(Section("heading", line[3:]))
        else:
            sections.append(Section("paragraph", line))
    flush()
    return sections
