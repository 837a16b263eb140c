"""``audit check-setup`` (is this installation ready to serve?) and ``GET /health`` (may a load
balancer send this process requests?), on both databases and with the faults an operator meets:
a database not migrated or not reachable, Redis down, a photo folder that cannot be written."""
from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade

from audit import create_app
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
    assert "schema: at migration 0004, the newest is 0005: run `audit init-db` before starting the app" \
        in lines_of(behind.output, "problem")

    assert runner.invoke(args=["init-db"]).exit_code == 0
    empty = runner.invoke(args=["check-setup"])
    assert empty.exit_code == 0, empty.output
    assert "schema: at migration 0005, the newest" in lines_of(empty.output, "ok")
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
    assert ready.output.rstrip().endswith("0 problem(s), 2 warning(s)" if backend == "postgresql"
                                          else "0 problem(s), 1 warning(s)")  # plain-HTTP cookies (+ counters)


def test_check_setup_names_an_unreachable_database_and_redis_without_their_passwords(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "INSTANCE_PATH": str(tmp_path),
                      "RATELIMIT_STORAGE_URL": "redis://:redispass@127.0.0.1:1/0",
                      "SESSION_COOKIE_SECURE": True})
    result = app.test_cli_runner().invoke(args=["check-setup"])
    assert result.exit_code == 1
    problems = lines_of(result.output, "problem")
    assert problems[0].startswith("database: postgresql+psycopg://nobody:***@127.0.0.1:1/none")
    assert "cannot be reached" in problems[0]
    assert problems[1] == "sign-in limits: redis://:***@127.0.0.1:1/0 cannot be reached: " \
                          "each process would count on its own until it can"
    assert "hunter2" not in result.output and "redispass" not in result.output
    assert "cookies: sent over HTTPS only" in lines_of(result.output, "ok")
    assert "secret key: from " in result.output  # generated into the instance folder


def test_check_setup_finds_a_photo_folder_it_cannot_write(tmp_path):
    (tmp_path / "not-a-folder").write_text("a file where the photos should go")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}", "INSTANCE_PATH": str(tmp_path),
                      "UPLOAD_DIR": str(tmp_path / "not-a-folder" / "uploads"), "SECRET_KEY": "set"})
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
