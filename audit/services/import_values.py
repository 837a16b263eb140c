"""What the cells of an imported CSV file mean, as people type them (no Flask, no database).

Spreadsheets in Latvia, Lithuania and Russia write dates as ``01.03.2026`` and people answer
in their own language, so besides ISO 8601 dates and ``yes``/``no``/``na`` the import takes
``DD.MM.YYYY [HH:MM]`` and the app's own answer labels in its four languages. Names of
regions and branches are compared by :func:`name_key`, which sees through the typos that
made duplicates (``Riga`` for ``Rīga``, a doubled space, another case).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..checklist.model import NA, Item
from ..times import stored_utc

DATE_ONLY_TIME = time(12, 0)  # a date alone is noon local time: the day survives the UTC shift
#: ``DD.MM.YYYY``, optionally with ``HH:MM`` or ``HH:MM:SS``: day first, as Excel writes dates
#: in Latvian, Lithuanian and Russian settings. Dots only: ``03/04/2025`` stays ambiguous.
DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")

#: The answer labels of the app's buttons (msgids "Yes", "No", "N/A" and their lv, lt and ru
#: translations in audit/translations; tests/unit/test_import_values.py keeps them in step),
#: plus "na", the API's own word. Compared case-blind.
ANSWER_WORDS = {
    "yes": ("yes", "jā", "taip", "да"),
    "no": ("no", "nē", "ne", "нет"),
    NA: ("na", "n/a", "neattiecas", "netaikoma", "неприменимо"),
}
_ANSWERS = {word: value for value, words in ANSWER_WORDS.items() for word in words}


def visited_at(raw: str, zone: ZoneInfo) -> datetime:
    """Naive UTC from an ISO 8601 date or date-time, or ``DD.MM.YYYY [HH:MM[:SS]]``; without an
    offset the time is local time in ``zone``, and a date alone is noon local time."""
    dotted = DOTTED.fullmatch(raw)
    try:
        if dotted:
            day, month, year, hour, minute, second = dotted.groups()
            clock = (int(hour), int(minute), int(second or 0)) if hour else (DATE_ONLY_TIME.hour, 0, 0)
            moment = datetime(int(year), int(month), int(day), *clock)
        else:
            try:
                moment = datetime.combine(date.fromisoformat(raw), DATE_ONLY_TIME)
            except ValueError:
                moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        if dotted:  # e.g. 31.02.2025: "day is out of range for month"
            raise ValueError(f"'{raw}' is not a real date or time ({exc})") from None
        raise ValueError(f"'{raw}' is not a date or date-time; write 2026-03-01, 2026-03-01T14:30, "
                         "2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return stored_utc(moment).replace(microsecond=0)  # as the API stores it: whole seconds


def calendar_date(raw: str) -> date:
    """A day written ``2026-12-01`` or ``01.12.2026`` (as Excel writes it in Latvian, Lithuanian
    and Russian settings); ValueError otherwise."""
    dotted = DOTTED.fullmatch(raw)
    if dotted and dotted.group(4) is None:
        day, month, year = (int(part) for part in dotted.groups()[:3])
        return date(year, month, day)
    return date.fromisoformat(raw)


def answer_value(item: Item, raw: str) -> str:
    """``raw`` as the API's word (``yes``, ``no``, ``na``) when it is one of the app's answer
    labels that ``item`` could take; anything else unchanged, for the usual checks."""
    value = _ANSWERS.get(raw.strip().casefold())
    if value is None or item.type == "text":
        return raw  # free text is what was typed, even "Nē"
    if value != NA and item.type not in ("yes_no", "yes_no_na"):
        return raw  # "ne" may be an option id of a choice item
    return value


def accepted_words(item: Item) -> str:
    """For a refused yes/no answer: the words besides the API's that the import reads ("ja" was
    refused with "answer yes or no", which did not say that "Jā" would do)."""
    if item.type not in ("yes_no", "yes_no_na"):
        return ""
    values = ("yes", "no", NA) if item.type == "yes_no_na" else ("yes", "no")
    return "; also accepted: " + "; ".join(f"{', '.join(ANSWER_WORDS[v][1:])} ({v})" for v in values)


def name_key(name: str) -> str:
    """``name`` as compared for sameness: case-blind, accents on Latin letters dropped
    (ā→a, š→s, ė→e), runs of white space as one space. Cyrillic letters are kept whole
    (й is not и)."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", name):
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).casefold().split())
