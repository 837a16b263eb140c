"""Configuration sources, SQLite pragmas, the generated secret key and `audit create-user`."""
from __future__ import annotations

import multiprocessing
import stat

import pytest

from sqlalchemy import func, select, text

from audit import SQLITE_SORT_THREADS, create_app
from audit.config import database_uri
from audit.extensions import db
from audit.models import User
from audit.passwords import verify_password


def test_sqlite_connections_get_wal_busy_timeout_foreign_keys_and_sort_threads(app, backend):
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("PRAGMA threads")).scalar() == SQLITE_SORT_THREADS >= 1  # sorter helpers


def test_postgresql_urls_use_psycopg3_and_default_is_sqlite_in_instance():
    assert database_uri("postgresql://postgres@127.0.0.1/test", "/x") == "postgresql+psycopg://postgres@127.0.0.1/test"
    assert database_uri("postgres://u@h/d", "/x") == "postgresql+psycopg://u@h/d"
    assert database_uri(None, "/srv/inst") == "sqlite:////srv/inst/audit.db"


def test_secret_key_is_generated_once_private_and_env_overrides(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIT_SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    first = create_app(dict(config)).config["SECRET_KEY"]
    assert len(first) == 64 and create_app(dict(config)).config["SECRET_KEY"] == first
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    monkeypatch.setenv("AUDIT_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("AUDIT_DATABASE_URL", "postgresql://someone@db.internal/audits")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://someone@db.internal/audits"


def _key_when_released(folder: str, start, keys) -> None:
    from audit.config import instance_secret_key

    start.wait()
    try:
        keys.put(instance_secret_key(folder))
    except Exception as exc:  # noqa: BLE001 – reported to the test as the failure it is
        keys.put(f"failed: {exc!r}")


def test_processes_starting_together_on_a_new_instance_all_get_one_key(tmp_path):
    """gunicorn's workers start at once: before, one could read the file its maker had not yet
    written (an empty key) or fail to create it (FileExistsError, a dead worker)."""
    context = multiprocessing.get_context("fork")
    for attempt in range(15):
        folder = tmp_path / str(attempt)
        start, keys = context.Event(), context.Queue()
        workers = [context.Process(target=_key_when_released, args=(str(folder), start, keys)) for _ in range(8)]
        for worker in workers:
            worker.start()
        start.set()
        got = [keys.get(timeout=30) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        assert len(set(got)) == 1 and len(got[0]) == 64, got
        assert sorted(p.name for p in folder.iterdir()) == ["secret_key"]


def test_instance_config_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIT_DATABASE_URL", raising=False)
    (tmp_path / "config.py").write_text("DATABASE_URL = 'sqlite:////tmp/from-instance.db'\n")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/from-instance.db"


def test_create_user_asks_for_the_password_twice(runner, make_location):
    make_location("VLN-07")
    result = runner.invoke(args=["create-user", "Rasa@Example.com", "--role", "manager", "--location", "vln-07",
                                 "--language", "lt"], input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "rasa@example.com"))
    assert user.role == "manager" and [loc.code for loc in user.locations] == ["VLN-07"]  # any case, as the CSVs
    assert user.locale == "lt"
    assert verify_password(user.password_hash, "long enough pw")
    assert user.password_hash.startswith("$argon2")


def test_create_user_refuses_bad_input_and_stores_nothing(runner):
    cases = [
        (["create-user", "not-an-email", "--role", "admin"], "long enough pw\nlong enough pw\n", "not a valid e-mail"),
        (["create-user", "a@example.com", "--role", "admin"], "short\nshort\n", "at least 8 characters"),
        # Said before the password is typed twice (no input given: a prompt would fail otherwise).
        (["create-user", "a@example.com", "--role", "manager", "--location", "NOPE"], "", "unknown location code 'NOPE'"),
        (["create-user", "a@example.com", "--role", "manager"], "", "a branch manager needs at least one branch"),
        (["create-user", "a@example.com", "--role", "auditor", "--language", "de"], "", "Invalid value for '--language'"),
        (["create-user", "a@example.com", "--role", "boss"], "", "Invalid value for '--role'"),
    ]
    # A password given on the command line would stay in the shell history.
    cases.append((["create-user", "a@example.com", "--role", "admin", "--password", "long enough pw"], "",
                  "type it at the prompt instead"))
    for args, stdin, message in cases:
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    mismatch = runner.invoke(args=["create-user", "a@example.com", "--role", "admin"],
                             input="long enough pw\ndifferent pw\nlong enough pw\nlong enough pw\n")
    assert "do not match" in mismatch.output and mismatch.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    duplicate = runner.invoke(args=["create-user", "A@example.com", "--role", "admin"],
                              input="long enough pw\nlong enough pw\n")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
