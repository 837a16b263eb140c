"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from audit.extensions import db


# SQLite cannot reflect the index on upper(location.code); PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning",
                            "ignore:Skipped unsupported reflection of expression-based index")
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


def test_the_database_refuses_a_code_that_differs_only_in_case(fresh_app):
    """The app checks before it writes; two admins (or imports) checking at the same moment
    could both pass the check, and kns-14 beside KNS-14 split one branch's visits."""
    with fresh_app.app_context():
        upgrade()
        db.session.execute(text("INSERT INTO location (code, name, address, city, format, active) "
                                "VALUES ('KNS-14', 'Laisvės alėja', '', '', 'mall', true)"))
        db.session.commit()
        with pytest.raises(IntegrityError):
            db.session.execute(text("INSERT INTO location (code, name, address, city, format, active) "
                                    "VALUES ('kns-14', 'Laisvės al.', '', '', 'mall', true)"))
        db.session.rollback()


def test_the_upgrade_names_codes_stored_twice_in_two_cases_instead_of_failing_bare(fresh_app, capfd):
    with fresh_app.app_context():
        upgrade(revision="0009")
        for code in ("KNS-14", "kns-14", "RIX-01"):
            db.session.execute(text("INSERT INTO location (code, name, address, city, format, active) "
                                    f"VALUES ('{code}', 'x', '', '', 'mall', true)"))
        db.session.commit()
        with pytest.raises(SystemExit):  # `audit init-db` exits 1 with flask_migrate's "Error: …"
            upgrade()
        assert ("location codes that differ only in case: KNS-14 (2 branches). Give all but one of each a code "
                "of its own") in capfd.readouterr().err
        db.session.rollback()
        db.session.execute(text("UPDATE location SET code = 'KNS-14B' WHERE code = 'kns-14'"))
        db.session.commit()
        upgrade()  # renamed: the upgrade goes through, and the index holds from now on
        with pytest.raises(IntegrityError):
            db.session.execute(text("INSERT INTO location (code, name, address, city, format, active) "
                                    "VALUES ('kns-14b', 'x', '', '', 'mall', true)"))
        db.session.rollback()
