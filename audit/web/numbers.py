"""Numbers and percentages as each language writes them, in one place.

Rounding is half up (84.25 → 84.3, 92.5 → 93), as readers and spreadsheets round: Babel's
default, half to even, showed 84.2 on the dashboard beside 84.3 in the Excel workbook.

CLDR, which Babel follows: 27% in English and Latvian, 27 % in Lithuanian and Russian (a
no-break space before the sign). Figures formatted here and the literal "95 %" in the
translated sentences agree, so one paragraph never mixes the two styles.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

from babel import Locale
from flask_babel import format_decimal, format_percent, get_locale


def decimal_text(value: float | None, pattern: str = "0.0") -> str:
    """``value`` in the current language's digits, rounded half up; '–' for no value (None, or
    NaN: the spread of one visit's score showed "NaN,0" on the dashboard)."""
    if not _finite(value):
        return "–"
    with localcontext() as context:  # Babel quantizes in the current decimal context
        context.rounding = ROUND_HALF_UP
        return format_decimal(value, pattern)


def signed_text(value: float | None, pattern: str = "0.0") -> str:
    """A difference with its sign: "+4.1", "−2.0" (a true minus sign in every language, as the
    sentences write it; Babel writes a hyphen), "0.0" without a sign; "–" when there is none."""
    text = decimal_text(None if value is None else abs(value), pattern)
    if not _finite(value) or text == decimal_text(0.0, pattern):
        return text
    return ("+" if value > 0 else "\u2212") + text


def shown_difference(value: float | None, reference: float | None, decimals: int = 1) -> float | None:
    """``value − reference`` as a reader checks it: the difference of the two numbers as
    :func:`decimal_text` shows them with ``decimals`` decimals (51.7 − 76.1 = −24.4, where the
    unrounded figures give −24.45, shown as −24.5 beside them)."""
    if value is None or reference is None:
        return None
    step = Decimal(1).scaleb(-decimals)

    def shown(number: float) -> Decimal:
        return Decimal(str(number)).quantize(step, rounding=ROUND_HALF_UP)
    return float(shown(value) - shown(reference))


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def percent_pattern(locale: Locale, decimals: int = 0) -> str:
    """The locale's percent pattern with up to ``decimals`` decimals: '#,##0.#\xa0%' (lt, 1)."""
    pattern = locale.percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("0", "0." + "#" * decimals, 1)
    return pattern


def percent(fraction: float | None, decimals: int = 0) -> str:
    """``fraction`` (0–1) as a percentage in the current language; '–' for no value."""
    if not _finite(fraction):
        return "–"
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return format_percent(fraction, percent_pattern(get_locale() or Locale("en"), decimals))
