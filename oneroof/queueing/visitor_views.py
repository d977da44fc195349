"""Pages for visitors, with no sign-in: the kiosk of a center (agency → service → phone and
priority → ticket) and the ticket page a visitor follows from the QR code.

Every page works as plain HTML forms and links; kiosk.js and ticket.js add the keypad, the
return to the start and the live updates."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from oneroof.catalog.models import Agency, Service
from oneroof.centers.models import Center
from oneroof.centers.presenters import opening_label
from oneroof.centers.selectors import CenterHours, center_hours, opening_status
from oneroof.core.errors import DomainError
from oneroof.queueing import actions, printing
from oneroof.queueing.choices import IssueChannel, PriorityReason, TicketStatus
from oneroof.queueing.models import Line, LineService, Ticket
from oneroof.queueing.permissions import access_ticket, is_device_or_staff
from oneroof.queueing.selectors import latest_leg, ticket_view
from oneroof.queueing.throttling import throttle_web_tickets

# Reasons a visitor may claim at the kiosk; "other" is for staff to judge at the desk.
KIOSK_PRIORITY_REASONS = [
    PriorityReason.ELDERLY,
    PriorityReason.DISABILITY,
    PriorityReason.PREGNANCY,
]
IDLE_SECONDS = 90  # a kiosk left mid-way goes back to the start for the next visitor
TICKET_SHOWN_SECONDS = 30


# --- kiosk -----------------------------------------------------------------------------------


def _center(slug: str) -> Center:
    center = Center.objects.active().filter(slug=slug).first()
    if center is None:
        raise Http404
    return center


def _agency(center: Center, slug: str) -> Agency:
    agency = (
        Agency.objects.active()
        .filter(slug=slug, lines__center=center, lines__is_active=True)
        .first()
    )
    if agency is None:
        raise Http404
    return agency


def _lang() -> str:
    return "en" if translation.get_language() == "en" else "ar"


def _kiosk_home_url(center: Center) -> str:
    """The start of the kiosk in Arabic, where it returns for the next visitor."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse("queueing:kiosk", kwargs={"center": center.slug})


def _opening(hours: CenterHours, agency: Agency) -> dict:
    return opening_label(opening_status(hours, agency_id=agency.pk), hours.center.tz)


def kiosk_context(center: Center, **extra) -> dict:
    return {
        "center": center,
        "kiosk_home": reverse("queueing:kiosk", kwargs={"center": center.slug}),
        "kiosk_reset": _kiosk_home_url(center),
        "idle_seconds": IDLE_SECONDS,
        **extra,
    }


@require_GET
def kiosk_home(request: HttpRequest, center: str) -> HttpResponse:
    """Step 1: the agencies that have a line at this center, each saying if it is open."""
    where = _center(center)
    lines = list(
        Line.objects.filter(center=where, is_active=True, agency__is_active=True)
        .select_related("agency")
        .order_by("prefix")
    )
    hours = center_hours(where)
    agencies, seen = [], set()
    for line in lines:
        if line.agency_id in seen:
            continue
        seen.add(line.agency_id)
        agencies.append({"agency": line.agency, "opening": _opening(hours, line.agency)})
    return render(
        request,
        "queueing/kiosk_home.html",
        kiosk_context(where, agencies=agencies),
    )


@require_GET
def kiosk_agency(request: HttpRequest, center: str, agency: str) -> HttpResponse:
    """Step 2: the agency's services that have a line here; a closed desk says when it opens."""
    where = _center(center)
    who = _agency(where, agency)
    links = list(
        LineService.objects.filter(
            center=where,
            line__is_active=True,
            service__agency=who,
            service__is_active=True,
        )
        .select_related("service", "line")
        .order_by("line__prefix", f"service__name_{_lang()}")
    )
    waiting = Ticket.objects.filter(
        line_id__in={link.line_id for link in links}, status=TicketStatus.WAITING
    ).count()
    return render(
        request,
        "queueing/kiosk_agency.html",
        kiosk_context(
            where,
            agency=who,
            services=[link.service for link in links],
            waiting=waiting,
            opening=_opening(center_hours(where), who),
        ),
    )


def _service(where: Center, who: Agency, slug: str) -> Service:
    service = Service.objects.active().filter(slug=slug, agency=who).first()
    if service is None or actions.line_for_service(where, service) is None:
        raise Http404
    return service


