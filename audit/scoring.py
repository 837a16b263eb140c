"""Scores of a visit from its answers and its checklist version (no Flask, no database).

Visit score (0–100) = 100 × Σ(section weight × item weight × item score)
                          / Σ(section weight × item weight)
over the scored items that apply; N/A, unanswered and hidden (``show_if``) items leave both
sums. A section score is the same within one section. A failed critical item makes the visit
a critical failure; ``critical_policy: zero`` then sets the visit score to 0 (section scores
are kept), ``flag`` only flags it.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .checklist.model import NA, PASS_SCORE, Checklist, Item

SCORED, NOT_APPLICABLE, HIDDEN, UNANSWERED, UNSCORED = "scored", "na", "hidden", "unanswered", "unscored"


@dataclass(frozen=True)
class ItemResult:
    item_id: str
    section_id: str
    state: str
    score: float | None = None  # 0..1, only when state is "scored"

    @property
    def failed(self) -> bool:
        return self.score is not None and self.score < PASS_SCORE


@dataclass(frozen=True)
class SectionResult:
    section_id: str
    weight: float
    score: float | None  # 0..100; None when no item of the section applies


@dataclass(frozen=True)
class VisitResult:
    score: float | None  # 0..100 after the critical policy; None when nothing applies
    raw_score: float | None  # before the critical policy
    critical_failed: bool
    critical_items: tuple[str, ...]
    sections: tuple[SectionResult, ...]
    items: Mapping[str, ItemResult]


def item_score(item: Item, value: str | None) -> float | None:
    """The 0..1 score of one answer; ``None`` for N/A, no answer or unscored types."""
    if value is None or value == NA or not item.scored:
        return None
    if item.type in ("yes_no", "yes_no_na"):
        return 1.0 if value == "yes" else 0.0
    if item.type == "scale":
        return (float(value) - item.min) / (item.max - item.min)
    if item.type == "choice":
        option = item.option(value)
        return option.score if option else None
    number = float(value)
    for band in item.bands:
        if band.max is None or number <= band.max:
            return band.score
    return None  # unreachable for a validated checklist: the last band has no max


def visible_items(checklist: Checklist, answers: Mapping[str, str | None]) -> set[str]:
    """Ids of the items shown for these answers (an item hidden hides its dependants)."""
    visible: set[str] = set()
    for item in checklist.items:
        rule = item.show_if
        if rule is None or (rule.item in visible and answers.get(rule.item) in rule.values):
            visible.add(item.id)
    return visible


def score_visit(checklist: Checklist, answers: Mapping[str, str | None]) -> VisitResult:
    """Score one visit. ``answers`` maps item id to the stored value (see ``parse_answer``)."""
    visible = visible_items(checklist, answers)
    results: dict[str, ItemResult] = {}
    sections: list[SectionResult] = []
    total_num = total_den = 0.0
    for section in checklist.sections:
        num = den = 0.0
        for item in section.items:
            result = _item_result(item, section.id, answers.get(item.id), item.id in visible)
            results[item.id] = result
            if result.score is not None:
                num += item.weight * result.score
                den += item.weight
        sections.append(SectionResult(section.id, section.weight, 100.0 * num / den if den else None))
        total_num += section.weight * num
        total_den += section.weight * den
    raw = 100.0 * total_num / total_den if total_den else None
    critical = tuple(
        item.id for item in checklist.items if item.critical and results[item.id].failed
    )
    score = 0.0 if critical and checklist.critical_policy == "zero" else raw
    return VisitResult(score, raw, bool(critical), critical, tuple(sections), results)


def _item_result(item: Item, section_id: str, value: str | None, visible: bool) -> ItemResult:
    # Hidden first: an unscored follow-up ("What was wrong with the advice?") not asked was listed
    # on the visit page, unanswered, as if the auditor had skipped it.
    if not visible:
        return ItemResult(item.id, section_id, HIDDEN)
    if not item.scored:
        return ItemResult(item.id, section_id, UNSCORED)
    if value is None:
        return ItemResult(item.id, section_id, UNANSWERED)
    if value == NA:
        return ItemResult(item.id, section_id, NOT_APPLICABLE)
    return ItemResult(item.id, section_id, SCORED, item_score(item, value))


def missing_answers(
    checklist: Checklist, answers: Mapping[str, str | None], comments: Mapping[str, str] | None = None
) -> dict[str, str]:
    """What stops a visit from being submitted: item id → the reason (plain English key).

    Reasons are ``"required"`` (a shown required item has no answer) and ``"comment"``
    (a failed item with ``comment_required_on_fail`` has no comment). Photo items are
    checked by the caller, which knows about uploaded evidence.
    """
    comments = comments or {}
    visible = visible_items(checklist, answers)
    problems: dict[str, str] = {}
    for item in checklist.items:
        if item.id not in visible or item.type == "photo":
            continue
        value = answers.get(item.id)
        score = item_score(item, value)
        if item.required and value is None:
            problems[item.id] = "required"
        elif item.comment_required_on_fail and score is not None and score < PASS_SCORE:
            if not (comments.get(item.id) or "").strip():
                problems[item.id] = "comment"
    return problems
