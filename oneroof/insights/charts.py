"""Geometry of the charts the insight screens draw as inline SVG on the server (no script, no
inline style: sizes are SVG attributes, colours are classes). Words never go inside an SVG:
labels and legends are HTML around it, so Arabic is shaped by the browser and by the PDF
renderer alike; inside the SVG there are only shapes, Western digits and times."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 4, 6, 8 × 10^n), whose quarters (the
    grid lines) are round too."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 6, 8, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def percent(value: float | None, top: float) -> float:
    """Share of `top` in percent (0–100) for a bar's length, one decimal."""
    if not value or top <= 0:
        return 0.0
    return round(min(max(value / top * 100, 0), 100), 1)


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    width: float
    height: float
    value: float
    title: str
    extra_class: str = ""


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    columns: list[Column]
    line_points: str  # "x,y x,y …" for the second series, empty when there is none
    dots: list[Tick]  # the second series' points, with their values as titles
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    y2_ticks: list[Tick]
    plot_top: float
    plot_bottom: float
    plot_left: float
    plot_right: float


def column_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    line: Sequence[float | None] | None = None,
    rtl: bool = False,
    width: int = 720,
    height: int = 240,
    titles: Sequence[str] | None = None,
    highlight: Sequence[bool] | None = None,
    max_x_ticks: int = 12,
) -> ColumnChart:
    """Columns (the first series) and an optional line on a second axis. In right-to-left
    pages time runs from right to left, as the text does."""
    # The columns' scale stands where lines of text start, the line's scale at the far side.
    near, far = 44.0, 44.0 if line is not None else 12.0
    left, right = (far, near) if rtl else (near, far)
    top, bottom = 10.0, 26.0
    y1_x, y1_anchor = (width - right + 6, "start") if rtl else (left - 6, "end")
    y2_x, y2_anchor = (left - 6, "end") if rtl else (width - right + 6, "start")
    plot_w = width - left - right
    plot_h = height - top - bottom
    n = max(len(values), 1)
    slot = plot_w / n
    top_value = nice_max(max(values, default=0))
    columns = []
    x_ticks = []
    every = max(1, math.ceil(n / max_x_ticks))
    for i, value in enumerate(values):
        pos = n - 1 - i if rtl else i
        x = left + pos * slot
        h = plot_h * (value / top_value) if top_value else 0
        title = titles[i] if titles else f"{labels[i]}: {value:g}"
        columns.append(
            Column(
                x=round(x + slot * 0.15, 1),
                y=round(top + plot_h - h, 1),
                width=round(max(slot * 0.7, 1), 1),
                height=round(h, 1),
                value=value,
                title=title,
                extra_class=" highlight" if highlight and highlight[i] else "",
            )
        )
        if i % every == 0:
            x_ticks.append(Tick(round(x + slot / 2, 1), height - 8, labels[i]))
    y_ticks = [
        Tick(y1_x, round(top + plot_h - plot_h * k / 4, 1), _num(top_value * k / 4), y1_anchor)
        for k in range(5)
    ]
    points = []
    dots = []
    y2_ticks = []
    if line is not None:
        line_top = nice_max(max((v for v in line if v is not None), default=0))
        for i, value in enumerate(line):
            if value is None:
                continue
            pos = n - 1 - i if rtl else i
            x = round(left + pos * slot + slot / 2, 1)
            y = round(top + plot_h - plot_h * value / line_top, 1)
            points.append(f"{x},{y}")
            dots.append(Tick(x, y, f"{labels[i]}: {value:.1f}"))
        y2_ticks = [
            Tick(y2_x, round(top + plot_h - plot_h * k / 4, 1), _num(line_top * k / 4), y2_anchor)
            for k in range(5)
        ]
    return ColumnChart(
        width=width,
        height=height,
        columns=columns,
        line_points=" ".join(points),
        dots=dots,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        y2_ticks=y2_ticks,
        plot_top=top,
        plot_bottom=top + plot_h,
        plot_left=left,
        plot_right=width - right,
    )


def _num(value: float) -> str:
    if value >= 1000:
        return f"{round(value / 1000, 2):g}k"
    return f"{round(value, 2):g}"


def day_label(day: dt.date, monthly: bool) -> str:
    """Digits only, the same in both languages: 23/11, or 11/2026 for a month."""
    return f"{day.month:02d}/{day.year}" if monthly else f"{day.day:02d}/{day.month:02d}"


HEAT_LEVELS = 7


def heat_level(value: int, top: int) -> int:
    """0 (none) … HEAT_LEVELS: the colour class of a heatmap cell."""
    if not value or top <= 0:
        return 0
    return max(1, min(HEAT_LEVELS, math.ceil(value / top * HEAT_LEVELS)))
