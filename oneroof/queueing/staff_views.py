"""Pages for staff and screens: the counter console (sign-in required) and the display board
of a center (public: a TV in the waiting hall), with the clips its announcements are made of.

The console's buttons are plain POST forms to the console's own address; each calls one
action and redirects back, so a refresh never repeats it. A failed action (a
`DomainError`) changes nothing and shows its message. The page's live region is fetched
again (with the `HX-Request` header, as htmx would) whenever the center's queue changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import condition, require_GET, require_http_methods

from oneroof.accounts.choices import Role
from oneroof.accounts.models import User
from oneroof.accounts.permissions import center_ids, is_system_admin
from oneroof.catalog.models import Agency
from oneroof.centers.models import Center, Counter
from oneroof.core.errors import Conflict, DomainError, InvalidInput
from oneroof.queueing import actions
from oneroof.queueing.announcements import (
    CHIME,
    COMMON,
    LANGS,
    announcement,
    chime_wav,
    clip_path,
    languages_with_clips,
)
from oneroof.queueing.choices import CounterStatus, Outcome, PriorityClass, TicketStatus
from oneroof.queueing.models import CallingPolicy, CounterState, Line, LineService, Ticket
from oneroof.queueing.permissions import (
    access_counter,
    access_ticket_for_staff,
    can_operate_counter,
    lines_user_may_serve,
)
from oneroof.queueing.selectors import (
    board_state,
    center_counters,
    current_ticket,
    parked_at,
    waiting_for_lines,
)

BOARD_CALLS = 8
BOARD_POLL_MS = 5000


# --- the counter console ---------------------------------------------------------------------


def _centers_of(user: User) -> list[Center]:
    centers = Center.objects.active().order_by("pk")
    if is_system_admin(user):
        return list(centers)
    return list(centers.filter(pk__in=center_ids(user, Role.EMPLOYEE, Role.SUPERVISOR)))


def _open_counter_of(user: User) -> CounterState | None:
    return (
        CounterState.objects.filter(employee=user)
        .exclude(status=CounterStatus.CLOSED)
        .select_related("counter")
        .first()
    )


def _lines_from_post(request: HttpRequest, counter: Counter) -> list[Line]:
    ids = [int(x) for x in request.POST.getlist("line") if x.isdigit()]
    return list(Line.objects.filter(pk__in=ids, center_id=counter.center_id, is_active=True))


@login_required
@require_http_methods(["GET", "POST"])
def console_home(request: HttpRequest) -> HttpResponse:
    """The counters of the employee's centers; opening one for the lines they serve."""
    centers = _centers_of(request.user)
    if not centers:
        raise PermissionDenied
    if request.method == "POST":
        raw = request.POST.get("counter", "")
        counter = access_counter(request.user, int(raw)) if raw.isdigit() else None
        if counter is None:
            messages.error(request, _("Choose a counter."))
            return HttpResponseRedirect(reverse("queueing:console"))
        try:
            actions.counter_open(
                counter=counter,
                lines=_lines_from_post(request, counter),
                acting_user=request.user,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            return HttpResponseRedirect(reverse("queueing:console"))
        return HttpResponseRedirect(reverse("queueing:console-counter", args=[counter.pk]))
    blocks = []
    for center in centers:
        counters = center_counters(center)
        for row in counters:
            row["status_label"] = CounterStatus(row["status"]).label
        blocks.append(
            {
                "center": center,
                "counters": counters,
                "closed": [row for row in counters if row["status"] == CounterStatus.CLOSED],
                "lines": lines_user_may_serve(request.user, center.pk),
            }
        )
    return render(
        request,
        "queueing/console_home.html",
        {"blocks": blocks, "mine": _open_counter_of(request.user)},
    )


def _recent_no_shows(counter: Counter) -> list[Ticket]:
    """No-shows of this counter who may still queue again (within the policy's window)."""
    policy = CallingPolicy.objects.filter(center_id=counter.center_id).first()
    minutes = policy.requeue_window_minutes if policy else 30
    since = timezone.now() - dt.timedelta(minutes=minutes)
    return list(
        Ticket.objects.filter(counter=counter, status=TicketStatus.NO_SHOW, ended_at__gte=since)
        .select_related("service")
        .order_by("-ended_at")[:10]
    )


def _live_key(status: str, current: Ticket | None) -> str:
    """Changes when the page's fixed part (counter state, current visitor) is out of date."""
    return f"{status}:{current.public_id if current else '-'}:{current.status if current else '-'}"


def _console_context(request: HttpRequest, counter: Counter) -> dict:
    state = (
        CounterState.objects.filter(counter=counter)
        .select_related("employee", "counter__center")
        .prefetch_related("lines")
        .first()
    )
    status = state.status if state else CounterStatus.CLOSED
    lines = list(state.lines.all()) if state and status != CounterStatus.CLOSED else []
    may_operate = bool(state) and status != CounterStatus.CLOSED
    may_operate = may_operate and can_operate_counter(request.user, state)
    current = current_ticket(counter)
    now = timezone.now()
    context = {
        "counter": counter,
        "center": counter.center,
        "state": state,
        "status": status,
        "status_label": CounterStatus(status).label,
        "lines": lines,
        "may_operate": may_operate,
        "may_call": may_operate and status == CounterStatus.OPEN and current is None,
        "current": current,
        "waiting": waiting_for_lines([line.pk for line in lines], counter.center_id)
        if lines
        else [],
        "parked": list(parked_at(counter)),
        "no_shows": _recent_no_shows(counter),
        "live_key": _live_key(status, current),
    }
    if current is not None:
        context.update(
            {
                "current_waited": int((now - current.issued_at).total_seconds() // 60),
                "documents": list(current.service.documents.all()),
                "is_appointment": current.priority_class == PriorityClass.APPOINTMENT,
                "outcomes": Outcome.choices,
                "transfer_to": LineService.objects.filter(
                    center_id=counter.center_id, line__is_active=True, service__is_active=True
                )
                .exclude(service_id=current.service_id)
                .select_related("line", "service")
                .order_by("line__prefix", "service__name"),
            }
        )
    if status == CounterStatus.CLOSED or (state and status == CounterStatus.PAUSED):
        context["servable"] = lines_user_may_serve(request.user, counter.center_id)
        context["served_ids"] = {line.pk for line in lines}
    return context


# Each handler performs one action and returns a message for the employee, or None.
Handler = Callable[[HttpRequest, Counter], str | None]


def _visitor_here(request: HttpRequest, counter: Counter) -> Ticket:
    """The visitor at this counter; the form names the ticket it was shown for, so a stale
    screen never acts on the next visitor."""
    current = current_ticket(counter)
    if current is None:
        raise Conflict(_("There is no visitor at this counter."))
    shown = request.POST.get("ticket", "")
    if shown and shown != current.public_id:
        raise Conflict(_("The visitor at this counter has changed. Check the screen again."))
    return current


def _ticket_from_post(request: HttpRequest) -> Ticket:
    public_id = request.POST.get("ticket", "")
    if not public_id:
        raise InvalidInput(_("Choose a visitor."))
    return access_ticket_for_staff(request.user, public_id[:32])


def _open(request: HttpRequest, counter: Counter) -> str | None:
    actions.counter_open(
        counter=counter, lines=_lines_from_post(request, counter), acting_user=request.user
    )
    return None


def _pause(request: HttpRequest, counter: Counter) -> str | None:
    actions.counter_pause(counter=counter, acting_user=request.user)
    return None


def _close(request: HttpRequest, counter: Counter) -> str | None:
    actions.counter_close(counter=counter, acting_user=request.user)
    return _("Counter %(n)s is closed.") % {"n": counter.number}


def _call_next(request: HttpRequest, counter: Counter) -> str | None:
    ticket = actions.ticket_call_next(counter=counter, acting_user=request.user)
    if ticket is None:
        return _("Nobody is waiting.")
    return None


def _call(request: HttpRequest, counter: Counter) -> str | None:
    ticket = _ticket_from_post(request)
    if ticket.center_id != counter.center_id:
        raise Conflict(_("This visitor is not in a line this counter serves."))
    actions.ticket_call(
        counter=counter,
        ticket=ticket,
        reason=request.POST.get("reason", "")[:300],
        acting_user=request.user,
    )
    return None


def _recall(request: HttpRequest, counter: Counter) -> str | None:
    ticket = actions.ticket_recall(ticket=_visitor_here(request, counter), acting_user=request.user)
    return _("Ticket %(number)s called again.") % {"number": ticket.number}


def _start(request: HttpRequest, counter: Counter) -> str | None:
    actions.ticket_start(ticket=_visitor_here(request, counter), acting_user=request.user)
    return None


def _complete(request: HttpRequest, counter: Counter) -> str | None:
    ticket = actions.ticket_complete(
        ticket=_visitor_here(request, counter),
        outcome=request.POST.get("outcome", ""),
        note=request.POST.get("note", "")[:2000],
        acting_user=request.user,
    )
    return _("Ticket %(number)s is complete.") % {"number": ticket.number}


def _no_show(request: HttpRequest, counter: Counter) -> str | None:
    ticket = actions.ticket_no_show(
        ticket=_visitor_here(request, counter), acting_user=request.user
    )
    return _("Ticket %(number)s did not come.") % {"number": ticket.number}


def _park(request: HttpRequest, counter: Counter) -> str | None:
    ticket = actions.ticket_park(ticket=_visitor_here(request, counter), acting_user=request.user)
    return _("Ticket %(number)s is on hold.") % {"number": ticket.number}


def _resume(request: HttpRequest, counter: Counter) -> str | None:
    actions.ticket_resume(
        ticket=_ticket_from_post(request), counter=counter, acting_user=request.user
    )
    return None


def _requeue(request: HttpRequest, counter: Counter) -> str | None:
    ticket = actions.ticket_requeue(ticket=_ticket_from_post(request), acting_user=request.user)
    return _("Ticket %(number)s is back in the queue.") % {"number": ticket.number}


def _transfer(request: HttpRequest, counter: Counter) -> str | None:
    ticket = _visitor_here(request, counter)
    link = (
        LineService.objects.select_related("service", "line")
        .filter(center_id=counter.center_id, service__slug=request.POST.get("service", "")[:100])
        .first()
    )
    if link is None:
        raise InvalidInput(_("Choose a service offered at this center."))
    actions.ticket_transfer(
        ticket=ticket,
        service=link.service,
        keep_arrival=request.POST.get("position", "keep") != "front",
        return_to_counter=request.POST.get("return") == "1",
        acting_user=request.user,
    )
    return _("Ticket %(number)s is transferred to %(service)s (line %(line)s).") % {
        "number": ticket.number,
        "service": link.service.name,
        "line": link.line.prefix,
    }


CONSOLE_ACTIONS: dict[str, Handler] = {
    "open": _open,
    "pause": _pause,
    "close": _close,
    "call_next": _call_next,
    "call": _call,
    "recall": _recall,
    "start": _start,
    "complete": _complete,
    "no_show": _no_show,
    "park": _park,
    "resume": _resume,
    "requeue": _requeue,
    "transfer": _transfer,
}


@login_required
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest, counter_id: int) -> HttpResponse:
    """One counter: the visitor at it, the waiting list of its lines, and every action."""
    counter = access_counter(request.user, counter_id)
    if request.method == "POST":
        handler = CONSOLE_ACTIONS.get(request.POST.get("action", ""))
        if handler is None:
            messages.error(request, _("Unknown action."))
        else:
            try:
                note = handler(request, counter)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                if note:
                    messages.success(request, note)
        return HttpResponseRedirect(reverse("queueing:console-counter", args=[counter.pk]))
    context = _console_context(request, counter)
    if request.htmx:
        return render(request, "queueing/console_live.html", context)
    return render(request, "queueing/console.html", context)


# --- the display board -----------------------------------------------------------------------


def _board_center(slug: str) -> Center:
    center = Center.objects.active().filter(slug=slug).first()
    if center is None:
        raise Http404
    return center


def _board_agency(request: HttpRequest) -> Agency | None:
    slug = request.GET.get("agency", "").strip()[:80]
    if not slug:
        return None
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise Http404
    return agency


def board_payload(center: Center, agency: Agency | None = None) -> dict:
    """The board's state (selectors.board_state) with what announcing a call needs: how many
    times it was called again, and its texts and clips. With an agency, only its lines."""
    state = board_state(center, recent=BOARD_CALLS * 5 if agency else BOARD_CALLS)
    extra = {
        row["public_id"]: row
        for row in Ticket.objects.filter(
            public_id__in=[call["ticket"] for call in state["calls"]]
        ).values("public_id", "recall_count", "line__agency_id", "counter__label")
    }
    calls = []
    for call in state["calls"]:
        row = extra.get(call["ticket"])
        if row is None or (agency and row["line__agency_id"] != agency.pk):
            continue
        calls.append(
            {
                **call,
                "counter_label": row["counter__label"],
                "recall": row["recall_count"],
                **announcement(call["number"], call["counter"]),
            }
        )
    lines = state["lines"]
    if agency:
        prefixes = set(
            Line.objects.filter(center=center, agency=agency).values_list("prefix", flat=True)
        )
        lines = [line for line in lines if line["prefix"] in prefixes]
    return {
        "center": center.slug,
        "calls": calls[:BOARD_CALLS],
        "lines": lines,
        "open_counters": state["open_counters"],
    }


def _board_state_url(center: Center, agency: Agency | None) -> str:
    url = reverse("queueing:board-state", args=[center.slug])
    return f"{url}?agency={agency.slug}" if agency else url


@require_GET
def board(request: HttpRequest, center: str) -> HttpResponse:
    """The display board of a center (a TV, no mouse): the latest calls, waiting per line,
    and every call announced aloud in Arabic and English."""
    where = _board_center(center)
    agency = _board_agency(request)
    payload = board_payload(where, agency)
    clip_url = reverse("queueing:announcement-clip", args=["LANG", "KEY"])
    config = {
        "centerId": where.pk,
        "stateUrl": _board_state_url(where, agency),
        "clipUrl": clip_url,
        "chimeUrl": reverse("queueing:announcement-clip", args=[COMMON, CHIME]),
        "clips": languages_with_clips(),
        "langs": list(LANGS),
        "pollMs": BOARD_POLL_MS,
        "labels": {"counter": _("Counter")},
        "state": payload,
    }
    calls = payload["calls"]
    return render(
        request,
        "queueing/board.html",
        {
            "center": where,
            "agency": agency,
            "latest": calls[0] if calls else None,
            "earlier": calls[1:],
            "lines": payload["lines"],
            "config": config,
            "local_clock": timezone.now().astimezone(where.tz).strftime("%H:%M"),
        },
    )


@require_GET
@never_cache
def board_state_view(request: HttpRequest, center: str) -> JsonResponse:
    """What the board shows and announces, polled every few seconds (and on every push)."""
    return JsonResponse(board_payload(_board_center(center), _board_agency(request)))


def _clip_modified(request: HttpRequest, lang: str, key: str) -> dt.datetime | None:
    path = clip_path(lang, key)
    if path is None or not path.is_file():
        return None
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)


_chime_cache: list[bytes] = []


@require_GET
@cache_control(max_age=3600, public=True)
@condition(last_modified_func=_clip_modified)
def announcement_clip(request: HttpRequest, lang: str, key: str) -> HttpResponse:
    """One clip of the announcements (MEDIA is not served otherwise). A file in
    MEDIA_ROOT/announcements/<lang>/<key>.wav wins; the chime is made here if there is none."""
    path: Path | None = clip_path(lang, key)
    if path is None:
        raise Http404
    if path.is_file():
        return FileResponse(path.open("rb"), content_type="audio/wav")
    if lang == COMMON and key == CHIME:
        if not _chime_cache:
            _chime_cache.append(chime_wav())
        return HttpResponse(_chime_cache[0], content_type="audio/wav")
    raise Http404
