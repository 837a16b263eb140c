"""Switching language opens the page afresh in the other language: what was typed in its forms
was lost, also on a page answering a form (a refused form shown with its errors). It now comes
along, passwords aside, once: the same page opened later by its address starts empty."""
from __future__ import annotations

import pytest

from tests.browser.test_back_after_forms import admin, assert_as_typed, refused_new_user  # noqa: F401
from tests.browser.test_first_screens import sign_in

pytestmark = pytest.mark.browser


def switch_to(page, code: str) -> None:
    with page.expect_navigation():
        page.click(f"form.languages button[value={code}]")
    assert page.get_attribute("html", "lang") == code


def test_a_refused_form_keeps_what_was_typed_through_a_language_switch(page, live_server, admin):  # noqa: F811
    sign_in(page, live_server, admin.email)
    refused_new_user(page, live_server)
    page.fill("#name", "Ona Petraitė-Kazlauskienė")  # typed after the refusal
    switch_to(page, "lt")
    assert page.url == f"{live_server}/admin/users/new"
    assert page.locator("h1").inner_text() != "New user"
    assert_as_typed(page)

    # Typed on a plain page, switched back: it comes along again.
    page.fill("#name", "Ona P.")
    switch_to(page, "en")
    assert page.input_value("#name") == "Ona P." and page.input_value("#role") == "manager"

    # Once: the page opened by its address afterwards is empty.
    page.click("a.brand")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/admin/users/new")
    assert page.input_value("#name") == "" and page.input_value("#email") == ""
