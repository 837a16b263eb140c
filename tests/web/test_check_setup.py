"""``audit check-setup`` (is this installation ready to serve?) and ``GET /health`` (may a load
balancer send this process requests?), on both databases and with the faults an operator meets:
a database not migrated or not reachable, Redis down, a photo folder that cannot be written."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from flask_migrate import downgrade, upgrade

from audit import PROJECT_ROOT, create_app
from audit.extensions import db
from audit.services.users import create_user
from tests.conftest import CHECKLIST_DIR

UNREACHABLE_DB = "postgresql+psycopg://nobody:hunter2@127.0.0.1:1/none?connect_timeout=2"


def lines_of(output: str, level: str) -> list[str]:
    return [line[8:] for line in output.splitlines() if line.startswith(level)]


def test_check_setup_says_what_to_run_until_the_installation_is_ready(fresh_app, backend):
    runner = fresh_app.test_cli_runner()
    new = runner.invoke(args=["check-setup"])
    assert new.exit_code == 1
    assert any(line.startswith("schema:") and "audit init-db" in line for line in lines_of(new.output, "problem"))

    with fresh_app.app_context():
        upgrade()
        downgrade(revision="0004")
    behind = runner.invoke(args=["check-setup"])
    assert behind.exit_code == 1
    assert "schema: at migration 0004, the newest is 0016: run `audit init-db` before starting the app" \
        in lines_of(behind.output, "problem")

    assert runner.invoke(args=["init-db"]).exit_code == 0
    empty = runner.invoke(args=["check-setup"])
    assert empty.exit_code == 0, empty.output
    assert "schema: at migration 0016, the newest" in lines_of(empty.output, "ok")
    warnings = "\n".join(lines_of(empty.output, "warning"))
    assert "audit load-checklists" in warnings and "audit create-user" in warnings
    # Counting sign-ins in memory is right for one process on SQLite; a PostgreSQL set-up runs several.
    assert ("AUDIT_RATELIMIT_STORAGE_URL" in warnings) == (backend == "postgresql")

    assert runner.invoke(args=["load-checklists", str(CHECKLIST_DIR)]).exit_code == 0
    with fresh_app.app_context():
        create_user("boss@example.com", "admin", "Boss", "correct horse battery")
        db.session.commit()
    ready = runner.invoke(args=["check-setup"])
    assert ready.exit_code == 0
    ok = "\n".join(lines_of(ready.output, "ok"))
    assert f"checklists: {len(list(CHECKLIST_DIR.glob('*.yaml')))} loaded" in ok and "admins: 1 active" in ok
    assert "PDF fonts: DejaVu Sans, Noto Color Emoji" in ok
    assert ready.output.rstrip().endswith("0 problem(s), 2 warning(s)" if backend == "postgresql"
                                          else "0 problem(s), 1 warning(s)")  # plain-HTTP cookies (+ counters)


def test_check_setup_names_an_unreachable_database_and_redis_without_their_passwords(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "INSTANCE_PATH": str(tmp_path),
                      "RATELIMIT_STORAGE_URL": "redis://:redispass@127.0.0.1:1/0",
                      "STATS_CACHE_URL": "redis://:cachepass@127.0.0.1:1/1", "SESSION_COOKIE_SECURE": True})
    result = app.test_cli_runner().invoke(args=["check-setup"])
    assert result.exit_code == 1
    problems = lines_of(result.output, "problem")
    assert problems[0].startswith("database: postgresql+psycopg://nobody:***@127.0.0.1:1/none")
    assert "cannot be reached" in problems[0]
    assert problems[1] == "sign-in limits: redis://:***@127.0.0.1:1/0 cannot be reached: " \
                          "each process would count on its own until it can"
    assert "statistics cache: redis://:***@127.0.0.1:1/1 cannot be reached: statistics are computed afresh " \
           "each time until it can" in lines_of(result.output, "warning")
    assert "hunter2" not in result.output and "redispass" not in result.output and "cachepass" not in result.output
    assert "cookies: sent over HTTPS only" in lines_of(result.output, "ok")
    assert "secret key: from " in result.output  # generated into the instance folder


def test_check_setup_finds_a_photo_folder_it_cannot_write(tmp_path):
    (tmp_path / "not-a-folder").write_text("a file where the photos should go")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}", "INSTANCE_PATH": str(tmp_path),
                      "UPLOAD_DIR": str(tmp_path / "not-a-folder" / "uploads"),
                      "SECRET_KEY": "a-long-enough-secret-key-for-this-test-0123"})
    result = app.test_cli_runner().invoke(args=["check-setup"])
    assert result.exit_code == 1
    assert any(line.startswith(f"photos: {tmp_path / 'not-a-folder' / 'uploads'} is not writable")
               for line in lines_of(result.output, "problem"))
    assert "secret key: set in the configuration" in result.output


def test_health_is_ok_while_the_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_503_without_details_when_the_database_is_down(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert json.loads(response.data) == {"status": "unavailable", "database": "unreachable"}
    assert b"127.0.0.1" not in response.data and b"nobody" not in response.data


def test_check_setup_refuses_a_short_configured_secret_key_and_flags_demo_accounts(fresh_app, backend):
    runner = fresh_app.test_cli_runner()
    for command in (["init-db"], ["load-checklists", str(CHECKLIST_DIR)], ["demo", "--locations", "2", "--months", "1"]):
        done = runner.invoke(args=command)
        assert done.exit_code == 0, done.output
    fresh_app.config["SECRET_KEY"] = "changeme"
    result = runner.invoke(args=["check-setup"])
    assert result.exit_code == 1
    assert any(line.startswith("secret key: the configured key is 8 characters")
               for line in lines_of(result.output, "problem"))
    demo = [line for line in lines_of(result.output, "warning") if line.startswith("demo accounts:")]
    assert demo and "@demo.example account(s) from `audit demo` share one password" in demo[0]


def test_settings_from_the_environment_get_the_types_the_app_expects(tmp_path, monkeypatch):
    """AUDIT_SESSION_COOKIE_SECURE=False stayed the text "False" (true!), and an all-digit
    AUDIT_SECRET_KEY became a number that broke every page."""
    monkeypatch.setenv("AUDIT_SESSION_COOKIE_SECURE", "False")
    monkeypatch.setenv("AUDIT_SECRET_KEY", "12345678901234567890123456789012345678")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.config["SECRET_KEY"] == "12345678901234567890123456789012345678"
    assert app.test_client().get("/login").status_code == 200
    monkeypatch.setenv("AUDIT_SESSION_COOKIE_SECURE", "yes")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)}) \
        .config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("AUDIT_SESSION_COOKIE_SECURE", "0")
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)}) \
        .config["SESSION_COOKIE_SECURE"] is False
    monkeypatch.setenv("AUDIT_SESSION_COOKIE_SECURE", "2")
    with pytest.raises(ValueError, match="AUDIT_SESSION_COOKIE_SECURE=2: write true or false"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})
    monkeypatch.setenv("AUDIT_SESSION_COOKIE_SECURE", "sure")
    with pytest.raises(ValueError, match="AUDIT_SESSION_COOKIE_SECURE='sure': write true or false"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})


def test_a_page_while_the_database_is_down_says_so_in_the_apps_own_words(tmp_path):
    """The error page itself needs the database (who is signed in, in which language): the
    server's bare "Internal Server Error" came instead."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "x" * 40})
    client = app.test_client()
    with client.session_transaction() as session:  # a signed-in browser: the page must look the user up
        session["_user_id"] = "7:some-sign-in-key"
    response = client.get("/office")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "The service is not available just now" in page and "It cannot reach its database" in page
    assert "nobody" not in page and "hunter2" not in page


