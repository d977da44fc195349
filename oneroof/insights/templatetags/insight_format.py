"""How figures read on the insight screens and in their exports: Western digits, a point for
decimals, thousands grouped, and a dash where there is nothing to show."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()
DASH = "—"


@register.filter
def num(value, digits: int = 0) -> str:
    """12,345 or 8.5; a dash for nothing."""
    if value is None or value == "":
        return DASH
    return number_format(round(float(value), int(digits)), int(digits), force_grouping=True)


@register.filter
def share(value, digits: int = 0) -> str:
    """A share of one as a percentage: 0.834 → 83%."""
    if value is None or value == "":
        return DASH
    return f"{number_format(round(float(value) * 100, int(digits)), int(digits))}%"


@register.filter
def change(value) -> str:
    """A change in percent with its sign: +4.2% or −3.0%."""
    if value is None or value == "":
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number_format(abs(round(float(value), 1)), 1)}%"


@register.filter
def points(value) -> str:
    """A change in percentage points: +3 or −5."""
    if value is None or value == "":
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{number_format(abs(round(float(value))), 0)}"


@register.filter
def hours(value) -> str:
    if value is None or value == "":
        return DASH
    return number_format(round(float(value), 1), 1, force_grouping=True)
