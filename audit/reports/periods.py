"""Report periods in calendar months, and the locale reports format dates and numbers in."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from ..config import format_locale  # noqa: F401  (the reports' import of it)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (31 May − 3 months = 28/29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_up_to(day: date, months: int) -> date:
    """The first day of the ``months`` calendar months that end with ``day`` (3 months up to
    30 November begin on 31 August): one rule for every "last 3 months" of the reports."""
    return months_before(day, months) + timedelta(days=1)


def month_index(month: str) -> int:
    """A "YYYY-MM" month as a count of months (2026-01 is one more than 2025-12): the x of a
    trend chart's point, so that months without visits keep their space."""
    year, number = (int(part) for part in month.split("-"))
    return year * 12 + number - 1




def preset_periods(today: date) -> list[tuple[str, date, date]]:
    """The periods head office reviews, as ``(name, first day, last day)`` before ``today``'s
    month: the last full month, the last full quarter, the 12 full months before this one, and
    this year up to today."""
    this_month = today.replace(day=1)
    last_month_end = this_month - timedelta(days=1)
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter_end = quarter_start - timedelta(days=1)
    last_quarter_start = date(last_quarter_end.year, last_quarter_end.month - 2, 1)
    return [
        ("last_month", last_month_end.replace(day=1), last_month_end),
        ("last_quarter", last_quarter_start, last_quarter_end),
        ("last_12_months", months_before(this_month, 12), last_month_end),
        ("this_year", date(today.year, 1, 1), today),
    ]
