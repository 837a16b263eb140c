"""Scores computed by hand for every item type, N/A, show_if and both critical policies."""
from __future__ import annotations

import textwrap

import pytest

from audit.checklist import InvalidAnswer, parse_answer, parse_checklist
from audit.scoring import item_score, missing_answers, score_visit

YAML = textwrap.dedent("""\
    id: scoring
    title: {en: Scoring}
    channel: in_person
    critical_policy: {policy}
    sections:
      - id: s1
        title: {en: One}
        weight: 2
        items:
          - {id: a, text: {en: A}, type: yes_no_na, weight: 1, principle: greeting, critical: true}
          - {id: b, text: {en: B}, type: scale, min: 1, max: 5, weight: 3, principle: courtesy}
          - {id: why, text: {en: Why not?}, type: yes_no, principle: courtesy, required: false,
             show_if: {item: a, equals: no}, comment_required_on_fail: true}
      - id: s2
        title: {en: Two}
        items:
          - id: c
            text: {en: C}
            type: choice
            weight: 2
            principle: advice
            options: [{id: full, label: {en: Full}, score: 1}, {id: basic, label: {en: Basic}, score: 0.5},
                      {id: none, label: {en: None}, score: 0}]
          - {id: d, text: {en: D}, type: number, principle: speed,
             bands: [{max: 2, score: 1}, {max: 5, score: 0.5}, {score: 0}]}
          - {id: note, text: {en: Note}, type: text}
    """)


def checklist(policy: str = "zero"):
    return parse_checklist(YAML.replace("{policy}", policy), "scoring.yaml")


def test_weighted_visit_and_section_scores():
    result = score_visit(checklist(), {"a": "yes", "b": "4", "c": "basic", "d": "3", "note": "fine"})
    s1, s2 = result.sections
    assert s1.score == pytest.approx(100 * (1 * 1 + 3 * 0.75) / 4)  # 81.25
    assert s2.score == pytest.approx(100 * (2 * 0.5 + 1 * 0.5) / 3)  # 50
    assert result.score == pytest.approx(100 * (2 * (1 + 2.25) + 1 * (1 + 0.5)) / (2 * 4 + 1 * 3))  # 72.73
    assert result.items["note"].state == "unscored"
    assert result.items["why"].state == "hidden"
    assert not result.critical_failed


def test_not_applicable_leaves_numerator_and_denominator():
    result = score_visit(checklist(), {"a": "na", "b": "4", "c": "basic", "d": "3"})
    assert result.sections[0].score == pytest.approx(75.0)
    assert result.score == pytest.approx(100 * (2 * 2.25 + 1.5) / (2 * 3 + 3))  # 66.67
    assert result.items["a"].state == "na"


def test_show_if_item_counts_only_when_shown():
    shown = score_visit(checklist("flag"), {"a": "no", "why": "no", "b": "5", "c": "full", "d": "1"})
    assert shown.items["why"].state == "scored"
    assert shown.sections[0].score == pytest.approx(100 * (0 + 3 * 1 + 0) / 5)
    hidden = score_visit(checklist("flag"), {"a": "yes", "why": "no", "b": "5", "c": "full", "d": "1"})
    assert hidden.items["why"].state == "hidden"  # an answer left over from before is ignored
    assert hidden.score == pytest.approx(100.0)


def test_critical_zero_policy_zeroes_the_visit_but_keeps_sections():
    result = score_visit(checklist("zero"), {"a": "no", "b": "5", "c": "full", "d": "1"})
    assert result.critical_failed and result.critical_items == ("a",)
    assert result.score == 0.0
    assert result.raw_score == pytest.approx(100 * (2 * 3 + 3) / (2 * 4 + 3))
    assert result.sections[0].score == pytest.approx(75.0)
    assert result.sections[1].score == pytest.approx(100.0)


def test_critical_flag_policy_keeps_the_score():
    result = score_visit(checklist("flag"), {"a": "no", "b": "5", "c": "full", "d": "1"})
    assert result.critical_failed
    assert result.score == pytest.approx(result.raw_score) == pytest.approx(900 / 11)


def test_nothing_applicable_gives_no_score():
    result = score_visit(checklist(), {"a": "na"})
    assert result.score is None and all(s.score is None for s in result.sections)


