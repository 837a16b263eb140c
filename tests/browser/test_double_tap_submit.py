"""A double tap on a form's button (two taps 150 ms apart, common on tablets) sent the form twice:
the first was saved, the second refused as a duplicate, and the page showed "Visit scheduled."
beside "This visit is already scheduled", or a dispute "Not sent" although it was sent. A form
being sent now takes no second submit; a page left where it was can send its form again."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import Assignment, Dispute
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser

ANSWERS = {"greeted_promptly": "no", "staff_respectful": "yes", "tone_friendly": "4"}


@pytest.fixture
def slow_answers(app):
    """A tablet on a mobile connection: the answer to a form comes a second after the form was
    saved, so the second tap lands while the first is on its way."""
    inner = app.wsgi_app

    def slow(environ, start_response):
        response = inner(environ, start_response)
        if environ["REQUEST_METHOD"] == "POST":
            time.sleep(1)
        return response

    app.wsgi_app = slow
    yield
    app.wsgi_app = inner


def double_tap(page, button) -> None:
    """Two taps 150 ms apart on ``button``, wherever the page is by then."""
    box = button.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.mouse.click(x, y)


def settled(page) -> None:
    """Wait for the page that answers the form (it has a message; the page tapped on has none)."""
    page.wait_for_selector(".flash", timeout=10000)
    page.wait_for_load_state("load")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def scheduler(make_user, make_location, checklists):
    make_location("VLN-01", "Vilnius Akropolis")
    make_user("auditor", name="Ona Auditorė")
    return make_user("reviewer")


def fill_schedule_form(page, base: str) -> None:
    page.goto(f"{base}/assignments")
    page.select_option("select[name=one-location]", "VLN-01")
    page.select_option("select[name=one-checklist]", "store-visit")
    page.select_option("select[name=one-auditor]", label="Ona Auditorė")
    page.fill("input[name=one-scenario]", "Buy a gift")


def test_a_double_tap_schedules_the_visit_once_and_says_so_once(page, live_server, scheduler, slow_answers):
    sign_in(page, live_server, scheduler.email)
    fill_schedule_form(page, live_server)
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)
    double_tap(page, page.locator("button:has-text('Schedule')"))
    settled(page)
    assert page.locator(".flash").all_inner_texts() == ["Visit scheduled."]
    assert page.locator(".error").count() == 0
    assert count(Assignment) == 1 and len(posts) == 1


def test_a_double_tap_sends_a_dispute_once_without_a_not_sent_box(page, live_server, make_location, make_user,
                                                                  make_visit, slow_answers):
    location = make_location("VLN-01", "Vilnius Akropolis")
    manager = make_user("manager", locations=["VLN-01"])
    visit = make_visit(location, make_user("auditor"), ANSWERS)
    sign_in(page, live_server, manager.email)
    page.goto(f"{live_server}/visits/{visit.id}")
    row = page.locator("tr[data-item='greeted_promptly']")
    row.locator("summary:has-text('Dispute this answer')").click()
    row.locator("textarea[name=reason]").fill("The greeter was at the door: see the camera.")
    double_tap(page, row.locator("button:has-text('Send dispute')"))
    settled(page)
    assert page.locator(".flash").all_inner_texts() == ["Your dispute was sent to the reviewers."]
    assert page.locator("#unsent").count() == 0
    assert count(Dispute) == 1


def test_a_form_whose_sending_left_the_page_where_it_was_can_be_sent_again(page, live_server, scheduler):
    """The page stays when the form's answer does not replace it (here "204 No Content", as the
    service worker answers a form a weak connection does not carry): the form is ignored while it
    might still be on its way, then sends again."""
    page.clock.install()
    sign_in(page, live_server, scheduler.email)
    fill_schedule_form(page, live_server)
    posts = []

    def nothing_first(route):
        posts.append(route.request)
        if len(posts) == 1:
            route.fulfill(status=204)
        else:
            route.continue_()

    page.route("**/assignments", lambda route: nothing_first(route) if route.request.method == "POST"
               else route.continue_())
    button = page.locator("button:has-text('Schedule')")
    address = page.url
    button.click()
    page.wait_for_timeout(300)
    button.click()  # on its way, as far as the page knows: ignored
    page.wait_for_timeout(300)
    assert len(posts) == 1 and page.url == address and count(Assignment) == 0
    page.clock.fast_forward(16000)
    with page.expect_navigation(wait_until="load"):
        button.click()
    assert len(posts) == 2
    assert page.locator(".flash").all_inner_texts() == ["Visit scheduled."]
    assert count(Assignment) == 1
