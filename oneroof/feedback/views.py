"""Survey pages: the one-page survey behind the SMS link, the same form on a kiosk or
counter-side tablet right after the service, and the complaints supervisors follow up."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oneroof.accounts.choices import Role
from oneroof.accounts.permissions import agency_ids, center_ids, is_system_admin
from oneroof.catalog.models import Agency
from oneroof.centers.models import Center
from oneroof.core.errors import DomainError
from oneroof.feedback.actions import (
    active_version,
    invite_for_answer,
    survey_answer,
    survey_answer_at_counter,
)
from oneroof.feedback.permissions import access_counter_for_survey, complaints_scope
from oneroof.feedback.selectors import complaints_for, satisfaction_index, survey_pending_at_counter
from oneroof.queueing.permissions import works_at
from oneroof.transactions.models import TransactionRecord

SCORES = [1, 2, 3, 4, 5]
TABLET_SKIPPED = "feedback.tablet_skipped"  # records passed over on this device
TABLET_POLL_SECONDS = 5  # the waiting screen looks for a finished service this often
TABLET_THANKS_SECONDS = 8
COMPLAINTS_PER_PAGE = 25
INDEX_DAYS = 30


def _posted_answers(request: HttpRequest) -> dict:
    """The form's answers, or ValueError if a question is unanswered."""
    values = {name: int(request.POST.get(name, "0")) for name in ("overall", "waiting", "courtesy")}
    one_visit = request.POST.get("one_visit")
    if one_visit not in ("yes", "no"):
        raise ValueError
    return {
        **values,
        "one_visit": one_visit == "yes",
        "comment": request.POST.get("comment", ""),
    }


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The one-page survey behind the SMS link: no sign-in, no script, works on an old
    phone. A used, expired or unknown link says so; nothing is recorded twice."""
    try:
        invite = invite_for_answer(token)
        version = active_version()
    except DomainError as exc:
        return render(
            request, "feedback/closed.html", {"message": exc.message}, status=exc.status_code
        )
    error = ""
    if request.method == "POST":
        try:
            answers = _posted_answers(request)
        except ValueError:
            error = _("Please answer every question.")
        else:
            try:
                survey_answer(token=token, **answers)
            except DomainError as exc:
                error = str(exc.message)
            else:
                return render(request, "feedback/thanks.html", {})
    return render(
        request,
        "feedback/survey.html",
        {
            "invite": invite,
            "version": version,
            "scores": SCORES,
            "error": error,
            "posted": request.POST,
        },
        status=422 if error else 200,
    )


# --- the kiosk or counter-side tablet ---------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def counter_survey(request: HttpRequest, counter_id: int) -> HttpResponse:
    """The survey on a tablet at a counter, signed in as the center's device or handed over
    by the employee from the console. It shows the service just finished at the counter, and
    waits (refreshing itself) while there is none or the next visitor is being served."""
    counter = access_counter_for_survey(request.user, counter_id)
    skipped: list[int] = request.session.get(TABLET_SKIPPED, [])
    here = reverse("feedback:counter-survey", args=[counter.pk])
    context: dict = {
        "counter": counter,
        "center": counter.center,
        "is_staff": works_at(request.user, counter.center_id),
        "here": here,
        "poll_seconds": TABLET_POLL_SECONDS,
        "thanks_seconds": TABLET_THANKS_SECONDS,
    }
    if request.method == "POST":
        raw = request.POST.get("record", "")
        record = (
            TransactionRecord.objects.filter(pk=int(raw), counter=counter)
            .select_related("service", "center")
            .first()
            if raw.isdigit()
            else None
        )
        if record is None:
            return HttpResponseRedirect(here)
        if request.POST.get("action") == "skip":
            request.session[TABLET_SKIPPED] = [*skipped, record.pk][-20:]
            return HttpResponseRedirect(here)
        error = ""
        try:
            answers = _posted_answers(request)
        except ValueError:
            error = _("Please answer every question.")
        else:
            try:
                survey_answer_at_counter(
                    record=record,
                    lang="en" if translation.get_language() == "en" else "ar",
                    acting_user=request.user,
                    **answers,
                )
            except DomainError as exc:
                if exc.code in ("answered", "closed"):
                    return render(
                        request,
                        "feedback/tablet_wait.html",
                        {**context, "message": exc.message},
                        status=exc.status_code,
                    )
                error = str(exc.message)
            else:
                return HttpResponseRedirect(f"{here}?done=1")
        return _tablet_form(request, context, record, error=error)

    if request.GET.get("done"):
        return render(request, "feedback/tablet_thanks.html", context)
    record = survey_pending_at_counter(counter, skipped=skipped)
    if record is None:
        return render(request, "feedback/tablet_wait.html", context)
    return _tablet_form(request, context, record)


def _tablet_form(
    request: HttpRequest, context: dict, record: TransactionRecord, *, error: str = ""
) -> HttpResponse:
    try:
        version = active_version()
    except DomainError as exc:
        return render(
            request,
            "feedback/tablet_wait.html",
            {**context, "message": exc.message},
            status=exc.status_code,
        )
    return render(
        request,
        "feedback/tablet_survey.html",
        {
            **context,
            "record": record,
            "version": version,
            "scores": SCORES,
            "error": error,
            "posted": request.POST,
            "action": context["here"],
        },
        status=422 if error else 200,
    )


# --- complaints -------------------------------------------------------------------------------


def _indices(user) -> list[dict]:
    """The satisfaction index of each place the user follows, over the last days."""
    start = timezone.now() - dt.timedelta(days=INDEX_DAYS)
    if is_system_admin(user):
        return [{"label": _("All centers"), "index": satisfaction_index(start=start)}]
    cards = [
        {"label": center.name, "index": satisfaction_index(center_id=center.pk, start=start)}
        for center in Center.objects.filter(pk__in=center_ids(user, Role.SUPERVISOR)).order_by("pk")
    ]
    cards += [
        {"label": agency.name, "index": satisfaction_index(agency_id=agency.pk, start=start)}
        for agency in Agency.objects.filter(pk__in=agency_ids(user, Role.AGENCY_ADMIN)).order_by(
            "pk"
        )
    ]
    return cards


@login_required
@require_GET
def complaints(request: HttpRequest) -> HttpResponse:
    """Low scores with a comment, newest first, for the supervisor's centers or the agency
    administrator's agency (system administrators: all)."""
    if complaints_scope(request.user) is None:
        raise PermissionDenied
    page = Paginator(complaints_for(request.user), COMPLAINTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "feedback/complaints.html",
        {"page": page, "indices": _indices(request.user), "index_days": INDEX_DAYS},
    )
