"""Reading one value of a checklist file: ids, translated texts, numbers, flags and choices,
each problem recorded with its line and field path instead of stopping at the first. The
structure (sections, items, options, bands, show_if) is read by :mod:`.reader` on top of this."""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from .model import LANGUAGES, Item, Text
from .yaml_lines import line_of

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_ID_HINT = "use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit"


@dataclass(frozen=True)
class ChecklistProblem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class FieldReader:
    """Walks the parsed data, collecting problems instead of stopping at the first."""

    def __init__(self, filename: str, authoring: bool = False) -> None:
        self.filename = filename
        # Rules for files being written; definitions stored before a rule existed still read.
        self.authoring = authoring
        self.problems: list[ChecklistProblem] = []
        self.item_lines: dict[str, int | None] = {}
        self.items_so_far: dict[str, Item] = {}
        self.all_item_ids: set = set()

    def problem(self, container, key, path: str, message: str) -> None:
        self.problems.append(ChecklistProblem(self.filename, line_of(container, key), path, message))

    def mapping(self, value, container, key, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.problem(container, key, path, f"must be a mapping (key: value), not {_kind(value)}")
            return None
        return value

    def keys(self, data: dict, path: str, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        allowed = required + optional
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else f" (allowed: {', '.join(allowed)})"
                self.problem(data, key, _join(path, key), f"unknown key{hint}")
        for key in required:
            if key not in data:
                self.problem(data, None, _join(path, key), "is required")

    def empty(self, data: dict, key: str, path: str) -> None:
        """``key:`` written with nothing after it: said, not skipped (a blank id or text once made
        the whole question, section or option vanish from a checklist that loaded fine)."""
        if key in data:
            self.problem(data, key, _join(path, key), "is empty; write its value after the colon")

    def ident(self, data: dict, key: str, path: str) -> str | None:
        value = data.get(key)
        if value is None:
            self.empty(data, key, path)
            return None
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(data, key, _join(path, key), f"'{value}' is not a valid id: {_ID_HINT}")
            return None
        return value

    def text(self, data: dict, key: str, path: str) -> Text | None:
        value = data.get(key)
        if value is None:
            self.empty(data, key, path)
            return None
        full = _join(path, key)
        if isinstance(value, str):
            if not value.strip():
                self.problem(data, key, full, "must not be empty")
            return Text(en=value)
        if not self.mapping(value, data, key, full):
            return None
        texts = {}
        for lang, text in value.items():
            if lang not in LANGUAGES:
                # {en: Clean, ru: Чисто, свежо} is read as two keys: the comma split the text.
                hint = ("; a comma in a text written as {en: …, ru: …} ends it: put such texts in quotes "
                        "(ru: \"Чисто, свежо\")") if (text is None or " " in str(lang)) else ""
                self.problem(value, lang, _join(full, lang), f"unknown language; use {', '.join(LANGUAGES)}{hint}")
            elif not isinstance(text, str) or not text.strip():
                self.problem(value, lang, _join(full, lang), "must be a non-empty text")
            else:
                texts[lang] = text
        if "en" not in value:
            self.problem(value, None, _join(full, "en"), "the English text is required")
        return Text(**texts) if "en" in texts else None

    def choice_of(self, data: dict, key: str, path: str, allowed: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if value not in allowed:
            self.problem(data, key, _join(path, key), f"'{value}' is not one of: {', '.join(allowed)}")
            return default
        return value

    def weight(self, data: dict, key: str, path: str) -> float:
        value = data.get(key, 1)
        if not _is_number(value) or (self.authoring and not math.isfinite(value)):
            self.problem(data, key, _join(path, key), f"must be a number, not {_kind(value)}")
            return 1.0
        if value <= 0:
            self.problem(data, key, _join(path, key), "must be greater than 0")
            return 1.0
        return float(value)

    def score(self, data: dict, key: str, path: str) -> float:
        value = data.get(key)
        if not _is_number(value) or not 0 <= value <= 1:
            self.problem(data, key, _join(path, key), f"must be a number from 0 to 1, not {value!r}")
            return 0.0
        return float(value)

    def flag(self, data: dict, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(data, key, _join(path, key), f"must be true or false, not {_kind(value)}")
            return default
        return value


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing"
    return f"{value!r}"
