"""The reviewer's decision on a manager's dispute: nothing is chosen in advance ("Keep the answer"
was, and one tap on Decide rejected the dispute), and keeping the answer without a reason for the
manager is refused with a message beside the note, the choice and the text kept."""
from __future__ import annotations

import pytest

from audit.extensions import db
from audit.models import Dispute
from tests.browser.conftest import screenshot, small_targets
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

ANSWERS = {"greeted_promptly": "no", "staff_respectful": "yes", "tone_friendly": "4"}


def test_the_reviewer_chooses_and_gives_the_manager_a_reason_to_keep_the_answer(page, live_server, make_location,
                                                                                 make_user, make_visit):
    location = make_location("VLN-01")
    visit = make_visit(location, make_user("auditor"), ANSWERS)
    manager = make_user("manager", locations=["VLN-01"], name="Rasa Manager")
    db.session.add(Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id,
                           reason="We greet everyone at the door.", old_value="no"))
    db.session.commit()
    sign_in(page, live_server, make_user("reviewer").email)
    page.goto(f"{live_server}/visits/{visit.id}")
    form = page.locator("form.decide")
    radios = form.locator("input[name=decision]")
    assert radios.count() == 2
    assert [radios.nth(n).is_checked() for n in range(2)] == [False, False]
    form.scroll_into_view_if_needed()
    screenshot(page, "dispute-decision-nothing-chosen")

    # Decide without choosing: the browser asks for a choice, nothing is sent.
    form.locator("button:has-text('Decide')").click()
    assert radios.first.evaluate("el => el.validity.valueMissing")
    assert page.url.endswith(f"/visits/{visit.id}")

    # "Keep the answer" with an empty note: refused, with the reason beside the note.
    form.locator("label.seg:has-text('Keep the answer')").click()
    form.locator("textarea[name=note]").fill("   ")
    form.locator("button:has-text('Decide')").click()
    page.wait_for_selector("form.decide .error")
    form = page.locator("form.decide")
    message = "Write the reason for keeping the answer: the branch manager reads it."
    assert form.locator(f"#{form.locator('textarea[name=note]').get_attribute('aria-describedby')}").inner_text() == message
    assert form.locator("input[value=uphold]").is_checked() and not form.locator("input[value=overturn]").is_checked()
    assert page.evaluate("document.activeElement.name") == "note"  # the note, far down the page, has the focus
    assert form.locator("textarea[name=note]").is_visible()
    db.session.expire_all()
    assert db.session.scalar(db.select(Dispute.status)) == "open"
    assert small_targets(page) == []
    screenshot(page, "dispute-decision-note-asked")

    # With the reason the dispute is rejected and the visit shows it.
    form.locator("textarea[name=note]").fill("The recording shows nobody at the door for two minutes.")
    form.locator("button:has-text('Decide')").click()
    page.wait_for_selector(".flash")
    assert "Dispute rejected: the answer stays." in page.locator(".flash").all_inner_texts()
    assert "The recording shows nobody at the door for two minutes." in page.locator(".dispute").inner_text()
    db.session.expire_all()
    assert db.session.scalar(db.select(Dispute.status)) == "upheld"
