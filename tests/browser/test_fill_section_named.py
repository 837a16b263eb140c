"""The fill page names the section shown beside the section buttons: the buttons are numbered,
and a tablet has no hover to show a button's title, so "5" alone did not tell the auditor that
this was "Speed of service" once the section's heading had scrolled away.

The name stays on the buttons' line in every language and at both tablet sizes, cut with "…"
if it does not fit, so the sticky bar keeps its height from section to section.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_field_visit import field_day, open_section  # noqa: F401
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_section_shown_is_named_beside_its_number(page, browser, live_server, field_day, lang):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    if lang != "en":
        auditor.click(f"form.languages button[value={lang}]")
        auditor.wait_for_selector(f"html[lang={lang}]")
    named = auditor.locator("#section-now")
    bar = auditor.locator(".fill-bar")
    heights, width = set(), auditor.viewport_size["width"]
    for number, section in enumerate(store.sections, 1):
        open_section(auditor, section.id)
        chip = auditor.locator(f"[data-section-link='{section.id}']").bounding_box()
        box = named.bounding_box()
        title = section.title.get(lang)
        assert named.inner_text() == title
        assert box["width"] > 0 and box["x"] + box["width"] <= width - 16, (title, box)
        assert abs((box["y"] + box["height"] / 2) - (chip["y"] + chip["height"] / 2)) < 4, \
            f"{title!r} is not on the buttons' line"
        shown_whole = named.evaluate("el => el.scrollWidth <= el.clientWidth")
        if not shown_whole:  # cut, then with "…"; a name that fits is never cut
            assert named.evaluate("el => getComputedStyle(el).textOverflow") == "ellipsis"
        heights.add(round(bar.bounding_box()["height"]))
        if number == 5:
            auditor.mouse.wheel(0, 600)  # the section's heading scrolled away: the bar still names it
            assert named.is_visible() and named.inner_text() == title
            screenshot(auditor, f"fill-section-named-{lang}")
    assert len(heights) == 1, heights
    open_section(auditor, "details")
    assert named.inner_text() == ""  # "Visit" names itself
    assert small_targets(auditor) == []
    context.close()
