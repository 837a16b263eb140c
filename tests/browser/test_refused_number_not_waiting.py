"""A number refused on the tablet (500 where the question takes 0–300) is kept in the box and in
the draft, but never sent: the save-state line must not count it among the changes waiting for
the connection. Offline it said "Offline – 1 change waiting" for it alone, as though it would go
by itself when the tablet reconnected; it says what it says online, "Not saved – see the marked
answers", until the value is corrected, and then counts it."""
from __future__ import annotations

import pytest

from tests.browser.conftest import ROUTED
from tests.browser.test_number_range_in_browser import (  # noqa: F401
    ITEM, SECTION, REFUSED, open_fill, phone_visit, stored_seconds)
from tests.browser.test_field_visit import stored_answers

pytestmark = pytest.mark.browser

NOT_SAVED = "Not saved – see the marked answers"


def save_line(page) -> tuple[str, str]:
    """The save-state line as the auditor reads it, with its state (its colour)."""
    return page.get_attribute("#save-state", "data-state"), page.locator("#save-state").inner_text()


def kept_on_tablet(page, uuid: str) -> list[str]:
    """The values of the number question in the drafts the tablet keeps (localStorage)."""
    return page.evaluate("""([uuid, id]) => Object.keys(localStorage)
        .filter(k => k.startsWith(`audit-draft:${uuid}`))
        .map(k => (JSON.parse(localStorage.getItem(k)).answers || {})[id]).filter(v => v !== undefined)""",
                         [uuid, ITEM])


def test_a_refused_number_offline_is_not_a_change_waiting(browser, live_server, phone_visit):  # noqa: F811
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, "en-GB")
    page.wait_for_selector("body[data-offline-ready='1']")
    box = page.locator(f"input[name='answer-{ITEM}']")
    context.set_offline(True)

    box.fill("500")
    assert page.locator(f"[data-error-for='{ITEM}']").inner_text() == REFUSED["en-GB"]
    assert save_line(page) == ("error", NOT_SAVED)  # not "Offline – 1 change waiting": it will not be sent
    assert page.locator("#offline-note").is_visible()  # the page still says it is offline
    assert box.input_value() == "500" and kept_on_tablet(page, client_uuid) == ["500"]

    # Reloaded without a connection, the kept 500 comes back, and so does the line.
    page.reload()
    page.wait_for_selector(f"#s-{SECTION}.active")
    page.wait_for_selector("#save-state[data-state='error']")
    assert save_line(page) == ("error", NOT_SAVED)
    assert box.input_value() == "500"

    box.fill("120")  # corrected: now it will go
    assert save_line(page) == ("offline", "Offline – 1 change waiting")

    # Refused again beside another change: only the other one is waiting.
    box.fill("500")
    page.locator("#q-menu_clear label.seg:has(input[value='yes'])").click()
    assert save_line(page) == ("offline", "Offline – 1 change waiting")
    assert kept_on_tablet(page, client_uuid) == ["500"]

    # Back online, the other change goes; the 500 stays marked and kept, as it would have online.
    context.set_offline(False)
    page.wait_for_selector("#save-state[data-state='error']", timeout=20000)
    assert save_line(page) == ("error", NOT_SAVED)
    assert stored_answers(client_uuid) == {"menu_clear": "yes"}
    assert stored_seconds(client_uuid) is None
    assert box.input_value() == "500" and kept_on_tablet(page, client_uuid) == ["500"]
    context.close()


def test_a_refused_number_is_not_counted_when_the_server_does_not_answer(browser, live_server, phone_visit):  # noqa: F811
    auditor, client_uuid = phone_visit
    context, page = open_fill(browser, live_server, auditor, client_uuid, "en-GB", ROUTED)
    page.route("**/draft", lambda route: route.abort())  # online, but the server does not answer
    box = page.locator(f"input[name='answer-{ITEM}']")

    box.fill("500")
    assert save_line(page) == ("error", NOT_SAVED)
    page.locator("#q-menu_clear label.seg:has(input[value='yes'])").click()
    page.wait_for_selector("#save-state[data-state='offline']")
    assert save_line(page) == ("offline", "Not sent yet, trying again – 1 waiting")

    page.unroute("**/draft")
    box.fill("120")  # corrected: sent with the other change
    page.wait_for_selector("#save-state[data-state='saved']")
    assert stored_answers(client_uuid) == {ITEM: "120", "menu_clear": "yes"}
    context.close()
