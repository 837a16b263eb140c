"""``audit copy-database --to URL``: the whole installation – users and their passwords,
branches, checklists, schedules, visits with their answers, reviews, disputes, API tokens and
the history – copied into an empty database, typically from the embedded SQLite to
PostgreSQL when a chain outgrows one process.

The target must be empty (no tables, or this app's at the newest migration without rows); it is
then migrated and written in one transaction: a failure leaves it without rows. Photos are files
and stay where they are.
"""
from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

from .cli_common import reason, schema_revisions, shown_url

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
    current, head = schema_revisions(source)
    if current != head:
        _fail("this installation's database is not at the newest migration: run `audit init-db`")
    target = create_engine(target_uri)
    try:
        # Nothing is created in the target before it is known to be empty: a URL pointing at the
        # wrong database (another app's, an older installation's) must be refused untouched.
        try:
            refusal = _not_empty(target)
        except SQLAlchemyError as exc:
            _fail(f"the target cannot be reached: {reason(exc)}")
        if refusal:
            _fail(refusal)
        _migrate(target_uri)
        started = time.perf_counter()
        copied = _copy(source, target)
    except SQLAlchemyError as exc:
        _fail(f"copying failed, nothing was copied into the target: {reason(exc)}")
    finally:
        target.dispose()
    for table, rows in copied:
        click.echo(f"{table:<22}{rows:>9} row(s)")
    click.echo(f"copied {sum(rows for _, rows in copied)} rows into {shown_url(target)} in "
               f"{time.perf_counter() - started:.1f} s")
    click.echo(f"Photos stay in {current_app.config['UPLOAD_DIR']}: an installation on another machine needs "
               "that folder too (AUDIT_UPLOAD_DIR). Point AUDIT_DATABASE_URL at the new database and run "
               "`audit check-setup`.")


#: Made by the target's own migrations: the statistics' generation names each database's cached
#: statistics (services.stats_cache), so a copy must not take the source's name.
OWN_ROWS = {"stats_generation"}


def _copy(source: Engine, target: Engine) -> list[tuple[str, int]]:
    from .extensions import db

    copied = []
    with source.connect() as reading, target.begin() as writing:
        for table in db.metadata.sorted_tables:  # parents before the rows that refer to them
            if table.name in OWN_ROWS:
                continue
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


def _not_empty(engine: Engine) -> str | None:
    """Why ``engine``'s database is not an empty place to copy into, or ``None``. Empty is no
    tables at all, or this app's tables at the newest migration without a row (`audit init-db`)."""
    from .extensions import db

    tables = set(inspect(engine).get_table_names())
    ours = {table.name for table in db.metadata.sorted_tables}
    foreign = sorted(tables - ours - {"alembic_version"})
    if foreign:
        return (f"the target is not empty (it has tables {', '.join(foreign[:5])}"
                f"{' …' if len(foreign) > 5 else ''}); copy into an empty database")
    if not tables:
        return None
    current, head = schema_revisions(engine)
    if current != head:
        return (f"the target has this app's tables at migration {current or 'none'}, not the newest ({head}); "
                "copy into an empty database")
    with engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name not in OWN_ROWS and connection.execute(select(func.count()).select_from(table)).scalar():
                return f"the target already holds data (table {table.name}); copy into an empty database"
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
        _fail(f"the target cannot be prepared: {reason(exc)}")


def _same_database(source: Engine, target_uri: str) -> bool:
    from sqlalchemy.engine import make_url

    return source.url.render_as_string(hide_password=False) == make_url(target_uri).render_as_string(
        hide_password=False)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
