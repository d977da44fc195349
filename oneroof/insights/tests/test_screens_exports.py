"""A report's CSV, XLSX and PDF hold the figures the page shows, in the page's language (the
PDF with Arabic shaped by WeasyPrint and the platform's font)."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from django.utils.translation import gettext

from oneroof.insights.tests.screens_world import make_world

pytestmark = pytest.mark.django_db
QUERY = "?period=day&center=al-rayyan"


def shown(client, prefix: str = "/en") -> dict:
    response = client.get(f"{prefix}/staff/insights/reports/{QUERY}")
    return {k["key"]: k["value"] for k in response.context["kpis"]}


def test_the_csv_holds_the_figures_shown(as_persona):
    make_world()
    client = as_persona("supervisor_a")
    figures = shown(client)
    response = client.get(f"/en/staff/insights/reports/export.csv{QUERY}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert f"Services delivered,{figures['served']}," in text
    assert f"Average wait,{figures['avg_wait']},min" in text
    assert "Al Rayyan Government Services Complex" in text


def test_the_xlsx_holds_the_figures_shown_right_to_left_in_arabic(as_persona):
    from openpyxl import load_workbook

    make_world()
    client = as_persona("supervisor_a")
    figures = shown(client, "")
    response = client.get(f"/staff/insights/reports/export.xlsx{QUERY}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.sheet_view.rightToLeft
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    with translation.override("ar"):
        served, wait, everything = (
            gettext("Services delivered"),
            gettext("Average wait"),
            gettext("All"),
        )
        agency = gettext("Agency")
    assert values[served] == figures["served"] == 3
    assert values[wait] == figures["avg_wait"]
    breakdown = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert [agency, served] == breakdown[1][:2]
    assert any(r[0] == everything and r[1] == 3 for r in breakdown)


def test_the_pdf_prints_the_figures_with_arabic_shaped(as_persona, pango):
    from pypdf import PdfReader

    make_world()
    client = as_persona("supervisor_a")
    figures = shown(client, "")
    response = client.get(f"/staff/insights/reports/export.pdf{QUERY}")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "مجمع الخدمات الحكومية - الريان" in text  # shaped, in logical order
    assert "سقف واحد" in text
    with translation.override("ar"):
        assert gettext("Key figures") in text
    assert f"{figures['avg_wait']}" in text
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any(name.endswith("+Plex-Arabic") for name in fonts), fonts  # the platform's font


def test_a_bad_period_exports_nothing_but_says_why(as_persona):
    make_world()
    response = as_persona("decision_maker").get(
        "/en/staff/insights/reports/export.xlsx?period=custom&from=2026-05-02&to=2026-05-01"
    )
    assert response.status_code == 400
    assert response.content.decode() == "The end of the period comes before its start."
