"""Back (or a reload) after a form the server refused and showed again: the browser showed its own
"Confirm Form Resubmission" page in place of the form, and Back to a form left for another page
brought it back empty. The refused page now stands in the tab's history under its plain address,
and what was typed (passwords aside) comes back with it, for that tab, until sign-out."""
from __future__ import annotations

import pytest

from tests.browser.test_first_screens import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def admin(make_user, make_location):
    make_location("RIX-01", "Rīga Alfa", region="Rīga", city="Rīga", format="mall")
    make_location("VLN-01", "Vilnius Akropolis", region="Vilnius", city="Vilnius", format="mall")
    return make_user("admin", name="Head Office")


def refused_new_user(page, base: str) -> None:
    page.goto(f"{base}/admin/users/new")
    page.fill("#name", "Ona Petraitė")
    page.fill("#email", "ona.petraite-at-example.com")  # not an address
    page.select_option("#role", "manager")
    page.check("input[name=locations][value='VLN-01']")
    page.fill("#password", PASSWORD)
    page.fill("#password_again", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit].primary")
    assert page.get_attribute("#email", "aria-invalid") == "true"


def assert_as_typed(page) -> None:
    """The refused new-user form as typed after the refusal: the password not kept."""
    assert page.input_value("#name") == "Ona Petraitė-Kazlauskienė"
    assert page.input_value("#email") == "ona.petraite-at-example.com"
    assert page.input_value("#role") == "manager"
    assert page.is_checked("input[name=locations][value='VLN-01']")
    assert not page.is_checked("input[name=locations][value='RIX-01']")
    assert page.input_value("#password") == ""


def test_back_after_the_corrected_form_went_through_opens_the_form_not_a_resubmission(page, live_server, admin):
    sign_in(page, live_server, admin.email)
    refused_new_user(page, live_server)
    assert page.url == f"{live_server}/admin/users/new"
    page.fill("#email", "ona.petraite@example.com")
    with page.expect_navigation():
        page.click("main form button[type=submit].primary")
    created = page.url
    assert "/admin/users/" in created and not created.endswith("/new")
    page.go_back()
    assert page.url == f"{live_server}/admin/users/new"
    assert page.locator("h1").inner_text() == "New user"
    # What went through is what was typed last; the passwords are not kept.
    assert page.input_value("#email") == "ona.petraite@example.com"
    assert page.input_value("#password") == ""


def test_a_refused_form_left_for_another_page_comes_back_as_typed(page, live_server, admin):
    sign_in(page, live_server, admin.email)
    refused_new_user(page, live_server)
    page.fill("#name", "Ona Petraitė-Kazlauskienė")  # typed after the refusal
    page.click("a.brand")
    page.wait_for_url(f"{live_server}/")
    page.go_back()
    assert page.url == f"{live_server}/admin/users/new"
    assert_as_typed(page)
    # A reload keeps it too; the same page opened by its address starts afresh.
    page.reload()
    assert page.input_value("#name") == "Ona Petraitė-Kazlauskienė"
    page.click("a.brand")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/admin/users/new")
    assert page.input_value("#name") == ""
    page.go_back()
    page.go_back()
    assert page.input_value("#name") == "Ona Petraitė-Kazlauskienė"
    # Signing out forgets it: the tablet's next user does not get it back.
    page.click("#logout-form button")
    page.wait_for_url("**/login")
    assert page.evaluate("sessionStorage.getItem('audit-typed')") is None
