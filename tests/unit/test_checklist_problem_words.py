"""Every problem the checker names in a broken checklist reads in Lithuanian on the upload page:
a checker message changed without its pattern in audit/web/checklist_problems.py would fall back
to English unnoticed."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from audit import create_app
from audit.checklist import ChecklistError, parse_checklist
from audit.web.checklist_problems import readable_path, translated

BROKEN = """\
id: Bad Id
title: {en: Broken, xx: Nope}
channel: fax
extra: 1
sections:
  - id: s1
    title: {ru: Только по-русски}
    weight: -1
    items:
      - id: q1
        text: {en: First}
        type: yes_no
        principle: greeting
        weight: many
        critical: perhaps
        min: 1
      - id: q1
        text: {en: Twice}
        type: colour
      - id: q3
        text: {en: Scale}
        type: scale
        principle: courtesy
        max: 0.5
      - id: q4
        text: {en: Choice}
        type: choice
        principle: needs
        options:
          - {id: na, label: {en: N}, score: 2}
      - id: q5
        text: {en: Note}
        type: text
        scored: true
        weight: 2
      - id: q6
        text: {en: Depends}
        type: yes_no
        principle: speed
        show_if: {item: q9, equals: yes}
      - id: q7
        text: {en: No principle}
        type: yes_no
        critical: true
        required: false
        principle: kindness
        tone: warm
  - id: s1
    title: {en: Again}
    items: []
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(tmp_path_factory.mktemp("i"))})


def test_every_problem_of_a_broken_file_reads_in_lithuanian(app):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(BROKEN, "broken.yaml")
    messages = {p.message for p in caught.value.problems}
    assert len(messages) >= 15, messages
    with app.test_request_context(), force_locale("lt"):
        untranslated = sorted(m for m in messages if translated(m) == m)
    assert untranslated == []


def test_places_are_counted_as_people_count(app):
    with app.test_request_context(), force_locale("en"):
        assert readable_path("sections[1].items[0].options[2].label.lt") == "section 2 › question 1 › option 3 › label › lt"
        assert readable_path("sections[0].items[3].bands[1].max") == "section 1 › question 4 › band 2 › max"
        assert readable_path("channel") == "channel" and readable_path("") == ""


MORE_BROKEN = """\
id: more
title: {en: More}
channel: phone
sections:
  - id: s1
    title: {en: S}
    items:
      - id: n1
        text: {en: Minutes}
        type: number
        principle: speed
        bands:
          - {max: 5, score: 1}
          - {score: 0.5}
          - {max: 3, score: 0}
      - id: c1
        text: {en: Choice}
        type: choice
        principle: needs
        options:
          - {id: na, label: {en: A}, score: 1}
          - {id: b, label: {en: B}, score: 0}
      - id: t1
        text: {en: Note}
        type: text
      - id: d1
        text: {en: Depends on a note}
        type: yes_no
        principle: courtesy
        show_if: {item: t1, in: []}
      - id: n2
        text: {en: No bands}
        type: number
        principle: speed
"""


@pytest.mark.parametrize("text", [MORE_BROKEN, "", "id: x\ntitle: &a [*a]\n", "id: !!python/name:os.system x\n",
                                  "id: x\ntitle:\n\t- tab\n", "a: [b\n"])
def test_problems_of_bands_options_rules_and_yaml_read_in_lithuanian(app, text):
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(text, "more.yaml")
    with app.test_request_context(), force_locale("lt"):
        untranslated = sorted(p.message for p in caught.value.problems if translated(p.message) == p.message)
    assert untranslated == []
