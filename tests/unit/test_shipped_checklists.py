"""The default checklists are complete: sizes, every text in four languages, valid answers."""
from __future__ import annotations

import pytest

from audit.checklist import load_checklist_file
from audit.checklist.model import LANGUAGES, PRINCIPLES
from tests.conftest import CHECKLIST_DIR

EXPECTED = {  # file: (channel, fewest items, most items)
    "store-visit.yaml": ("in_person", 35, 45),
    "phone-enquiry.yaml": ("phone", 13, 17),
    "email-enquiry.yaml": ("email", 10, 14),
}


def texts_of(checklist):
    yield "title", checklist.title
    if checklist.description:
        yield "description", checklist.description
    for section in checklist.sections:
        yield section.id, section.title
        for item in section.items:
            yield item.id, item.text
            if item.guidance:
                yield f"{item.id}.guidance", item.guidance
            if item.unit:
                yield f"{item.id}.unit", item.unit
            for option in item.options:
                yield f"{item.id}.{option.id}", option.label


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_shipped_checklist_is_complete_in_four_languages(name):
    checklist = load_checklist_file(CHECKLIST_DIR / name)
    channel, low, high = EXPECTED[name]
    assert checklist.channel == channel
    assert low <= len(checklist.items) <= high
    missing = [(where, lang) for where, text in texts_of(checklist) for lang in LANGUAGES if not getattr(text, lang)]
    assert missing == []
    assert {item.principle for item in checklist.items if item.scored} <= set(PRINCIPLES)
    assert any(item.critical for item in checklist.items)


def test_store_visit_walks_through_every_stage_of_a_visit():
    checklist = load_checklist_file(CHECKLIST_DIR / "store-visit.yaml")
    assert [s.id for s in checklist.sections] == [
        "arrival", "greeting", "needs", "advice", "speed", "payment", "complaint", "farewell"]
    types = {item.type for item in checklist.items}
    assert types == {"yes_no", "yes_no_na", "scale", "choice", "number", "text", "photo"}
    assert 3 <= sum(item.critical for item in checklist.items) <= 5
    assert any(item.show_if for item in checklist.items)
