"""A number question's plausible range (``min``/``max``): read from the file with every slip named
by line and field, refused answers outside it, written back unchanged, and listed as a change
that does not move scores."""
from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest

from audit.checklist import (
    ChecklistError, InvalidAnswer, checklist_from_data, checklist_to_dict, content_hash, parse_answer,
    parse_checklist,
)
from audit.checklist.changes import version_changes
from audit.checklist.writer import checklist_yaml
from audit.scoring import item_score

WAIT = textwrap.dedent("""\
    id: queue
    title: {en: Queue check}
    channel: in_person
    sections:
      - id: speed
        title: {en: Speed}
        items:
          - id: greeted
            text: {en: Were you greeted?}
            type: yes_no
            principle: greeting
          - id: wait
            text: {en: Minutes until served}
            type: number
            unit: {en: minutes}
            min: 0
            max: 60
            principle: speed
            bands: [{max: 2, score: 1}, {max: 5, score: 0.5}, {score: 0}]
    """)


def edited(old: str, new: str) -> str:
    assert old in WAIT, old
    return WAIT.replace(old, new, 1)


def wait_item(text: str = WAIT):
    return parse_checklist(text, "queue.yaml").item("wait")


def test_min_and_max_are_read_and_optional():
    assert (wait_item().min, wait_item().max) == (0, 60)
    only_max = wait_item(edited("min: 0\n        ", ""))
    assert (only_max.min, only_max.max) == (None, 60)
    neither = wait_item(edited("min: 0\n        max: 60\n        ", ""))
    assert (neither.min, neither.max) == (None, None)
    decimals = wait_item(edited("min: 0\n        max: 60", "min: 0.5\n        max: 7.5"))
    assert (decimals.min, decimals.max) == (0.5, 7.5)


# (what the file says instead, line, path, message)
BAD = [
    ("max not a number", ("max: 60", "max: sixty"), 17, "sections[0].items[1].max", "must be a number, not 'sixty'"),
    ("max written empty", ("max: 60", "max:"), 17, "sections[0].items[1].max", "must be a number, not nothing"),
    ("max infinite", ("max: 60", "max: .inf"), 17, "sections[0].items[1].max", "must be a number, not inf"),
    ("max a list", ("max: 60", "max: [60]"), 17, "sections[0].items[1].max", "must be a number, not a list"),
    ("min above max", ("min: 0\n        max: 60", "min: 90\n        max: 60"), 17, "sections[0].items[1].max",
     "must be greater than min (90)"),
    ("min equal to max", ("min: 0\n        max: 60", "min: 60\n        max: 60"), 17, "sections[0].items[1].max",
     "must be greater than min (60)"),
    ("max zero without min", ("min: 0\n        max: 60", "max: 0"), 16, "sections[0].items[1].max",
     "must be greater than 0"),
    ("negative min", ("min: 0", "min: -5"), 16, "sections[0].items[1].min",
     "must be 0 or more (answers are never negative), not -5"),
    ("min not a number", ("min: 0", "min: true"), 16, "sections[0].items[1].min", "must be a number, not true/false"),
    ("max below the last band", ("max: 60", "max: 5"), 17, "sections[0].items[1].max",
     "must be greater than 5, the highest max of the bands: else the last band could never be answered"),
    ("min above the first band", ("min: 0", "min: 3"), 16, "sections[0].items[1].min",
     "must not be greater than 2, the max of the first band: else that band could never be answered"),
    ("max on a yes/no item", ("principle: greeting", "principle: greeting\n        max: 1"), 12,
     "sections[0].items[0].max", "only allowed for 'scale' and 'number' items"),
    ("min on a text item", ("principle: greeting", "principle: greeting\n      - id: note\n        text: {en: Note}\n"
                                                   "        type: text\n        min: 0"), 15,
     "sections[0].items[1].min", "only allowed for 'scale' and 'number' items"),
]