def test_init_db_names_an_unreachable_database_in_one_line(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "INSTANCE_PATH": str(tmp_path),
                      "SECRET_KEY": "x" * 40})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 1
    assert result.output.startswith("error: postgresql+psycopg://nobody:***@127.0.0.1:1/none")
    assert "cannot be reached" in result.output and "Traceback" not in result.output
    assert "hunter2" not in result.output


def test_check_setup_notices_a_checklist_file_edited_but_not_loaded(tmp_path):
    from flask_migrate import upgrade as migrate

    from tests.unit.test_checklist_validation import VALID

    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "mini.yaml").write_text(VALID)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}", "INSTANCE_PATH": str(tmp_path / "i"),
                      "SECRET_KEY": "x" * 40, "CHECKLIST_DIR": str(folder)})
    runner = app.test_cli_runner()
    with app.app_context():
        migrate()
        assert runner.invoke(args=["load-checklists"]).exit_code == 0
        current = runner.invoke(args=["check-setup"]).output
        assert f"checklist files: the 1 file(s) in {folder} are loaded as they are" in lines_of(current, "ok")
        (folder / "mini.yaml").write_text(VALID.replace("Friendliness", "Friendliness of the staff"))
        (folder / "broken.yaml").write_text("id: [")
        edited = runner.invoke(args=["check-setup"]).output
        warned = lines_of(edited, "warning")
        assert f"checklist files: mini.yaml in {folder} differ from what is loaded: run `audit load-checklists` " \
               "(new visits use the loaded version)" in warned
        assert f"checklist files: 1 file(s) in {folder} have problems (broken.yaml): run `audit check-checklists`" \
            in warned
        db.engine.dispose()


