"""A report as CSV, XLSX (openpyxl) and a printable PDF with its charts (WeasyPrint, which
shapes Arabic through Pango and HarfBuzz). Every format writes the figures of the same
`screens.Report` that the reports page shows, rounded the same way."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from oneroof.insights import screens
from oneroof.insights.selectors import Kpis

Cell = str | int | float | None


def file_name(report: screens.Report) -> str:
    parts = ["report"]
    for obj in (report.center, report.agency, report.service):
        if obj is not None:
            parts.append(obj.slug)
    parts += [report.period.start.isoformat(), report.period.end.isoformat()]
    return slugify("-".join(parts)) or "report"


def _r(value: float | None, digits: int = 1) -> float | None:  # as the page rounds
    return None if value is None else round(value, digits)


def _pct(value: float | None, digits: int = 0) -> float | None:
    return None if value is None else round(value * 100, digits)


def kpi_table(report: screens.Report) -> tuple[list[str], list[list[Cell]]]:
    """The headline figures as the page shows them (label, value, the compared period's
    value, unit), then the survey answers and the fees."""
    from oneroof.insights.views import kpi_cards

    t, b = report.totals, report.totals_before
    header = [_("Figure"), report.period.label, _("Unit")]
    if b is not None and report.compare_to is not None:
        header.insert(2, report.compare_to.label)
    items = [(c["label"], c["value"], c["prior"], c["unit"]) for c in kpi_cards(t, b)]
    answers = b.satisfaction.answers if b else None
    items.append((_("Survey answers"), t.satisfaction.answers, answers, ""))
    fees = round(float(b.fees), 2) if b else None
    items.append((_("Fees collected"), round(float(t.fees), 2), fees, ""))
    rows = []
    for label, value, before, unit in items:
        row: list[Cell] = [str(label), value, str(unit)]
        if b is not None:
            row.insert(2, before)
        rows.append(row)
    return header, rows


def _figures(k: Kpis) -> list[Cell]:
    return [
        k.served,
        k.arrivals,
        _r(k.wait_avg_minutes),
        _r(k.wait_p90_minutes),
        _r(k.handling_avg_minutes),
        _pct(k.no_show_rate, 1),
        _pct(k.satisfaction.satisfied_share),
        k.satisfaction.answers,
    ]


def breakdown_table(report: screens.Report) -> tuple[list[str], list[list[Cell]]]:
    by = str(screens.BREAKDOWNS[report.by])
    if report.by == "channel":
        header = [by, _("Visitors arrived"), _("Services delivered")]
        return header, [[r.label, r.arrivals, r.served] for r in report.rows]
    header = [
        by,
        _("Services delivered"),
        _("Visitors arrived"),
        _("Average wait (min)"),
        _("90% waited less than (min)"),
        _("Average handling (min)"),
        _("Did not come (%)"),
        _("Satisfied (%)"),
        _("Survey answers"),
    ]
    rows = [[r.label, *_figures(r.kpis)] for r in report.rows if r.kpis is not None]
    rows.append([_("All"), *_figures(report.totals)])
    return header, rows


def trend_table(report: screens.Report) -> tuple[list[str], list[list[Cell]]]:
    header = [
        _("Month") if report.period.monthly else _("Day"),
        _("Services delivered"),
        _("Visitors arrived"),
        _("Average wait (min)"),
        _("Satisfied (%)"),
    ]
    rows = [
        [
            p.start.strftime("%Y-%m") if report.period.monthly else p.start.isoformat(),
            p.kpis.served,
            p.kpis.arrivals,
            _r(p.kpis.wait_avg_minutes),
            _pct(p.kpis.satisfaction.satisfied_share),
        ]
        for p in report.trend
    ]
    return header, rows


def heat_table(report: screens.Report) -> tuple[list[str], list[list[Cell]]]:
    from oneroof.insights.views import WEEKDAYS

    header = [_("Weekday"), *[f"{h:02d}" for h in range(24)]]
    rows = [[str(WEEKDAYS[d]), *[report.heat.get((d, h), 0) for h in range(24)]] for d in range(7)]
    return header, rows


def _about(report: screens.Report) -> list[list[Cell]]:
    rows: list[list[Cell]] = [
        [_("Report"), report.title],
        [_("Period"), report.period.label],
    ]
    if report.compare_to is not None:
        rows.append([_("Compared with"), report.compare_to.label])
    rows.append([_("Generated"), date_format(timezone.localtime(), "j F Y H:i")])
    return rows


def sections(report: screens.Report) -> list[tuple[str, list[str], list[list[Cell]]]]:
    return [
        (_("Key figures"), *kpi_table(report)),
        (
            _("By %(by)s") % {"by": str(screens.BREAKDOWNS[report.by]).lower()},
            *breakdown_table(report),
        ),
        (_("Month by month") if report.period.monthly else _("Day by day"), *trend_table(report)),
        (_("Peak hours"), *heat_table(report)),
    ]


def to_csv(report: screens.Report) -> bytes:
    """One file with the report's sections one after another; UTF-8 with a byte-order mark
    so that spreadsheet programs read Arabic correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _about(report):
        writer.writerow(row)
    for title, header, rows in sections(report):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows([["" if c is None else c for c in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: screens.Report, *, rtl: bool = False) -> bytes:
    """A workbook with one sheet per section; right to left for Arabic."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E2F0EC")
    first = True
    names = [_("Key figures"), _("Breakdown"), _("Trend"), _("Peak hours")]
    for name, (title, header, rows) in zip(names, sections(report), strict=True):
        sheet = book.active if first else book.create_sheet()
        sheet.title = name[:31]
        sheet.sheet_view.rightToLeft = rtl
        start = 1
        if first:
            for about in _about(report):
                sheet.append(about)
                sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append([])
            start = sheet.max_row + 1
        first = False
        sheet.append([title])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            sheet.append(row)
        widths = [max(len(str(c or "")) for c in col) for col in zip(header, *rows, strict=False)]
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 48)
        sheet.freeze_panes = sheet.cell(row=start + 2, column=2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def _font_dir() -> Path:
    import fontpkg_ibm_plex_sans_arabic as font

    return Path(font.__file__).resolve().parent / "files"


def _font_css() -> str:
    files = _font_dir()
    faces = [(400, "Regular"), (600, "SemiBold"), (700, "Bold")]
    return "\n".join(
        f'@font-face {{ font-family: "Plex Arabic"; font-weight: {w}; '
        f'src: url("{(files / f"IBMPlexSansArabic-{name}.ttf").as_uri()}"); }}'
        for w, name in faces
    )


def _stylesheet(name: str) -> Path:
    from django.contrib.staticfiles import finders

    found = finders.find(f"oneroof/css/{name}")
    if not found:
        raise FileNotFoundError(name)
    return Path(found)


def _fetcher() -> Any:
    """WeasyPrint may read the platform's own fonts and stylesheets, nothing else: no
    network, no other file."""
    from weasyprint.urls import URLFetcher

    allowed = (_font_dir().as_uri() + "/", _stylesheet("insights-pdf.css").parent.as_uri() + "/")

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(("data:", *allowed)):
                raise ValueError(f"refused to fetch {url}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols={"file", "data"})


def pdf_context(report: screens.Report, *, rtl: bool) -> dict[str, Any]:
    from oneroof.insights import views

    context = views.report_context(report, rtl=rtl)
    context["trend"] = views.trend_chart(report, rtl=rtl, width=760)
    context["kpi_rows"] = kpi_table(report)
    context["about"] = _about(report)
    context["LANG"], context["DIR"] = ("ar", "rtl") if rtl else ("en", "ltr")
    for row in context["rows"]:
        row["bar_x"] = round(100 - row["bar"], 1) if rtl else 0
    return context


def to_pdf(report: screens.Report, *, request: HttpRequest | None = None) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    rtl = (get_language() or "ar").startswith("ar")
    html = render_to_string("insights/report_pdf.html", pdf_context(report, rtl=rtl), request)
    fonts = FontConfiguration()
    sheet = _stylesheet("insights-pdf.css")
    fetcher = _fetcher()
    document = HTML(string=html, base_url=sheet.parent.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[
            CSS(string=_font_css(), font_config=fonts, url_fetcher=fetcher),
            CSS(filename=str(sheet), font_config=fonts, url_fetcher=fetcher),
        ],
        font_config=fonts,
    )
