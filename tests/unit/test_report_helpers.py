"""Helpers of the visit and location reports: calendar months and chart labels (no app needed)."""
from __future__ import annotations

from datetime import date

import pytest

from audit.reports.charts import shorten
from audit.reports.line_charts import legend_line_chart
from audit.reports.periods import format_locale, months_before


@pytest.mark.parametrize("day, months, expected", [
    (date(2026, 10, 15), 3, date(2026, 7, 15)),
    (date(2026, 5, 31), 3, date(2026, 2, 28)),
    (date(2028, 5, 31), 3, date(2028, 2, 29)),
    (date(2026, 2, 10), 3, date(2025, 11, 10)),
    (date(2026, 1, 31), 12, date(2025, 1, 31)),
])
def test_months_before_counts_calendar_months(day, months, expected):
    assert months_before(day, months) == expected


def test_english_reports_are_formatted_the_british_way():
    assert format_locale("en") == "en_GB" and format_locale("lt") == "lt"


def test_shorten_keeps_short_labels_and_marks_cut_ones():
    assert shorten("Arrival and premises") == "Arrival and premises"
    cut = shorten("Прощание и послепродажное обслуживание")
    assert cut.endswith("…") and len(cut) < 30 and cut.startswith("Прощание")
    assert len(shorten("Atsisveikinimas ir aptarnavimas po pardavimo")) <= 30  # compared_bars cuts at 30


def test_legend_line_chart_escapes_and_draws_the_reference():
    svg = str(legend_line_chart(["1 Oct", "9 Oct"], {"<b>": [50.0, None]}, reference=("Chain", 72.4)))
    assert svg.startswith("<svg") and "&lt;b&gt;" in svg and "<b>" not in svg
    assert "stroke-dasharray" in svg and "Chain 72" in svg
    assert svg.count("<circle") == 1  # the missing value is skipped


def test_funnel_limits_outside_the_scale_are_said_not_drawn():
    """With one or two visits per branch the 95 % limits lie beyond 0–100: the chart drew none
    while its caption described them."""
    from audit.reports.chain_view import _limits_inside

    beyond = {"n": [1, 2], "lower_95": [-12.0, -1.5], "upper_95": [131.0, 108.2], "centre": 60.0}
    inside = {"n": [1, 2, 8], "lower_95": [-12.0, -1.5, 41.0], "upper_95": [131.0, 108.2, 79.0], "centre": 60.0}
    assert _limits_inside(beyond) is False and _limits_inside(inside) is True
    assert _limits_inside(None) is False and _limits_inside({"lower_95": [None], "upper_95": [None]}) is False
