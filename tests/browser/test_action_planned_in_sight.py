"""Planning a corrective action reloaded the visit's page at "What went wrong", with the message
"Corrective action planned." at the page's top, out of sight: the manager saw no sign that it went
through. The page now opens at the new action, outlined."""
from __future__ import annotations

from datetime import timedelta

import pytest

from audit.times import local_today

from tests.browser.conftest import screenshot
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "staff_respectful": "no", "tone_friendly": "2"}


def test_the_page_opens_at_the_action_just_planned(page, live_server, make_location, make_user, make_visit):
    location = make_location("VLN-01", "Vilnius Akropolis")
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, make_user("auditor"), FAILED)
    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/visits/{visit.id}#went-wrong")
    plan = page.locator("details.plan-action").nth(2)
    plan.locator("summary").click()
    plan.locator("textarea[name=text]").fill("Brief the team on eye contact at the counter")
    plan.locator("input[name=due_on]").fill((local_today() + timedelta(days=7)).isoformat())
    with page.expect_navigation():
        plan.locator("button[type=submit]").click()
    action = page.locator(".action-list .action", has_text="Brief the team on eye contact")
    assert page.url.endswith(f"#{action.get_attribute('id')}")
    box = action.bounding_box()
    assert 8 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]  # in sight
    assert action.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    screenshot(page, "action-planned")
