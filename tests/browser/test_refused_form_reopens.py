"""A form sent to an address that only takes forms and refused: the reviewer's "Return to the
auditor" without a note, the manager's "Plan an action" without saying what. The page with the
error left the address bar at /visits/<id>/return (or /actions), and a reload or the tab reopened
showed "Error 405 – This page cannot be opened directly"; the refused action's page opened at its
top, saying "see below", with the form far down. Now the bar shows the visit's address, the page
opens at the form with the error, what was typed is on screen, and a reload opens the visit."""
from __future__ import annotations

from datetime import timedelta

import pytest

from audit.times import local_today
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "staff_respectful": "no", "tone_friendly": "2"}


def in_sight(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


def assert_opens_again(page, address: str) -> None:
    """Reloaded, the page is the visit's (it was the 405 page)."""
    page.reload()
    assert page.url.split("#")[0] == address
    assert "cannot be opened directly" not in page.content()
    assert page.locator("h1").inner_text().startswith("Vilnius Akropolis")


def test_a_refused_return_stays_at_the_visit_and_opens_at_the_note(page, live_server, make_location, make_user,
                                                                    make_visit):
    visit = make_visit(make_location("VLN-01", "Vilnius Akropolis"), make_user("auditor"), FAILED, status="submitted")
    sign_in(page, live_server, make_user("reviewer").email)
    address = f"{live_server}/visits/{visit.id}"
    page.goto(address)
    with page.expect_navigation():
        page.click("#return")
    assert page.url == address  # not …/return
    note = page.locator("#return-form textarea[name=note]")
    error = note.locator("xpath=following-sibling::span[contains(@class, 'error')]")
    assert error.inner_text()
    assert in_sight(page, error) and in_sight(page, note)
    assert small_targets(page) == []
    screenshot(page, "return-refused-at-the-note")

    note.fill("Please add the photo of the till.")  # typed after the refusal: a reload keeps it
    assert_opens_again(page, address)
    assert page.locator("#return-form textarea[name=note]").input_value() == "Please add the photo of the till."


def test_a_refused_action_stays_at_the_visit_and_opens_at_its_form(page, live_server, make_location, make_user,
                                                                    make_visit):
    visit = make_visit(make_location("VLN-01", "Vilnius Akropolis"), make_user("auditor"), FAILED)
    sign_in(page, live_server, make_user("manager", locations=["VLN-01"]).email)
    address = f"{live_server}/visits/{visit.id}"
    page.goto(f"{address}#went-wrong")
    due = (local_today() + timedelta(days=7)).isoformat()
    plan = page.locator("details.plan-action").nth(2)
    plan.locator("summary").click()
    item = plan.locator("input[name=item_id]").input_value()
    plan.locator("textarea[name=text]").fill("   ")  # passes the browser's check, not the server's
    plan.locator("input[name=responsible]").fill("Rasa, the shift lead")
    plan.locator("input[name=due_on]").fill(due)
    with page.expect_navigation():
        plan.locator("button[type=submit]").click()
    assert page.url == f"{address}#plan-{item}"  # not …/actions
    form = page.locator(f"#plan-{item}")
    assert form.is_visible() and in_sight(page, form)  # unfolded, in sight: not the page's top
    assert form.locator(".error").inner_text() == "Say what will be done."
    assert form.locator("input[name=responsible]").input_value() == "Rasa, the shift lead"
    assert form.locator("input[name=due_on]").input_value() == due
    assert small_targets(page) == []
    screenshot(page, "action-refused-at-its-form")

    form.locator("textarea[name=text]").fill("Greet at the door")
    assert_opens_again(page, address)
    form = page.locator(f"#plan-{item}")
    assert form.is_visible()  # unfolded again, with what was typed
    assert form.locator("textarea[name=text]").input_value() == "Greet at the door"
    assert form.locator("input[name=responsible]").input_value() == "Rasa, the shift lead"
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "#action-" in page.url
