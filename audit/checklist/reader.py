"""The structure of a checklist file behind :mod:`audit.checklist.loader`: sections, items,
options, bands and show_if, read on top of :mod:`.fields` (one value at a time), every problem
recorded with its line and field path, and the frozen dataclasses built when all is well.
"""
from __future__ import annotations

import math

from .fields import ChecklistProblem, FieldReader, _is_number, _kind
from .model import (
    CHANNELS, CRITICAL_POLICIES, ITEM_TYPES, NA, PRINCIPLES, SCORED_TYPES,
    Band, Checklist, Item, Option, Section, ShowIf,
)
from .yaml_lines import line_of

__all__ = ["ChecklistProblem", "Reader"]


class Reader(FieldReader):
    """The structure of a checklist: sections, items, options, bands and show_if."""

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
        for key, owners in _TYPE_KEYS.items():
            if kind and key in data and kind not in owners:
                named = " and ".join(f"'{owner}'" for owner in owners)
                self.problem(data, key, f"{path}.{key}", f"only allowed for {named} items")
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
            fields["min"], fields["max"] = self.number_range(data, path, fields["bands"])
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

    def number_range(self, data: dict, path: str, bands: tuple[Band, ...]) -> tuple[float | None, float | None]:
        """The optional plausible range of a 'number' item, so that a slip on the tablet (500 for
        5 minutes) is refused instead of scored. Answers are never negative: min is 0 or more."""
        found: dict[str, float] = {}
        for key in ("min", "max"):
            if key not in data:
                continue
            value = data[key]
            if not (_is_number(value) and math.isfinite(value)):
                self.problem(data, key, f"{path}.{key}", f"must be a number, not {_kind(value)}")
            elif key == "min" and value < 0:
                self.problem(data, key, f"{path}.min",
                             f"must be 0 or more (answers are never negative), not {_fmt(value)}")
            else:
                found[key] = float(value)
        low, high = found.get("min"), found.get("max")
        if high is not None and high <= (low or 0):
            self.problem(data, "max", f"{path}.max",
                         "must be greater than 0" if low is None else f"must be greater than min ({_fmt(low)})")
            return low, None
        # Every band must be answerable: a range that cuts one off is a slip in the file too.
        limits = [band.max for band in bands if band.max is not None]
        if high is not None and limits and high <= limits[-1]:
            self.problem(data, "max", f"{path}.max",
                         f"must be greater than {_fmt(limits[-1])}, the highest max of the bands: "
                         "else the last band could never be answered")
        if low is not None and limits and low > limits[0]:
            self.problem(data, "min", f"{path}.min",
                         f"must not be greater than {_fmt(limits[0])}, the max of the first band: "
                         "else that band could never be answered")
        return low, high

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


#: Keys that only some item types take, and those types.
_TYPE_KEYS = {"min": ("scale", "number"), "max": ("scale", "number"), "options": ("choice",),
              "bands": ("number",), "unit": ("number",)}
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
