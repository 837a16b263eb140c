"""The dashboard's period presets: whole calendar months and quarters before today's month."""
from __future__ import annotations

from datetime import date

from audit.reports.periods import preset_periods


def test_presets_on_the_first_of_december():
    assert preset_periods(date(2026, 12, 1)) == [
        ("last_month", date(2026, 11, 1), date(2026, 11, 30)),
        ("last_quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("last_12_months", date(2025, 12, 1), date(2026, 11, 30)),
        ("this_year", date(2026, 1, 1), date(2026, 12, 1)),
    ]


def test_presets_in_january_reach_into_last_year():
    assert preset_periods(date(2027, 1, 15)) == [
        ("last_month", date(2026, 12, 1), date(2026, 12, 31)),
        ("last_quarter", date(2026, 10, 1), date(2026, 12, 31)),
        ("last_12_months", date(2026, 1, 1), date(2026, 12, 31)),
        ("this_year", date(2027, 1, 1), date(2027, 1, 15)),
    ]
    assert preset_periods(date(2026, 3, 31))[0] == ("last_month", date(2026, 2, 1), date(2026, 2, 28))
