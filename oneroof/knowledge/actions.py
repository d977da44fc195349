"""Every change to the knowledge base: articles generated from the catalog, edits with
versions, proposed edits, synonyms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from oneroof.accounts.models import User
from oneroof.catalog.models import Service
from oneroof.catalog.selectors import service_detail
from oneroof.core.errors import Conflict, InvalidInput
from oneroof.knowledge import index
from oneroof.knowledge.choices import ArticleKind, ProposalStatus
from oneroof.knowledge.models import (
    ARTICLE_TEXT_FIELDS,
    Article,
    ArticleVersion,
    EditProposal,
    Synonym,
)
from oneroof.knowledge.seed import SYNONYM_GROUPS

LANGS = ("ar", "en")
DEMO_ARTICLES = Path(__file__).resolve().parent / "demo" / "articles.json"


# --- texts generated from the catalog -------------------------------------------------------


def _fee_text(service: Service) -> str:
    if service.is_free:
        return _("The service is free.")
    return _("The fee is %(amount)s %(currency)s.") % {
        "amount": number_format(service.fee.normalize(), use_l10n=False),
        "currency": service.currency,
    }


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    for mark in (". ", "؛ ", "؟ "):
        if mark in text:
            return text.split(mark, 1)[0] + mark.strip()
    return text


def service_texts(service: Service, lang: str) -> dict[str, str]:
    """Title, short answer and body of the article about a service, in one language.

    The body uses the article markup: lines starting with "## " are headings, "- " items of
    a list, other lines paragraphs."""
    with translation.override(lang):
        name = getattr(service, f"name_{lang}") or service.name_ar
        description = getattr(service, f"description_{lang}") or ""
        eligibility = getattr(service, f"eligibility_{lang}") or ""
        documents = [getattr(d, f"name_{lang}") or d.name_ar for d in service.documents.all()]
        steps = [getattr(s, f"text_{lang}") or s.text_ar for s in service.steps.all()]
        faqs = [
            (getattr(f, f"question_{lang}") or f.question_ar, getattr(f, f"answer_{lang}") or "")
            for f in service.faqs.all()
        ]
        agency = getattr(service.agency, f"name_{lang}") or service.agency.name_ar
        sep = "، " if lang == "ar" else ", "

        short = _first_sentence(description) or name
        short += " " + _fee_text(service)
        if documents:
            short += " " + _("Bring: %(documents)s.") % {"documents": sep.join(documents)}

        lines: list[str] = [description, _("Offered by %(agency)s.") % {"agency": agency}]
        if eligibility:
            lines += ["## " + _("Who may apply"), eligibility]
        if documents:
            lines += ["## " + _("Required documents")] + [f"- {d}" for d in documents]
        lines += ["## " + _("Fees"), _fee_text(service)]
        if steps:
            lines += ["## " + _("Steps")] + [f"- {s}" for s in steps]
        channels = {
            "desk": _("at a desk in a service center"),
            "kiosk": _("at a self-service kiosk"),
            "online": _("online"),
        }
        lines += [
            "## " + _("Where"),
            _("Available %(channels)s.")
            % {"channels": sep.join(channels[c] for c in service.channels)},
        ]
        if faqs:
            lines.append("## " + _("Questions people ask"))
            for question, answer in faqs:
                lines += [f"### {question}", answer]
        return {
            "title": name,
            "short_answer": short,
            "body": "\n".join(line for line in lines if line),
        }


def _snapshot(article: Article) -> dict[str, Any]:
    data = {f: getattr(article, f) or "" for f in ARTICLE_TEXT_FIELDS}
    data["is_published"] = article.is_published
    return data


def _record_version(article: Article, *, user: User | None, reason: str) -> ArticleVersion:
    data = _snapshot(article)
    return ArticleVersion.objects.create(
        article=article, number=article.version, created_by=user, reason=reason, **data
    )


def _unique_slug(base: str) -> str:
    slug = slugify(base)[:110] or "article"
    candidate, n = slug, 2
    while Article.objects.filter(slug=candidate).exists():
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


@transaction.atomic
def article_sync_for_service(*, service: Service) -> str:
    """Create or update the article of one service from the catalog; returns "created",
    "updated" or "unchanged". A title or short answer edited by staff is kept."""
    service = service_detail(service.slug) or Service.objects.select_related("agency").get(
        pk=service.pk
    )
    texts = {lang: service_texts(service, lang) for lang in LANGS}
    wanted = {
        f"{name}_{lang}": texts[lang][name]
        for lang in LANGS
        for name in ("title", "short_answer", "body")
    }
    article = (
        Article.objects.select_for_update()
        .filter(kind=ArticleKind.SERVICE, service=service)
        .first()
    )
    if article is None:
        article = Article(
            kind=ArticleKind.SERVICE,
            service=service,
            agency=service.agency,
            slug=_unique_slug(service.slug),
            **wanted,
        )
        article.save()
        _record_version(article, user=None, reason=_("Created from the catalog"))
        index.bump_version()
        return "created"
    if article.edited_by_staff:
        wanted = {k: v for k, v in wanted.items() if k.startswith("body_")}
    changed = {k: v for k, v in wanted.items() if (getattr(article, k) or "") != v}
    if article.agency_id != service.agency_id:
        article.agency = service.agency
        changed["agency"] = service.agency
    if not changed:
        return "unchanged"
    for k, v in changed.items():
        setattr(article, k, v)
    article.version += 1
    article.save()
    _record_version(article, user=None, reason=_("Updated from the catalog"))
    index.bump_version()
    return "updated"


@dataclass
class SyncReport:
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing"


def articles_sync(*, services: list[Service] | None = None) -> SyncReport:
    """Keep one article per service in step with the catalog (idempotent)."""
    report = SyncReport()
    synonyms_ensure_seed()
    services = services if services is not None else list(Service.objects.order_by("pk"))
    for service in services:
        outcome = article_sync_for_service(service=service)
        report.counts[outcome] = report.counts.get(outcome, 0) + 1
    return report


def on_catalog_event(group: str, event_type: str, payload: dict[str, Any]) -> None:
    """Keep articles in step: all of them after an import, one service's after a notice of
    its changed documents or fee."""
    if event_type == "catalog.imported":
        articles_sync()
    elif event_type == "notice.created" and payload.get("service"):
        service = Service.objects.filter(slug=payload["service"]).first()
        if service is not None:
            articles_sync(services=[service])


# --- free articles and the demo ---------------------------------------------------------------


@transaction.atomic
def free_articles_load(*, data: list[dict[str, Any]]) -> int:
    """Create the free articles of `data` that do not exist yet (matched by slug)."""
    created = 0
    for item in data:
        if Article.objects.filter(slug=item["slug"]).exists():
            continue
        article = Article.objects.create(
            kind=ArticleKind.FREE,
            slug=item["slug"],
            **{f: item.get(f, "") for f in ARTICLE_TEXT_FIELDS},
        )
        _record_version(article, user=None, reason=_("Created"))
        created += 1
    if created:
        index.bump_version()
    return created


def demo_articles_load() -> int:
    return free_articles_load(data=json.loads(DEMO_ARTICLES.read_text(encoding="utf-8")))


# --- edits by people ----------------------------------------------------------------------


def _clean_texts(article: Article, texts: dict[str, str]) -> dict[str, str]:
    unknown = set(texts) - set(ARTICLE_TEXT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    clean = {k: (v or "").strip() for k, v in texts.items()}
    errors = {}
    for required in ("title_ar", "short_answer_ar"):
        value = clean.get(required, getattr(article, required))
        if not value:
            errors[required] = _("This field is required.")
    if article.kind == ArticleKind.SERVICE and any(
        k.startswith("body_") and v != (getattr(article, k) or "") for k, v in clean.items()
    ):
        errors["body_ar"] = _("The body of a service article comes from the catalog.")
    if len(clean.get("title_ar", "")) > 200 or len(clean.get("title_en", "")) > 200:
        errors["title_ar"] = _("A title has at most 200 characters.")
    if errors:
        raise InvalidInput(_("Please correct the article."), details=errors)
    return clean


@transaction.atomic
def article_update(
    *,
    article: Article,
    acting_user: User,
    texts: dict[str, str],
    is_published: bool | None = None,
    reason: str = "",
) -> Article:
    """Change an article's texts, keeping the previous version. The caller has checked that
    `acting_user` may edit it (`permissions.access_article_for_edit`)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    clean = _clean_texts(article, texts)
    changed = {k: v for k, v in clean.items() if (getattr(article, k) or "") != v}
    if is_published is not None and is_published != article.is_published:
        article.is_published = is_published
        changed["is_published"] = is_published
    if not changed:
        return article
    for k, v in changed.items():
        setattr(article, k, v)
    if article.kind == ArticleKind.SERVICE and any(
        k.startswith(("title_", "short_answer_")) for k in changed
    ):
        article.edited_by_staff = True
    article.version += 1
    article.save()
    _record_version(article, user=acting_user, reason=reason[:200])
    index.bump_version()
    return article


