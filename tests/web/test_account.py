"""Every signed-in user can change their own password; the old one stops working at once, and
the account is signed out on every other device."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from audit.extensions import db
from audit.models import AuditLogEntry, User
from tests.conftest import PASSWORD, csrf_token, login

NEW_PASSWORD = "a much better passphrase"


def change(client, current: str, new: str, again: str | None = None, follow: bool = True):
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "new_password_again": new if again is None else again,
        "csrf_token": token,
    }, follow_redirects=follow)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


@pytest.mark.parametrize("role", ["auditor", "manager", "reviewer", "admin"])
def test_every_role_reaches_the_page_from_their_name_in_the_top_bar(app, make_user, role):
    user = make_user(role, name="Ona Petraitė")
    client = app.test_client()
    home = login(client, user.email).get_data(as_text=True)
    assert 'href="/account/password"' in home and "Ona Petraitė" in home
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "Change your password" in page.get_data(as_text=True) and user.email in page.get_data(as_text=True)


def test_new_password_signs_in_old_one_does_not_and_other_devices_are_signed_out(app, make_user):
    user = make_user("auditor")
    tablet, laptop = app.test_client(), app.test_client()
    login(tablet, user.email)
    login(laptop, user.email)
    done = change(laptop, PASSWORD, NEW_PASSWORD)
    assert "Your password is changed." in done.get_data(as_text=True)
    assert signed_in(laptop)  # the device that changed it stays signed in
    assert not signed_in(tablet)  # the other one is sent to the sign-in page

    fresh = app.test_client()
    assert "Wrong e-mail or password." in login(fresh, user.email, PASSWORD).get_data(as_text=True)
    assert not signed_in(fresh)
    login(fresh, user.email, NEW_PASSWORD)
    assert signed_in(fresh)

    entry = db.session.scalar(select(AuditLogEntry).where(AuditLogEntry.action == "user.password_changed"))
    assert entry is not None and entry.user_id == user.id
    assert PASSWORD not in str(entry.details) and NEW_PASSWORD not in str(entry.details)


@pytest.mark.parametrize(("current", "new", "again", "message", "field"), [
    ("not my password", NEW_PASSWORD, None, "This is not your current password.", "current_password"),
    (PASSWORD, "short", None, "The password must have at least 8 characters.", "new_password"),
    # Over the limit: said as such (it used to say "at least 8 characters").
    (PASSWORD, "x" * 5000, None, "The password may have at most 1000 characters.", "new_password"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The passwords do not match.", "new_password_again"),
    (PASSWORD, PASSWORD, None, "The new password is the same as the current one.", "new_password"),
])
def test_a_refused_change_says_why_next_to_the_field_and_keeps_the_old_password(
        app, make_user, current, new, again, message, field):
    user = make_user("manager")
    client = app.test_client()
    login(client, user.email)
    before = db.session.get(User, user.id).password_hash
    refused = change(client, current, new, again)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    # The message sits in the label of the field it is about.
    label = html.split(f'name="{field}"')[0].rsplit('<label', 1)[1] + html.split(f'name="{field}"')[1].split("</label>")[0]
    assert message in label
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before
    assert signed_in(client)
    other = app.test_client()
    login(other, user.email, PASSWORD)
    assert signed_in(other)  # the old password still works


def test_messages_are_in_the_language_of_the_page(app, make_user):
    user = make_user("auditor")
    client = app.test_client()
    login(client, user.email)
    token = csrf_token(client.get("/").get_data(as_text=True))
    client.post("/language", data={"lang": "lt", "csrf_token": token, "next": "/"})
    html = change(client, "not my password", NEW_PASSWORD).get_data(as_text=True)
    assert "Pakeisti slaptažodį" in html
    assert "This is not your current password." not in html
    assert "Tai ne jūsų dabartinis slaptažodis." in html


def test_without_the_form_token_nothing_changes(app, make_user):
    user = make_user("reviewer")
    client = app.test_client()
    login(client, user.email)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD})
    assert response.status_code == 400
    other = app.test_client()
    login(other, user.email, PASSWORD)
    assert signed_in(other)


def test_guessing_the_current_password_from_an_open_session_is_throttled(app, make_user):
    user = make_user("auditor")
    client = app.test_client()
    login(client, user.email)
    for attempt in range(10):
        assert change(client, f"guess {attempt}", NEW_PASSWORD).status_code == 200
    refused = change(client, PASSWORD, NEW_PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts. Wait a minute and try again." in refused.get_data(as_text=True)
    other = app.test_client()
    login(other, user.email, PASSWORD)
    assert signed_in(other)  # the right password did not get through either


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
