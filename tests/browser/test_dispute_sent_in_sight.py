"""A manager's "Dispute this answer", sent, reloaded the visit page at its top, with the message
there: the manager lost their place far down the checklist. The page now opens at the dispute
sent, outlined, as a planned action opens at the action."""
from __future__ import annotations

import pytest

from audit.extensions import db
from audit.models import Dispute
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

FAILED = {"greeted_promptly": "no", "eye_contact": "no", "staff_respectful": "no", "tone_friendly": "2"}


def test_the_page_opens_at_the_dispute_just_sent(page, live_server, make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01", "Vilnius Akropolis"), make_user("auditor"), FAILED)
    sign_in(page, live_server, make_user("manager", locations=["VLN-01"]).email)
    page.goto(f"{live_server}/visits/{visit.id}")
    offered = page.locator("details.comment", has_text="Dispute this answer")
    last = offered.nth(offered.count() - 1)  # the furthest down the page
    item = last.locator("input[name=item_id]").input_value()
    last.locator("summary").click()
    last.locator("textarea[name=reason]").fill("The recording shows a greeting at the door.")
    with page.expect_navigation():
        last.locator("button[type=submit]").click()
    dispute_id = db.session.scalar(db.select(Dispute.id).where(Dispute.item_id == item))
    assert page.url.endswith(f"/visits/{visit.id}#dispute-{dispute_id}")
    sent = page.locator(f"#dispute-{dispute_id}")
    assert "The recording shows a greeting at the door." in sent.inner_text()
    box = sent.bounding_box()
    assert 8 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]  # in sight
    assert sent.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"
    assert page.evaluate("window.scrollY") > 0  # not the page's top
    assert small_targets(page) == []
    screenshot(page, "dispute-sent")
