"""Who may change which article. An agency admin edits its agency's articles; a system
admin edits all, including articles about every center (no agency). Any member of staff
may propose an edit, which an editor of the article accepts or rejects."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import AnyUser, agency_ids, is_staff_member, is_system_admin
from oneroof.knowledge.models import Article, EditProposal


def articles_for_edit(user: AnyUser) -> QuerySet[Article]:
    if is_system_admin(user):
        return Article.objects.all()
    return Article.objects.filter(agency_id__in=agency_ids(user, Role.AGENCY_ADMIN))


def can_edit_article(user: AnyUser, article: Article) -> bool:
    if is_system_admin(user):
        return True
    return article.agency_id is not None and article.agency_id in agency_ids(
        user, Role.AGENCY_ADMIN
    )


def can_create_articles(user: AnyUser) -> bool:
    return is_system_admin(user) or bool(agency_ids(user, Role.AGENCY_ADMIN))


def articles_for_staff(user: AnyUser) -> QuerySet[Article]:
    """Articles a member of staff may read in the staff screens (and propose edits to):
    every article; the knowledge base is public, drafts are not."""
    if not is_staff_member(user):
        return Article.objects.none()
    if is_system_admin(user):
        return Article.objects.all()
    return Article.objects.filter(
        Q(is_published=True) | Q(agency_id__in=agency_ids(user, Role.AGENCY_ADMIN))
    )


def _get(slug: str) -> Article:
    try:
        return Article.objects.select_related("service", "agency").get(slug=slug)
    except Article.DoesNotExist as exc:
        raise Http404 from exc


def access_article_for_edit(user: AnyUser, slug: str) -> Article:
    """Fetch an article the user may edit: 404 if it does not exist, 403 if not theirs."""
    article = _get(slug)
    if not can_edit_article(user, article):
        raise PermissionDenied
    return article


def access_article_for_proposal(user: AnyUser, slug: str) -> Article:
    """Fetch an article a member of staff may propose an edit to."""
    article = _get(slug)
    if not articles_for_staff(user).filter(pk=article.pk).exists():
        if is_staff_member(user):
            raise Http404
        raise PermissionDenied
    return article


def access_proposal_for_decision(user: AnyUser, pk: int) -> EditProposal:
    try:
        proposal = EditProposal.objects.select_related("article", "proposed_by").get(pk=pk)
    except EditProposal.DoesNotExist as exc:
        raise Http404 from exc
    if not can_edit_article(user, proposal.article):
        raise PermissionDenied
    return proposal