@require_http_methods(["GET", "POST"])
def kiosk_service(request: HttpRequest, center: str, agency: str, service: str) -> HttpResponse:
    """Step 3: an optional phone number and priority reason, then the ticket.

    POST issues through `actions.ticket_issue` and redirects here with `?ticket=<id>`, which
    shows the ticket (so reloading never issues twice). A domain error (closed line, bad
    phone, a phone already waiting) is shown on the form and nothing changes."""
    where = _center(center)
    who = _agency(where, agency)
    what = _service(where, who, service)
    if request.method == "GET" and request.GET.get("ticket"):
        return _kiosk_ticket(request, where, request.GET["ticket"])

    opening = _opening(center_hours(where), who)
    error, status = "", 200
    phone = request.POST.get("phone", "").strip()[:30]
    reason = request.POST.get("priority_reason", "")
    if request.method == "POST":
        # A kiosk signed in as the center's device (or staff) issues kiosk tickets; the same
        # page opened by anyone else issues web tickets, limited per address.
        trusted = is_device_or_staff(request.user, where.pk)
        try:
            if not trusted:
                throttle_web_tickets(request)
            ticket = actions.ticket_issue(
                center=where,
                service=what,
                channel=IssueChannel.KIOSK if trusted else IssueChannel.WEB,
                phone=phone,
                priority_reason=reason,
                lang=_lang(),
                acting_user=request.user,
            )
        except DomainError as exc:
            error, status = str(exc.message), exc.status_code
        else:
            if settings.ONEROOF_TICKET_PRINTER == "escpos":
                printing.print_ticket(ticket)
            url = reverse(
                "queueing:kiosk-service",
                kwargs={"center": where.slug, "agency": who.slug, "service": what.slug},
            )
            return HttpResponseRedirect(f"{url}?ticket={ticket.public_id}")
    return render(
        request,
        "queueing/kiosk_service.html",
        kiosk_context(
            where,
            agency=who,
            service=what,
            opening=opening,
            error=error,
            phone=phone,
            reason=reason,
            reasons=[(r.value, r.label) for r in KIOSK_PRIORITY_REASONS],
        ),
        status=status,
    )


def _kiosk_ticket(request: HttpRequest, where: Center, public_id: str) -> HttpResponse:
    ticket = access_ticket(public_id[:32])
    if ticket.center_id != where.pk:
        raise Http404
    view = ticket_view(ticket)
    return render(
        request,
        "queueing/kiosk_ticket.html",
        kiosk_context(
            where,
            view=view,
            ticket=view.ticket,
            idle_seconds=TICKET_SHOWN_SECONDS,
            browser_printing=settings.ONEROOF_TICKET_PRINTER != "escpos",
        ),
    )


# --- the visitor's ticket --------------------------------------------------------------------


def _ticket_context(ticket: Ticket) -> dict:
    view = ticket_view(ticket)
    current = view.ticket
    return {
        "view": view,
        "ticket": current,
        "counter": current.counter.number
        if current.counter_id and current.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        else None,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def ticket_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The ticket followed on a phone: number, state, people ahead, wait, the counter when
    called. ticket.js keeps it live. POST `action=cancel` cancels a waiting ticket without
    JavaScript (with it, the page uses the API)."""
    ticket = access_ticket(public_id)
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            try:
                actions.ticket_cancel(
                    ticket=latest_leg(ticket), acting_user=request.user, by_visitor=True
                )
            except DomainError as exc:
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Your ticket is cancelled."))
        return HttpResponseRedirect(request.path)
    context = _ticket_context(ticket)
    context["cancellable"] = context["ticket"].status == TicketStatus.WAITING
    return render(request, "queueing/ticket_page.html", context)


@never_cache
@require_GET
def ticket_print(request: HttpRequest, public_id: str) -> HttpResponse:
    """The ticket on an 80 mm thermal roll; the page opens the print dialog itself."""
    return render(request, "queueing/ticket_print.html", _ticket_context(access_ticket(public_id)))


@require_GET
@cache_control(max_age=86400, public=True)
def ticket_qr(request: HttpRequest, public_id: str) -> HttpResponse:
    """The QR code of the ticket page, as SVG."""
    ticket = access_ticket(public_id)
    image = qrcode.make(
        printing.ticket_url(ticket),
        image_factory=qrcode.image.svg.SvgPathImage,
        border=2,
    )
    return HttpResponse(image.to_string(), content_type="image/svg+xml")
