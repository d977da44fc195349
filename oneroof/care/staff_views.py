"""The agents' pages: the inbox, a case (thread, reply with suggested answers, notes,
routing, tags, assign, escalate, merge), logging a phone call, the supervisors' dashboard,
monitoring of public posts, and public notices. Every page reads through the scoped
querysets of `care.permissions`: an agent of one agency never sees another's cases."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from oneroof.accounts.choices import Role
from oneroof.accounts.models import User
from oneroof.accounts.permissions import (
    agency_ids,
    center_ids,
    is_system_admin,
    sees_everything,
)
from oneroof.care import sla
from oneroof.care.actions import (
    case_assign,
    case_escalate,
    case_merge,
    case_note_add,
    case_open,
    case_reply,
    case_set_status,
    case_tags_set,
    case_update,
    monitored_post_open_case,
    public_notice_create,
    public_notice_publish,
    public_notice_withdraw,
)
from oneroof.care.backends import Inbound
from oneroof.care.choices import CaseChannel, CaseStatus, Sentiment
from oneroof.care.forms import (
    CaseFieldsForm,
    InboxFilterForm,
    NoteForm,
    PhoneCaseForm,
    PublicNoticeForm,
    ReplyForm,
)
from oneroof.care.messaging import absolute, case_link, reply_route
from oneroof.care.permissions import (
    access_case,
    access_notice_for_edit,
    agents_for_case,
    cases_for,
    check_notice_scope,
    dashboard_scope,
    is_care_agent,
    may_publish_notices,
    notices_for_edit,
    posts_for,
)
from oneroof.care.selectors import (
    InboxFilter,
    dashboard,
    inbox,
    inbox_counts,
    merge_candidates,
    monitoring,
    networks,
    suggested_answers,
    thread,
)
from oneroof.catalog.models import Agency, Notice
from oneroof.catalog.selectors import notices_for_staff
from oneroof.core.errors import DomainError

PER_PAGE = 25


def _agent(request: HttpRequest) -> None:
    if not is_care_agent(request.user):
        raise PermissionDenied


def _agencies_in_scope(user) -> list[Agency]:
    if is_system_admin(user):
        return list(Agency.objects.active())
    ids = agency_ids(user, Role.EMPLOYEE, Role.AGENCY_ADMIN)
    return list(Agency.objects.filter(pk__in=ids))


def _error(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


# --- the inbox -------------------------------------------------------------------------------


@login_required
@never_cache
def inbox_page(request: HttpRequest) -> HttpResponse:
    _agent(request)
    agencies = _agencies_in_scope(request.user)
    form = InboxFilterForm(request.GET or None, agencies=agencies)
    data = form.cleaned_data if form.is_valid() else {}
    f = InboxFilter(
        agency=data.get("agency"),
        channel=data.get("channel") or None,
        status=data.get("status") or "active",
        sla=data.get("sla") or None,
        kind=data.get("kind") or None,
        owner=data.get("owner") or None,
        q=data.get("q") or "",
    )
    now = timezone.now()
    page = Paginator(inbox(request.user, f, now=now), PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"case": c, "sla": sla.state(c, now)} for c in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "care/inbox.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "counts": inbox_counts(request.user, now=now),
            "query": query.urlencode(),
            "now": now,
            "may_dashboard": dashboard_scope(request.user) is not None,
            "may_notices": may_publish_notices(request.user),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """An agent logs a phone call as a case they own."""
    _agent(request)
    form = PhoneCaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            service = data["service"]
            try:
                case = case_open(
                    inbound=Inbound(
                        channel=CaseChannel.PHONE,
                        kind=data["kind"],
                        text=data["text"],
                        lang=data["lang"],
                        phone=data["phone"],
                        citizen_name=data["name"],
                        priority=data["priority"],
                        service_id=service.pk if service else None,
                    ),
                    acting_user=request.user,
                    auto_reply=False,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status_code
            else:
                if cases_for(request.user).filter(pk=case.pk).exists():
                    messages.success(
                        request, _("Case %(ref)s was logged.") % {"ref": case.reference}
                    )
                    return HttpResponseRedirect(reverse("care:case", args=[case.pk]))
                messages.success(
                    request,
                    _("Case %(ref)s was logged and went to %(agency)s.")
                    % {"ref": case.reference, "agency": case.agency},
                )
                return HttpResponseRedirect(reverse("care:inbox"))
        else:
            status = 422
    return render(request, "care/case_new.html", {"form": form}, status=status)


# --- a case ----------------------------------------------------------------------------------


def _fields_form(case) -> CaseFieldsForm:
    return CaseFieldsForm(
        initial={
            "kind": case.kind,
            "priority": case.priority,
            "agency": case.agency_id,
            "service": case.service_id,
            "center": case.center_id,
            "tags": ", ".join(t.name for t in case.tags.all()),
        }
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = access_case(request.user, pk)
    if request.method == "POST":
        return _case_post(request, case)
    suggestions = suggested_answers(case)
    reply_initial = {}
    use = request.GET.get("use", "")
    if use.isdigit() and 0 <= int(use) < len(suggestions):
        hit = suggestions[int(use)]
        link = absolute(hit.url) if hit.url.startswith("/") else hit.url
        reply_initial["text"] = f"{hit.short_answer}\n{link}"
    now = timezone.now()
    return render(
        request,
        "care/case_staff.html",
        {
            "case": case,
            "items": thread(case),
            "sla": sla.state(case, now),
            "now": now,
            "reply_form": ReplyForm(initial=reply_initial),
            "note_form": NoteForm(),
            "fields_form": _fields_form(case),
            "suggestions": suggestions,
            "agents": agents_for_case(case),
            "candidates": merge_candidates(request.user, case),
            "citizen_link": case_link(case),
            "statuses": CaseStatus.choices,
            "auto_log": case.auto_replies.order_by("-created_at").first(),
            "route": reply_route(case),
        },
    )


def _case_post(request: HttpRequest, case) -> HttpResponse:
    action = request.POST.get("action", "")
    here = reverse("care:case", args=[case.pk])
    user = request.user
    try:
        if action == "reply":
            form = ReplyForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Write an answer before sending."))
                return HttpResponseRedirect(here)
            case_reply(
                case=case,
                text=form.cleaned_data["text"],
                then=form.cleaned_data["then"],
                acting_user=user,
            )
            messages.success(request, _("Your answer was sent."))
        elif action == "note":
            form = NoteForm(request.POST)
            if form.is_valid():
                case_note_add(case=case, text=form.cleaned_data["text"], acting_user=user)
                messages.success(request, _("The note was added."))
        elif action == "fields":
            form = CaseFieldsForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Some fields are not valid."))
                return HttpResponseRedirect(here)
            data = form.cleaned_data
            clear = tuple(n for n in ("agency", "service", "center") if data[n] is None)
            case_update(
                case=case,
                acting_user=user,
                kind=data["kind"],
                priority=data["priority"],
                service=data["service"],
                agency=data["agency"],
                center=data["center"],
                clear=clear,
            )
            case_tags_set(case=case, names=data["tags"].split(","), acting_user=user)
            messages.success(request, _("The case was updated."))
        elif action == "assign":
            raw = request.POST.get("owner", "")
            owner = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
            case_assign(case=case, owner=owner, acting_user=user)
            messages.success(request, _("The owner was changed."))
        elif action == "take":
            case_assign(case=case, owner=user, acting_user=user)
            messages.success(request, _("You own this case now."))
        elif action == "escalate":
            case_escalate(case=case, acting_user=user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The case was escalated."))
        elif action == "status":
            case_set_status(case=case, status=request.POST.get("status", ""), acting_user=user)
            messages.success(request, _("The status was changed."))
        elif action == "merge":
            raw = request.POST.get("into", "").strip().lstrip("#")
            target = cases_for(user).filter(pk=int(raw)).first() if raw.isdigit() else None
            if target is None:
                messages.error(
                    request, _("There is no case %(ref)s that you may see.") % {"ref": f"#{raw}"}
                )
                return HttpResponseRedirect(here)
            into = case_merge(case=case, into=target, acting_user=user)
            messages.success(request, _("Merged into case %(ref)s.") % {"ref": into.reference})
            return HttpResponseRedirect(reverse("care:case", args=[into.pk]))
    except DomainError as exc:
        _error(request, exc)
    # The case may have left the agent's scope (routed to another agency).
    if not cases_for(user).filter(pk=case.pk).exists():
        return HttpResponseRedirect(reverse("care:inbox"))
    return HttpResponseRedirect(here)


# --- the dashboard ---------------------------------------------------------------------------


@login_required
@never_cache
def dashboard_page(request: HttpRequest) -> HttpResponse:
    if dashboard_scope(request.user) is None:
        raise PermissionDenied
    days = request.GET.get("days", "30")
    days = int(days) if days in ("7", "30", "90", "365") else 30
    raw_agency = request.GET.get("agency", "")
    agency_id = int(raw_agency) if raw_agency.isdigit() else None
    board = dashboard(request.user, days=days, agency_id=agency_id)
    return render(
        request,
        "care/dashboard.html",
        {
            "board": board,
            "days": days,
            "day_options": [7, 30, 90, 365],
            "agencies": Agency.objects.active()
            if sees_everything(request.user)
            else Agency.objects.filter(pk__in=agency_ids(request.user, Role.AGENCY_ADMIN)),
            "agency_id": agency_id,
        },
    )


# --- monitoring ------------------------------------------------------------------------------


@login_required
@never_cache
def monitoring_page(request: HttpRequest) -> HttpResponse:
    _agent(request)
    sentiment = request.GET.get("sentiment") or None
    if sentiment not in Sentiment.values:
        sentiment = None
    network = request.GET.get("network") or None
    posts, counts = monitoring(request.user, sentiment=sentiment, network=network)
    page = Paginator(posts, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/monitoring.html",
        {
            "page": page,
            "counts": counts,
            "sentiments": Sentiment.choices,
            "sentiment": sentiment,
            "networks": networks(),
            "network": network,
        },
    )


@login_required
@require_POST
def post_open_case(request: HttpRequest, pk: int) -> HttpResponse:
    _agent(request)
    post = posts_for(request.user).filter(pk=pk).first()
    if post is None:
        raise Http404
    case = monitored_post_open_case(post=post, acting_user=request.user)
    if cases_for(request.user).filter(pk=case.pk).exists():
        return HttpResponseRedirect(reverse("care:case", args=[case.pk]))
    messages.success(request, _("Case %(ref)s was opened.") % {"ref": case.reference})
    return HttpResponseRedirect(reverse("care:monitoring"))


# --- public notices --------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def notices_page(request: HttpRequest) -> HttpResponse:
    if not may_publish_notices(request.user):
        raise PermissionDenied
    initial = {}
    source = None
    raw = request.GET.get("from", "")
    if raw.isdigit():
        source = (
            notices_for_staff(request.user).filter(pk=int(raw)).select_related("service").first()
        )
        if source is not None:
            initial = {
                "kind": "requirements",
                "title_ar": source.service.name_ar,
                "title_en": source.service.name_en or "",
                "body_ar": source.text_ar,
                "body_en": source.text_en or "",
                "service": source.service_id,
                "agency": source.service.agency_id,
                "source_notice": source.pk,
            }
    form = PublicNoticeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            agency = data["agency"] or (data["service"].agency if data["service"] else None)
            center = data["center"]
            try:
                check_notice_scope(
                    request.user,
                    agency_id=agency.pk if agency else None,
                    center_id=center.pk if center else None,
                )
            except PermissionDenied:
                form.add_error(
                    None,
                    _("You may publish notices only for your own agency or center."),
                )
                status = 403
            else:
                source_notice = (
                    Notice.objects.filter(pk=data["source_notice"]).first()
                    if data["source_notice"]
                    else None
                )
                try:
                    notice = public_notice_create(
                        acting_user=request.user,
                        kind=data["kind"],
                        title_ar=data["title_ar"],
                        title_en=data["title_en"],
                        body_ar=data["body_ar"],
                        body_en=data["body_en"],
                        agency=agency,
                        service=data["service"],
                        center=center,
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        source_notice=source_notice,
                    )
                except DomainError as exc:
                    form.add_error(None, str(exc.message))
                    status = exc.status_code
                else:
                    messages.success(request, _("The notice was saved as a draft."))
                    return HttpResponseRedirect(reverse("care:staff-notices") + f"#n{notice.pk}")
        else:
            status = 422
    return render(
        request,
        "care/notices_staff.html",
        {
            "form": form,
            "notices": notices_for_edit(request.user).select_related("agency", "center", "service")[
                :50
            ],
            "staff_notices": notices_for_staff(request.user).select_related("service")[:10],
            "source": source,
            "scoped_centers": center_ids(request.user, Role.SUPERVISOR),
        },
        status=status,
    )


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access_notice_for_edit(request.user, pk)
    try:
        notice = public_notice_publish(notice=notice, acting_user=request.user)
    except DomainError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("Published on the portal and the display boards; %(n)s SMS sent.")
            % {"n": notice.sms_sent},
        )
    return HttpResponseRedirect(reverse("care:staff-notices"))


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access_notice_for_edit(request.user, pk)
    public_notice_withdraw(notice=notice, acting_user=request.user)
    messages.success(request, _("The notice was withdrawn."))
    return HttpResponseRedirect(reverse("care:staff-notices"))
