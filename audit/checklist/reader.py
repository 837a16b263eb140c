"""The field-by-field reader behind :mod:`audit.checklist.loader`.

It walks parsed (line-annotated) data, records every problem with its line and field path
instead of stopping at the first, and builds the frozen dataclasses when all is well.
"""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from .model import (
    CHANNELS, CRITICAL_POLICIES, ITEM_TYPES, LANGUAGES, NA, PRINCIPLES, SCORED_TYPES,
    Band, Checklist, Item, Option, Section, ShowIf, Text,
)
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


class Reader:
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

    def checklist(self, data) -> Checklist | None:
        if data is None:
            self.problems.append(ChecklistProblem(self.filename, None, "", "the file is empty"))
            return None
        if not self.mapping(data, None, None, "checklist"):
            return None
        self.keys(data, "", ("id", "title", "channel", "sections"), ("description", "critical_policy"))
        self.all_item_ids = _all_item_ids(data)
        ident = self.ident(data, "id", "")
        title = self.text(data, "title", "")
        description = self.text(data, "description", "")
        channel = self.choice_of(data, "channel", "", CHANNELS, "in_person") if "channel" in data else None
        policy = self.choice_of(data, "critical_policy", "", CRITICAL_POLICIES, "zero")
        sections = self.sections(data)
        if self.problems or not (ident and title and channel and sections):
            return None
        return Checklist(id=ident, title=title, channel=channel, sections=sections,
                         critical_policy=policy, description=description)

    def sections(self, data: dict) -> tuple[Section, ...]:
        raw = data.get("sections")
        if raw is None:
            self.empty(data, "sections", "")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(data, "sections", "sections", "must be a non-empty list of sections")
            return ()
        seen: dict[str, int | None] = {}
        sections = []
        for index, entry in enumerate(raw):
            path = f"sections[{index}]"
            if not self.mapping(entry, raw, index, path):
                continue
            self.keys(entry, path, ("id", "title", "items"), ("weight",))
            ident = self.ident(entry, "id", path)
            if ident in seen:
                self.problem(entry, "id", f"{path}.id", f"duplicate section id '{ident}' (first used on line {seen[ident]})")
            elif ident:
                seen[ident] = line_of(entry, "id")
            title = self.text(entry, "title", path)
            weight = self.weight(entry, "weight", path)
            items = self.items(entry, path)
            if ident and title and items:
                sections.append(Section(id=ident, title=title, items=items, weight=weight))
        return tuple(sections)

    def items(self, section: dict, section_path: str) -> tuple[Item, ...]:
        raw = section.get("items")
        if raw is None:
            self.empty(section, "items", section_path)
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(section, "items", f"{section_path}.items", "must be a non-empty list of items")
            return ()
        items = []
        for index, entry in enumerate(raw):
            item = self.item(entry, raw, index, f"{section_path}.items[{index}]")
            if item:
                items.append(item)
        return tuple(items)

    def item(self, data, container, index: int, path: str) -> Item | None:
        if not self.mapping(data, container, index, path):
            return None
        self.keys(data, path, ("id", "text", "type"), _ITEM_OPTIONAL)
        ident = self.ident(data, "id", path)
        if ident in self.item_lines:
            self.problem(data, "id", f"{path}.id", f"duplicate item id '{ident}' (first used on line {self.item_lines[ident]})")
            ident = None
        elif ident:
            self.item_lines[ident] = line_of(data, "id")
        kind = data.get("type")
        if "type" in data and kind not in ITEM_TYPES:
            unknown = "is empty" if kind is None else f"unknown type '{kind}'"
            self.problem(data, "type", f"{path}.type", f"{unknown}; use one of: {', '.join(ITEM_TYPES)}")
            kind = None
        counts = self.flag(data, "scored", path, True)
        if "scored" in data and kind and kind not in SCORED_TYPES:
            self.problem(data, "scored", f"{path}.scored", f"'{kind}' items are never scored")
        scored = kind in SCORED_TYPES and counts
        if kind and not scored:
            reason = "which is not scored" if kind not in SCORED_TYPES else "which has scored: false"
            for key in ("weight", "critical", "principle", "comment_required_on_fail"):
                if key in data:
                    self.problem(data, key, f"{path}.{key}", f"not allowed for a '{kind}' item, {reason}")
        for key, owner in (("min", "scale"), ("max", "scale"), ("options", "choice"), ("bands", "number"), ("unit", "number")):
            if kind and key in data and kind != owner:
                self.problem(data, key, f"{path}.{key}", f"only allowed for '{owner}' items")
        principle = data.get("principle")
        if scored and principle is None:
            self.problem(data, None, f"{path}.principle", f"is required for scored items; one of: {', '.join(PRINCIPLES)}")
        elif scored and principle not in PRINCIPLES:
            self.problem(data, "principle", f"{path}.principle", f"unknown principle '{principle}'; use one of: {', '.join(PRINCIPLES)}")
        fields = dict(
            text=self.text(data, "text", path),
            guidance=self.text(data, "guidance", path),
            weight=self.weight(data, "weight", path),
            critical=self.flag(data, "critical", path, False),
            comment_required_on_fail=self.flag(data, "comment_required_on_fail", path, False),
            allow_na=self.flag(data, "allow_na", path, False),
            required=self.flag(data, "required", path, kind in SCORED_TYPES),
            show_if=self.show_if(data, path),
            unit=self.text(data, "unit", path),
        )
        if self.authoring and fields["critical"] and "required" in data and not fields["required"]:
            self.problem(data, "required", f"{path}.required",
                         "a critical item must be required: skipped, it could never fail the visit "
                         "(allow_na: true lets the auditor say it did not apply)")
        if kind == "scale":
            fields["min"], fields["max"] = self.scale_range(data, path)
        elif kind == "choice":
            fields["options"] = self.options(data, path, scored)
        elif kind == "number":
            fields["bands"] = self.bands(data, path)
        if not (ident and kind and fields["text"]):
            return None
        item = Item(id=ident, type=kind, principle=principle if scored else None, counts=counts, **fields)
        self.items_so_far[ident] = item
        return item

    def scale_range(self, data: dict, path: str) -> tuple[int | None, int | None]:
        low, high = data.get("min"), data.get("max")
        for key, value in (("min", low), ("max", high)):
            if key not in data:
                self.problem(data, None, f"{path}.{key}", "is required for 'scale' items")
            elif not isinstance(value, int) or isinstance(value, bool):
                self.problem(data, key, f"{path}.{key}", f"must be a whole number, not {value!r}")
        whole = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high))
        if whole and low >= high:
            self.problem(data, "max", f"{path}.max", f"must be greater than min ({low})")
        return (low, high) if whole and low < high else (None, None)

    def options(self, data: dict, path: str, scored: bool = True) -> tuple[Option, ...]:
        raw = data.get("options")
        if not isinstance(raw, list) or len(raw) < 2:
            self.problem(data, "options", f"{path}.options", "a 'choice' item needs a list of at least 2 options")
            return ()
        options, seen = [], set()
        for index, entry in enumerate(raw):
            opath = f"{path}.options[{index}]"
            if not self.mapping(entry, raw, index, opath):
                continue
            # An unscored choice (a gate for show_if) needs no scores on its options.
            self.keys(entry, opath, ("id", "label", "score") if scored else ("id", "label"), () if scored else ("score",))
            ident = self.ident(entry, "id", opath)
            if ident == NA:
                self.problem(entry, "id", f"{opath}.id", "'na' is reserved for 'not applicable'; choose another id")
                ident = None
            elif ident in seen:
                self.problem(entry, "id", f"{opath}.id", f"duplicate option id '{ident}'")
            label = self.text(entry, "label", opath)
            score = self.score(entry, "score", opath) if "score" in entry else 0.0
            if ident and label:
                seen.add(ident)
                options.append(Option(id=ident, label=label, score=score))
        return tuple(options)

    def bands(self, data: dict, path: str) -> tuple[Band, ...]:
        raw = data.get("bands")
        if not isinstance(raw, list) or not raw:
            self.problem(data, "bands", f"{path}.bands", "a 'number' item needs a non-empty list of bands")
            return ()
        bands: list[Band] = []
        for index, entry in enumerate(raw):
            bpath = f"{path}.bands[{index}]"
            if not self.mapping(entry, raw, index, bpath):
                continue
            self.keys(entry, bpath, ("score",), ("max",))
            score = self.score(entry, "score", bpath) if "score" in entry else 0.0
            last = index == len(raw) - 1
            upper = entry.get("max")
            if upper is None and not last:
                self.problem(entry, None, f"{bpath}.max", "is required on every band but the last")
                continue
            if upper is not None and last:
                self.problem(entry, "max", f"{bpath}.max", "the last band must have no max: it catches every larger number")
            if upper is not None and not (_is_number(upper) and (math.isfinite(upper) or not self.authoring)):
                self.problem(entry, "max", f"{bpath}.max", f"must be a number, not {upper!r}")
                continue
            previous = bands[-1].max if bands else None
            if upper is not None and previous is not None and upper <= previous:
                self.problem(entry, "max", f"{bpath}.max",
                             f"bands must be sorted by increasing max without overlap; "
                             f"{_fmt(upper)} is not above {_fmt(previous)}")
            bands.append(Band(max=None if upper is None else float(upper), score=score))
        return tuple(bands)

    def show_if(self, data: dict, path: str) -> ShowIf | None:
        if "show_if" not in data:
            return None
        spath = f"{path}.show_if"
        raw = self.mapping(data["show_if"], data, "show_if", spath)
        if raw is None:
            return None
        self.keys(raw, spath, ("item",), ("equals", "in"))
        if ("equals" in raw) == ("in" in raw):
            self.problem(raw, None, spath, "give exactly one of 'equals' or 'in'")
            return None
        target_id = raw.get("item")
        target = self.items_so_far.get(target_id)
        if target is None:
            later = target_id in self.all_item_ids
            reason = (f"refers to item '{target_id}', which does not come before this item; "
                      "show_if may only depend on earlier items") if later else f"refers to unknown item '{target_id}'"
            self.problem(raw, "item", f"{spath}.item", reason)
            return None
        values = [raw["equals"]] if "equals" in raw else raw["in"]
        if not isinstance(values, list) or not values:
            self.problem(raw, "in", f"{spath}.in", "must be a non-empty list of answers")
            return None
        allowed = _answers_of(target)
        if allowed is None:
            if target.type != "scale":  # a scale without a valid range: its min/max problem was named
                self.problem(raw, "item", f"{spath}.item", f"cannot depend on a '{target.type}' item")
            return None
        key = "equals" if "equals" in raw else "in"
        normalized = []
        for value in values:
            text = str(int(value)) if _is_number(value) and float(value).is_integer() else str(value)
            if text not in allowed:
                self.problem(raw, key, f"{spath}.{key}",
                             f"'{value}' is not an answer of item '{target_id}' ({', '.join(allowed)})")
            normalized.append(text)
        return ShowIf(item=target_id, values=tuple(normalized))


_ITEM_OPTIONAL = (
    "guidance", "weight", "critical", "principle", "show_if", "comment_required_on_fail",
    "allow_na", "required", "min", "max", "options", "bands", "unit", "scored",
)


def _answers_of(item: Item) -> tuple[str, ...] | None:
    """The answers another item's ``show_if`` may test for, as strings."""
    extra = (NA,) if item.na_allowed else ()
    if item.type in ("yes_no", "yes_no_na"):
        return ("yes", "no") + extra
    if item.type == "choice":
        return tuple(o.id for o in item.options) + extra
    if item.type == "scale" and item.min is not None and item.max is not None:
        return tuple(str(v) for v in range(item.min, item.max + 1)) + extra
    return None


def _all_item_ids(data: dict) -> set:
    """Every item id in the file, to tell a later item from an unknown one in show_if."""
    sections = data.get("sections")
    found = set()
    for section in sections if isinstance(sections, list) else ():
        items = section.get("items") if isinstance(section, dict) else None
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.add(item["id"])
    return found


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


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
