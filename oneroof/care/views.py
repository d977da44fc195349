"""The citizens' pages of the care inbox: "Ask us, complain or suggest", the case page behind
its signed link (the thread, "did this answer help?", writing again), and public notices with
SMS subscriptions. No sign-in: the signed link is the citizen's key to their own case."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oneroof.care.actions import (
    case_answer_feedback,
    case_citizen_message,
    case_open,
    subscription_cancel,
    subscription_confirm,
    subscription_request,
)
from oneroof.care.backends import Inbound
from oneroof.care.choices import CaseChannel, CaseStatus, Direction
from oneroof.care.forms import AskForm, CitizenReplyForm, SubscribeForm
from oneroof.care.messaging import case_id_from_token, case_token, subscription_id_from_token
from oneroof.care.models import Case, NoticeSubscription
from oneroof.care.selectors import current_notices, public_thread
from oneroof.care.throttling import throttle_cases
from oneroof.core.errors import DomainError


def _case_from_token(token: str) -> Case:
    case_id = case_id_from_token(token)
    case = (
        Case.objects.select_related("service", "agency", "merged_into").filter(pk=case_id).first()
        if case_id
        else None
    )
    if case is None:
        raise Http404
    return case


def _apply_errors(form, exc: DomainError) -> None:
    placed = False
    for item in exc.details or []:
        name = (item.get("loc") or [None])[-1]
        if name in form.fields:
            form.add_error(name, str(exc.message))
            placed = True
    if not placed:
        form.add_error(None, str(exc.message))


@never_cache
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                throttle_cases(request)
                case = case_open(
                    inbound=Inbound(
                        channel=CaseChannel.PORTAL,
                        kind=data["kind"],
                        text=data["text"],
                        citizen_name=data["name"],
                        phone=data["phone"],
                        email=data["email"],
                    )
                )
            except DomainError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                return HttpResponseRedirect(
                    reverse("care:case-public", args=[case_token(case.pk)]) + "?new=1"
                )
        else:
            status = 422
    return render(request, "care/ask.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def case_public(request: HttpRequest, token: str) -> HttpResponse:
    case = _case_from_token(token)
    if case.merged_into_id:
        return HttpResponseRedirect(
            reverse("care:case-public", args=[case_token(case.merged_into_id)])
        )
    form = CitizenReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                throttle_cases(request)
                case_citizen_message(case=case, text=form.cleaned_data["text"])
            except DomainError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(request, _("Your message was added to your case."))
                return HttpResponseRedirect(request.path)
        else:
            status = 422
    thread = public_thread(case)
    answered = any(m.direction == Direction.OUTBOUND for m in thread)
    return render(
        request,
        "care/case_public.html",
        {
            "case": case,
            "thread": thread,
            "form": form,
            "token": token,
            "is_new": request.GET.get("new") == "1",
            "answered": answered,
            "can_write": case.status != CaseStatus.CLOSED,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """ "Did this answer help?" The link in an automatic reply opens this page; only the
    button changes anything (a link previewer that opens the link changes nothing)."""
    case = _case_from_token(token)
    if case.merged_into_id:
        return HttpResponseRedirect(
            reverse("care:answer-feedback", args=[case_token(case.merged_into_id)])
        )
    if request.method == "POST":
        helpful = request.POST.get("helpful")
        if helpful not in ("yes", "no"):
            return HttpResponseRedirect(request.path)
        try:
            case_answer_feedback(case=case, helpful=helpful == "yes")
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if helpful == "yes":
                messages.success(request, _("Thank you. We are glad the answer helped."))
            else:
                messages.success(
                    request,
                    _("Thank you for telling us. A member of staff will answer you in person."),
                )
        return HttpResponseRedirect(reverse("care:case-public", args=[token]))
    last = case.messages.filter(direction=Direction.OUTBOUND).last()
    return render(
        request, "care/answer_feedback.html", {"case": case, "answer": last, "token": token}
    )


# --- public notices ----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                subscription_request(
                    phone=form.cleaned_data["phone"],
                    agency=form.cleaned_data["agency"],
                    lang=translation.get_language() or "ar",
                )
            except DomainError as exc:
                _apply_errors(form, exc)
                status = exc.status_code
            else:
                messages.success(
                    request,
                    _("We sent a link by SMS. Open it to confirm, and notices will follow."),
                )
                return HttpResponseRedirect(request.path)
        else:
            status = 422
    return render(
        request,
        "care/notices.html",
        {"notices": current_notices(), "form": form},
        status=status,
    )


def _subscription(token: str) -> NoticeSubscription:
    sub_id = subscription_id_from_token(token)
    sub = NoticeSubscription.objects.filter(pk=sub_id).first() if sub_id else None
    if sub is None:
        raise Http404
    return sub


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe_confirm(request: HttpRequest, token: str) -> HttpResponse:
    sub = _subscription(token)
    if request.method == "POST":
        subscription_confirm(subscription_id=sub.pk)
        messages.success(request, _("Done: notices will come to %(phone)s.") % {"phone": sub.phone})
        return HttpResponseRedirect(reverse("care:notices"))
    return render(request, "care/subscription.html", {"sub": sub, "confirm": True})


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    sub = _subscription(token)
    if request.method == "POST":
        subscription_cancel(subscription_id=sub.pk)
        messages.success(request, _("Done: no more notices will be sent to this number."))
        return HttpResponseRedirect(reverse("care:notices"))
    return render(request, "care/subscription.html", {"sub": sub, "confirm": False})
