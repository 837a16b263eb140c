"""The manager's "Failures without an action" on a tablet, both ways round: readable, within the
card (no sideways scroll), every link a finger's width; "Plan an action" opens the visit page at
that question's form, unfolded, with the question in sight above it. A failure under dispute is
marked so, last, and leads to its dispute."""
from __future__ import annotations

from datetime import timedelta

import pytest

from audit.extensions import db
from audit.models import Dispute, utcnow
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

WIDER_THAN_THE_PAGE = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
COMMENT = ("Nobody looked up from the till for the whole time I stood there; the two assistants went on talking "
           "about their weekend, and when one finally turned round she said nothing at all before scanning")


def test_the_failures_fit_and_lead_to_the_form_that_plans_the_action(
        page, live_server, make_location, make_user, make_visit):
    location = make_location("VLN-01", "Volta Akropolis Vilnius, prekybos centras Ozas", region="Vilnius")
    make_location("RIX-01", "Brīvības iela", region="Riga")
    manager = make_user("manager", name="Rūta Stankevičienė", locations=["VLN-01"])
    auditor = make_user("auditor")
    day = (utcnow() - timedelta(days=4)).replace(hour=11)
    visit = make_visit(location, auditor, {"greeted_promptly": "no", "eye_contact": "no", "staff_respectful": "no"},
                       visited_at=day, comments={"eye_contact": COMMENT})
    make_visit(make_location("RIX-02", "Elizabetes iela", region="Riga"), auditor, {"smiled": "no"}, visited_at=day)
    db.session.add(Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id,
                           reason="The auditor came in at closing time", old_value="no"))
    db.session.commit()
    sign_in(page, live_server, manager.email)

    section = page.locator("#failures-without-action")
    rows = section.locator("tbody tr")
    assert rows.count() == 3  # not the other branch's
    assert "Were all staff respectful" in rows.nth(0).inner_text()  # critical first
    assert "Critical" in rows.nth(0).inner_text()
    disputed = rows.nth(2).locator("a.dispute-pending")  # waiting for the reviewer: last, no button
    assert "greet you within 30 seconds" in rows.nth(2).inner_text() and rows.nth(2).locator("a.button").count() == 0
    assert disputed.inner_text() == "Disputed – awaiting a decision"
    assert disputed.get_attribute("href") == f"/visits/{visit.id}#item-greeted_promptly"
    eye = section.locator("tr", has_text="make eye contact")
    assert "Nobody looked up from the till" in eye.inner_text() and "before scanning" not in eye.inner_text()
    overflow = section.locator(".table-wrap").evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the failures' table is {overflow} px wider than the card"
    assert not page.evaluate(WIDER_THAN_THE_PAGE)
    assert small_targets(page) == []
    font = section.locator("td.unplanned-question").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert font >= 15  # readable at arm's length
    section.scroll_into_view_if_needed()
    screenshot(page, "manager-failures-without-action")

    with page.expect_navigation():
        eye.locator("a.button").click()
    assert page.url.endswith(f"/visits/{visit.id}#plan-eye_contact")
    form = page.locator("#plan-eye_contact")
    assert form.is_visible()  # unfolded
    height = page.viewport_size["height"]
    box = form.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= height, box  # the whole form in sight
    question = page.locator("#went-wrong a[href='#item-eye_contact']")
    above = question.bounding_box()
    assert 0 <= above["y"] < box["y"], (above, box)  # and its question above it
    form.locator("textarea[name=text]").fill("Eye contact and a greeting at the till: brief the team")
    screenshot(page, "manager-failure-plan-form")
    # The disputed failure says so here too, with no form beside it, and leads to its dispute.
    went_wrong = page.locator("#went-wrong")
    assert went_wrong.locator("#plan-greeted_promptly").count() == 0
    waiting = went_wrong.locator("a.dispute-pending")
    assert waiting.inner_text() == "Disputed – awaiting a decision"
    assert small_targets(page) == []
    waiting.scroll_into_view_if_needed()
    screenshot(page, "manager-visit-failure-awaiting-dispute")
    waiting.click()
    target = page.url.rsplit("#", 1)[1]
    assert target.startswith("dispute-"), page.url  # the dispute itself, not only its question
    assert "The auditor came in at closing time" in page.locator(f"#{target}").inner_text()
    assert page.locator(f"#item-greeted_promptly #{target}").count() == 1

    # A home page opened before the dispute leads to its form, no longer there: the visit opens
    # at the question in "What went wrong", which says why.
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/visits/{visit.id}#plan-greeted_promptly")
    failed = page.locator("#failed-greeted_promptly")
    page.wait_for_function("() => document.getElementById('failed-greeted_promptly').getBoundingClientRect().top < 50")
    box = failed.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]
    assert "Disputed – awaiting a decision" in failed.inner_text()
