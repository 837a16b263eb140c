"""Report periods in calendar months, and the locale reports format dates and numbers in."""
from __future__ import annotations

import calendar
from datetime import date, timedelta

# As the pages do (audit.web.i18n): English is formatted the British way, day first.
FORMAT_LOCALES = {"en": "en_GB"}


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


def format_locale(lang: str) -> str:
    """The Babel locale for report language ``lang`` (en → en_GB)."""
    return FORMAT_LOCALES.get(lang, lang)

