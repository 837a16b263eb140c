"""The cells of an imported CSV file as people type them: dotted dates, answers in the app's
four languages, and the names that count as the same (no app, no database)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from audit.checklist.model import Item, Option, Text
from audit.services.import_values import ANSWER_WORDS, answer_value, name_key, visited_at

TRANSLATIONS = Path(__file__).resolve().parents[2] / "audit" / "translations"
VILNIUS = ZoneInfo("Europe/Vilnius")


def test_the_answer_words_are_the_labels_of_the_apps_buttons():
    """The words accepted are exactly the app's own "Yes", "No" and "N/A" in its four
    languages (and "na"): a changed translation must change the import too."""
    labels = {"yes": {"yes"}, "no": {"no"}, "na": {"n/a", "na"}}
    for lang in ("lt", "lv", "ru"):
        with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
            catalog = read_po(f, locale=lang)
        for value, msgid in (("yes", "Yes"), ("no", "No"), ("na", "N/A")):
            labels[value].add(catalog[msgid].string.casefold())
    assert {value: set(words) for value, words in ANSWER_WORDS.items()} == labels


YES_NO_NA = Item(id="greeted", text=Text("Greeted?"), type="yes_no_na", allow_na=True)
CHOICE = Item(id="advice", text=Text("Advice"), type="choice",
              options=(Option(id="ne", label=Text("Not at all"), score=0),))
TEXT = Item(id="note", text=Text("Note"), type="text", required=False)


@pytest.mark.parametrize("item, raw, value", [
    (YES_NO_NA, " Jā ", "yes"), (YES_NO_NA, "NĒ", "no"), (YES_NO_NA, "Taip", "yes"), (YES_NO_NA, "ne", "no"),
    (YES_NO_NA, "Да", "yes"), (YES_NO_NA, "нет", "no"), (YES_NO_NA, "N/A", "na"), (YES_NO_NA, "Netaikoma", "na"),
    (YES_NO_NA, "neattiecas", "na"), (YES_NO_NA, "НЕПРИМЕНИМО", "na"),
    (YES_NO_NA, "ja", "ja"), (YES_NO_NA, "n.a.", "n.a."),  # left for the usual refusal
    (CHOICE, "ne", "ne"), (CHOICE, "N/A", "na"),  # an option id stays an option id
    (TEXT, "Nē", "Nē"), (TEXT, "N/A", "N/A"),  # free text is what was typed
])
def test_answer_words(item, raw, value):
    assert answer_value(item, raw) == value


@pytest.mark.parametrize("raw, utc", [
    ("14.03.2025", datetime(2025, 3, 14, 10, 0)),  # noon in Vilnius, EET
    ("14.03.2025 10:30", datetime(2025, 3, 14, 8, 30)),
    ("01.07.2025 00:15", datetime(2025, 6, 30, 21, 15)),  # EEST: the UTC day before
    ("1.7.2025 9:05:07", datetime(2025, 7, 1, 6, 5, 7)),
    ("2025-03-14T10:30", datetime(2025, 3, 14, 8, 30)),
    ("2025-03-14T10:30:00.5+02:00", datetime(2025, 3, 14, 8, 30)),
])
def test_dates_day_first_with_dots_and_iso(raw, utc):
    assert visited_at(raw, VILNIUS) == utc


@pytest.mark.parametrize("dotted, iso", [
    ("30.03.2025 03:30", "2025-03-30T03:30"),  # the hour the clocks skip
    ("26.10.2025 03:30", "2025-10-26T03:30"),  # the hour they repeat
    ("29.02.2024", "2024-02-29"),
])
def test_a_dotted_date_is_the_moment_of_its_iso_form(dotted, iso):
    assert visited_at(dotted, VILNIUS) == visited_at(iso, VILNIUS)


@pytest.mark.parametrize("raw, message", [
    ("31.02.2025", "'31.02.2025' is not a real date or time (day is out of range for month)"),
    ("14.13.2025", "'14.13.2025' is not a real date or time (month must be in 1..12)"),
    ("14.03.2025 24:00", "'14.03.2025 24:00' is not a real date or time (hour must be in 0..23)"),
    ("14.03.25", "'14.03.25' is not a date or date-time; write 2026-03-01, 2026-03-01T14:30, "
                 "2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30"),
    ("14/03/2025", "'14/03/2025' is not a date or date-time; write 2026-03-01, 2026-03-01T14:30, "
                   "2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30"),
    ("14.03.2025 10:30+02:00", "'14.03.2025 10:30+02:00' is not a date or date-time; write 2026-03-01, "
                               "2026-03-01T14:30, 2026-03-01T14:30+02:00, 01.03.2026 or 01.03.2026 14:30"),
])
def test_dates_that_are_not_dates(raw, message):
    with pytest.raises(ValueError) as refused:
        visited_at(raw, VILNIUS)
    assert str(refused.value) == message


@pytest.mark.parametrize("one, other", [
    ("Riga", "Rīga"), ("Siauliai", "ŠIAULIAI"), ("Skaistums  Galerija\tCentrs ", "skaistums galērija centrs"),
    ("Volta Seskine", "Volta Šeškinė"), ("Даугавпилс Центр", "даугавпилс  центр"),
])
def test_names_that_are_the_same(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize("one, other", [("RIX-01", "RIX-1"), ("Майская", "Маиская"), ("Ogre", "Ogre 2")])
def test_names_that_differ(one, other):
    assert name_key(one) != name_key(other)
