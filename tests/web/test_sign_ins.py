"""Sessions end when they should: signing out ends that session even for a copied cookie,
deactivation ends every session and API token for good, signing in starts a fresh session,
and pages carry the headers that keep them out of other sites' frames."""
from __future__ import annotations

import os
import stat

from audit.extensions import db
from audit.models import ApiToken, SignIn
from audit.services.tokens import create_token
from tests.conftest import PASSWORD, csrf_token


def _sign_in(client, email: str, remember: bool = False, next_url: str | None = None):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login" + (f"?next={next_url}" if next_url else ""), data=data)


def _copy_of(app, client, *names: str):
    """Another browser holding copies of ``client``'s cookies (a stolen or backed-up cookie)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie"
        other.set_cookie(name, cookie.value)
    return other


def test_signing_out_ends_the_session_for_every_copy_of_its_cookies(app, make_user):
    person = make_user("reviewer")
    tablet = app.test_client()
    _sign_in(tablet, person.email, remember=True)
    copied_session = _copy_of(app, tablet, "session")
    copied_remember = _copy_of(app, tablet, "remember_token")
    assert copied_session.get("/").status_code == 200 and copied_remember.get("/").status_code == 200

    laptop = app.test_client()  # another device of the same person stays signed in
    _sign_in(laptop, person.email)
    tablet.post("/logout", data={"csrf_token": csrf_token(tablet.get("/").get_data(as_text=True))})

    assert tablet.get("/").status_code == 302
    assert copied_session.get("/").status_code == 302
    fresh = _copy_of(app, tablet, "remember_token") if tablet.get_cookie("remember_token") else None
    assert fresh is None  # the browser's remember-me cookie is gone …
    assert copied_remember.get("/").status_code == 302  # … and a copy of it signs in nobody
    assert laptop.get("/").status_code == 200
    assert db.session.scalar(db.select(db.func.count(SignIn.id))) == 1  # the laptop's


def test_deactivation_ends_sessions_and_api_tokens_and_reactivation_does_not_revive_them(app, make_user):
    admin, person = make_user("admin"), make_user("auditor")
    token = create_token(person, "tablet 7")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    tablet = app.test_client()
    _sign_in(tablet, person.email, remember=True)
    assert tablet.get("/").status_code == 200 and tablet.get("/api/v1/locations", headers=bearer).status_code == 200

    office = app.test_client()
    _sign_in(office, admin.email)
    page = office.get("/admin/users").get_data(as_text=True)
    office.post(f"/admin/users/{person.id}/deactivate", data={"csrf_token": csrf_token(page)})
    page = office.get("/admin/users").get_data(as_text=True)
    office.post(f"/admin/users/{person.id}/reactivate", data={"csrf_token": csrf_token(page)})

    assert tablet.get("/").status_code == 302
    assert app.test_client().get("/api/v1/locations", headers=bearer).status_code == 401
    assert db.session.scalar(db.select(ApiToken.revoked_at)) is not None
    assert _sign_in(app.test_client(), person.email).status_code == 302  # they may sign in again, afresh


def test_signing_in_starts_a_fresh_session_but_keeps_the_chosen_language(app, make_user):
    person = make_user("reviewer")
    browser = app.test_client()
    before = csrf_token(browser.get("/login").get_data(as_text=True))
    browser.post("/language", data={"csrf_token": before, "lang": "lt", "next": "/login"})
    _sign_in(browser, person.email)
    # A form token from before signing in (one an attacker could have planted) is refused now.
    assert browser.post("/language", data={"csrf_token": before, "lang": "en", "next": "/"}).status_code == 400
    assert 'lang="lt"' in browser.get("/").get_data(as_text=True)


def test_a_next_address_with_a_line_break_goes_home_after_signing_in(app, make_user):
    person = make_user("reviewer")
    response = _sign_in(app.test_client(), person.email, next_url="/office%0D%0ASet-Cookie:%20x=1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


def test_pages_may_not_be_framed_and_send_no_full_referrer(app, make_user):
    page = app.test_client().get("/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Strict-Transport-Security" not in page.headers  # plain HTTP (the embedded set-up)
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_not_kept_in_the_browsers_cache_to_be_shown_after_sign_out(app, make_user, make_location):
    """A shared office computer or tablet: after sign-out, Back or the history must not bring a
    visit's findings back from the cache."""
    from tests.conftest import login

    make_location("VLN-01", "Vilnius")
    client = app.test_client()
    login(client, make_user("admin").email)
    for url in ("/", "/office", "/admin/locations", "/office/locations/VLN-01", "/login"):
        response = client.get(url)
        assert response.mimetype == "text/html", url
        assert response.headers["Cache-Control"] == "no-store", url
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_the_remember_me_cookie_is_secure_when_the_session_cookie_is(app, make_user):
    person = make_user("reviewer")
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)  # what create_app derives
    response = _sign_in(app.test_client(), person.email, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "Secure" in c for c in cookies)
    assert any(c.startswith("session=") and "Secure" in c for c in cookies)


def test_create_app_derives_the_remember_flag_and_keeps_the_instance_folder_private(tmp_path, monkeypatch):
    from audit import create_app

    folder = tmp_path / "instance"
    folder.mkdir(mode=0o755)
    monkeypatch.setenv("AUDIT_SESSION_COOKIE_SECURE", "true")
    made = create_app({"INSTANCE_PATH": str(folder), "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    assert made.config["REMEMBER_COOKIE_SECURE"] is True
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_behind_a_proxy_the_host_is_not_taken_from_x_forwarded_host(tmp_path, make_user):
    """Over HTTPS the form check compares the Referer with the host: a client-sent
    X-Forwarded-Host passed on by the proxy let a foreign Referer through."""
    from audit import create_app

    user = make_user("admin")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "x" * 40, "PROXY_HOPS": 1})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    page = client.get("/login", base_url="https://audit.example", headers=https)
    token = csrf_token(page.get_data(as_text=True))
    form = {"email": user.email, "password": "whatever it is", "csrf_token": token}
    foreign = client.post("/login", data=form, base_url="https://audit.example",
                          headers={**https, "Referer": "https://evil.example/", "X-Forwarded-Host": "evil.example"})
    assert foreign.status_code == 400
    own = client.post("/login", data=form, base_url="https://audit.example",
                      headers={**https, "Referer": "https://audit.example/login"})
    assert own.status_code == 200  # the form was read (a wrong password, said on the page)


def test_behind_https_browsers_are_told_to_stay_on_https(tmp_path):
    from audit import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "x" * 40, "SESSION_COOKIE_SECURE": True})
    page = app.test_client().get("/health")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
