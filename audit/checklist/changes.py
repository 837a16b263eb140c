"""What changed between two versions of a checklist, and whether it changes how visits score.

Pure: two :class:`Checklist` definitions in, a :class:`VersionChanges` out. The checklist page
lists the changes; the statistics warn when the visits they mix were scored by versions that
score differently (a question added or re-weighted moves every visit's score, so a branch
visited mostly under the new version is not compared like for like).
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Checklist, Item, Section

#: Kinds of change to one question. The first group changes scores, the second does not.
WEIGHT, CRITICAL, ANSWER_SCORES, SECTION, SHOWN_WHEN, COUNTED = (
    "weight", "critical", "answer_scores", "section", "shown_when", "counted")
TEXT, GUIDANCE, PRINCIPLE, REQUIRED, COMMENT_RULE, LABELS, ANSWER_RANGE = (
    "text", "guidance", "principle", "required", "comment_rule", "labels", "answer_range")
SCORING_KINDS = frozenset({WEIGHT, CRITICAL, ANSWER_SCORES, SECTION, SHOWN_WHEN, COUNTED})


@dataclass(frozen=True)
class ItemChange:
    item_id: str
    kinds: tuple[str, ...]
    old: Item
    new: Item

    @property
    def changes_scores(self) -> bool:
        return any(kind in SCORING_KINDS for kind in self.kinds)


@dataclass(frozen=True)
class SectionChange:
    section_id: str
    old: Section
    new: Section

    @property
    def reweighted(self) -> bool:
        return self.old.weight != self.new.weight

    @property
    def retitled(self) -> bool:
        return self.old.title != self.new.title


@dataclass(frozen=True)
class VersionChanges:
    added: tuple[Item, ...]
    removed: tuple[Item, ...]
    changed: tuple[ItemChange, ...]
    sections_added: tuple[Section, ...]
    sections_removed: tuple[Section, ...]
    sections_changed: tuple[SectionChange, ...]
    critical_policy: tuple[str, str] | None  # (old, new) when it changed
    channel: tuple[str, str] | None = None  # (old, new) when it changed
    retitled: bool = False  # the checklist's title, in some language
    redescribed: bool = False  # its description

    @property
    def scoring_changed(self) -> bool:
        """Whether the same answers could score differently under the two versions."""
        return bool(
            any(item.scored for item in self.added) or any(item.scored for item in self.removed)
            or any(change.changes_scores for change in self.changed)
            or any(change.reweighted for change in self.sections_changed)
            or self.critical_policy
        )

    @property
    def empty(self) -> bool:
        """Nothing listed: what changed is the order of sections or questions."""
        return not (self.added or self.removed or self.changed or self.sections_added or self.sections_removed
                    or self.sections_changed or self.critical_policy or self.channel or self.retitled
                    or self.redescribed)

    def counts(self) -> dict[str, int]:
        """How many questions were added, removed and changed in a way that moves scores."""
        return {"added": sum(item.scored for item in self.added),
                "removed": sum(item.scored for item in self.removed),
                "changed": sum(change.changes_scores for change in self.changed)}


def version_changes(old: Checklist, new: Checklist) -> VersionChanges:
    """The changes from ``old`` to ``new`` (questions and sections matched by their ids)."""
    old_items = {item.id: item for item in old.items}
    new_items = {item.id: item for item in new.items}
    changed = []
    for item in new.items:
        before = old_items.get(item.id)
        if before is None:
            continue
        kinds = _item_kinds(before, item, old.section_of(item.id), new.section_of(item.id))
        if kinds:
            changed.append(ItemChange(item.id, kinds, before, item))
    old_sections = {section.id: section for section in old.sections}
    new_sections = {section.id: section for section in new.sections}
    sections_changed = tuple(
        SectionChange(section.id, old_sections[section.id], section) for section in new.sections
        if section.id in old_sections and (old_sections[section.id].weight != section.weight
                                           or old_sections[section.id].title != section.title)
    )
    return VersionChanges(
        added=tuple(item for item in new.items if item.id not in old_items),
        removed=tuple(item for item in old.items if item.id not in new_items),
        changed=tuple(changed),
        sections_added=tuple(s for s in new.sections if s.id not in old_sections),
        sections_removed=tuple(s for s in old.sections if s.id not in new_sections),
        sections_changed=sections_changed,
        critical_policy=(old.critical_policy, new.critical_policy) if old.critical_policy != new.critical_policy
        else None,
        channel=(old.channel, new.channel) if old.channel != new.channel else None,
        retitled=old.title != new.title,
        redescribed=old.description != new.description,
    )


def _item_kinds(old: Item, new: Item, old_section: Section | None, new_section: Section | None) -> tuple[str, ...]:
    kinds = []
    if old.scored != new.scored:
        kinds.append(COUNTED)
    if old.scored and new.scored:
        if old.weight != new.weight:
            kinds.append(WEIGHT)
        if _answer_scoring(old) != _answer_scoring(new):
            kinds.append(ANSWER_SCORES)
        if (old_section and old_section.id) != (new_section and new_section.id):
            kinds.append(SECTION)
    if old.critical != new.critical:
        kinds.append(CRITICAL)
    if old.show_if != new.show_if:
        kinds.append(SHOWN_WHEN)
    if old.text != new.text:
        kinds.append(TEXT)
    if old.guidance != new.guidance:
        kinds.append(GUIDANCE)
    if old.principle != new.principle:
        kinds.append(PRINCIPLE)
    if old.required != new.required:
        kinds.append(REQUIRED)
    if old.comment_required_on_fail != new.comment_required_on_fail:
        kinds.append(COMMENT_RULE)
    if tuple(o.label for o in old.options) != tuple(o.label for o in new.options) or old.unit != new.unit:
        kinds.append(LABELS)
    if old.type == new.type == "number" and (old.min, old.max) != (new.min, new.max):
        # Which numbers are taken, not how they score: a visit's stored answer keeps its score.
        kinds.append(ANSWER_RANGE)
    return tuple(kinds)


def _answer_scoring(item: Item) -> tuple:
    """What turns an answer into a score: the type, N/A, the scale's ends, options and bands (a
    number item's min and max only say which numbers are taken)."""
    ends = (item.min, item.max) if item.type == "scale" else ()
    return (item.type, item.na_allowed, *ends,
            tuple((o.id, o.score) for o in item.options), tuple((b.max, b.score) for b in item.bands))
