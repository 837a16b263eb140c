"""Turn what a person typed (form, API, CSV) into the stored answer value of an item.

Stored values are strings: ``yes``/``no``/``na``, a whole number for scales, a decimal for
numbers, an option id, or free text. ``na`` means "not applicable" for every type that
allows it.
"""
from __future__ import annotations

import math
import re

from .model import NA, Item

MAX_TEXT_LENGTH = 5000
NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)", re.ASCII)  # 0-9 only, as the fill page reads them
#: Digits a number answer may have (leading zeros aside): a float holds 15 exactly. Longer ones were
#: stored rounded (99999999999999999 became 100000000000000000) and from 10**18 on the fill page
#: could no longer show the draft (a 500 on every opening).
MAX_DIGITS = 15


class InvalidAnswer(ValueError):
    """An answer that does not fit its item; ``item_id`` names the item."""

    def __init__(self, item_id: str, message: str) -> None:
        self.item_id = item_id
        self.message = message
        super().__init__(f"{item_id}: {message}")


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_answer(item: Item, raw) -> str | None:
    """The normalized value for ``raw``, ``None`` when nothing was answered.

    Raises :class:`InvalidAnswer` with a message a person can act on.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raw = "yes" if raw else "no"
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and text.lower() == NA and item.type != "text":
        if not item.na_allowed:
            raise InvalidAnswer(item.id, "N/A is not allowed for this item")
        return NA
    if item.type in ("yes_no", "yes_no_na"):
        value = str(text).lower()
        if value not in ("yes", "no"):
            allowed = "yes, no or na" if item.na_allowed else "yes or no"
            raise InvalidAnswer(item.id, f"answer {allowed}, not {raw!r}")
        return value
    if item.type == "scale":
        number = _to_number(item, text)
        if not number.is_integer() or not item.min <= number <= item.max:
            raise InvalidAnswer(item.id, f"answer a whole number from {item.min} to {item.max}, not {raw!r}")
        return str(int(number))
    if item.type == "number":
        number = _to_number(item, text)
        _check_range(item, number, raw)
        return format_number(number)
    if item.type == "choice":
        if item.option(str(text)) is None:
            ids = ", ".join(o.id for o in item.options)
            raise InvalidAnswer(item.id, f"unknown option {raw!r}; use one of: {ids}")
        return str(text)
    if item.type == "text":
        value = str(text)
        if len(value) > MAX_TEXT_LENGTH:
            raise InvalidAnswer(item.id, f"at most {MAX_TEXT_LENGTH} characters, not {len(value)}")
        return value
    raise InvalidAnswer(item.id, "photos are uploaded as evidence, not typed as an answer")


def _check_range(item: Item, number: float, raw) -> None:
    """A number item's answer within its range: 0 or more, and within the checklist's ``min`` and
    ``max`` where it sets them (a slip such as 500 for 5 minutes would otherwise score)."""
    if item.max is not None and not (item.min or 0) <= number <= item.max:
        low, high = format_number(item.min or 0), format_number(item.max)
        raise InvalidAnswer(item.id, f"answer a number from {low} to {high}, not {raw!r}")
    if item.min is not None and number < item.min:
        raise InvalidAnswer(item.id, f"answer a number of at least {format_number(item.min)}, not {raw!r}")
    if number < 0:
        raise InvalidAnswer(item.id, f"must not be negative, not {raw!r}")


def _to_number(item: Item, raw) -> float:
    if isinstance(raw, (int, float)):
        number = float(raw)
        if math.isfinite(number) and abs(number) >= 10 ** MAX_DIGITS:
            raise InvalidAnswer(item.id, f"at most {MAX_DIGITS} digits, not {raw!r}")
    else:
        # Russian, Lithuanian and Latvian write decimals with a comma, and group thousands with a
        # (no-break) space. Digits only: float() would also take "1e3", "inf" and "nan", which
        # nobody types for minutes waited (a slip of "1e1" was stored as 10).
        written = re.sub(r"[ \u00a0\u202f]", "", str(raw)).replace(",", ".")
        if not NUMBER.fullmatch(written):
            raise InvalidAnswer(item.id, f"must be a number, not {raw!r}")
        whole, _, fraction = written.lstrip("+-").partition(".")
        if len(whole.lstrip("0") + fraction) > MAX_DIGITS:
            raise InvalidAnswer(item.id, f"at most {MAX_DIGITS} digits, not {raw!r}")
        number = float(written)
    if not math.isfinite(number):
        raise InvalidAnswer(item.id, f"must be a finite number, not {raw!r}")
    return number
