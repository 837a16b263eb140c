"""Frozen dataclasses describing one checklist definition.

These are plain values: no Flask, no SQLAlchemy. The loader builds them from YAML, the
database stores them as the JSON of :func:`checklist_to_dict`, and scoring reads them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("en", "ru", "lt", "lv")
CHANNELS = ("in_person", "phone", "email")
CRITICAL_POLICIES = ("zero", "flag")
ITEM_TYPES = ("yes_no", "yes_no_na", "scale", "choice", "number", "text", "photo")
SCORED_TYPES = frozenset({"yes_no", "yes_no_na", "scale", "choice", "number"})
PRINCIPLES = (
    "premises", "greeting", "courtesy", "needs", "personalization", "knowledge", "advice",
    "speed", "payment", "accuracy", "problem_resolution", "empowerment", "farewell",
    "follow_up", "channel_access", "upsell",
)
#: An item whose score is below this value counts as failed (pass rates, critical failures).
PASS_SCORE = 0.5
NA = "na"


@dataclass(frozen=True)
class Text:
    """A text in several languages; ``en`` is always present."""

    en: str
    ru: str | None = None
    lt: str | None = None
    lv: str | None = None

    def get(self, locale: str | None) -> str:
        """The text in ``locale`` (``"ru"``, ``"lt_LT"`` …), falling back to English."""
        lang = (locale or "en").split("_")[0].split("-")[0].lower()
        if lang not in LANGUAGES:
            return self.en
        return getattr(self, lang) or self.en

    def to_dict(self) -> dict[str, str]:
        return {lang: getattr(self, lang) for lang in LANGUAGES if getattr(self, lang)}


@dataclass(frozen=True)
class Option:
    id: str
    label: Text
    score: float


@dataclass(frozen=True)
class Band:
    """Numbers up to ``max`` (inclusive) score ``score``; ``max`` None catches the rest."""

    max: float | None
    score: float


@dataclass(frozen=True)
class ShowIf:
    """Show an item only when an earlier item's answer is one of ``values``."""

    item: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Item:
    id: str
    text: Text
    type: str
    guidance: Text | None = None
    weight: float = 1.0
    critical: bool = False
    principle: str | None = None
    show_if: ShowIf | None = None
    comment_required_on_fail: bool = False
    allow_na: bool = False
    required: bool = True
    #: The ends of a ``scale`` (whole numbers, both required), or the plausible range of a
    #: ``number`` (optional: without them any number of 0 or more is taken).
    min: int | float | None = None
    max: int | float | None = None
    options: tuple[Option, ...] = ()
    bands: tuple[Band, ...] = ()
    unit: Text | None = None
    #: ``scored: false`` in the file: the answer is recorded (and can drive ``show_if``),
    #: but it is a gate such as "did the scenario include a complaint?", not a measure.
    counts: bool = True

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES and self.counts

    @property
    def na_allowed(self) -> bool:
        return self.type == "yes_no_na" or self.allow_na

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    items: tuple[Item, ...]
    weight: float = 1.0


@dataclass(frozen=True)
class Checklist:
    id: str
    title: Text
    channel: str
    sections: tuple[Section, ...]
    critical_policy: str = "zero"
    description: Text | None = None
    _items: dict[str, tuple[Section, Item]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for section in self.sections:
            for item in section.items:
                self._items[item.id] = (section, item)

    @property
    def items(self) -> list[Item]:
        """All items in document order."""
        return [item for section in self.sections for item in section.items]

    def item(self, item_id: str) -> Item | None:
        found = self._items.get(item_id)
        return found[1] if found else None

    def section_of(self, item_id: str) -> Section | None:
        found = self._items.get(item_id)
        return found[0] if found else None


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def item_to_dict(item: Item) -> dict:
    data: dict = {"id": item.id, "text": item.text.to_dict(), "type": item.type}
    if item.guidance:
        data["guidance"] = item.guidance.to_dict()
    if not item.counts:
        data["scored"] = False
    if item.scored:
        data["weight"] = _number(item.weight)
        data["critical"] = item.critical
        data["principle"] = item.principle
        data["allow_na"] = item.allow_na
    data["required"] = item.required
    if item.show_if:
        data["show_if"] = {"item": item.show_if.item, "in": list(item.show_if.values)}
    if item.comment_required_on_fail:
        data["comment_required_on_fail"] = True
    if item.type == "scale":
        data["min"], data["max"] = item.min, item.max
    elif item.type == "number":  # written only when set: a number item without them hashes as before
        data.update({key: _number(value) for key, value in (("min", item.min), ("max", item.max))
                     if value is not None})
    if item.options:
        data["options"] = [
            {"id": o.id, "label": o.label.to_dict(), "score": _number(o.score)} for o in item.options
        ]
    if item.bands:
        data["bands"] = [
            {"score": _number(b.score)} if b.max is None else {"max": _number(b.max), "score": _number(b.score)}
            for b in item.bands
        ]
    if item.unit:
        data["unit"] = item.unit.to_dict()
    return data


def checklist_to_dict(checklist: Checklist) -> dict:
    """The canonical plain form: stored as JSON and hashed for versioning."""
    data: dict = {
        "id": checklist.id,
        "title": checklist.title.to_dict(),
        "channel": checklist.channel,
        "critical_policy": checklist.critical_policy,
    }
    if checklist.description:
        data["description"] = checklist.description.to_dict()
    data["sections"] = [
        {
            "id": s.id,
            "title": s.title.to_dict(),
            "weight": _number(s.weight),
            "items": [item_to_dict(i) for i in s.items],
        }
        for s in checklist.sections
    ]
    return data


def untranslated(checklist: Checklist) -> dict[str, list[str]]:
    """Where each language lacks a text (shown in English instead): language → places, such as
    ``"title"``, ``"section service"`` or ``"item greeted.guidance"``; languages with none are left out."""
    places: list[tuple[str, Text | None]] = [("title", checklist.title), ("description", checklist.description)]
    for section in checklist.sections:
        places.append((f"section {section.id}", section.title))
        for item in section.items:
            places += [(f"item {item.id}", item.text), (f"item {item.id}.guidance", item.guidance),
                       (f"item {item.id}.unit", item.unit)]
            places += [(f"item {item.id} option {option.id}", option.label) for option in item.options]
    missing: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        found = [where for where, text in places if text is not None and not getattr(text, lang)]
        if found:
            missing[lang] = found
    return missing
