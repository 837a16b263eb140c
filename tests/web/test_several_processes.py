"""The production path for real: two gunicorn servers of two workers each (four app processes),
one PostgreSQL database, Redis for the sign-in counters, one instance folder – as the README's
"Running in production" says. A person is served by whichever process a load balancer picks,
so every request below alternates between the servers.

Started on an empty instance folder, the four processes race to make the secret key; they
must all end up with one (a session from one server is then valid on the other).
"""
from __future__ import annotations

import http.cookiejar
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, pg_uri
from tests.web.test_login_rate_limit import _redis_reachable

REDIS_URL = "redis://127.0.0.1:6379/0"
BIN = Path(sys.executable).parent


def _missing() -> str | None:
    if not PG_URL:
        return "AUDIT_TEST_POSTGRES_URL is not set"
    if not _redis_reachable():
        return "Redis at 127.0.0.1:6379 is not reachable"
    if not (BIN / "gunicorn").exists():
        return "gunicorn is not installed in this environment"
    return None


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}: CI must run the several-processes tests")
        pytest.skip(missing)
    root = tmp_path_factory.mktemp("production")
    schema = f"processes_{os.getpid()}"
    engine = create_engine(pg_uri())
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    env = {**os.environ, "AUDIT_DATABASE_URL": f"{PG_URL}?options=-csearch_path%3D{schema}",
           "AUDIT_RATELIMIT_STORAGE_URL": REDIS_URL, "AUDIT_INSTANCE_PATH": str(root / "setup"),
           # Every request comes from 127.0.0.1: a run soon after another must not meet its per-address count.
           "AUDIT_LOGIN_LIMIT_PER_IP": "1000 per minute"}
    for command in (["init-db"], ["load-checklists"], ["demo", "--locations", "3", "--months", "1"]):
        done = subprocess.run([str(BIN / "audit"), *command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    password = re.search(r"password: (\S+)", (root / "setup" / "demo-logins.txt").read_text()).group(1)

    # The servers' instance folder is new: no secret key yet, so their four workers race to make it.
    env["AUDIT_INSTANCE_PATH"] = str(root / "instance")
    running = []
    for name in ("a", "b"):
        port = _free_port()
        log = open(root / f"gunicorn-{name}.out", "w")  # its own output; the error log is a file of its own
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--threads", "2", "--bind", f"127.0.0.1:{port}",
             "--error-logfile", str(root / f"gunicorn-{name}.log"), "audit.wsgi:app"],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root,
        )
        running.append((process, f"http://127.0.0.1:{port}", log))
    try:
        for process, url, _ in running:
            _wait_until_healthy(process, url, root)
        yield Deployment(urls=[url for _, url, _ in running], password=password, instance=root / "instance",
                         logs=[root / f"gunicorn-{name}.log" for name in ("a", "b")])
    finally:
        for process, _, log in running:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()
        shutil.rmtree(root / "instance" / "uploads", ignore_errors=True)


@dataclass
class Deployment:
    urls: list[str]
    password: str
    instance: Path
    logs: list[Path]