@transaction.atomic
def article_create(*, acting_user: User, agency_id: int | None, texts: dict[str, str]) -> Article:
    """A new free article (how to book, center rules, closures, …)."""
    article = Article(kind=ArticleKind.FREE, agency_id=agency_id, title_ar="", short_answer_ar="")
    clean = _clean_texts(article, texts)
    for k, v in clean.items():
        setattr(article, k, v)
    article.slug = _unique_slug(clean.get("title_en") or f"article-{timezone.now():%Y%m%d%H%M%S}")
    article.save()
    _record_version(article, user=acting_user, reason=_("Created"))
    index.bump_version()
    return article


@transaction.atomic
def article_restore_version(*, article: Article, acting_user: User, number: int) -> Article:
    version = ArticleVersion.objects.filter(article=article, number=number).first()
    if version is None:
        raise InvalidInput(_("There is no such version."))
    texts = {f: getattr(version, f) for f in ARTICLE_TEXT_FIELDS}
    if article.kind == ArticleKind.SERVICE:
        texts = {k: v for k, v in texts.items() if not k.startswith("body_")}
    return article_update(
        article=article,
        acting_user=acting_user,
        texts=texts,
        is_published=version.is_published,
        reason=_("Restored version %(number)s") % {"number": number},
    )


# --- proposed edits -----------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *, article: Article, acting_user: User, texts: dict[str, str], comment: str = ""
) -> EditProposal:
    """A member of staff proposes a change; someone who may edit the article decides."""
    clean = _clean_texts(article, texts)
    merged = {f: clean.get(f, getattr(article, f) or "") for f in ARTICLE_TEXT_FIELDS}
    if all(merged[f] == (getattr(article, f) or "") for f in ARTICLE_TEXT_FIELDS):
        raise InvalidInput(_("The proposal changes nothing."))
    return EditProposal.objects.create(
        article=article,
        proposed_by=acting_user,
        based_on_version=article.version,
        comment=comment.strip()[:2000],
        **merged,
    )


