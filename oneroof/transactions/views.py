"""History pages. Every page that shows a visitor's past services goes through
`history_view` or `history_view_own`, so each look is scoped by the same rules as the API and
written to the audit log.

- The counter console's "Visitor's history" panel: the visitor being served (called or
  served by this employee) is the reason. The console fetches it once per page load, never
  with its live polls; without the script it is a link to the same page.
- Staff search by phone, with a typed reason, for the staff the rules allow.
- Visitors' own history on the portal, after a one-time code sent to the phone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oneroof.accounts.otp import otp_request, otp_verify
from oneroof.core.errors import DomainError, InvalidInput, NotAllowed
from oneroof.notify.actions import phone_normalize
from oneroof.transactions.actions import HistoryRow, history_view, history_view_own
from oneroof.transactions.forms import HistorySearchForm, OwnHistoryForm
from oneroof.transactions.models import TransactionRecord
from oneroof.transactions.permissions import may_view_history

CONSOLE_ROWS = 20  # the panel is a reminder, not an archive
OWN_KEY = "transactions.own_phone"
OWN_FOR = dt.timedelta(minutes=10)  # a proven phone sees its history again without a new code
AT_COUNTER = ("called", "serving")  # queueing.choices.ACTIVE_AT_COUNTER


@dataclass(frozen=True)
class RowView:
    record: TransactionRecord
    full: bool
    when: dt.datetime  # in the center's time zone


def _rows(rows: list[HistoryRow]) -> list[RowView]:
    out = []
    for row in rows:
        center = row.record.center
        when = row.record.ended_at.astimezone(center.tz) if center else row.record.ended_at
        out.append(RowView(record=row.record, full=row.full, when=timezone.localtime(when)))
    return out


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _lang() -> str:
    return "en" if translation.get_language() == "en" else "ar"


# --- the counter console's panel --------------------------------------------------------------


@login_required
@never_cache
@require_GET
def console_history(request: HttpRequest, public_id: str) -> HttpResponse:
    """The past services of the visitor this employee is serving. A string lookup of the
    ticket keeps `transactions` free of imports from `queueing`, which comes after it."""
    ticket_model = apps.get_model("queueing", "Ticket")
    ticket = (
        ticket_model.objects.filter(public_id=public_id[:32])
        .only("public_id", "number", "phone", "status", "served_by", "counter")
        .first()
    )
    if ticket is None:
        raise Http404
    context: dict = {"ticket": ticket, "rows": None, "error": ""}
    status = 200
    try:
        if not may_view_history(request.user):
            raise NotAllowed(_("You may not look at visitors' history."))
        if ticket.status not in AT_COUNTER or ticket.served_by_id != request.user.pk:
            raise NotAllowed(_("This ticket is not the visitor you are serving."))
        if not ticket.phone:
            raise InvalidInput(_("This visitor gave no phone number."), code="no_phone")
        rows = history_view(
            user=request.user,
            phone=ticket.phone,
            ticket=ticket,
            ip=_ip(request),
            limit=CONSOLE_ROWS + 1,
        )
        context["rows"] = _rows(rows[:CONSOLE_ROWS])
        context["more"] = len(rows) > CONSOLE_ROWS
    except DomainError as exc:
        context["error"] = str(exc.message)
        status = exc.status_code
    template = (
        "transactions/_console_panel.html"
        if request.htmx
        else "transactions/console_history_page.html"
    )
    return render(request, template, context, status=status)


# --- staff search -----------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_search(request: HttpRequest) -> HttpResponse:
    """Search a visitor's history by phone with a typed reason. POST, so that phone numbers
    stay out of addresses and server logs; every search that shows something is audited."""
    if not may_view_history(request.user):
        raise PermissionDenied
    form = HistorySearchForm(request.POST or None)
    context: dict = {"form": form, "rows": None, "error": "", "phone": ""}
    status = 200
    if request.method == "POST":
        if not form.is_valid():
            context["error"] = _("Please correct the fields marked below.")
            status = 422
        else:
            try:
                phone = phone_normalize(form.cleaned_data["phone"])
                rows = history_view(
                    user=request.user,
                    phone=phone,
                    reason=form.cleaned_data["reason"],
                    ip=_ip(request),
                )
            except DomainError as exc:
                context["error"] = str(exc.message)
                status = exc.status_code
            else:
                context.update(rows=_rows(rows), phone=phone)
    return render(request, "transactions/staff_search.html", context, status=status)


# --- visitors' own history --------------------------------------------------------------------


def _proven_phone(request: HttpRequest) -> str:
    data = request.session.get(OWN_KEY) or {}
    if data.get("until", 0) < timezone.now().timestamp():
        return ""
    return data.get("phone", "")


@never_cache
@require_http_methods(["GET", "POST"])
def own_history(request: HttpRequest) -> HttpResponse:
    """Visitors' own past services, in every agency, after a code sent to their phone.

    POST `action=send` sends a code; `action=verify` checks it and shows the history;
    `action=forget` ends the look. A wrong or expired code shows nothing."""
    proven = _proven_phone(request)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "forget":
        request.session.pop(OWN_KEY, None)
        return HttpResponseRedirect(reverse("transactions:own"))
    if request.method == "GET" and proven:
        rows = history_view_own(phone=proven, ip=_ip(request))
        return render(
            request,
            "transactions/own_history.html",
            {"stage": "history", "phone": proven, "rows": _rows(rows)},
        )

    form = OwnHistoryForm(request.POST or None)
    stage, error, status = "phone", "", 200
    if request.method == "POST":
        stage = "code" if action == "verify" else "phone"
        if not form.is_valid():
            error, status = _("Please correct the fields marked below."), 422
        else:
            try:
                phone = phone_normalize(form.cleaned_data["phone"])
                if action == "verify":
                    if not form.cleaned_data["code"]:
                        raise InvalidInput(
                            _("Enter the code sent to your phone."), code="code_required"
                        )
                    otp_verify(phone=phone, purpose="history", code=form.cleaned_data["code"])
                    request.session[OWN_KEY] = {
                        "phone": phone,
                        "until": (timezone.now() + OWN_FOR).timestamp(),
                    }
                    return HttpResponseRedirect(reverse("transactions:own"))
                otp_request(phone=phone, purpose="history", ip=_ip(request), lang=_lang())
                stage = "code"
                messages.info(request, _("We have sent a code to %(phone)s.") % {"phone": phone})
            except DomainError as exc:
                error, status = str(exc.message), exc.status_code
    return render(
        request,
        "transactions/own_history.html",
        {
            "stage": stage,
            "form": form,
            "error": error,
            "ttl_minutes": settings.ONEROOF_OTP_TTL_SECONDS // 60,
        },
        status=status,
    )
