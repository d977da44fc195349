"""WCAG 2.1 AA: the colour pairs the stylesheet uses for text reach 4.5:1, in the normal and
the high-contrast theme."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "oneroof" / "css" / "site.css"

# (text colour, background) pairs used for text on the pages.
PAIRS = [
    ("--ink", "--paper"),
    ("--ink", "--bg"),
    ("--muted", "--paper"),
    ("--muted", "--bg"),
    ("--brand", "--paper"),
    ("--brand", "--bg"),
    ("#FFFFFF", "--brand"),
    ("#FFFFFF", "--brand-dark"),
    ("#FFFFFF", "--ink"),
    ("--open", "--open-bg"),
    ("--closed", "--closed-bg"),
    ("--accent", "--paper"),
    ("--ink", "#FFF8DC"),
    ("--ink", "#FFF4D6"),
]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+):\s*(#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3})\b", block))


def _themes() -> dict[str, dict[str, str]]:
    css = CSS.read_text(encoding="utf-8")
    root = _variables(re.search(r":root\s*{(.*?)}", css, re.S).group(1))
    high = _variables(re.search(r"html\.high-contrast\s*{(.*?)}", css, re.S).group(1))
    return {"normal": root, "high-contrast": {**root, **high}}


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["normal", "high-contrast"])
@pytest.mark.parametrize(("fg", "bg"), PAIRS)
def test_text_colours_meet_aa(theme, fg, bg):
    colours = _themes()[theme]
    fg_hex = colours.get(fg, fg)
    bg_hex = colours.get(bg, bg)
    assert contrast(fg_hex, bg_hex) >= 4.5, (theme, fg, bg, round(contrast(fg_hex, bg_hex), 2))
