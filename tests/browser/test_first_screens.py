"""Sign in, see the home page, switch language, open a checklist – in real chromium at tablet sizes."""
from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, small_targets
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(make_user, make_location, make_visit):
    location = make_location("RIX-01", "Rīga Alfa", region="Rīga", city="Rīga", format="mall")
    auditor = make_user("auditor", name="Ilze Bērziņa")
    make_visit(location, auditor, {"greeted_promptly": "yes", "staff_respectful": "no"})
    return make_user("admin", name="Head Office")


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")


def test_admin_signs_in_switches_language_and_reads_a_checklist(page, live_server, admin, checklists):
    sign_in(page, live_server, admin.email, "wrong password")
    assert page.locator(".flash.error").inner_text() == "Wrong e-mail or password."
    assert page.input_value("input[name=email]") == admin.email  # what was typed is kept
    assert small_targets(page) == []
    screenshot(page, "login")

    sign_in(page, live_server, admin.email)
    assert page.locator("h1").inner_text() == "Administration"
    assert page.locator("text=Rīga Alfa").first.is_visible()
    assert small_targets(page) == []
    screenshot(page, "admin-home")

    page.click("button.lang[value=lv]")
    assert page.locator("h1").inner_text() == "Administrēšana"
    assert page.get_attribute("html", "lang") == "lv"

    page.click(f"text={checklists['store-visit'].parsed.title.lv}")
    store = checklists["store-visit"].parsed
    assert page.locator("h1").inner_text() == store.title.lv
    assert page.locator(f"text={store.sections[0].title.lv}").first.is_visible()
    screenshot(page, "checklist-lv")

    page.click("a.brand")
    page.locator("table.data a").first.click()
    assert page.locator(".big-score").inner_text() == "0,0"  # critical failure, Latvian decimal comma
    assert small_targets(page) == []
    screenshot(page, "visit-lv")


def test_one_tab_and_enter_pass_the_top_bar(page, live_server, admin):
    """Keyboard users went through the brand, four languages, their name and "Sign out" on every
    page before reaching its first control."""
    sign_in(page, live_server, admin.email)
    page.goto(f"{live_server}/")  # a page opened afresh: the keyboard starts at its top
    page.wait_for_load_state("load")
    link = page.locator("a.skip-link")
    for _ in range(3):  # a key press now and then reaches Chromium before the page has the focus
        page.keyboard.press("Tab")
        if not page.evaluate("document.activeElement === document.body"):
            break
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = link.bounding_box()
    assert box["y"] >= 0 and link.inner_text() == "Skip to the content"  # shown while it has the focus
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")  # the next stop is inside the page, not the top bar
    assert page.evaluate("!!document.activeElement.closest('main')")
    page.locator("h1").click()  # focus elsewhere: the link leaves the screen again
    assert link.bounding_box()["y"] < 0
