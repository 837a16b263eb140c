"""One percent style per language: the figures Babel formats (27 % in Lithuanian and Russian,
27% in English and Latvian) and the literal "95 %" of the translated sentences agree, so a
paragraph no longer mixes "27%" and "95 %"."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po

from audit.web.numbers import percent, percent_pattern

TRANSLATIONS = Path(__file__).resolve().parents[2] / "audit" / "translations"
NBSP = "\u00a0"


def _literal_percents(text: str) -> list[str]:
    """'95 %%' and '99,8%%' in a msgstr: the digit, what stands between it and the sign."""
    return re.findall(r"\d([ \u00a0]?)%%(?!-)", text)  # "95%-й" (Russian adjective) has no space by rule


@pytest.mark.parametrize("lang", ["lt", "lv", "ru"])
def test_translated_sentences_write_percent_as_the_formatted_figures_do(lang):
    expected = NBSP if NBSP in percent_pattern(Locale(lang)) else ""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=lang)
    found = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            found += [(between, text) for between in _literal_percents(text or "")]
    assert found, "the catalogue has sentences with a literal percent sign"
    assert [text for between, text in found if between != expected] == []


@pytest.mark.parametrize(("lang", "share", "limit"), [
    ("en", "38%", "99.8%"), ("lv", "38%", "99,8%"),
    ("lt", f"38{NBSP}%", f"99,8{NBSP}%"), ("ru", f"38{NBSP}%", f"99,8{NBSP}%"),
])
def test_percent_follows_the_language(app, lang, share, limit):
    with app.test_request_context(headers={"Accept-Language": lang}):
        from flask_babel import force_locale
        with force_locale(lang):
            assert percent(0.3800001) == share
            assert percent(0.998, 1) == limit
            assert percent(0.5, 1).rstrip(f"{NBSP}%") == "50"
            assert percent(None) == "–"
