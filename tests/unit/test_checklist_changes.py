"""What changed between two checklist versions, and whether it moves scores (the shipped store
visit checklist, edited the way a chain edits it)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from audit.checklist import load_checklist_file
from audit.checklist.changes import version_changes
from audit.checklist.model import Option, Text
from audit.scoring import score_visit


@pytest.fixture
def store(shipped_checklist_paths):
    return load_checklist_file(next(p for p in shipped_checklist_paths if p.name == "store-visit.yaml"))


def _edit_item(checklist, item_id, **fields):
    sections = tuple(
        replace(section, items=tuple(replace(item, **fields) if item.id == item_id else item for item in section.items))
        for section in checklist.sections
    )
    return replace(checklist, sections=sections, _items={})


def _reweigh_section(checklist, section_id, weight):
    sections = tuple(replace(s, weight=weight) if s.id == section_id else s for s in checklist.sections)
    return replace(checklist, sections=sections, _items={})


def test_the_same_definition_has_no_changes(store):
    changes = version_changes(store, store)
    assert changes.empty and not changes.scoring_changed


def test_rewording_a_question_is_listed_but_does_not_move_scores(store):
    new = _edit_item(store, "eye_contact", text=Text(en="Did the staff look at you?", ru="Смотрели ли на вас?"))
    changes = version_changes(store, new)
    assert [(c.item_id, c.kinds) for c in changes.changed] == [("eye_contact", ("text",))]
    assert not changes.scoring_changed


def test_a_new_weight_moves_scores_and_the_same_answers_score_differently(store):
    new = _edit_item(store, "eye_contact", weight=3)
    changes = version_changes(store, new)
    assert [(c.item_id, c.kinds) for c in changes.changed] == [("eye_contact", ("weight",))]
    assert changes.scoring_changed and changes.counts() == {"added": 0, "removed": 0, "changed": 1}
    answers = {"greeted_promptly": "yes", "eye_contact": "no", "smiled": "yes"}
    assert score_visit(store, answers).score != score_visit(new, answers).score  # what "moves scores" means


def test_added_removed_and_critical_questions_and_section_weights(store):
    first_section = store.sections[0]
    added = replace(first_section.items[1], id="loyalty_card", text=Text(en="Was a loyalty card offered?"))
    new = replace(store, sections=(replace(first_section, items=first_section.items + (added,)),) + store.sections[2:],
                  _items={})
    new = _edit_item(_reweigh_section(new, "needs", 3), "let_speak", critical=True)
    changes = version_changes(store, new)
    assert [i.id for i in changes.added] == ["loyalty_card"]
    assert [s.id for s in changes.sections_removed] == ["greeting"]
    assert {i.id for i in changes.removed} == {i.id for i in store.sections[1].items}
    assert [(c.section_id, c.reweighted) for c in changes.sections_changed] == [("needs", True)]
    assert ("let_speak", ("critical",)) in [(c.item_id, c.kinds) for c in changes.changed]
    assert changes.scoring_changed


def test_option_scores_and_the_critical_policy_are_scoring(store):
    choice = next(i for i in store.items if i.type == "choice")
    options = tuple(replace(o, score=1.0 - o.score) if isinstance(o, Option) else o for o in choice.options)
    changes = version_changes(store, _edit_item(store, choice.id, options=options))
    assert [c.kinds for c in changes.changed] == [("answer_scores",)] and changes.scoring_changed
    policy = version_changes(store, replace(store, critical_policy="flag", _items={}))
    assert policy.critical_policy == ("zero", "flag") and policy.scoring_changed


def test_principle_rules_labels_and_the_channel_are_listed_without_moving_scores(store):
    """A new principle, required flag, comment rule or answer label read "Only the title,
    description or channel changed" — and so did a change of channel."""
    new = _edit_item(store, "smiled", principle="courtesy", required=False, comment_required_on_fail=True)
    option_item = next(item for item in store.items if item.options)
    relabelled = tuple(replace(o, label=Text(en=o.label.en + "!")) for o in option_item.options)
    new = _edit_item(new, option_item.id, options=relabelled)
    new = replace(new, channel="phone", title=Text(en="Store visit (2027)"))
    changes = version_changes(store, new)
    kinds = {c.item_id: c.kinds for c in changes.changed}
    assert kinds["smiled"] == ("principle", "required", "comment_rule")
    assert kinds[option_item.id] == ("labels",)
    assert changes.channel == ("in_person", "phone") and changes.retitled and not changes.redescribed
    assert not changes.scoring_changed and not changes.empty


def test_questions_in_another_order_are_the_only_change_left_unnamed(store):
    first = store.sections[0]
    reordered = replace(store, sections=(replace(first, items=tuple(reversed(first.items))),) + store.sections[1:],
                        _items={})
    changes = version_changes(store, reordered)
    assert changes.empty and not changes.scoring_changed
