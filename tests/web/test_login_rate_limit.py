"""Sign-in attempts are throttled per e-mail address tried and per client IP (Flask-Limiter).

Every test gets a new app and with it fresh in-memory counters, so other tests that sign
in many times are not throttled; the limits themselves are the real defaults.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest

from audit import PROJECT_ROOT
from tests.conftest import PASSWORD, csrf_token, login

TOO_MANY = "Too many sign-in attempts. Wait a minute and try again."
REDIS_URL = "redis://127.0.0.1:6379/0"


def post_login(client, email: str, password: str = "wrong password", **kwargs):
    token = csrf_token(client.get("/login", **kwargs).get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs)


def test_eleventh_attempt_for_one_address_within_a_minute_is_refused_politely(client, make_user):
    user = make_user("reviewer")
    for attempt in range(10):
        assert post_login(client, user.email).status_code == 200, attempt
    # Upper case and spaces are the same address, so they count too.
    refused = post_login(client, f"  {user.email.upper()} ", PASSWORD)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert TOO_MANY in html
    assert int(refused.headers["Retry-After"]) <= 60
    # The form is still there, with what was typed and a fresh token.
    assert 'name="password"' in html and f'value="  {user.email.upper()} "' in html
    assert csrf_token(html)
    assert client.get("/").status_code == 302  # the right password did not get through either


def test_reading_the_sign_in_page_is_never_throttled(client, make_user):
    user = make_user("auditor")
    for _ in range(11):
        post_login(client, user.email)
    for _ in range(40):
        page = client.get("/login")
        assert page.status_code == 200 and TOO_MANY not in page.get_data(as_text=True)


def test_other_accounts_can_still_sign_in_while_one_address_is_throttled(client, make_user):
    victim, colleague = make_user("manager"), make_user("admin")
    for _ in range(11):
        post_login(client, victim.email)
    assert post_login(client, victim.email, PASSWORD).status_code == 429
    response = login(client, colleague.email)
    assert response.status_code == 200 and "Administration" in response.get_data(as_text=True)


def test_one_ip_trying_many_addresses_is_throttled_too(client, app):
    limit = int(app.config["LOGIN_LIMIT_PER_IP"].split()[0])
    for attempt in range(limit):
        assert post_login(client, f"guess{attempt}@example.com").status_code == 200, attempt
    assert post_login(client, "one.more@example.com").status_code == 429
    other_ip = {"environ_base": {"REMOTE_ADDR": "192.0.2.77"}}
    assert post_login(client, "one.more@example.com", **other_ip).status_code == 200


def test_unreachable_redis_falls_back_to_counting_in_memory(tmp_path):
    from audit import create_app
    from audit.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t",
                      "INSTANCE_PATH": str(tmp_path), "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    statuses = [post_login(client, "someone@example.com").status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


SECOND_SERVER = """
import re
import sys
from audit import create_app
from audit.extensions import db

email, remote_addr, count, instance = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "second",
                  "INSTANCE_PATH": instance, "RATELIMIT_STORAGE_URL": "%s"})
with app.app_context():
    db.create_all()
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = remote_addr
for _ in range(count):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": "wrong password", "csrf_token": token})
    print(response.status_code)
