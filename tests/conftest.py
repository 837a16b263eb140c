"""Shared fixtures. Database tests run once per backend: SQLite always, PostgreSQL when
``AUDIT_TEST_POSTGRES_URL`` is set (required when ``CI=true``)."""
from __future__ import annotations

import os
import re
import socket
import time
from datetime import datetime
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from audit import PROJECT_ROOT, create_app
from audit.config import database_uri
from audit.extensions import db

PG_URL = os.environ.get("AUDIT_TEST_POSTGRES_URL")
if os.environ.get("CI") == "true" and not PG_URL:
    raise pytest.UsageError("CI=true needs AUDIT_TEST_POSTGRES_URL: the PostgreSQL tests must run")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
CHECKLIST_DIR = PROJECT_ROOT / "checklists"
PASSWORD = "correct horse battery"


def pg_uri(schema: str | None = None) -> str:
    uri = database_uri(PG_URL, "")
    return f"{uri}?options=-csearch_path%3D{schema}" if schema else uri


class IsolatedClient(FlaskClient):
    """Runs every request in its own app context, as in production.

    The test itself holds an app context (for its database work); without this Flask would
    reuse it for requests, sharing ``g`` (locale cache, logged-in user) and the database
    session between requests.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def _pg_schema():
    """A fresh schema per test session (so parallel runs do not collide), dropped at the end;
    tables are emptied after every test. A test parametrized for PostgreSQL alone is skipped
    without AUDIT_TEST_POSTGRES_URL (it errored on SQLite's URL); CI refuses to run without it."""
    if not PG_URL:
        pytest.skip("AUDIT_TEST_POSTGRES_URL is not set")
    schema = f"pytest_{os.getpid()}"
    engine = create_engine(pg_uri())
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield schema
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def app(backend, tmp_path, request):
    if backend == "postgresql":
        uri = pg_uri(request.getfixturevalue("_pg_schema"))
    else:
        uri = f"sqlite:///{tmp_path / 'audit.db'}"
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": "tests-only-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        **(_mail_settings(request.getfixturevalue("smtp_server")) if "smtp_server" in request.fixturenames else {}),
        **(marker.kwargs if (marker := request.node.get_closest_marker("app_config")) else {}),
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        if backend == "postgresql":
            _truncate_all()
        db.engine.dispose()


def _truncate_all(attempts: int = 5) -> None:
    """Empty every table for the next test. The app's mail sender thread may still be reading the
    outbox of a test that queued mail: PostgreSQL then picks one side of the lock cycle as a
    deadlock victim (it picked the TRUNCATE once in a full run), and the TRUNCATE goes again."""
    from sqlalchemy.exc import OperationalError

    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    for attempt in range(1, attempts + 1):
        try:
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            return
        except OperationalError as exc:
            if "deadlock detected" not in str(exc) or attempt == attempts:
                raise
            time.sleep(0.2 * attempt)


@pytest.fixture
def fresh_app(backend, tmp_path):
    """An app on an empty database (a schema of its own on PostgreSQL, dropped afterwards)."""
    schema = f"migration_{os.getpid()}"
    if backend == "postgresql":
        engine = create_engine(pg_uri())
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        uri = pg_uri(schema)
    else:
        uri = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "INSTANCE_PATH": str(tmp_path / "i"),
                      "SECRET_KEY": "fresh-app-secret-key-of-forty-characters"})
    yield app
    with app.app_context():
        db.engine.dispose()
    if backend == "postgresql":
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


class SmtpRecorder:
    """What a real SMTP server on localhost received, and how it is told to misbehave:
    ``refuse`` (addresses answered 550), ``busy`` (the next n messages answered 451)."""

    def __init__(self):
        self.messages: list = []
        self.refuse: set[str] = set()
        self.busy = 0
        self.port = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Busy, try again later"
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def wait_for(self, count: int, seconds: float = 15.0) -> list:
        """The messages once ``count`` have arrived (the app sends from a thread of its own)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


@pytest.fixture(scope="session")
def _smtp_controller():
    from aiosmtpd.controller import Controller

    recorder = SmtpRecorder()
    with socket.socket() as probe:  # a free port (aiosmtpd needs one named)
        probe.bind(("127.0.0.1", 0))
        recorder.port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port, ready_timeout=30)  # a busy CI machine
    controller.start()
    yield recorder
    controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller) -> SmtpRecorder:
    """A real SMTP server; an ``app`` in the same test sends its e-mail there."""
    _smtp_controller.messages.clear()
    _smtp_controller.refuse.clear()
    _smtp_controller.busy = 0
    return _smtp_controller


def _mail_settings(server: SmtpRecorder) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_SECURITY": "none",
            "MAIL_FROM": "Service audits <audits@chain.example>", "BASE_URL": "https://audits.chain.example"}


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def checklists(app):
    """The shipped checklists, loaded as version 1: {checklist id: ChecklistVersion}."""
    from audit.services.checklists import current_version, load_checklist_files

    outcomes, errors = load_checklist_files([CHECKLIST_DIR])
    assert not errors, errors
    db.session.commit()
    return {o.key: current_version(o.key) for o in outcomes}


@pytest.fixture
def make_location(app):
    from audit.models import Location, Region

    def make(code: str = "VLN-01", name: str | None = None, region: str = "Vilnius", **fields) -> Location:
        found = db.session.scalar(db.select(Region).where(Region.name == region))
        location = Location(code=code, name=name or f"Branch {code}", region=found or Region(name=region), **fields)
        db.session.add(location)
        db.session.commit()
        return location

    return make


@pytest.fixture
def make_user(app):
    from audit.services.users import create_user

    counter = iter(range(1, 10_000))

    def make(role: str = "auditor", email: str | None = None, password: str | None = PASSWORD,
             locations: list[str] = (), name: str | None = None):
        email = email or f"{role}{next(counter)}@example.com"
        user = create_user(email, role, name or email.split("@")[0].title(), password, list(locations))
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_visit(app, checklists):
    """An approved (by default) visit with answers, scored like a submitted one."""
    from audit.models import Answer, Visit
    from audit.services.scores import store_visit_scores

    counter = iter(range(1, 100_000))

    def make(location, auditor, answers: dict[str, str], checklist: str = "store-visit",
             status: str = "approved", visited_at: datetime | None = None, comments: dict | None = None):
        version = checklists[checklist]
        visit = Visit(
            uuid=f"00000000-0000-4000-8000-{next(counter):012d}", location=location, auditor=auditor,
            checklist_version=version, channel=version.parsed.channel, status=status,
            visited_at=visited_at or datetime(2026, 10, 1, 12, 0),
            answers=[Answer(item_id=k, value=v, comment=(comments or {}).get(k, "")) for k, v in answers.items()],
        )
        db.session.add(visit)
        store_visit_scores(visit)
        db.session.commit()
        return visit

    return make


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD, follow: bool = True):
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       follow_redirects=follow)


@pytest.fixture
def shipped_checklist_paths() -> list[Path]:
    return sorted(CHECKLIST_DIR.glob("*.yaml"))
