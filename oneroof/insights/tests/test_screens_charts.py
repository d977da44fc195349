"""The charts' geometry: round scales, time running right to left on Arabic pages with the
columns' scale at the start of the line, bars and heat levels within bounds."""

from __future__ import annotations

from oneroof.insights import charts


def test_scales_end_on_round_numbers_whose_quarters_are_round():
    assert [charts.nice_max(v) for v in (0, 3, 9, 19, 47, 380, 9000)] == [
        1.0, 4, 10, 20, 60, 400, 10000,
    ]  # fmt: skip
    chart = charts.column_chart(["a", "b"], [0, 47])
    assert [t.text for t in chart.y_ticks] == ["0", "15", "30", "45", "60"]


def test_time_runs_right_to_left_in_arabic_with_the_columns_scale_at_the_start():
    ltr = charts.column_chart(["1", "2", "3"], [1, 2, 3], line=[5.0, None, 7.0])
    rtl = charts.column_chart(["1", "2", "3"], [1, 2, 3], line=[5.0, None, 7.0], rtl=True)
    assert ltr.columns[0].x < ltr.columns[2].x
    assert rtl.columns[0].x > rtl.columns[2].x
    assert ltr.y_ticks[0].x < ltr.plot_left and ltr.y2_ticks[0].x > ltr.plot_right
    assert rtl.y_ticks[0].x > rtl.plot_right and rtl.y2_ticks[0].x < rtl.plot_left
    assert len(rtl.dots) == 2  # a day without a figure is a gap, not a zero
    tallest = max(rtl.columns, key=lambda c: c.height)
    assert tallest.y + tallest.height == rtl.plot_bottom


def test_bars_and_heat_levels_stay_within_bounds():
    assert charts.percent(None, 10) == 0 and charts.percent(5, 0) == 0
    assert charts.percent(5, 10) == 50.0 and charts.percent(20, 10) == 100
    assert [charts.heat_level(n, 70) for n in (0, 1, 35, 70)] == [0, 1, 4, charts.HEAT_LEVELS]
