"""Percentages as each language writes them, in one place.

CLDR, which Babel follows: 27% in English and Latvian, 27 % in Lithuanian and Russian (a
no-break space before the sign). Figures formatted here and the literal "95 %" in the
translated sentences agree, so one paragraph never mixes the two styles.
"""
from __future__ import annotations

from babel import Locale
from flask_babel import format_percent, get_locale


def percent_pattern(locale: Locale, decimals: int = 0) -> str:
    """The locale's percent pattern with up to ``decimals`` decimals: '#,##0.#\xa0%' (lt, 1)."""
    pattern = locale.percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("0", "0." + "#" * decimals, 1)
    return pattern


def percent(fraction: float | None, decimals: int = 0) -> str:
    """``fraction`` (0–1) as a percentage in the current language; '–' for no value."""
    if fraction is None:
        return "–"
    return format_percent(fraction, percent_pattern(get_locale() or Locale("en"), decimals))
