"""Set-password links: an admin makes a one-time link for a user (shown once), the user opens
it and chooses a password (twice, the account form's rules), the link then stops working and
every session of the account ends. Only a SHA-256 of the token is stored; the audit log says
a link was made and used, never the token."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from audit.extensions import db
from audit.models import AuditLogEntry, PasswordLink, SignIn, User, utcnow
from audit.services.password_links import LINK_LIFETIME
from tests.conftest import PASSWORD, csrf_token, login

NEW_PASSWORD = "a much better passphrase"
LINK = re.compile(r"http://localhost(/set-password/[A-Za-z0-9_-]{40,})")


@pytest.fixture
def admin(app, make_user):
    client = app.test_client()
    login(client, make_user("admin", email="ada@example.com").email)
    return client


def make_link(admin, user: User):
    """Press "Make a set-password link" on the user's page; the page that answers and the link's path."""
    page = admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    response = admin.post(f"/admin/users/{user.id}/password-link", data={"csrf_token": csrf_token(page)})
    found = LINK.search(response.get_data(as_text=True))
    return response, found.group(1) if found else None


def set_password(client, path: str, new: str = NEW_PASSWORD, again: str | None = None, follow: bool = False):
    form = client.get(path)
    assert form.status_code == 200, form.status_code
    return client.post(path, data={"new_password": new, "new_password_again": new if again is None else again,
                                   "csrf_token": csrf_token(form.get_data(as_text=True))}, follow_redirects=follow)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_link_made_shown_once_used_and_the_new_password_signs_in(app, admin, make_user):
    person = make_user("auditor", email="ieva@example.com", password=None, name="Ieva Kalniņa")
    response, path = make_link(admin, person)
    assert response.status_code == 200 and path is not None
    assert "not shown again" in text_of(response) and "ieva@example.com" in text_of(response)
    token = path.rsplit("/", 1)[1]
    assert token not in admin.get(f"/admin/users/{person.id}").get_data(as_text=True)  # once only
    stored = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == person.id))
    assert stored.token_hash != token and len(stored.token_hash) == 64  # its SHA-256, not the token
    assert stored.expires_at - stored.created_at == timedelta(days=7)

    browser = app.test_client()
    page = browser.get(path)
    assert "Choose your password" in text_of(page) and "ieva@example.com" in text_of(page)
    done = set_password(browser, path)
    assert done.status_code == 302 and done.headers["Location"].startswith("/login")
    shown = text_of(browser.get("/login"))
    assert "Your password is set. Sign in with ieva@example.com and your new password." in shown
    assert not signed_in(browser)  # sent to sign in, not signed in
    login(browser, person.email, NEW_PASSWORD)
    assert signed_in(browser)

    log = db.session.execute(select(AuditLogEntry.action, AuditLogEntry.details, AuditLogEntry.user_id)
                             .where(AuditLogEntry.action.like("password_link.%")).order_by(AuditLogEntry.id)).all()
    assert [row.action for row in log] == ["password_link.created", "password_link.used"]
    assert log[1].user_id == person.id
    assert all(token not in str(row.details) and NEW_PASSWORD not in str(row.details) for row in log)


def test_a_used_link_is_refused(app, admin, make_user):
    person = make_user("reviewer", password=None)
    _, path = make_link(admin, person)
    browser = app.test_client()
    set_password(browser, path)
    again = app.test_client().get(path)
    assert again.status_code == 410 and "This link was already used" in text_of(again)
    other = app.test_client()
    token = csrf_token(other.get("/login").get_data(as_text=True))
    posted = other.post(path, data={"new_password": "someone else's choice", "new_password_again":
                                    "someone else's choice", "csrf_token": token})
    assert posted.status_code == 410
    login(other, person.email, NEW_PASSWORD)
    assert signed_in(other)  # the first password stands


def test_an_expired_link_is_refused(app, admin, make_user):
    person = make_user("auditor", password=None)
    _, path = make_link(admin, person)
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == person.id))
    link.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    browser = app.test_client()
    refused = browser.get(path)
    assert refused.status_code == 410 and "This link has expired" in text_of(refused)
    # As long as links really work, in every language ("day" or "days", as the number wants).
    assert f"Set-password links work for {LINK_LIFETIME.days} day" in text_of(refused)
    in_russian = app.test_client().get(path, headers={"Accept-Language": "ru"})
    assert f"Ссылки для установки пароля действуют {LINK_LIFETIME.days} д" in text_of(in_russian)
    token = csrf_token(browser.get("/login").get_data(as_text=True))
    assert browser.post(path, data={"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD,
                                    "csrf_token": token}).status_code == 410
    db.session.expire_all()
    assert db.session.get(User, person.id).password_hash is None
    assert "expired on" in text_of(admin.get(f"/admin/users/{person.id}"))  # the admin sees why


def test_a_new_link_replaces_the_old_one(app, admin, make_user):
    person = make_user("manager", password=None, locations=())
    _, first = make_link(admin, person)
    _, second = make_link(admin, person)
    assert first != second
    browser = app.test_client()
    gone = browser.get(first)
    assert gone.status_code == 404 and "This link does not work" in text_of(gone)
    assert set_password(browser, second).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)
                             .where(PasswordLink.user_id == person.id)) == 1


def test_using_a_link_ends_every_other_session_of_the_account(app, admin, make_user):
    person = make_user("auditor")  # has a password, forgot it on one device, still signed in on another
    tablet = app.test_client()
    login(tablet, person.email)
    assert signed_in(tablet)
    _, path = make_link(admin, person)
    set_password(app.test_client(), path)
    assert not signed_in(tablet)
    assert db.session.scalar(select(func.count()).select_from(SignIn).where(SignIn.user_id == person.id)) == 0
    assert "Wrong e-mail or password." in text_of(login(app.test_client(), person.email, PASSWORD))


def test_the_form_refuses_passwords_that_differ_or_are_short_and_the_link_keeps_working(app, admin, make_user):
    person = make_user("auditor", password=None)
    _, path = make_link(admin, person)
    browser = app.test_client()
    differ = set_password(browser, path, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 200 and "The passwords do not match." in text_of(differ)
    short = set_password(browser, path, "short")
    assert "The password must have at least 8 characters." in text_of(short)
    long = set_password(browser, path, "x" * 5000)
    assert long.status_code == 200 and "The password may have at most 1000 characters." in text_of(long)
    assert "at least" not in text_of(long)
    assert set_password(browser, path).status_code == 302


def test_unknown_and_mangled_links_get_a_page_not_an_error(app):
    browser = app.test_client()
    for path in ("/set-password/nothing-like-a-token", "/set-password/" + "x" * 500):
        response = browser.get(path)
        assert response.status_code == 404 and "This link does not work" in text_of(response)


def test_posting_to_links_is_rate_limited_like_signing_in(app, admin, make_user):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per minute"
    person = make_user("auditor", password=None)
    _, path = make_link(admin, person)
    browser = app.test_client()
    responses = [set_password(browser, path, NEW_PASSWORD, "wrong") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert "Too many attempts. Wait a minute and try again." in text_of(responses[-1])


def test_a_user_created_without_a_password_gets_a_link_at_once(app, admin):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    created = admin.post("/admin/users/new", data={
        "email": "rasa@example.com", "name": "Rasa Jonaitė", "role": "auditor", "csrf_token": csrf_token(page)})
    assert created.status_code == 200
    assert "User Rasa Jonaitė created." in text_of(created)
    path = LINK.search(created.get_data(as_text=True)).group(1)
    # the page is the new user's: saving it edits her, it does not create another user
    assert 'action="/admin/users/' in created.get_data(as_text=True)
    assert set_password(app.test_client(), path).status_code == 302
    login(browser := app.test_client(), "rasa@example.com", NEW_PASSWORD)
    assert signed_in(browser)


def test_a_user_created_with_a_password_gets_no_link(app, admin):
    page = admin.get("/admin/users/new").get_data(as_text=True)
    created = admin.post("/admin/users/new", data={
        "email": "jonas@example.com", "name": "Jonas", "role": "auditor", "password": PASSWORD,
        "password_again": PASSWORD, "csrf_token": csrf_token(page)})
    assert created.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_no_link_for_a_deactivated_user_and_deactivation_stops_a_link(app, admin, make_user):
    person = make_user("auditor", password=None)
    _, path = make_link(admin, person)
    page = admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{person.id}/deactivate", data={"csrf_token": csrf_token(page)})
    assert app.test_client().get(path).status_code == 404
    response, again = make_link(admin, person)
    assert again is None
    assert "is deactivated: reactivate the account first." in text_of(admin.get(f"/admin/users/{person.id}"))


@pytest.mark.parametrize("role", ["reviewer", "auditor", "manager"])
def test_only_admins_make_links(app, make_user, role):
    person = make_user("auditor", password=None)
    client = app.test_client()
    home = login(client, make_user(role).email)
    response = client.post(f"/admin/users/{person.id}/password-link",
                           data={"csrf_token": csrf_token(home.get_data(as_text=True))})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 0


def test_a_link_stops_working_once_the_account_is_secured(app, admin, make_user):
    """A link sent to the wrong person still set the password after the owner changed it, or
    after the admin deactivated and reactivated the account."""
    from audit.services.users import change_own_password

    person = make_user("manager")
    _, path = make_link(admin, person)
    change_own_password(person, PASSWORD, "A-new-password-2026")
    db.session.commit()
    assert app.test_client().get(path).status_code == 404

    _, path = make_link(admin, person)
    page = admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{person.id}/deactivate", data={"csrf_token": csrf_token(page)})
    admin.post(f"/admin/users/{person.id}/reactivate", data={"csrf_token": csrf_token(page)})
    db.session.expire_all()
    assert db.session.get(User, person.id).active
    assert app.test_client().get(path).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(PasswordLink).where(
        PasswordLink.user_id == person.id, PasswordLink.used_at.is_(None))) == 0


def test_the_set_password_page_speaks_the_language_the_admin_gave_the_person(app, admin, make_user):
    person = make_user("manager", password=None)
    person.locale = "lv"
    db.session.commit()
    _, path = make_link(admin, person)
    stranger = app.test_client()
    page = stranger.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="lv">' in page
    # A language chosen on the page wins.
    token = csrf_token(page)
    stranger.post("/language", data={"lang": "ru", "csrf_token": token, "next": path})
    assert '<html lang="ru">' in stranger.get(path).get_data(as_text=True)


def test_after_setting_the_password_the_sign_in_page_speaks_on_in_the_person_s_language(app, admin, make_user):
    """The sign-in page after a Latvian person's link was in the browser's English, with the
    message in Latvian beside it and the address to type again."""
    person = make_user("manager", email="ilze@example.lv", password=None)
    person.locale = "lv"
    db.session.commit()
    _, path = make_link(admin, person)
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    signed = set_password(browser, path, follow=True).get_data(as_text=True)
    assert '<html lang="lv">' in signed and "Parole" in signed
    assert 'value="ilze@example.lv"' in signed
