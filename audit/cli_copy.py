"""``audit copy-database --to URL``: the whole installation – users and their passwords,
branches, checklists, schedules, visits with their answers, reviews, disputes, API tokens and
the history – copied into an empty database, typically from the embedded SQLite to
PostgreSQL when a chain outgrows one process.

The target is migrated to the newest schema first, must hold no rows, and is written in one
transaction: a failure leaves it empty again. Photos are files and stay where they are.
"""
from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

BATCH = 2000


@click.command("copy-database")
@with_appcontext
@click.option("--to", "target_url", required=True, metavar="URL",
              help="The empty database to copy into, e.g. postgresql://audit@db.internal/audit.")
def copy_database(target_url: str) -> None:
    """Copy every table of this installation into an empty database (SQLite → PostgreSQL …)."""
    from . import config
    from .extensions import db

    target_uri = config.database_uri(target_url, current_app.instance_path)
    source = db.engine
    if _same_database(source, target_uri):
        _fail("the target is this installation's own database")
    _fail_unless_newest(source, "this installation's database is not at the newest migration: run `audit init-db`")
    _migrate(target_uri)
    target = create_engine(target_uri)
    try:
        occupied = _first_table_with_rows(target)
        if occupied:
            _fail(f"the target already holds data (table {occupied}); copy into an empty database")
        started = time.perf_counter()
        copied = _copy(source, target)
    except SQLAlchemyError as exc:
        _fail(f"copying failed, nothing was kept in the target: {_first_line(exc)}")
    finally:
        target.dispose()
    shown = target.url.render_as_string(hide_password=True)
    for table, rows in copied:
        click.echo(f"{table:<22}{rows:>9} row(s)")
    click.echo(f"copied {sum(rows for _, rows in copied)} rows into {shown} in {time.perf_counter() - started:.1f} s")
    click.echo(f"Photos stay in {current_app.config['UPLOAD_DIR']}: an installation on another machine needs "
               "that folder too (AUDIT_UPLOAD_DIR). Point AUDIT_DATABASE_URL at the new database and run "
               "`audit check-setup`.")


def _copy(source: Engine, target: Engine) -> list[tuple[str, int]]:
    from .extensions import db

    copied = []
    with source.connect() as reading, target.begin() as writing:
        for table in db.metadata.sorted_tables:  # parents before the rows that refer to them
            rows = 0
            result = reading.execution_options(yield_per=BATCH).execute(
                select(table).order_by(*table.primary_key.columns))
            for batch in result.partitions():
                writing.execute(table.insert(), [dict(row._mapping) for row in batch])
                rows += len(batch)
            copied.append((table.name, rows))
        if target.dialect.name == "postgresql":
            _continue_sequences(writing)
    return copied


def _continue_sequences(connection) -> None:
    """Rows came with their ids: PostgreSQL's id sequences must go on after the highest."""
    from .extensions import db

    for table in db.metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or columns[0].name != "id":
            continue
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) "
            f'FROM "{table.name}"'), {"table": f'"{table.name}"'})


def _first_table_with_rows(engine: Engine) -> str | None:
    from .extensions import db

    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if connection.execute(select(func.count()).select_from(table)).scalar():
                return table.name
    return None


def _migrate(target_uri: str) -> None:
    """The newest schema in the target, by the same migrations as `audit init-db`."""
    from flask_migrate import upgrade

    from . import create_app
    from .extensions import db

    target_app = create_app({"SQLALCHEMY_DATABASE_URI": target_uri, "SECRET_KEY": current_app.config["SECRET_KEY"],
                             "INSTANCE_PATH": current_app.instance_path})
    try:
        with target_app.app_context():
            try:
                upgrade()
            finally:
                db.engine.dispose()
    except SQLAlchemyError as exc:
        _fail(f"the target cannot be prepared: {_first_line(exc)}")


def _fail_unless_newest(engine: Engine, message: str) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()
    if current != head:
        _fail(message)


def _same_database(source: Engine, target_uri: str) -> bool:
    from sqlalchemy.engine import make_url

    return source.url.render_as_string(hide_password=False) == make_url(target_uri).render_as_string(
        hide_password=False)


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