""" % REDIS_URL


def test_two_app_processes_share_the_counter_through_redis(tmp_path):
    if not _redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis at 127.0.0.1:6379 is not reachable: CI must run the shared-counter test")
        pytest.skip("Redis at 127.0.0.1:6379 is not reachable")
    from audit import create_app
    from audit.extensions import db

    # New address and IP every run: counters from an earlier run live on in Redis for a minute.
    email = f"shared-{uuid.uuid4().hex[:12]}@example.com"
    remote_addr = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"

    # The other server is another process, as with several workers or machines behind one address.
    second = subprocess.run(
        [sys.executable, "-c", SECOND_SERVER, email, remote_addr, "6", str(tmp_path / "second")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["200"] * 6

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "first",
                      "INSTANCE_PATH": str(tmp_path / "first"), "RATELIMIT_STORAGE_URL": REDIS_URL})
    assert app.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    with app.app_context():
        db.create_all()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = remote_addr
    statuses = [post_login(client, email).status_code for _ in range(5)]
    # 6 attempts there + 4 here make 10; the 11th is refused although this process saw only 5.
    assert statuses == [200, 200, 200, 200, 429]

    import redis

    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{email}*")
    assert keys, "the counter for the address should be stored in Redis"


@pytest.mark.parametrize("hops", [0, 1])
def test_behind_a_proxy_the_per_address_limit_counts_the_forwarded_client(tmp_path, hops):
    """With AUDIT_PROXY_HOPS=1 the client address comes from the proxy's X-Forwarded-For, so two
    clients behind one proxy have separate counters; without it the header is ignored (a client
    cannot pick its own address)."""
    from audit import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}", "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "x", "PROXY_HOPS": hops, "LOGIN_LIMIT_PER_IP": "3 per minute",
                      "LOGIN_LIMIT_PER_EMAIL": "100 per minute"})
    with app.app_context():
        from audit.extensions import db

        db.create_all()
    client = app.test_client()
    proxy = {"environ_base": {"REMOTE_ADDR": "10.0.0.1"}}
    first = {**proxy, "headers": {"X-Forwarded-For": "198.51.100.1"}}
    second = {**proxy, "headers": {"X-Forwarded-For": "198.51.100.2"}}
    for attempt in range(3):
        assert post_login(client, f"a{attempt}@example.com", **first).status_code == 200
    assert post_login(client, "a.more@example.com", **first).status_code == 429
    assert post_login(client, "b@example.com", **second).status_code == (200 if hops else 429)


def sign_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/account/password").get_data(as_text=True))})
    assert client.get("/").status_code == 302


def test_someone_hammering_an_address_cannot_lock_its_owner_out_of_their_own_browser(app, make_user):
    """The per-address limit stops guessing from elsewhere; the browser the owner signed in with
    before is not stopped by it (still by its own IP's limit)."""
    user = make_user("manager")
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    login(owner, user.email)
    assert owner.get_cookie("audit_devices") is not None
    sign_out(owner)

    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    for _ in range(10):
        post_login(attacker, user.email)
    assert post_login(attacker, user.email, PASSWORD).status_code == 429  # locked for guessers
    assert post_login(owner, user.email, PASSWORD).status_code == 302  # not for its owner
    assert owner.get("/").status_code == 200
    sign_out(owner)
    # A mark made for one address opens nothing for another, nor does a forged one.
    other = make_user("admin")
    for _ in range(10):
        post_login(attacker, other.email)
    assert post_login(owner, other.email, PASSWORD).status_code == 429
    forger = app.test_client()
    forger.set_cookie("audit_devices", "0" * 32)
    assert post_login(forger, user.email, PASSWORD).status_code == 429


def test_a_copied_device_cookie_guesses_no_faster_and_a_new_password_voids_it(app, make_user):
    """The mark exempts a browser from the address's counter, not from counting: a copy of the
    cookie (a shared computer's) shares the owner's own counter, and a new password ends it."""
    from audit.extensions import db
    from audit.services.users import change_own_password

    user = make_user("manager")
    owner = app.test_client()
    login(owner, user.email)
    sign_out(owner)
    thief = app.test_client()
    thief.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    thief.set_cookie("audit_devices", owner.get_cookie("audit_devices").value)
    statuses = [post_login(thief, user.email).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]

    fresh = app.test_client()  # the limits of this app start again: another minute, say
    change_own_password(user, PASSWORD, "Another-password-2026")
    db.session.commit()
    fresh.set_cookie("audit_devices", owner.get_cookie("audit_devices").value)
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "198.51.100.3"
    for _ in range(10):
        post_login(attacker, user.email)
    # The old mark no longer exempts: the address's counter, used up by the attacker, applies.
    assert post_login(fresh, user.email, "Another-password-2026").status_code == 429


def test_sign_in_is_only_by_the_form_so_every_attempt_counts_against_its_address(client, make_user):
    user = make_user("reviewer")
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", json={"email": user.email, "password": PASSWORD},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 415
    assert client.get("/").status_code == 302  # not signed in
