"""The insight screens: the supervisor's live view of a center, the command center over every
center, reports with their exports, and employees' KPIs. Figures come from
`insights.selectors` through `insights.screens`, sliced by `insights.permissions`:
supervisors see their center, agency administrators their agency, employees their own
figures, decision makers, evaluators and system administrators everything."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oneroof.catalog.models import Agency, Service
from oneroof.centers.map import center_map
from oneroof.centers.models import Center
from oneroof.core.errors import InvalidInput
from oneroof.insights import charts, screens, selectors
from oneroof.insights.permissions import access_center_live
from oneroof.queueing.permissions import works_at

logger = logging.getLogger(__name__)
LIVE_POLL_MS = 5000  # the live view polls this often when its websocket is down or refused
COMMAND_POLL_MS = 15000
EMPLOYEES_PER_PAGE = 50
WEEKDAYS = [
    gettext_lazy("Sunday"),
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
]


def _rtl() -> bool:
    return (get_language() or "ar").startswith("ar")


def insight_links(user) -> dict[str, bool]:
    """Which insight screens a user may open (the menu of these pages, the staff home)."""
    return {
        "command": screens.may_see_command_center(user),
        "live": screens.may_see_figures(user),
        "reports": screens.may_see_figures(user),
        "employees": screens.may_see_employees(user),
    }


def _keep(request: HttpRequest, *names: str) -> list[tuple[str, str]]:
    """Filters the period form carries along as hidden fields."""
    return [(n, request.GET[n][:80]) for n in names if request.GET.get(n)]


def _query(request: HttpRequest, **changes: Any) -> str:
    params = {k: v for k, v in request.GET.items() if v}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)


def _slug_filter(request: HttpRequest, name: str, model: type) -> Any:
    slug = request.GET.get(name, "").strip()[:100]
    if not slug:
        return None
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        raise Http404
    return obj


# --- the supervisor's live view --------------------------------------------------------------


@login_required
@require_GET
def live_home(request: HttpRequest) -> HttpResponse:
    """The centers whose live view the user may open; straight to it when there is one."""
    if not screens.may_see_figures(request.user):
        raise PermissionDenied
    centers = list(screens.visible_centers(request.user))
    if len(centers) == 1:
        return HttpResponseRedirect(reverse("insights:live", args=[centers[0].slug]))
    return render(
        request,
        "insights/live_home.html",
        {"centers": centers, "nav": insight_links(request.user), "active": "live"},
    )


def _hourly_chart(hours: list[dict[str, Any]]) -> charts.ColumnChart:
    return charts.column_chart(
        [f"{h['hour']:02d}" for h in hours],
        [h["served"] for h in hours],
        line=[h["arrivals"] for h in hours],
        rtl=_rtl(),
        height=200,
        titles=[
            _("%(hour)s:00 — %(served)s served, %(arrivals)s arrived")
            % {"hour": f"{h['hour']:02d}", "served": h["served"], "arrivals": h["arrivals"]}
            for h in hours
        ],
        max_x_ticks=24,
    )


def _active_center(slug: str) -> None:
    if not Center.objects.active().filter(slug=slug).exists():
        raise Http404


@login_required
@require_GET
def live(request: HttpRequest, center: str) -> HttpResponse:
    """One center now, for its supervisor: redrawn on every change of its queue."""
    _active_center(center)
    where, agency_ids = access_center_live(request.user, center)
    state = screens.live_state(where, agency_ids=agency_ids)
    top_line = max([row["waiting"] for row in state["lines"]] + [1])
    for row in state["lines"]:
        row["bar"] = charts.percent(row["waiting"], top_line)
    top_agency = max([row["waiting"] for row in state["agencies"]] + [1])
    for row in state["agencies"]:
        row["bar"] = charts.percent(row["waiting"], top_agency)
    config = {
        "centerId": where.pk,
        "stateUrl": reverse("insights:live-state", args=[where.slug]),
        # Only the center's own staff may join its websocket group; others poll.
        "socket": works_at(request.user, where.pk),
        "pollMs": LIVE_POLL_MS,
        "rtl": _rtl(),
        "labels": {
            "min": _("min"),
            "noAlerts": _("No alerts: every line is within its target."),
            "live": _("Live"),
            "polling": _("Updating every few seconds"),
            "offline": _("Reconnecting…"),
            "served": _("served"),
            "arrived": _("arrived"),
        },
    }
    return render(
        request,
        "insights/live.html",
        {
            "center": where,
            "state": state,
            "agency_view": agency_ids is not None,
            "hourly": _hourly_chart(state["hourly"]),
            "config": config,
            "nav": insight_links(request.user),
            "active": "live",
            "pause_alert_minutes": selectors.pause_alert_minutes(where),
        },
    )


@login_required
@require_GET
@never_cache
def live_state(request: HttpRequest, center: str) -> JsonResponse:
    """The live view's state, fetched on every event of the center and polled otherwise."""
    _active_center(center)
    where, agency_ids = access_center_live(request.user, center)
    return JsonResponse(screens.live_state(where, agency_ids=agency_ids))


