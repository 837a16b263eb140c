"""A box with a limit says so once it is full. "Staff who served you" takes 2000 characters: a
longer description pasted into it was cut to 2000 without a word, and the auditor never knew the
end of it was gone. Now a line under the box says it is full and that a longer text was cut, in
the page's language, and goes once the text is shorter."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_number_range_in_browser import open_fill, phone_visit  # noqa: F401

pytestmark = pytest.mark.browser

NOTE = {"en-GB": "This box takes at most 2000 characters: a longer text was cut.",
        "lt-LT": "Šis laukelis priima ne daugiau kaip 2000 simbolių: ilgesnis tekstas buvo nukirptas."}


@pytest.mark.parametrize("locale", ["en-GB", "lt-LT"])
def test_a_description_cut_at_the_box_s_limit_is_said_to_be_cut(browser, live_server, phone_visit, locale):  # noqa: F811
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, locale)
    if locale != "en-GB":
        page.click(f"button[name=lang][value={locale[:2]}]")
        page.wait_for_load_state()
    page.goto(f"{live_server}/visits/{client_uuid}/fill")
    box = page.locator("textarea[name=staff_description]")
    box.wait_for()
    note = page.locator("textarea[name=staff_description] + .full-box")

    box.click()
    page.keyboard.insert_text("Tall man, grey jacket, at the till by the door. " * 20)  # 960 characters
    assert not note.count()
    page.keyboard.insert_text("A long description pasted from the notes app. " * 50)  # 2300 more: cut
    assert len(box.input_value()) == 2000
    assert note.inner_text() == NOTE[locale]
    assert note.is_visible()
    screenshot(page, f"full-box-{locale}")

    page.keyboard.press("Backspace")  # shorter than the limit: nothing cut any more
    assert not note.count()
    page.keyboard.insert_text("x")  # full again by typing: said again
    assert note.inner_text() == NOTE[locale]
    context.close()
