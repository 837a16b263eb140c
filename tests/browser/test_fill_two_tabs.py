"""Two tabs of one visit on one tablet: what one saves, the other shows without a reload.

Tab A kept showing "Saved" and its own older answer after tab B had saved another; only a reload
or a save of its own caught it up."""
from __future__ import annotations

import time

import pytest

from tests.browser.conftest import ROUTED, watch_csp
from tests.browser.test_field_visit import field_day, open_section, tap  # noqa: F401
from tests.browser.test_fill_nothing_lost import stored, uuid_of
from tests.browser.test_fill_refusals import start_visit

pytestmark = pytest.mark.browser


def two_tabs(browser, page, live_server, people, service_workers: str = "allow"):
    """The visit's fill page in two tabs of one browser, both at rest."""
    context, first = start_visit(browser, page, live_server, people, service_workers)
    second = watch_csp(context.new_page())
    second.size_name = first.size_name
    second.goto(first.url)
    for tab in (first, second):
        tab.wait_for_selector("#save-state[data-state='saved']")
    return context, first, second


def wait_stored(uuid: str, item_id: str, value: str, timeout: float = 10.0) -> None:
    """Until the server has ``value`` for the question (a tab's autosave is on its way)."""
    deadline = time.monotonic() + timeout
    while stored(uuid).get(item_id, (None, ""))[0] != value:
        assert time.monotonic() < deadline, f"{item_id} never became {value!r}: {stored(uuid).get(item_id)}"
        time.sleep(0.1)


def shows(tab, item, value: str) -> None:
    """Until the tab's question shows ``value`` checked (no reload)."""
    tab.wait_for_function("([id, value]) => !!document.querySelector(`#q-${id} input[value='${value}']:checked`)",
                          arg=[item.id, value], timeout=5000)


def checked(tab, item) -> str | None:
    return tab.evaluate("id => (document.querySelector(`#q-${id} input:checked`) || {}).value || null", item.id)


def yes_no_items(store, n: int):
    """``n`` required yes/no questions, shown whatever else is answered, showing no other, and
    answered by "no" without a comment: each answer counts once in the progress."""
    gates = {i.show_if.item for i in store.items if i.show_if}
    return [i for i in store.items if i.type == "yes_no" and i.required and not i.show_if and not i.critical
            and not i.comment_required_on_fail and i.id not in gates][:n]


def two_tabs_of_one_visit(browser, page, live_server, field_day, service_workers: str = "allow"):  # noqa: F811
    """The store checklist, the browser context, its two tabs of one visit, the visit's uuid and
    two of its yes/no questions."""
    people, store = field_day
    context, first, second = two_tabs(browser, page, live_server, people, service_workers)
    return store, context, first, second, uuid_of(first), yes_no_items(store, 2)


def test_what_one_tab_saves_the_other_shows_and_its_own_save_keeps_it(page, browser, live_server, field_day):  # noqa: F811
    store, context, first, second, uuid, (entrance, other) = two_tabs_of_one_visit(browser, page, live_server, field_day)
    # The first tab answers; the second, opened before, is told and changes the answer.
    open_section(first, store.section_of(entrance.id).id)
    tap(first, entrance, "yes")
    wait_stored(uuid, entrance.id, "yes")
    open_section(second, store.section_of(entrance.id).id)
    shows(second, entrance, "yes")
    progress = first.inner_text("#progress-text")
    tap(second, entrance, "no")
    wait_stored(uuid, entrance.id, "no")
    second.wait_for_selector("#save-state[data-state='saved']")
    # The first tab shows it without a reload, and counts it.
    shows(first, entrance, "no")
    assert first.inner_text("#progress-text") == progress  # answered before, answered now
    assert first.locator("#save-state").get_attribute("data-state") == "saved"
    # Its own change is sent, the other's answer not undone: neither by the autosave nor by "Save draft".
    open_section(first, store.section_of(other.id).id)
    tap(first, other, "yes")
    wait_stored(uuid, other.id, "yes")
    first.wait_for_selector("#save-state[data-state='saved']")
    assert stored(uuid)[entrance.id][0] == "no"
    first.click("button[name=action][value=save]")
    first.wait_for_load_state()
    first.reload()
    first.wait_for_selector("#save-state[data-state='saved']")
    answers = stored(uuid)
    assert answers[entrance.id][0] == "no" and answers[other.id][0] == "yes"
    assert checked(first, entrance) == "no" and checked(first, other) == "yes"
    # And the second tab has the first one's answer too.
    shows(second, other, "yes")
    context.close()


def test_a_change_a_tab_has_not_sent_yet_stays_over_the_other_tab_s_save(page, browser, live_server, field_day):  # noqa: F811
    store, context, first, second, uuid, (entrance, other) = two_tabs_of_one_visit(browser, page, live_server, field_day, ROUTED)
    progress = first.inner_text("#progress-text")
    # The first tab's autosave does not reach the server: its change waits on the tablet.
    first.route("**/draft", lambda route: route.abort())
    open_section(first, store.section_of(entrance.id).id)
    tap(first, entrance, "yes")
    first.wait_for_selector("#save-state[data-state='offline']")
    # The second tab answers the same question otherwise, and another one.
    open_section(second, store.section_of(entrance.id).id)
    tap(second, entrance, "no")
    open_section(second, store.section_of(other.id).id)
    tap(second, other, "no")
    wait_stored(uuid, entrance.id, "no")
    wait_stored(uuid, other.id, "no")
    second.wait_for_selector("#save-state[data-state='saved']")
    shows(first, other, "no")  # the other tab's save has reached the first one
    assert checked(first, entrance) == "yes"  # its own change, not sent yet, stays
    assert first.inner_text("#progress-text") != progress  # two answered now
    assert first.locator("#save-state").get_attribute("data-state") == "offline"
    # Sent when the connection returns, it is the answer; the other tab's other answer stays.
    first.unroute("**/draft")
    first.evaluate("window.dispatchEvent(new Event('online'))")
    wait_stored(uuid, entrance.id, "yes")
    first.wait_for_selector("#save-state[data-state='saved']")
    assert stored(uuid)[other.id][0] == "no"
    shows(second, entrance, "yes")
    first.reload()
    first.wait_for_selector("#save-state[data-state='saved']")
    assert checked(first, entrance) == "yes" and checked(first, other) == "no"
    context.close()


def test_what_save_draft_of_one_tab_saved_the_other_shows(page, browser, live_server, field_day):  # noqa: F811
    """The whole form posted, the page comes back from the server: no autosave to tell the other tab."""
    store, context, first, second, uuid, (entrance, other) = two_tabs_of_one_visit(browser, page, live_server, field_day, ROUTED)
    open_section(first, store.section_of(entrance.id).id)
    tap(first, entrance, "yes")
    wait_stored(uuid, entrance.id, "yes")
    second.route("**/draft", lambda route: route.abort())  # only the form's post reaches the server
    open_section(second, store.section_of(entrance.id).id)
    shows(second, entrance, "yes")
    tap(second, entrance, "no")
    second.click("button[name=action][value=save]")
    second.wait_for_load_state()
    assert stored(uuid)[entrance.id][0] == "no"
    shows(first, entrance, "no")
    # The first tab's next change leaves it so.
    open_section(first, store.section_of(other.id).id)
    tap(first, other, "yes")
    wait_stored(uuid, other.id, "yes")
    assert stored(uuid)[entrance.id][0] == "no"
    context.close()