class Browser:
    """Cookies kept as a browser would; ``get``/``post`` name the server that answers."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, url: str, data: bytes | None = None, headers: dict | None = None):
        try:
            with self.opener.open(urllib.request.Request(url, data=data, headers=headers or {}), timeout=60) as answer:
                return answer.status, answer.geturl(), answer.read(), answer.headers
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read(), error.headers

    def get(self, url: str):
        return self.request(url)

    def post(self, url: str, fields: dict, headers: dict | None = None):
        return self.request(url, urllib.parse.urlencode(fields).encode(), headers)

    def sign_in(self, server: str, email: str, password: str):
        _, _, page, _ = self.get(f"{server}/login")
        return self.post(f"{server}/login", {"email": email, "password": password, "csrf_token": _token(page)})


def _token(page: bytes) -> str:
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(process: subprocess.Popen, url: str, root: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            logs = "\n".join(p.read_text() for p in sorted(root.glob("gunicorn-*.*")))
            pytest.fail(f"gunicorn for {url} stopped with {process.returncode}:\n{logs[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer /health within 90 s")


def test_every_process_answers_health_and_shares_one_secret_key(servers):
    for url in servers.urls:
        with urllib.request.urlopen(f"{url}/health", timeout=10) as answer:
            assert json.loads(answer.read()) == {"status": "ok", "database": "ok"}
    kept = sorted(p.name for p in servers.instance.iterdir() if "secret_key" in p.name)
    assert kept == ["secret_key"], "one key, and no candidate left behind by the race"


def test_a_session_started_on_one_server_is_honoured_and_ended_on_the_other(servers):
    a, b = servers.urls
    browser = Browser()
    status, landed, _, _ = browser.sign_in(a, "admin@demo.example", servers.password)
    assert status == 200 and "/login" not in landed
    # Several requests, so that both workers of server b answer some of them.
    for _ in range(6):
        status, landed, page, _ = browser.get(f"{b}/admin/users")
        assert status == 200 and "/login" not in landed
        assert b"admin@demo.example" in page
    # A form served by b is accepted by a (the CSRF token is signed with the shared key).
    _, _, page, _ = browser.get(f"{b}/account/password")
    status, _, answer, _ = browser.post(f"{a}/account/password", {
        "csrf_token": _token(page), "current_password": "wrong", "new_password": "x", "new_password_again": "x"})
    assert status == 200 and b"CSRF" not in answer

    _, _, page, _ = browser.get(f"{a}/")
    status, landed, _, _ = browser.post(f"{b}/logout", {"csrf_token": _token(page)})
    assert "/login" in landed
    for server in (a, b, a, b):
        _, landed, _, _ = browser.get(f"{server}/admin/users")
        assert "/login" in landed, "signed out on b means signed out everywhere"


def test_a_photo_sent_to_one_server_is_shown_by_the_other(servers):
    a, b = servers.urls
    auditor = Browser()
    auditor.sign_in(b, "auditor1@demo.example", servers.password)
    _, _, home, _ = auditor.get(f"{a}/")
    start = re.search(rb'action="(/assignments/\d+/start)"', home).group(1).decode()
    status, fill_url, page, _ = auditor.post(f"{b}{start}", {"csrf_token": _token(home),
                                                             "client_uuid": str(uuid.uuid4())})
    assert status == 200 and "/fill" in fill_url
    visit_uuid = re.search(r"/visits/([0-9a-f-]{36})/fill", fill_url).group(1)

    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(picture, "JPEG")
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"item_id\"\r\n\r\n\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"shop.jpg\"\r\n"
            f"Content-Type: image/jpeg\r\n\r\n").encode() + picture.getvalue() + f"\r\n--{boundary}--\r\n".encode()
    status, _, answer, _ = auditor.request(f"{a}/visits/{visit_uuid}/photos", body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": _token(page)})
    assert status == 201, answer
    photo_url = json.loads(answer)["url"]

    for server in (b, a, b):
        status, _, image, headers = auditor.get(f"{server}{photo_url}")
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        with Image.open(io.BytesIO(image)) as shown:
            assert shown.size == (640, 480)
            assert shown.getpixel((320, 240))[0] > 150

    # A refused photo is in gunicorn's error log, with its time and level (it went to a bare stderr).
    text_body = body.replace(picture.getvalue(), b"these are not the pixels you are looking for")
    status, _, _, _ = auditor.request(f"{a}/visits/{visit_uuid}/photos", text_body, {
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRFToken": _token(page)})
    assert status == 415
    time.sleep(0.5)
    logged = "".join(log.read_text() for log in servers.logs)
    assert re.search(r"\[\d{4}-\d\d-\d\d [\d:]+ [+-]\d{4}\] \[\d+\] \[INFO\] photo for visit \d+ refused", logged), \
        logged[-2000:]


def test_sign_in_attempts_are_counted_across_all_processes(servers):
    a, b = servers.urls
    email = f"nobody-{uuid.uuid4().hex[:10]}@demo.example"  # counters from earlier runs live a minute in Redis
    statuses = [Browser().sign_in((a, b)[i % 2], email, "wrong password")[0] for i in range(11)]
    # No single process saw more than 6 of them; together they are 11, one over the limit of 10.
    assert statuses == [200] * 10 + [429]
    status, _, page, _ = Browser().sign_in(b, "admin@demo.example", servers.password)
    assert status == 200 and b"Too many" not in page, "another address is not held back"
