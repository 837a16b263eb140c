"""The checklist file format guide in the admin's language: ``checklists/README.md`` and its
translations ``README.ru.md``, ``README.lt.md``, ``README.lv.md``, which must keep every key,
table row and example of the English file (a format change updates all four)."""
from __future__ import annotations

import re
import shutil

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape

from audit import PROJECT_ROOT
from tests.conftest import csrf_token, login

GUIDES = PROJECT_ROOT / "checklists"
TRANSLATIONS = ("ru", "lt", "lv")
HEADINGS = {"en": "Checklist definition format", "ru": "Формат описания чек-листа",
            "lt": "Klausimyno aprašo formatas", "lv": "Kontrolsaraksta apraksta formāts"}
ENGLISH_NOTE = "The reference for writing checklist files, in English, as in the repository (checklists/README.md)."
TRANSLATION_NOTE = ("The reference for writing checklist files is the English file checklists/README.md in the "
                    "repository; this is its translation.")
HIDDEN_START, HIDDEN_END = "<!-- not on the web page -->", "<!-- /not on the web page -->"
FENCED = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)


def guide(lang: str) -> str:
    return (GUIDES / ("README.md" if lang == "en" else f"README.{lang}.md")).read_text(encoding="utf-8")


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def without_comments(block: str) -> list[str]:
    """A code block's lines without their ``#`` comments, which translations translate."""
    return [re.sub(r"\s*#.*$", "", line) for line in block.splitlines()]


@pytest.fixture
def admin_client(client, make_user):
    login(client, make_user("admin").email)
    return client


def in_language(client, lang: str):
    client.post("/language", data={"lang": lang, "next": "/",
                                   "csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    return client.get("/checklist-files/format").get_data(as_text=True)


def note(app, lang: str, message: str) -> str:
    """The page's note as the message catalogue of ``lang`` has it (English until translated)."""
    with app.test_request_context(), force_locale(lang):
        return str(escape(gettext(message)))


@pytest.mark.parametrize("lang", ["en", *TRANSLATIONS])
def test_the_format_guide_is_shown_in_the_admin_s_language(app, admin_client, lang):
    page = in_language(admin_client, lang)
    assert f"<h1>{HEADINGS[lang]}</h1>" in page
    assert f'<article class="card format-guide" lang="{lang}">' in page
    assert "<code>critical_policy</code>" in page and "<code>show_if</code>" in page
    shown, not_shown = (ENGLISH_NOTE, TRANSLATION_NOTE) if lang == "en" else (TRANSLATION_NOTE, ENGLISH_NOTE)
    assert note(app, lang, shown) in page and note(app, lang, not_shown) not in page


def test_a_language_without_its_translation_gets_the_english_guide(app, admin_client, monkeypatch, tmp_path):
    (tmp_path / "checklists").mkdir()
    shutil.copy(GUIDES / "README.md", tmp_path / "checklists" / "README.md")
    monkeypatch.setattr("audit.web.checklist_files.PROJECT_ROOT", tmp_path)
    page = in_language(admin_client, "lv")
    assert f"<h1>{HEADINGS['en']}</h1>" in page and '<article class="card format-guide" lang="en">' in page
    assert note(app, "lv", ENGLISH_NOTE) in page  # "in English", said in Latvian


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_a_translation_keeps_every_key_and_table_row_of_the_english_guide(lang):
    english, translated = guide("en"), guide(lang)
    tokens = {token for row in table_rows(english) for token in re.findall(r"`([^`\n]+)`", row)}
    assert {"bands", "unit", "show_if", "min", "yes_no", "critical_policy"} <= tokens
    missing = sorted(token for token in tokens if f"`{token}`" not in translated)
    assert not missing, f"README.{lang}.md lacks {missing}"
    assert len(table_rows(translated)) == len(table_rows(english))


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_a_translation_has_the_english_examples_with_only_their_comments_translated(lang):
    english, translated = FENCED.findall(guide("en")), FENCED.findall(guide(lang))
    assert len(english) == 3 and len(translated) == len(english)
    for ours, theirs in zip(english, translated):
        assert without_comments(theirs) == without_comments(ours)


@pytest.mark.parametrize("lang", ["en", *TRANSLATIONS])
def test_the_page_leaves_out_the_notes_for_developers(admin_client, lang):
    """A chain admin reads how to write a checklist, not how the repository tests its translations
    or what ``make run`` does; the bullet that held ``make run`` still says how to go back."""
    page = in_language(admin_client, lang)
    assert "tests/" not in page and "make run" not in page
    assert "README.ru.md" not in page
    assert "<code>audit load-checklists --take-back FILE</code>" in page


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_a_translation_leaves_out_the_same_developer_notes_as_the_english_guide(lang):
    english, translated = guide("en"), guide(lang)
    for marker in (HIDDEN_START, HIDDEN_END):
        assert translated.count(marker) == english.count(marker) == 2, (lang, marker)
