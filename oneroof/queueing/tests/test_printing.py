"""Paper tickets on ESC/POS thermal printers: Arabic shaped into an image, a QR code, a cut;
a printer that fails never takes the ticket with it."""

import logging
import socket

import pytest
from escpos.printer import Dummy

from oneroof.catalog.models import Service
from oneroof.queueing import actions, printing
from oneroof.queueing.selectors import ticket_view

RASTER_IMAGE = b"\x1dv0"  # GS v 0: print raster bit image
CUT = b"\x1dV"  # GS V: cut the paper


def _presentation_forms(text: str) -> list[str]:
    return [c for c in text if 0xFE70 <= ord(c) <= 0xFEFF]


def _black_pixels(image) -> int:
    return image.histogram()[0]


@pytest.fixture
def ticket(always_open):
    return actions.ticket_issue(
        center=always_open,
        service=Service.objects.get(slug="passport-renewal"),
        priority_reason="elderly",
    )


def test_arabic_is_shaped_into_joined_presentation_forms_in_visual_order():
    shaped = printing.shape("تذكرة")

    assert len(_presentation_forms(shaped)) == 5
    # Drawn left to right, the last letter of the word comes first.
    assert shaped[0] == "\ufe93"  # TEH MARBUTA, final form
    assert shaped[-1] == "\ufe97"  # TEH, initial form


def test_latin_text_and_numbers_are_left_as_they_are():
    assert printing.shape("A001 12:30") == "A001 12:30"


def test_shaped_arabic_is_drawn_as_a_monochrome_image_with_black_pixels():
    image = printing.render_text_image([("تذكرة", 48, "Bold")])

    assert image.mode == "1"
    assert image.width == printing.PAPER_DOTS
    assert _black_pixels(image) > 100


def test_a_long_service_name_wraps_inside_the_paper():
    words = "إصدار بدل فاقد أو تالف للبطاقة الشخصية للمواطنين والمقيمين " * 3
    one_row = printing.render_text_image([("تذكرة", 28, "Regular")])
    wrapped = printing.render_text_image([(words, 28, "Regular")])

    assert wrapped.height > 2 * one_row.height


def test_ticket_image_fits_an_80mm_roll_and_says_the_number(ticket):
    rows = printing.ticket_rows(ticket_view(ticket))
    image = printing.render_ticket_image(ticket)

    assert ("A001", 120, "Bold") in rows
    assert any("مجمع الخدمات الحكومية" in text for text, _size, _weight in rows)
    assert image.width == printing.PAPER_DOTS
    assert _black_pixels(image) > 1000


def test_ticket_printed_on_the_dummy_printer_has_an_image_a_qr_code_and_a_cut(ticket):
    printer = Dummy(profile=printing.PRINTER_PROFILE)

    assert printing.print_ticket(ticket, printer=printer) is True

    output = printer.output
    assert output.count(RASTER_IMAGE) >= 2  # the ticket and the QR code
    assert output.rstrip(b"\x00").find(CUT) > output.rfind(RASTER_IMAGE)


def test_browser_printing_prints_nothing_on_the_server(ticket, settings):
    settings.ONEROOF_TICKET_PRINTER = "browser"

    assert printing.print_ticket(ticket) is False


def test_escpos_setting_prints_on_the_network_printer_at_the_configured_host(
    ticket, settings, monkeypatch
):
    settings.ONEROOF_TICKET_PRINTER = "escpos"
    settings.ONEROOF_TICKET_PRINTER_HOST = "192.0.2.10:9101"
    opened = []

    class FakeNetwork(Dummy):
        def __init__(self, host, port, timeout, profile):
            super().__init__(profile=profile)
            opened.append((host, port))

        def open(self):
            pass

        def close(self):
            opened.append(self.output)

    monkeypatch.setattr("escpos.printer.Network", FakeNetwork)

    assert printing.print_ticket(ticket) is True
    assert opened[0] == ("192.0.2.10", 9101)
    assert RASTER_IMAGE in opened[1] and CUT in opened[1]


def test_an_unreachable_printer_is_logged_and_the_ticket_kept(ticket, settings, caplog):
    with socket.socket() as s:  # a free port with nobody listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.ONEROOF_TICKET_PRINTER = "escpos"
    settings.ONEROOF_TICKET_PRINTER_HOST = f"127.0.0.1:{port}"

    with caplog.at_level(logging.ERROR, logger="oneroof.queueing.printing"):
        assert printing.print_ticket(ticket) is False

    assert "Printing ticket A001 failed" in caplog.text
    ticket.refresh_from_db()
    assert ticket.status == "waiting"


def test_escpos_without_a_host_is_an_error_in_the_log(ticket, settings, caplog):
    settings.ONEROOF_TICKET_PRINTER = "escpos"
    settings.ONEROOF_TICKET_PRINTER_HOST = ""

    with caplog.at_level(logging.ERROR, logger="oneroof.queueing.printing"):
        assert printing.print_ticket(ticket) is False

    assert "ONEROOF_TICKET_PRINTER_HOST is empty" in caplog.text


def test_qr_code_links_to_the_ticket_page_in_the_ticket_language(ticket, settings):
    settings.SITE_URL = "https://oneroof.example.gov"

    assert printing.ticket_url(ticket) == f"https://oneroof.example.gov/t/{ticket.public_id}/"
    ticket.lang = "en"
    assert printing.ticket_url(ticket) == f"https://oneroof.example.gov/en/t/{ticket.public_id}/"
