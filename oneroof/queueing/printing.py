"""Paper tickets: the link a ticket's QR code carries, and printing on networked ESC/POS
thermal printers.

Kiosks print either through the browser (the 80 mm page `/t/<id>/print/`, the default) or,
with ONEROOF_TICKET_PRINTER=escpos, from the server to the printer at
ONEROOF_TICKET_PRINTER_HOST ("host" or "host:port", port 9100 by default).

Thermal printers have no Arabic fonts of their own and cannot join letters, so the ticket is
drawn as a black-and-white image with IBM Plex Sans Arabic. Arabic is shaped first
(arabic_reshaper turns letters into their joined presentation forms) and put in visual order
(python-bidi), because the printer prints the image's pixels exactly as they are."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import arabic_reshaper
from bidi import get_display  # python-bidi >= 0.5; `bidi.algorithm` is the old module
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from oneroof.queueing.models import Ticket
from oneroof.queueing.selectors import TicketView, ticket_view

logger = logging.getLogger(__name__)

# 512 dots is 72 mm at 180 dpi (Epson TM-T88) and 64 mm at 203 dpi: it fits every 80 mm roll.
PAPER_DOTS = 512
MARGIN = 16
PRINTER_PROFILE = "TM-T88V"
DEFAULT_PORT = 9100


def _site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def ticket_url(ticket: Ticket) -> str:
    """The absolute address of the ticket page, in the language the ticket was taken in."""
    with translation.override(ticket.lang or "ar"):
        path = reverse("queueing:ticket", kwargs={"public_id": ticket.public_id})
    return _site_url() + path


# --- drawing ---------------------------------------------------------------------------------


@cache
def _font(size: int, weight: str = "Regular") -> ImageFont.FreeTypeFont:
    import fontpkg_ibm_plex_sans_arabic

    folder = Path(fontpkg_ibm_plex_sans_arabic.__file__).parent / "files"
    # BASIC layout: the text arrives shaped and in visual order; a second bidi pass by
    # libraqm would reverse it again.
    return ImageFont.truetype(
        str(folder / f"IBMPlexSansArabic-{weight}.ttf"),
        size,
        layout_engine=ImageFont.Layout.BASIC,
    )


def shape(text: str) -> str:
    """Arabic letters joined (presentation forms) and the line in visual order, ready for a
    renderer that draws characters left to right, such as a thermal printer's image."""
    return get_display(arabic_reshaper.reshape(text))


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break logical text into lines that fit once shaped."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(shape(candidate)) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def render_text_image(rows: list[tuple[str, int, str]], width: int = PAPER_DOTS) -> Image.Image:
    """A monochrome image of centred rows of (text, font size, weight), each wrapped."""
    drawn: list[tuple[str, ImageFont.FreeTypeFont, int]] = []
    for text, size, weight in rows:
        font = _font(size, weight)
        for line in _wrap(text, font, width - 2 * MARGIN):
            drawn.append((shape(line), font, int(size * 1.45)))
    height = sum(step for _text, _font_, step in drawn) + 2 * MARGIN
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for line, font, step in drawn:
        x = (width - font.getlength(line)) / 2
        draw.text((x, y), line, font=font, fill=0)
        y += step
    return image.point(lambda p: 0 if p < 160 else 255, mode="1")


def ticket_rows(view: TicketView) -> list[tuple[str, int, str]]:
    """What a paper ticket says, in the ticket's language."""
    ticket = view.ticket
    local = ticket.issued_at.astimezone(ticket.center.tz)
    with translation.override(ticket.lang or "ar"):
        rows = [
            (ticket.center.name, 24, "Regular"),
            (ticket.service.agency.name, 24, "SemiBold"),
            (ticket.service.name, 28, "SemiBold"),
            (_("Your number"), 26, "Regular"),
            (ticket.number, 120, "Bold"),
        ]
        if ticket.priority_reason:
            rows.append(
                (
                    _("Priority: %(reason)s") % {"reason": ticket.get_priority_reason_display()},
                    24,
                    "SemiBold",
                )
            )
        rows += [
            (_("People ahead of you: %(n)s") % {"n": view.people_ahead}, 26, "Regular"),
            (
                _("Estimated wait: %(n)s min") % {"n": view.estimated_wait_minutes},
                26,
                "Regular",
            ),
            (local.strftime("%Y-%m-%d  %H:%M"), 24, "Regular"),
            (_("Scan to follow your turn on your phone"), 22, "Regular"),
        ]
    return rows


def render_ticket_image(ticket: Ticket) -> Image.Image:
    return render_text_image(ticket_rows(ticket_view(ticket)))


# --- printers --------------------------------------------------------------------------------


def write_ticket(printer: Any, ticket: Ticket) -> None:
    """Send one ticket to an python-escpos printer: the image, the QR code, a cut."""
    printer.image(render_ticket_image(ticket), center=True)
    printer.qr(ticket_url(ticket), size=7, center=True)
    printer.cut()


class EscposNetworkPrinter:
    """A thermal printer on the network speaking ESC/POS on a raw TCP port (9100)."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, timeout: float = 5) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    @classmethod
    def from_setting(cls, value: str) -> EscposNetworkPrinter:
        host, _sep, port = value.strip().partition(":")
        return cls(host, int(port) if port else DEFAULT_PORT)

    def print_ticket(self, ticket: Ticket) -> None:
        from escpos.printer import Network

        printer = Network(self.host, port=self.port, timeout=self.timeout, profile=PRINTER_PROFILE)
        printer.open()
        try:
            write_ticket(printer, ticket)
        finally:
            printer.close()


def dummy_printer() -> Any:
    """An ESC/POS printer that keeps the bytes in memory (`.output`), for tests."""
    from escpos.printer import Dummy

    return Dummy(profile=PRINTER_PROFILE)


def print_ticket(ticket: Ticket, printer: Any = None) -> bool:
    """Print a ticket on `printer` (a python-escpos printer) or on the configured one.

    ONEROOF_TICKET_PRINTER "browser" prints nothing here: the kiosk prints its page. Never
    raises: a jammed or unplugged printer is logged, the ticket stays valid (its number is
    on the kiosk screen). Returns whether something was printed."""
    try:
        if printer is not None:
            write_ticket(printer, ticket)
            return True
        if settings.ONEROOF_TICKET_PRINTER != "escpos":
            return False
        host = settings.ONEROOF_TICKET_PRINTER_HOST
        if not host:
            logger.error(
                "ONEROOF_TICKET_PRINTER is escpos but ONEROOF_TICKET_PRINTER_HOST is empty"
            )
            return False
        EscposNetworkPrinter.from_setting(host).print_ticket(ticket)
        return True
    except Exception:
        logger.exception("Printing ticket %s failed", ticket.number)
        return False
