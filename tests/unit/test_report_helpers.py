"""Helpers of the visit and location reports: calendar months and chart labels (no app needed)."""
from __future__ import annotations

from datetime import date

import pytest

from audit.reports.charts import legend_line_chart, shorten
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