def _decide(proposal: EditProposal, acting_user: User, status: str) -> EditProposal:
    proposal = EditProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(_("This proposal has already been decided."))
    proposal.status = status
    proposal.decided_by = acting_user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return proposal


@transaction.atomic
def proposal_accept(*, proposal: EditProposal, acting_user: User) -> EditProposal:
    proposal = _decide(proposal, acting_user, ProposalStatus.ACCEPTED)
    texts = {f: getattr(proposal, f) for f in ARTICLE_TEXT_FIELDS}
    if proposal.article.kind == ArticleKind.SERVICE:
        texts = {k: v for k, v in texts.items() if not k.startswith("body_")}
    who = proposal.proposed_by.get_username() if proposal.proposed_by else "-"
    article_update(
        article=proposal.article,
        acting_user=acting_user,
        texts=texts,
        reason=_("Proposed by %(user)s") % {"user": who},
    )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: EditProposal, acting_user: User) -> EditProposal:
    return _decide(proposal, acting_user, ProposalStatus.REJECTED)


# --- synonyms -----------------------------------------------------------------------------


def synonyms_ensure_seed() -> int:
    """Fill an empty synonym table with the seed groups (Gulf colloquial and standard
    Arabic, English). Once admins have groups of their own, it does nothing."""
    if Synonym.objects.exists():
        return 0
    Synonym.objects.bulk_create([Synonym(terms=", ".join(g)) for g in SYNONYM_GROUPS])
    index.bump_version()
    return len(SYNONYM_GROUPS)


@transaction.atomic
def synonym_save(*, synonym: Synonym | None, acting_user: User, terms: str) -> Synonym:
    synonym = synonym or Synonym()
    synonym.terms = terms
    if len(synonym.term_list) < 2:
        raise InvalidInput(_("A synonym group needs at least two words."))
    synonym.terms = ", ".join(synonym.term_list)
    synonym.save()
    index.bump_version()
    return synonym
