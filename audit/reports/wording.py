"""How the reports word figures, names and lists in the current language: the small pieces the
executive summary (:mod:`.summary`, :mod:`.finding_sentences`), the dashboard and the workbook
share. Numbers are formatted by Babel for the current locale (the caller sets it)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel.lists import format_list
from flask_babel import format_date, get_locale, get_translations

from ..web.numbers import decimal_text, percent, signed_text

LISTED = 5  # names spelled out before "and N more"


#: Filters that choose some branches or visits (a period alone keeps the whole chain).
NARROWING_FILTERS = ("region", "location_format", "scenario", "location_code")


def number(value: float | None) -> str:
    """A score or a count of points, one decimal, formatted for the current locale."""
    return decimal_text(value)


def signed(value: float | None) -> str:
    """A difference in points with its sign, one decimal: "+4.1", "−2.0" (a true minus sign in
    every language), "0.0" without a sign; "–" when there is none."""
    return signed_text(value)


def count(value: int) -> str:
    """A whole number with the locale's digit grouping: 60,113 in English, 60 113 in Lithuanian."""
    return decimal_text(value, "#,##0")


def plural(singular: str, plural: str, num: int, **variables) -> str:
    """``ngettext`` with ``%(num)s`` printed as :func:`count` (the plural form still follows ``num``)."""
    return get_translations().ngettext(singular, plural, num) % {**variables, "num": count(num)}


def day(iso: str) -> str:
    """A day of the statistics (ISO text) as the locale writes it: 15 Aug 2026, 2026-08-15 …"""
    return format_date(date.fromisoformat(iso), "medium")


def share(value: float | None) -> str:
    return percent(value)


def names(labels: Sequence[str]) -> str:
    """"A, B and C" in the current language; more than :data:`LISTED` end with "and N more"."""
    labels = list(labels)
    if len(labels) <= LISTED:
        return format_list(labels, locale=get_locale()) if labels else ""
    return plural("%(names)s and %(num)s more", "%(names)s and %(num)s more",
                    len(labels) - LISTED, names=", ".join(labels[:LISTED]))


def location_label(record: dict) -> str:
    return f"{record['name']} ({record['code']})"


def narrowed(stats: dict) -> bool:
    """Whether a filter other than the period chose some of the chain's branches or visits: the
    mean and the control limits are then those of the chosen visits, not the chain's."""
    return any((stats.get("filters") or {}).get(k) for k in NARROWING_FILTERS)


def interval(low: float | None, high: float | None) -> str | None:
    """A 95% interval, clipped to the 0–100 scale the scores live on (None when there is none)."""
    if low is None or high is None:
        return None
    return f"{number(max(low, 0.0))}–{number(min(high, 100.0))}"