@pytest.mark.parametrize("change, line, path, message", [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_a_bad_range_is_named_by_file_line_and_field(change, line, path, message):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(edited(*change), "checklists/queue.yaml")
    problems = [(p.line, p.path, p.message) for p in caught.value.problems]
    assert (line, path, message) in problems, problems
    assert f"checklists/queue.yaml:{line}: {path}: {message}" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_a_scale_still_needs_whole_numbers_for_its_ends():
    scale = edited("type: yes_no\n        principle: greeting",
                   "type: scale\n        principle: greeting\n        min: 1\n        max: 5.5")
    with pytest.raises(ChecklistError, match=r"sections\[0\]\.items\[0\]\.max: must be a whole number, not 5.5"):
        parse_checklist(scale, "queue.yaml")


@pytest.mark.parametrize("raw, stored", [("0", "0"), ("60", "60"), ("12", "12"), ("2,5", "2.5"), (60.0, "60"),
                                         ("  7 ", "7")])
def test_answers_within_the_range_are_taken(raw, stored):
    assert parse_answer(wait_item(), raw) == stored


@pytest.mark.parametrize("raw, message", [
    ("500", "answer a number from 0 to 60, not '500'"),
    ("60,5", "answer a number from 0 to 60, not '60,5'"),
    (500, "answer a number from 0 to 60, not 500"),
    ("-1", "answer a number from 0 to 60, not '-1'"),
    ("lots", "must be a number, not 'lots'"),
    ("５", "must be a number, not '５'"),  # other scripts' digits: the fill page refuses them too
    ("٣", "must be a number, not '٣'"),
])
def test_answers_outside_the_range_are_refused_with_the_range(raw, message):
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(wait_item(), raw)
    assert caught.value.item_id == "wait" and caught.value.message == message


def test_a_min_alone_and_decimal_ends_are_said_as_written():
    at_least = wait_item(edited("min: 0\n        max: 60", "min: 1"))
    with pytest.raises(InvalidAnswer, match=r"^wait: answer a number of at least 1, not '0,5'$"):
        parse_answer(at_least, "0,5")
    assert parse_answer(at_least, "1000") == "1000"
    decimals = wait_item(edited("min: 0\n        max: 60", "min: 0.5\n        max: 7.5"))
    with pytest.raises(InvalidAnswer, match=r"from 0.5 to 7.5, not '8'"):
        parse_answer(decimals, "8")


def test_without_a_range_any_number_of_0_or_more_is_taken_as_before():
    open_ended = wait_item(edited("min: 0\n        max: 60\n        ", ""))
    assert parse_answer(open_ended, "500") == "500" and item_score(open_ended, "500") == 0
    with pytest.raises(InvalidAnswer, match=r"must not be negative, not '-1'"):
        parse_answer(open_ended, "-1")


def test_the_range_changes_no_score_within_it():
    within, without = wait_item(), wait_item(edited("min: 0\n        max: 60\n        ", ""))
    assert [item_score(within, v) for v in ("1", "4", "60")] == [item_score(without, v) for v in ("1", "4", "60")]


def test_a_range_is_written_back_and_reads_as_the_same_version():
    checklist = parse_checklist(edited("min: 0\n        max: 60", "min: 0.5\n        max: 60"), "queue.yaml")
    written = checklist_yaml(checklist)
    assert "    min: 0.5\n" in written and "    max: 60\n" in written
    again = parse_checklist(written, "queue-v1.yaml")
    assert again == checklist and content_hash(again) == content_hash(checklist)
    stored = checklist_from_data(checklist_to_dict(checklist))  # as the database keeps a version
    assert (stored.item("wait").min, stored.item("wait").max) == (0.5, 60)


def test_a_number_without_a_range_hashes_as_before_the_range_existed():
    """Every checklist loaded before would otherwise become a new version on the next load."""
    open_ended = parse_checklist(edited("min: 0\n        max: 60\n        ", ""), "queue.yaml")
    item = checklist_to_dict(open_ended)["sections"][0]["items"][1]
    assert "min" not in item and "max" not in item
    assert "min:" not in checklist_yaml(open_ended) and "max: 60" not in checklist_yaml(open_ended)


def test_a_new_range_is_a_change_that_does_not_move_scores():
    old = parse_checklist(edited("min: 0\n        max: 60\n        ", ""), "queue.yaml")
    new = parse_checklist(WAIT, "queue.yaml")
    changes = version_changes(old, new)
    assert [(c.item_id, c.kinds) for c in changes.changed] == [("wait", ("answer_range",))]
    assert not changes.scoring_changed and not changes.empty
    narrower = replace(new, sections=tuple(
        replace(s, items=tuple(replace(i, max=30.0) if i.id == "wait" else i for i in s.items)) for s in new.sections),
        _items={})
    assert [c.kinds for c in version_changes(new, narrower).changed] == [("answer_range",)]


def test_a_scale_s_new_ends_still_move_scores():
    scale = edited("type: yes_no\n        principle: greeting",
                   "type: scale\n        principle: greeting\n        min: 1\n        max: 5")
    old, new = parse_checklist(scale, "q.yaml"), parse_checklist(scale.replace("max: 5", "max: 10", 1), "q.yaml")
    assert [c.kinds for c in version_changes(old, new).changed] == [("answer_scores",)]
    assert version_changes(old, new).scoring_changed


def test_the_demo_draws_numbers_inside_the_range_and_reaches_every_band():
    """A chain's own checklist with a range the demo's guess would overstep (the last band's
    values up to twice its lower edge plus 5: here 9 against a max of 7) still builds a demo."""
    import numpy as np

    from audit.services.demo.answers import draw_answer

    text = WAIT.replace("min: 0", "min: 1").replace("max: 60", "max: 7")
    item = next(i for i in parse_checklist(text, "queue.yaml").items if i.id == "wait")
    rng = np.random.default_rng(3)
    drawn = [draw_answer(rng, item, p) for p in np.linspace(0, 1, 400)]
    values = [float(a) for a in drawn if a != "na"]
    assert min(values) >= 1 and max(values) <= 7
    assert {item_score(item, a) for a in drawn if a != "na"} == {1.0, 0.5, 0.0}
