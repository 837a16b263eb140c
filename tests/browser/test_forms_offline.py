"""A form sent offline: Start on the auditor's home page put Chromium's "No internet" page in
place of the app (the page was gone, and Back did not always bring back what was typed). The page
now stays, says why nothing happened, and sends when tapped again with a connection."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Visit
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_field_visit import field_day, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

OFFLINE = "You are offline: nothing was sent. Send it again when the connection is back; what you typed is still here."


def test_start_tapped_offline_keeps_the_home_page_and_says_why(page, browser, live_server, field_day):  # noqa: F811
    people, _store = field_day
    context, auditor = sign_in(browser, page.viewport_size, live_server, people["auditor"])
    auditor.wait_for_selector("button:has-text('Start')")
    home = auditor.url
    context.set_offline(True)
    auditor.click("button:has-text('Start')")
    auditor.wait_for_function("text => document.getElementById('form-offline').textContent === text", arg=OFFLINE)
    assert auditor.url == home and auditor.locator("#form-offline").is_visible()
    assert auditor.locator("button:has-text('Start')").is_visible()
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    assert small_targets(auditor) == []
    screenshot(auditor, "home-start-offline")
    context.set_offline(False)
    auditor.wait_for_selector("#form-offline", state="hidden")
    auditor.click("button:has-text('Start')")  # the same button works with a connection
    auditor.wait_for_url("**/fill")
    context.close()


def test_a_form_sent_offline_keeps_what_was_typed(page, browser, live_server, field_day):  # noqa: F811
    people, _store = field_day
    context, reviewer = sign_in(browser, page.viewport_size, live_server, people["reviewer"])
    reviewer.wait_for_selector("h1")
    reviewer.goto(f"{live_server}/assignments/round")
    reviewer.fill("input[name=scenario]", "Winter round: ask about gift cards")
    context.set_offline(True)
    reviewer.click("button:has-text('Show the plan')")
    reviewer.wait_for_function("text => document.getElementById('form-offline').textContent === text", arg=OFFLINE)
    assert reviewer.url.endswith("/assignments/round")
    assert reviewer.input_value("input[name=scenario]") == "Winter round: ask about gift cards"
    context.set_offline(False)
    with reviewer.expect_navigation():
        reviewer.click("button:has-text('Show the plan')")
    assert reviewer.locator("section#plan").is_visible()
    context.close()
