"""What the commands that touch a database say about it: its URL without the password, the
first line of a driver's error, and where its schema stands against the newest migration."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError


def shown_url(url) -> str:
    """A database URL (text, URL or engine) as it may be printed: the password as ***."""
    url = getattr(url, "url", url)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 – not a URL SQLAlchemy can read: show it as given
        return str(url)


def reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line ("connection refused"), without SQLAlchemy's wrapping."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def schema_revisions(engine: Engine) -> tuple[str | None, str]:
    """``(the database's migration, the newest one)``; ``None`` when it records none."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    head = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config()).get_current_head()
    return current, head


def needs_schema(command):
    """Wrap a command that uses the tables: on a database not set up (or set up by an older
    release) it stops with what to run instead of a traceback about a missing table."""
    import functools
    import sys

    import click
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from .extensions import db

    callback = command.callback
    if getattr(callback, "needs_schema", False):
        return command  # the command objects are shared: every app made registers them again

    @functools.wraps(callback)
    def run(*args, **kwargs):
        try:
            return callback(*args, **kwargs)
        except (OperationalError, ProgrammingError) as exc:
            db.session.rollback()
            try:
                current, head = schema_revisions(db.engine)
            except SQLAlchemyError:
                click.echo(f"error: {shown_url(db.engine)} cannot be reached: {reason(exc)}", err=True)
                sys.exit(1)
            if current is None:
                click.echo(f"error: the database {shown_url(db.engine)} is not set up: run `audit init-db` first",
                           err=True)
            elif current != head:
                click.echo(f"error: the database {shown_url(db.engine)} is at migration {current}, this release "
                           f"needs {head}: run `audit init-db` to upgrade it", err=True)
            else:
                raise
            sys.exit(1)

    run.needs_schema = True
    command.callback = run
    return command