def test_check_setup_does_not_take_a_folder_never_loaded_for_edited_files(tmp_path):
    """Checklists loaded from a folder of the chain's own, the default folder's files never loaded:
    the advice is to point AUDIT_CHECKLIST_DIR there, not to load the default folder's files."""
    from flask_migrate import upgrade as migrate

    from tests.unit.test_checklist_validation import VALID

    own, default = tmp_path / "own", tmp_path / "default"
    own.mkdir()
    default.mkdir()
    (own / "salon.yaml").write_text(VALID)
    (default / "other.yaml").write_text(VALID.replace("id: mini", "id: other"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}", "INSTANCE_PATH": str(tmp_path / "i"),
                      "SECRET_KEY": "x" * 40, "CHECKLIST_DIR": str(default)})
    runner = app.test_cli_runner()
    with app.app_context():
        migrate()
        assert runner.invoke(args=["load-checklists", str(own / "salon.yaml")]).exit_code == 0
        warned = lines_of(runner.invoke(args=["check-setup"]).output, "warning")
        assert f"checklist files: other.yaml in {default}: never loaded (run `audit load-checklists` to use them); " \
               "1 loaded checklist(s) came from another folder: set AUDIT_CHECKLIST_DIR to it" in warned
        assert not any("differ from what is loaded" in line for line in warned)
        db.engine.dispose()


def test_check_setup_names_a_missing_emoji_font_and_its_package(tmp_path):
    """A machine whose fontconfig knows only DejaVu (as one without fonts-noto-color-emoji):
    the reports still print, but an emoji in a comment prints as an empty box."""
    (tmp_path / "fonts.conf").write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd"><fontconfig>'
        f'<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    result = subprocess.run(
        [sys.executable, "-c", "from audit.cli import main; main()", "check-setup"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "FONTCONFIG_FILE": str(tmp_path / "fonts.conf"),
             "AUDIT_INSTANCE_PATH": str(tmp_path / "instance"), "AUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert ("PDF fonts: Noto Color Emoji not found: emoji typed in comments print as empty boxes in the PDFs"
            " (on Debian: apt-get install fonts-noto-color-emoji)") in lines_of(result.stdout, "warning"), result.stdout
