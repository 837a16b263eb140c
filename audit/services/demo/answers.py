"""Draw demo answers whose scores track a pass probability (used by ``chain``)."""
from __future__ import annotations

import math

import numpy as np

from ...checklist import parse_answer
from ...checklist.answers import format_number
from ...checklist.model import NA, PASS_SCORE, Item
from ...scoring import item_score
from .texts import ENGLISH, AuditorTexts

NA_RATE, TEXT_RATE = 0.05, 0.35


class DemoError(Exception):
    """The demo chain cannot be built; the message says what to do."""


def draw_answer(rng: np.random.Generator, item: Item, p: float) -> str:
    """A value whose item score tracks ``p``: the chance that the item passes."""
    if item.na_allowed and rng.random() < (NA_RATE if item.type == "yes_no_na" else NA_RATE / 2):
        return NA
    if item.type in ("yes_no", "yes_no_na"):
        return "yes" if rng.random() < p else "no"
    if item.type == "scale":
        return str(item.min + int(rng.binomial(item.max - item.min, p)))
    if item.type == "choice":
        option = pick_graded(rng, list(item.options), [o.score for o in item.options], p)
        return option.id
    # number: pick a band by its score, then a value inside it (whole numbers when possible)
    scores = [b.score for b in item.bands]
    band = pick_graded(rng, list(range(len(item.bands))), scores, p)
    low = item.bands[band - 1].max if band else None  # exclusive; None: from the item's min (or 0) inclusive
    high = item.bands[band].max if item.bands[band].max is not None else (low or 0) * 2 + 5
    if item.max is not None:  # the checklist's range (its reader keeps every band inside it)
        high = min(high, item.max)
    lowest = item.min or 0
    whole = range(math.ceil(lowest) if low is None else math.floor(low) + 1, math.floor(high) + 1)
    start = lowest if low is None else low
    value = float(pick(rng, whole)) if whole else round(start + (high - start) * rng.random(), 1)
    if item_score(item, format_number(value)) != scores[band]:
        value = high  # a rounded decimal fell out of the band; its upper edge is inside
    answer = parse_answer(item, value)
    assert item_score(item, answer) == scores[band], (item.id, answer)
    return answer

def draw_text(rng: np.random.Generator, channel: str, section_id: str, failed: bool, asked: bool,
              staff: str, texts: AuditorTexts = ENGLISH) -> str | None:
    """Free text: usually given when the checklist asks because of a problem, else sometimes."""
    if channel == "in_person" and section_id == "greeting":
        return staff  # who served the shopper
    if rng.random() >= (0.9 if asked else TEXT_RATE):
        return None
    bad, good = texts.text_comments.get((channel, section_id), texts.generic_text_comments)
    return pick(rng, bad if failed or asked else good)


def complaint_gates(definition, section) -> dict[str, set[str]]:
    """Items of ``section`` that other items depend on → the answers that show those items."""
    ids = {item.id for item in section.items}
    gates: dict[str, set[str]] = {}
    for item in definition.items:
        if item.show_if is not None and item.show_if.item in ids:
            gates.setdefault(item.show_if.item, set()).update(item.show_if.values)
    return gates


def gate_value(item: Item, showing: set[str], complaint: bool) -> str:
    """The answer that opens the dependent questions exactly when the scenario is a complaint."""
    if item.type == "choice":
        candidates = [o.id for o in item.options]
    else:
        candidates = ["yes", "no"] + ([NA] if item.na_allowed else [])
    for value in candidates:
        if (value in showing) == complaint:
            return value
    raise DemoError(f"cannot answer the gate question {item.id}: no answer that "
                    f"{'shows' if complaint else 'hides'} the complaint questions")


def pick(rng: np.random.Generator, options):
    return options[int(rng.integers(len(options)))]


def pick_graded(rng: np.random.Generator, things: list, scores: list[float], p: float):
    """Pass with chance ``p``: then mostly the best passing thing; else any failing one."""
    passing = [t for t, s in zip(things, scores) if s >= PASS_SCORE]
    failing = [t for t, s in zip(things, scores) if s < PASS_SCORE]
    if failing and (not passing or rng.random() >= p):
        return pick(rng, failing)
    best = max(passing, key=lambda t: scores[things.index(t)])
    return best if rng.random() < p else pick(rng, passing)
