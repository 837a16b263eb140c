"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from audit import create_app
from audit.extensions import db
from tests.conftest import pg_uri


def _fresh_app(backend: str, tmp_path):
    if backend == "postgresql":
        engine = create_engine(pg_uri())
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS migration_test CASCADE"))
            conn.execute(text("CREATE SCHEMA migration_test"))
        engine.dispose()
        uri = pg_uri("migration_test")
    else:
        uri = f"sqlite:///{tmp_path / 'migrated.db'}"
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x"})


def test_upgrade_to_head_matches_the_models_and_downgrades_cleanly(backend, tmp_path):
    app = _fresh_app(backend, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"visit", "answer", "checklist_version", "audit_log", "visit_section_score"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_init_db_command_is_repeatable(backend, tmp_path):
    app = _fresh_app(backend, tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "database ready" in second.output
    with app.app_context():
        db.engine.dispose()
