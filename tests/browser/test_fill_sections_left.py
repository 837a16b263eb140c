"""Where are the missing answers? Each section button of the fill page says how many required
answers its section still lacks, as the auditor answers, and again after an offline reload.

Before, the counter said "33 of 34 required answers" but the section buttons all looked the same:
only a refused submit marked sections, and a reload lost the marks.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_field_visit import field_day, open_section, tap  # noqa: F401
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser


def required_at_start(section) -> list:
    """The required questions a section shows before anything is answered (the counter's rule)."""
    return [i for i in section.items if i.required and i.type != "photo" and not i.show_if]


def left(page, section_id: str) -> tuple[str, str]:
    """What a section's button shows in its corner, and its name as a screen reader says it."""
    chip = page.locator(f".section-nav [data-section-link='{section_id}']")
    badge = chip.locator(".chip-left")
    return (badge.inner_text() if badge.count() else ""), chip.get_attribute("aria-label")


def test_each_section_button_says_how_many_required_answers_it_still_lacks(page, browser, live_server,
                                                                          field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    for number, section in enumerate(store.sections, 1):
        n = len(required_at_start(section))
        assert left(auditor, section.id) == (str(n), f"{number}. {section.title.en} – Unanswered required questions: {n}")
    assert small_targets(auditor) == []
    screenshot(auditor, "fill-sections-left")

    # Live, as answers change: one answered, one less; a failure still waiting for its required
    # comment is not answered yet, as for the counter.
    arrival = store.sections[0]
    questions = required_at_start(arrival)
    open_section(auditor, arrival.id)
    tap(auditor, store.item("sales_floor_clean"), "5")
    assert left(auditor, arrival.id)[0] == str(len(questions) - 1)
    tap(auditor, store.item("entrance_clean"), "no")
    assert left(auditor, arrival.id)[0] == str(len(questions) - 1)
    auditor.fill("textarea[name='comment-entrance_clean']", "Leaflets on the floor.")
    assert left(auditor, arrival.id)[0] == str(len(questions) - 2)

    # A conditional question counts only while it is shown.
    advice = store.section_of("offer_no_pressure")
    before = int(left(auditor, advice.id)[0])
    open_section(auditor, advice.id)
    tap(auditor, store.item("related_offer"), "yes")
    assert left(auditor, advice.id)[0] == str(before)  # one answered, the one it shows is not
    tap(auditor, store.item("related_offer"), "no")
    assert left(auditor, advice.id)[0] == str(before - 1)

    # A section fully answered loses its number and the words.
    open_section(auditor, arrival.id)
    for item in questions:
        if item.id not in ("sales_floor_clean", "entrance_clean"):
            tap(auditor, item, "1" if item.type == "number" else str(item.max) if item.type == "scale" else "yes")
    assert left(auditor, arrival.id) == ("", f"1. {arrival.title.en}")
    auditor.wait_for_selector("#save-state[data-state='saved']")

    # Offline, answered and reloaded from the tablet's copy: the numbers are right at once.
    auditor.wait_for_selector("body[data-offline-ready='1']")
    context.set_offline(True)
    greeting = store.sections[1]
    open_section(auditor, greeting.id)
    tap(auditor, required_at_start(greeting)[0], "yes")
    shown = {section.id: left(auditor, section.id) for section in store.sections}
    auditor.reload()
    auditor.wait_for_selector("#save-state[data-state='offline']")
    assert {section.id: left(auditor, section.id) for section in store.sections} == shown
    assert shown[greeting.id][0] == str(len(required_at_start(greeting)) - 1)
    screenshot(auditor, "fill-sections-left-offline")
    context.close()