@pytest.mark.parametrize("value, expected", [("0", 1.0), ("2", 1.0), ("2.5", 0.5), ("5", 0.5), ("5.01", 0.0), ("90", 0.0)])
def test_number_bands_are_inclusive_upper_limits(value, expected):
    assert item_score(checklist().item("d"), value) == expected


@pytest.mark.parametrize("value, expected", [("1", 0.0), ("2", 0.25), ("3", 0.5), ("5", 1.0)])
def test_scale_is_linear_from_min_to_max(value, expected):
    assert item_score(checklist().item("b"), value) == expected


def test_missing_answers_lists_required_and_missing_comments():
    definition = checklist()
    problems = missing_answers(definition, {"a": "no", "why": "no", "c": "none"}, comments={})
    assert problems == {"b": "required", "why": "comment", "d": "required"}
    assert "why" not in missing_answers(definition, {"a": "no", "why": "no"}, comments={"why": "rude"})


@pytest.mark.parametrize("item_id, raw, stored", [
    ("a", "YES", "yes"), ("a", " na ", "na"), ("a", True, "yes"), ("b", "4", "4"), ("b", 4.0, "4"),
    ("c", "basic", "basic"), ("d", "2,5", "2.5"), ("d", 3, "3"), ("note", "na", "na"), ("note", "", None),
    ("d", "1\u00a0200,5", "1200.5"), ("d", "1 200", "1200"), ("d", ",5", "0.5"), ("d", 1e1, "10"),
])
def test_answers_are_normalized(item_id, raw, stored):
    assert parse_answer(checklist().item(item_id), raw) == stored


@pytest.mark.parametrize("item_id, raw, message", [
    ("a", "maybe", "answer yes, no or na"), ("why", "na", "N/A is not allowed"),
    ("b", "6", "whole number from 1 to 5"), ("b", "3.5", "whole number from 1 to 5"),
    ("c", "superb", "unknown option 'superb'; use one of: full, basic, none"),
    ("d", "-1", "must not be negative"), ("d", "ten", "must be a number"), ("d", "inf", "must be a number"),
    ("d", "1e1", "must be a number"), ("d", "nan", "must be a number"), ("d", "0x10", "must be a number"),
    ("d", "2.5.1", "must be a number"), ("d", float("inf"), "finite"),
])
def test_bad_answers_name_the_item_and_the_fix(item_id, raw, message):
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(checklist().item(item_id), raw)
    assert caught.value.item_id == item_id
    assert message in caught.value.message


def test_a_gate_item_drives_show_if_without_counting():
    from tests.conftest import CHECKLIST_DIR
    from audit.checklist import load_checklist_file

    store = load_checklist_file(CHECKLIST_DIR / "store-visit.yaml")
    gate = store.item("complaint_scenario")
    assert not gate.scored and gate.required
    good = {item.id: _best_answer(item) for item in store.items if item.scored}
    without = score_visit(store, {**good, "complaint_scenario": "no"})
    complaint = next(s for s in without.sections if s.section_id == "complaint")
    assert complaint.score is None  # nothing about complaints was tested
    assert without.score == pytest.approx(100.0)
    assert without.items["complaint_scenario"].state == "unscored"
    assert without.items["complaint_handled"].state == "hidden"
    # An unscored follow-up is hidden as well when its question does not call for it.
    assert store.item("advice_problem").show_if.item == "advice_quality" and not store.item("advice_problem").scored
    assert without.items["advice_problem"].state == "hidden"
    assert score_visit(store, {**good, "advice_quality": "unsuitable"}).items["advice_problem"].state == "unscored"
    with_complaint = score_visit(store, {**good, "complaint_scenario": "yes", "complaint_handled": "no"})
    assert with_complaint.items["complaint_handled"].failed
    assert with_complaint.score < 100.0


def test_scored_false_is_refused_where_it_makes_no_sense():
    from audit.checklist import ChecklistError

    bad = YAML.replace("{policy}", "zero").replace(
        "type: yes_no, principle: courtesy, required: false,", "type: yes_no, scored: false, principle: courtesy,")
    with pytest.raises(ChecklistError, match=r"items\[2\]\.principle: not allowed .* which has scored: false"):
        parse_checklist(bad, "x.yaml")


def _best_answer(item):
    if item.type == "scale":
        return str(item.max)
    if item.type == "choice":
        return max(item.options, key=lambda o: o.score).id
    if item.type == "number":
        return "0"
    return "yes"
