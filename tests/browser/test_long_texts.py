"""People's own text — a pasted link, a word hundreds of letters long — wraps where it is shown
instead of making the page wider than the tablet (a dispute reason 880 letters without a space
made the visit page 8,000 px wide, pushing every answer and score of its section off-screen)."""
from __future__ import annotations

import pytest

from audit.extensions import db
from audit.models import Dispute, ReviewComment
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

LINK = "https://drive.example/shared/" + "CameraRecording" * 50 + ".mp4"  # 780 letters, no space or hyphen
ANSWERS = {"greeted_promptly": "no", "staff_respectful": "no", "tone_friendly": "4"}


@pytest.fixture
def visit_with_long_texts(make_location, make_user, make_visit):
    """An approved visit whose comment, reviewer note and two disputes (one open, one overturned)
    each hold the long link."""
    location = make_location("VLN-01", "Vilnius Akropolis")
    reviewer, manager = make_user("reviewer"), make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, make_user("auditor"), ANSWERS, comments={"greeted_promptly": LINK})
    db.session.add_all([
        ReviewComment(visit_id=visit.id, item_id="staff_respectful", author_id=reviewer.id, text=LINK),
        Dispute(visit_id=visit.id, item_id="greeted_promptly", raised_by_id=manager.id, reason=LINK, old_value="no"),
        Dispute(visit_id=visit.id, item_id="staff_respectful", raised_by_id=manager.id, reason=LINK, old_value="no",
                status="overturned", new_value="yes", decided_by_id=reviewer.id, decision_note=LINK),
    ])
    db.session.commit()
    return visit, reviewer, manager


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("who", ["reviewer", "manager"])
def test_long_words_wrap_on_the_visit_page_and_the_home_page(page, live_server, visit_with_long_texts, who):
    visit, reviewer, manager = visit_with_long_texts
    sign_in(page, live_server, (reviewer if who == "reviewer" else manager).email)
    page.wait_for_load_state()
    assert page.locator("main").inner_text().count("CameraRecording") >= 1  # the home page lists the dispute
    assert fits(page), "the home page is wider than the tablet"
    # Reasons and decisions are cut to their start (one filled screens): the visit page has them whole.
    disputes = page.locator("#open-disputes > li, #branch-disputes > li")
    assert disputes.count() >= 1
    for dispute in disputes.all():
        assert 0 < dispute.inner_text().count("CameraRecording") <= 2 * 14
        assert dispute.locator("a").bounding_box()["height"] >= 44  # big enough to tap
    page.goto(f"{live_server}/visits/{visit.id}")
    assert page.locator(".dispute").count() == 2
    assert fits(page), "the visit page is wider than the tablet"
    # every score cell lies inside its card
    outside = page.evaluate("""() => [...document.querySelectorAll('table.answers td.num')].filter(td => {
        const card = td.closest('.card, section').getBoundingClientRect(), box = td.getBoundingClientRect();
        return box.right > card.right + 1; }).length""")
    assert outside == 0


def test_long_words_wrap_on_the_fill_page_of_a_returned_visit(page, live_server, make_location, make_user, make_visit):
    """The reviewer's note, shown at the top and under its question, made the auditor's fill page
    8,176 px wide in Latvian at 820 px: the whole form panned sideways."""
    location = make_location("VLN-01", "Vilnius Akropolis")
    auditor = make_user("auditor")
    visit = make_visit(location, auditor, ANSWERS, status="returned")
    db.session.add_all([
        ReviewComment(visit_id=visit.id, item_id="staff_respectful", author_id=make_user("reviewer").id, text=LINK),
        ReviewComment(visit_id=visit.id, item_id=None, author_id=make_user("reviewer").id, text=LINK),
    ])
    db.session.commit()
    sign_in(page, live_server, auditor.email)
    page.goto(f"{live_server}/visits/{visit.uuid}/fill")
    assert page.locator(".review-notes").inner_text().count("CameraRecording") >= 2
    assert fits(page), "the fill page is wider than the tablet"
    page.goto(f"{live_server}/visits/{visit.uuid}/fill#s-greeting")
    page.wait_for_selector(".review-note")
    assert fits(page), "the fill page's section is wider than the tablet"
