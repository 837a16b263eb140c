"""A command run before `audit init-db` (or after an upgrade without it) says what to run, not a
traceback about a missing table."""
from __future__ import annotations

import pytest

from audit import create_app
from audit.extensions import db


@pytest.fixture
def fresh_app(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.db'}",
                      "INSTANCE_PATH": str(tmp_path / "i"), "SECRET_KEY": "x" * 40})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("args", [
    ["load-checklists"], ["stats", "--checklist", "store-visit"], ["report", "visit", "1", "--out", "x.pdf"],
    ["list-tokens"], ["rescore"],
])
def test_a_command_on_a_database_not_set_up_says_to_run_init_db(fresh_app, args):
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert "is not set up: run `audit init-db` first" in result.output
    assert "Traceback" not in result.output and "no such table" not in result.output


def test_a_command_on_a_database_of_an_older_release_says_to_upgrade_it(fresh_app):
    from flask_migrate import upgrade

    with fresh_app.app_context():
        upgrade(revision="0001")  # before the schedules and reviews
    result = fresh_app.test_cli_runner().invoke(args=["list-tokens"])  # the tokens' table came later
    with fresh_app.app_context():
        upgrade()
    after = fresh_app.test_cli_runner().invoke(args=["list-tokens"])
    assert result.exit_code == 1, result.output
    assert "is at migration 0001, this release needs 0016: run `audit init-db` to upgrade it" in result.output
    assert after.exit_code == 0 and "no API tokens" in after.output


def test_the_wrapper_is_put_on_once_however_many_apps_are_made(tmp_path):
    """Each app registers the same command objects: the wrapper went round itself once per app,
    until Python's recursion limit (a long test run, a process making apps) broke every command."""
    from audit.cli import load_checklists

    for n in range(5):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path / f"i{n}"),
                    "SECRET_KEY": "x" * 40})
    callback = load_checklists.callback
    assert callback.needs_schema and not getattr(callback.__wrapped__, "needs_schema", False)