# --- periods from the query string -----------------------------------------------------------


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"), choices=list(screens.PERIOD_KINDS.items()), required=False
    )
    date = forms.DateField(label=gettext_lazy("Day in the period"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False)
    end = forms.DateField(label=gettext_lazy("To"), required=False)
    compare = forms.ChoiceField(
        label=gettext_lazy("Compare with"),
        required=False,
        choices=[
            ("", gettext_lazy("Nothing")),
            ("previous", gettext_lazy("The period before")),
            ("year", gettext_lazy("The same period a year before")),
        ],
    )

    def __init__(self, data, *args, default_kind: str = "month", **kwargs) -> None:
        data = data.copy()
        # `from` and `to` read better in addresses (and are Python keywords).
        for outside, inside in (("from", "start"), ("to", "end")):
            if outside in data and inside not in data:
                data[inside] = data[outside]
        if not data.get("period"):
            data["period"] = default_kind
        super().__init__(data, *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        kind = data.get("period") or "month"
        today = screens.local_today()
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Choose both the first and the last day."))
            try:
                period = screens.custom_period(start, end)
            except InvalidInput as error:
                raise forms.ValidationError(str(error.message)) from error
        else:
            period = screens.period_of(kind, data.get("date") or today)
        if abs((period.start - today).days) > 20 * 366:
            raise forms.ValidationError(_("Choose a period within the last twenty years."))
        shown = period.upto(today)
        data["shown_period"] = shown
        compare = data.get("compare")
        data["compare_period"] = (
            shown.previous() if compare == "previous" else shown.year_before() if compare else None
        )
        return data


# --- reports ---------------------------------------------------------------------------------


def _report_from_request(request: HttpRequest) -> tuple[screens.Report | None, PeriodForm]:
    if not screens.may_see_figures(request.user):
        raise PermissionDenied
    form = PeriodForm(request.GET)
    center = _slug_filter(request, "center", Center)
    agency = _slug_filter(request, "agency", Agency)
    service = _slug_filter(request, "service", Service)
    if not form.is_valid():
        screens.figure_filter(request.user, center=center, agency=agency, service=service)
        return None, form
    by = request.GET.get("by", "")
    report = screens.build_report(
        request.user,
        form.cleaned_data["shown_period"],
        center=center,
        agency=agency,
        service=service,
        by=by if by in screens.BREAKDOWNS else None,
        compare_to=form.cleaned_data["compare_period"],
    )
    return report, form


def _when(point: selectors.KpiPoint, monthly: bool) -> str:
    return charts.day_label(point.start, monthly)


def trend_chart(report: screens.Report, *, rtl: bool, width: int = 720) -> charts.ColumnChart:
    monthly = report.period.monthly
    return charts.column_chart(
        [_when(p, monthly) for p in report.trend],
        [p.kpis.served for p in report.trend],
        line=[p.kpis.wait_avg_minutes for p in report.trend],
        rtl=rtl,
        width=width,
        titles=[
            _("%(when)s — %(served)s served, average wait %(wait)s min")
            % {
                "when": _when(p, monthly),
                "served": p.kpis.served,
                "wait": "—" if p.kpis.wait_avg_minutes is None else p.kpis.wait_avg_minutes,
            }
            for p in report.trend
        ],
    )


def heatmap(report: screens.Report) -> dict[str, Any]:
    top = max(report.heat.values(), default=0)
    hours = [h for h in range(24) if any(report.heat.get((d, h)) for d in range(7))]
    if hours:
        hours = list(range(min(hours), max(hours) + 1))
    rows = []
    for d in range(7):
        cells = [
            {"hour": h, "value": report.heat.get((d, h), 0)}
            | {"level": charts.heat_level(report.heat.get((d, h), 0), top)}
            for h in hours
        ]
        rows.append(
            {"weekday": WEEKDAYS[d], "cells": cells, "total": sum(c["value"] for c in cells)}
        )
    return {"hours": hours, "rows": rows, "top": top}


def breakdown_rows(report: screens.Report, request: HttpRequest | None = None) -> list[dict]:
    """The breakdown table with bar lengths and the drill-down link of each row."""

    def size(r: screens.Row) -> int:
        return r.kpis.served if r.kpis else (r.served or r.arrivals or 0)

    top = max([size(r) for r in report.rows] + [1])
    rows = []
    for r in report.rows:
        link = ""
        if request is not None and report.by in ("center", "agency", "service") and r.slug:
            link = "?" + _query(request, **{report.by: r.slug, "by": None})
        elif request is not None and report.by == "employee":
            link = (
                reverse("insights:employee", args=[r.key]) + "?" + urlencode(report.period.query())
            )
        rows.append({"row": r, "k": r.kpis, "bar": charts.percent(size(r), top), "link": link})
    return rows


def _pct(value: float | None) -> float | None:
    return None if value is None else value * 100


def _wait(k: selectors.Kpis) -> float | None:
    return k.wait_avg_minutes


def _p90(k: selectors.Kpis) -> float | None:
    return k.wait_p90_minutes


def _handling(k: selectors.Kpis) -> float | None:
    return k.handling_avg_minutes


def _satisfied(k: selectors.Kpis) -> float | None:
    return _pct(k.satisfaction.satisfied_share)


# The headline figures: key, label, how to read it, unit, whether more is better, digits.
KPIS = [
    ("served", gettext_lazy("Services delivered"), lambda k: k.served, "", True, 0),
    ("arrivals", gettext_lazy("Visitors arrived"), lambda k: k.arrivals, "", True, 0),
    ("avg_wait", gettext_lazy("Average wait"), _wait, "min", False, 1),
    ("p90_wait", gettext_lazy("90% waited less than"), _p90, "min", False, 1),
    ("avg_handling", gettext_lazy("Average handling time"), _handling, "min", False, 1),
    ("no_show_rate", gettext_lazy("Did not come"), lambda k: _pct(k.no_show_rate), "%", False, 1),
    ("satisfied", gettext_lazy("Satisfied visitors"), _satisfied, "%", True, 0),
    (
        "efficiency",
        gettext_lazy("Served per open-counter hour"),
        lambda k: k.efficiency,
        "",
        True,
        1,
    ),
]


def kpi_cards(now: selectors.Kpis, before: selectors.Kpis | None) -> list[dict[str, Any]]:
    """The headline figures, rounded as shown, with the change against the compared period.
    `better` says whether the change is good news (fewer minutes of waiting is)."""
    cards = []
    for key, label, read, unit, higher_is_better, digits in KPIS:
        value = read(now)
        value = None if value is None else round(value, digits)
        prior = read(before) if before is not None else None
        prior = None if prior is None else round(prior, digits)
        change = None
        if value is not None and prior:
            change = (value - prior) / prior * 100
        better = None
        if change is not None and abs(change) >= 0.05:
            better = (change > 0) == higher_is_better
        cards.append(
            {
                "key": key,
                "label": label,
                "value": value,
                "unit": _("min") if unit == "min" else unit,
                "digits": digits,
                "prior": prior,
                "compared": before is not None,
                "change": change,
                "better": better,
            }
        )
    return cards


def report_context(report: screens.Report, *, rtl: bool, request=None) -> dict[str, Any]:
    return {
        "report": report,
        "kpis": kpi_cards(report.totals, report.totals_before),
        "rows": breakdown_rows(report, request),
        "trend": trend_chart(report, rtl=rtl),
        "heat": heatmap(report),
        "by_label": screens.BREAKDOWNS[report.by],
    }


def _crumbs(request: HttpRequest, report: screens.Report) -> list[tuple[str, str]]:
    top = _query(request, center=None, agency=None, service=None, by=None)
    crumbs = [(_("All centers"), "?" + top)]
    if report.center:
        crumbs.append(
            (report.center.name, "?" + _query(request, agency=None, service=None, by=None))
        )
    if report.agency:
        crumbs.append((report.agency.name, "?" + _query(request, service=None, by=None)))
    if report.service:
        crumbs.append((report.service.name, ""))
    return crumbs


@login_required
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """Figures of a period, by center, agency, service, channel or employee, with the trend
    and peak hours; each row drills down one level."""
    report, form = _report_from_request(request)
    context: dict[str, Any] = {
        "form": form,
        "nav": insight_links(request.user),
        "active": "reports",
        "export_query": _query(request),
        "keep": _keep(request, "center", "agency", "service", "by"),
    }
    if report is None:
        return render(request, "insights/reports.html", context, status=400)
    context.update(report_context(report, rtl=_rtl(), request=request))
    context["by_links"] = [
        (key, label, "?" + _query(request, by=key)) for key, label in screens.BREAKDOWNS.items()
    ]
    context["crumbs"] = _crumbs(request, report)
    return render(request, "insights/reports.html", context)


@login_required
@require_GET
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report as CSV, XLSX or a printable PDF with its charts: the same figures."""
    from oneroof.insights import exports

    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    report, form = _report_from_request(request)
    if report is None:
        return HttpResponse(
            "\n".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if fmt == "csv":
        body, content_type = exports.to_csv(report), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = exports.to_xlsx(report, rtl=_rtl())
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        try:
            body, content_type = exports.to_pdf(report, request=request), "application/pdf"
        except OSError:  # WeasyPrint loads Pango from the system at its first use
            logger.exception("PDF export failed: is Pango installed?")
            return HttpResponse(
                _("Printable reports are not available on this server; use CSV or XLSX."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(report)}.{fmt}"'
    return response


# --- the command center ----------------------------------------------------------------------


def pin_radius(waiting: int) -> float:
    """A center's dot grows with the visitors waiting there, up to three times its size."""
    return round(5 + min(waiting, 120) / 12, 1)


@login_required
@require_GET
def command(request: HttpRequest) -> HttpResponse:
    """Every center on a map and in a ranked grid with its live state and today's figures,
    and two periods compared center by center."""
    if not screens.may_see_command_center(request.user):
        raise PermissionDenied
    rank = request.GET.get("rank", "waiting")
    rank = rank if rank in screens.RANKINGS else "waiting"
    state = screens.centers_now(request.user, rank=rank)
    rows = {row["id"]: row for row in state["centers"]}
    the_map = center_map(list(screens.visible_centers(request.user)))
    points = [
        {
            "p": p,
            "row": rows.get(p.center.pk),
            "level": rows[p.center.pk]["level"] if p.center.pk in rows else "ok",
            "r": pin_radius(rows[p.center.pk]["waiting_now"] if p.center.pk in rows else 0),
        }
        for p in the_map.points
    ]
    form = PeriodForm(request.GET, default_kind="month")
    comparison = None
    compare_query = ""
    status = 200
    if form.is_valid():
        a = form.cleaned_data["shown_period"]
        b = form.cleaned_data["compare_period"] or a.previous()
        comparison = {"a": a, "b": b, "rows": screens.compare(request.user, a, b)}
        compare_query = urlencode(
            {**a.query(), "compare": form.cleaned_data["compare"] or "previous"}
        )
    else:
        status = 400
    config = {
        "stateUrl": reverse("insights:command-state") + "?" + urlencode({"rank": rank}),
        "pollMs": COMMAND_POLL_MS,
        "labels": {"offline": _("Reconnecting…")},
    }
    return render(
        request,
        "insights/command.html",
        {
            "state": state,
            "map": the_map,
            "points": points,
            "rank": rank,
            "rankings": screens.RANKINGS,
            "form": form,
            "comparison": comparison,
            "compare_query": compare_query,
            "keep": [("rank", rank)],
            "config": config,
            "nav": insight_links(request.user),
            "active": "command",
            "agency_view": screens.agency_scope(request.user) is not None,
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def command_state(request: HttpRequest) -> JsonResponse:
    if not screens.may_see_command_center(request.user):
        raise PermissionDenied
    return JsonResponse(screens.centers_now(request.user, rank=request.GET.get("rank", "")))


# --- employees -------------------------------------------------------------------------------


def _thresholds() -> dict[str, Any]:
    return {
        "served": selectors.MIN_SERVED,
        "peers": selectors.MIN_PEERS,
        "peer_served": selectors.MIN_PEER_SERVED,
        "slower": round((selectors.HANDLING_MARGIN - 1) * 100),
        "answers": selectors.MIN_ANSWERS,
        "points": selectors.SATISFACTION_MARGIN,
        "alpha": selectors.ALPHA,
    }


@login_required
@require_GET
def employees(request: HttpRequest) -> HttpResponse:
    """Employees' KPIs in a period: their center's staff for a supervisor, their agency's
    for an agency administrator, everyone's for those who see everything; an employee goes
    to their own page."""
    if not screens.may_see_figures(request.user):
        if not screens.may_see_employees(request.user):
            raise PermissionDenied
        url = reverse("insights:employee", args=[request.user.pk])
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{url}?{query}" if query else url)
    form = PeriodForm(request.GET)
    center = _slug_filter(request, "center", Center)
    filt = screens.figure_filter(request.user, center=center)
    context: dict[str, Any] = {
        "form": form,
        "nav": insight_links(request.user),
        "active": "employees",
        "keep": [],
    }
    if not form.is_valid():
        return render(request, "insights/employees.html", context, status=400)
    period = form.cleaned_data["shown_period"]
    rows = screens.employee_rows(filt, period)
    rows.sort(key=lambda r: not r.needs)  # those with a training need first, then most served
    context.update(
        {
            "period": period,
            "page": Paginator(rows, EMPLOYEES_PER_PAGE).get_page(request.GET.get("page")),
            "page_query": _query(request, page=None),
            "center": center,
            "centers": list(screens.visible_centers(request.user)),
            "flagged": sum(1 for r in rows if r.needs),
            "period_query": urlencode(period.query()),
            "thresholds": _thresholds(),
        }
    )
    return render(request, "insights/employees.html", context)


@login_required
@require_GET
def employee(request: HttpRequest, pk: int) -> HttpResponse:
    """One employee's KPIs: per service against the norm and their peers, day by day, and
    training needs."""
    person = screens.access_employee(request.user, pk)
    form = PeriodForm(request.GET)
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "nav": insight_links(request.user),
        "active": "employees",
        "own": person.pk == request.user.pk,
    }
    if not form.is_valid():
        return render(request, "insights/employee.html", context, status=400)
    period = form.cleaned_data["shown_period"]
    filt = screens.figure_filter(request.user, employee=person)
    rows = screens.employee_rows(filt, period)
    summary = rows[0] if rows else None
    work = summary.kpis.services if summary else []
    top = max(
        [1.0]
        + [w.handling_median_minutes or 0 for w in work]
        + [w.peer_median_minutes or 0 for w in work]
        + [float(w.norm_minutes) for w in work]
    )
    service_rows = [
        {
            "w": w,
            "mine_bar": charts.percent(w.handling_median_minutes, top),
            "peers_bar": charts.percent(w.peer_median_minutes, top),
            "norm_bar": charts.percent(w.norm_minutes, top),
            "flagged": any(n.service_id == w.service_id for n in summary.needs),
        }
        for w in work
    ]
    days = selectors.kpi_series(
        filt=filt, start=period.start, end=period.stop, granularity=period.granularity
    )
    monthly = period.monthly
    chart = charts.column_chart(
        [_when(p, monthly) for p in days],
        [p.kpis.served for p in days],
        line=[p.kpis.handling_avg_minutes for p in days],
        rtl=_rtl(),
        titles=[
            _("%(when)s — %(served)s served, average handling %(minutes)s min")
            % {
                "when": _when(p, monthly),
                "served": p.kpis.served,
                "minutes": "—"
                if p.kpis.handling_avg_minutes is None
                else p.kpis.handling_avg_minutes,
            }
            for p in days
        ],
    )
    context.update(
        {
            "period": period,
            "summary": summary,
            "k": summary.kpis.kpis if summary else None,
            "service_rows": service_rows,
            "chart": chart,
            "thresholds": _thresholds(),
        }
    )
    return render(request, "insights/employee.html", context)
