from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oneroof.accounts.permissions import is_staff_member, is_system_admin
from oneroof.catalog.models import Service
from oneroof.catalog.permissions import agencies_for_edit
from oneroof.core.errors import DomainError
from oneroof.knowledge import actions
from oneroof.knowledge.forms import ArticleCreateForm, ArticleEditForm, ProposalForm
from oneroof.knowledge.models import ARTICLE_TEXT_FIELDS
from oneroof.knowledge.permissions import (
    access_article_for_edit,
    access_article_for_proposal,
    access_proposal_for_decision,
    can_create_articles,
    can_edit_article,
)
from oneroof.knowledge.search import search
from oneroof.knowledge.selectors import (
    article_versions,
    free_articles,
    pending_proposals,
    proposals_to_decide,
    published_article,
    render_body,
    staff_article_list,
)

MAX_QUERY = 200
RESULTS = 10
RELATIVE_FLOOR = 0.6


def _lang() -> str:
    return "en" if (get_language() or "ar").startswith("en") else "ar"


# --- public pages ---------------------------------------------------------------------------


def article_list(request: HttpRequest) -> HttpResponse:
    """The help center: the search box of the portal lands here, with ranked articles and
    highlighted matches; without a query, the general articles."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    lang = _lang()
    results = []
    if q:
        hits = search(q, lang=lang, limit=RESULTS)
        # Answers far below the best one are noise on a page.
        hits = [h for h in hits if h.score >= RELATIVE_FLOOR * hits[0].score]
        services = Service.objects.in_bulk([h.service_id for h in hits if h.service_id])
        results = [{"hit": h, "service": services.get(h.service_id)} for h in hits]
    return render(
        request,
        "knowledge/list.html",
        {"q": q, "results": results, "searched": bool(q), "articles": free_articles()},
    )


def article_page(request: HttpRequest, slug: str) -> HttpResponse:
    article = published_article(slug)
    if article is None:
        raise Http404
    lang = _lang()
    other = "en" if lang == "ar" else "ar"
    return render(
        request,
        "knowledge/article.html",
        {
            "article": article,
            "sections": render_body(article.body),
            "notes": render_body(article.notes),
            "other_lang": other,
            "other_title": getattr(article, f"title_{other}") or "",
            "other_short_answer": getattr(article, f"short_answer_{other}") or "",
            "may_edit": can_edit_article(request.user, article),
            "may_propose": is_staff_member(request.user),
        },
    )


# --- staff pages ----------------------------------------------------------------------------


def _staff_only(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied


@login_required
def staff_articles(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    articles = list(staff_article_list(request.user, q=q)[:300])
    for a in articles:
        a.may_edit = can_edit_article(request.user, a)
    return render(
        request,
        "knowledge/staff_list.html",
        {
            "q": q,
            "articles": articles,
            "proposals": proposals_to_decide(request.user)[:50],
            "may_create": can_create_articles(request.user),
        },
    )


@login_required
def staff_article_create(request: HttpRequest) -> HttpResponse:
    if not can_create_articles(request.user):
        raise PermissionDenied
    agencies = agencies_for_edit(request.user)
    form = ArticleCreateForm(
        request.POST or None, agencies=agencies, allow_no_agency=is_system_admin(request.user)
    )
    if request.method == "POST" and form.is_valid():
        agency = form.cleaned_data.get("agency")
        try:
            article = actions.article_create(
                acting_user=request.user,
                agency_id=agency.pk if agency else None,
                texts=form.texts(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The article was created."))
            return redirect("knowledge:staff-edit", slug=article.slug)
    return render(request, "knowledge/staff_create.html", {"form": form})


@login_required
def staff_article_edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = access_article_for_edit(request.user, slug)
    initial = {f: getattr(article, f) or "" for f in ARTICLE_TEXT_FIELDS}
    initial["is_published"] = article.is_published
    form = ArticleEditForm(request.POST or None, initial=initial, article=article)
    if request.method == "POST" and form.is_valid():
        try:
            actions.article_update(
                article=article,
                acting_user=request.user,
                texts=form.texts(),
                is_published=form.cleaned_data["is_published"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The article was saved; the previous version is kept."))
            return redirect("knowledge:staff-edit", slug=article.slug)
    return render(
        request,
        "knowledge/staff_edit.html",
        {
            "article": article,
            "form": form,
            "versions": article_versions(article)[:30],
            "proposals": pending_proposals(article),
        },
    )


@login_required
def staff_article_propose(request: HttpRequest, slug: str) -> HttpResponse:
    _staff_only(request)
    article = access_article_for_proposal(request.user, slug)
    initial = {f: getattr(article, f) or "" for f in ARTICLE_TEXT_FIELDS}
    form = ProposalForm(request.POST or None, initial=initial, article=article)
    if request.method == "POST" and form.is_valid():
        try:
            actions.proposal_create(
                article=article,
                acting_user=request.user,
                texts=form.texts(),
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you. Your proposal was sent to the editors."))
            return redirect("knowledge:article", slug=article.slug)
    return render(request, "knowledge/staff_propose.html", {"article": article, "form": form})


@login_required
def staff_article_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = access_article_for_edit(request.user, slug)
    version = article.versions.filter(number=number).select_related("created_by").first()
    if version is None:
        raise Http404
    if request.method == "POST":
        try:
            actions.article_restore_version(
                article=article, acting_user=request.user, number=number
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Version %(number)s was restored as a new version.") % {"number": number}
            )
        return redirect("knowledge:staff-edit", slug=article.slug)
    lang = _lang()
    return render(
        request,
        "knowledge/staff_version.html",
        {
            "article": article,
            "version": version,
            "title": getattr(version, f"title_{lang}") or version.title_ar,
            "short_answer": getattr(version, f"short_answer_{lang}") or version.short_answer_ar,
            "sections": render_body(getattr(version, f"body_{lang}") or version.body_ar),
            "notes": render_body(getattr(version, f"notes_{lang}") or version.notes_ar),
        },
    )


@login_required
@require_POST
def staff_proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access_proposal_for_decision(request.user, pk)
    decision = request.POST.get("decision")
    try:
        if decision == "accept":
            actions.proposal_accept(proposal=proposal, acting_user=request.user)
            messages.success(request, _("The proposal was accepted and the article updated."))
        elif decision == "reject":
            actions.proposal_reject(proposal=proposal, acting_user=request.user)
            messages.success(request, _("The proposal was rejected."))
        else:
            messages.error(request, _("Choose to accept or reject the proposal."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("knowledge:staff-edit", slug=proposal.article.slug)
