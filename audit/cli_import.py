"""``audit import-visits FILE.csv``: past audits from a CSV file (format: README.md,
"Importing past audits (CSV)")."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("import-visits")
@with_appcontext
@click.argument("file", type=click.Path())
def import_visits(file: str) -> None:
    """Import past audits from a CSV file, one row per answer: all or nothing, idempotent."""
    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import db
    from .services.imports import ImportRejected, import_visits as run_import

    try:
        summary = run_import(file)
    except ImportRejected as exc:
        db.session.rollback()
        for error in exc.errors:
            click.echo(error, err=True)
        if exc.omitted:
            click.echo(f"... and {exc.omitted} more", err=True)
        click.echo(f"{file}: {exc.count} problem(s); nothing was imported", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    except SQLAlchemyError as exc:
        db.session.rollback()
        click.echo(f"error: the database refused the import ({getattr(exc, 'orig', None) or exc}); "
                   "nothing was imported", err=True)
        sys.exit(1)
    except BaseException:
        db.session.rollback()  # nothing half-written, even when the command is run inside a caller's session
        raise
    db.session.commit()
    click.echo(summary.describe(file))
