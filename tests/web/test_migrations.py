"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from audit.extensions import db


def test_upgrade_to_head_matches_the_models_and_downgrades_cleanly(fresh_app):
    with fresh_app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert differences == []
        tables = set(inspect(db.engine).get_table_names())
        assert {"visit", "answer", "checklist_version", "audit_log", "visit_section_score"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_init_db_command_is_repeatable(fresh_app):
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "database ready" in second.output


def test_running_the_migrations_keeps_the_loggers_that_already_exist(fresh_app):
    """Alembic's logging set-up must not silence WeasyPrint's warnings about refused URLs
    (they are how a report with a blocked resource gets noticed)."""
    import logging

    import weasyprint  # noqa: F401 – creates the "weasyprint" logger before the migration runs

    with fresh_app.app_context():
        upgrade()
    assert not logging.getLogger("weasyprint").disabled
    assert not logging.getLogger("audit.reports.visit_report").disabled
