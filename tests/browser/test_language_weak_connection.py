"""A language button pressed where the tablet believes it is online but nothing gets through (a
weak signal in a shop's back corner): the browser used to put its own error page in place of
the fill page. The service worker keeps the page and the page says why nothing happened."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_field_visit import field_day, open_section, tap  # noqa: F401
from tests.browser.test_fill_nothing_lost import stored, uuid_of
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser

WEAK = "The connection is too weak: the language was not changed. Try again when it is better."


def test_a_language_button_pressed_on_a_dead_connection_keeps_the_form_and_says_why(page, browser, live_server,
                                                                                    field_day):  # noqa: F811
    people, store = field_day
    context, auditor = start_visit(browser, page, live_server, people)
    auditor.wait_for_selector("body[data-offline-ready='1']")  # the service worker looks after the page
    auditor.wait_for_function("navigator.serviceWorker.controller !== null")
    entrance = store.item("entrance_clean")
    section = store.section_of(entrance.id).id
    open_section(auditor, section)
    tap(auditor, entrance, "no")
    auditor.fill(f"textarea[name='comment-{entrance.id}']", "Dirty mat at the door")
    auditor.wait_for_selector("#save-state[data-state='saved']")
    address = auditor.url
    # Nothing gets through, while the page still believes it is online.
    auditor.evaluate("Object.defineProperty(Navigator.prototype, 'onLine', {get: () => true})")
    context.set_offline(True)
    auditor.click("button.lang[value=lt]")
    auditor.wait_for_function("text => document.getElementById('language-offline').textContent === text",
                              arg=WEAK, timeout=20000)
    assert auditor.url == address and auditor.get_attribute("html", "lang") == "en"
    assert auditor.locator(f"#s-{section}").is_visible()
    assert auditor.is_checked(f"#q-{entrance.id} input[value=no]")
    assert auditor.input_value(f"textarea[name='comment-{entrance.id}']") == "Dirty mat at the door"
    screenshot(auditor, "fill-language-weak")
    # With a connection, the same button switches, on the same section, through the service worker.
    context.set_offline(False)
    with auditor.expect_navigation(wait_until="load"):
        auditor.click("button.lang[value=lt]")
    assert auditor.get_attribute("html", "lang") == "lt"
    assert auditor.url == address and auditor.locator(f"#s-{section}").is_visible()
    assert auditor.evaluate("navigator.serviceWorker.controller !== null")
    assert stored(uuid_of(auditor))[entrance.id] == ("no", "Dirty mat at the door")
    context.close()
