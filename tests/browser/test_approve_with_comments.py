"""A reviewer who wrote comments for the auditor and then tapped Approve lost them without a
word: the comments belong to the return form. Approve now asks first; Cancel keeps the page and
the comments, OK approves without them. Without comments it approves at once, as before."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import ReviewComment, Visit
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

ANSWERS = {"greeted_promptly": "no", "staff_respectful": "yes", "tone_friendly": "4"}
NOTE = "The photo of the shop front is missing: please add it."


@pytest.fixture
def submitted(make_location, make_user, make_visit):
    visit = make_visit(make_location("VLN-01", "Vilnius Akropolis"), make_user("auditor"), ANSWERS, status="submitted")
    return visit, make_user("reviewer")


def status_of(visit_id: int) -> str:
    db.session.expire_all()
    return db.session.scalar(select(Visit.status).where(Visit.id == visit_id))


@pytest.mark.parametrize("lang, asked", [("en", "You wrote comments for the auditor"),
                                         ("lv", "Jūs uzrakstījāt komentārus auditoram")])
def test_approve_asks_before_leaving_the_comments_unsent(page, live_server, submitted, lang, asked):
    visit, reviewer = submitted
    sign_in(page, live_server, reviewer.email)
    page.goto(f"{live_server}/visits/{visit.id}")
    if lang != "en":
        with page.expect_navigation():
            page.click(f"form.languages button[value={lang}]")
    row = page.locator("tr[data-item='greeted_promptly']")
    row.locator("details.comment summary").click()
    row.locator("textarea").fill(NOTE)

    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("#approve")
    page.wait_for_timeout(500)
    assert len(questions) == 1 and questions[0].startswith(asked)
    assert status_of(visit.id) == "submitted" and row.locator("textarea").input_value() == NOTE

    # Sent with Return, as meant.
    with page.expect_navigation():
        page.click("#return")
    assert status_of(visit.id) == "returned"
    assert db.session.scalar(select(ReviewComment.text).where(ReviewComment.visit_id == visit.id)) == NOTE


def test_approve_without_comments_does_not_ask(page, live_server, submitted):
    visit, reviewer = submitted
    sign_in(page, live_server, reviewer.email)
    page.goto(f"{live_server}/visits/{visit.id}")
    page.on("dialog", lambda dialog: pytest.fail(f"asked: {dialog.message}"))
    with page.expect_navigation():
        page.click("#approve")
    assert status_of(visit.id) == "approved"


def test_a_low_score_is_not_shown_in_the_green_of_a_good_result(page, live_server, submitted):
    """The visit's big score was green whatever it was (a 39 as green as an 84); red only for a
    failed critical question."""
    visit, reviewer = submitted
    assert visit.score < 70 and not visit.critical_failed
    sign_in(page, live_server, reviewer.email)
    page.goto(f"{live_server}/visits/{visit.id}")
    colour = page.eval_on_selector("#visit-score", "el => getComputedStyle(el).color")
    assert colour != "rgb(27, 127, 75)", colour  # --good
    assert colour == page.eval_on_selector("h1", "el => getComputedStyle(el).color")  # the text's own ink
