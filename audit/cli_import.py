"""``audit import-visits FILE.csv``: past audits from a CSV file, and ``audit export-visits``:
approved visits to a CSV file of the same format (README.md, "Importing past audits (CSV)")."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from .cli_reports import chain_filter_options


@click.command("import-visits")
@with_appcontext
@click.argument("file", type=click.Path())
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what importing it would do, changing nothing.")
def import_visits(file: str, dry_run: bool) -> None:
    """Import past audits from a CSV file, one row per answer: all or nothing, idempotent."""
    from sqlalchemy.exc import SQLAlchemyError

    from .extensions import db
    from .services.imports import ImportConflict, ImportRejected, import_visits as run_import

    try:
        summary = run_import(file)
    except ImportConflict as exc:
        db.session.rollback()
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(1)
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
    if dry_run:
        db.session.rollback()  # everything was written and checked by the database, then taken back
    else:
        db.session.commit()
    click.echo(summary.describe(file, dry_run=dry_run))


@click.command("export-visits")
@chain_filter_options
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="File to write, or - for standard output.")
@with_appcontext
def export_visits(checklist, since, until, region, location_format, scenario, out) -> None:
    """Approved visits as CSV, one row per answer: the format import-visits reads."""
    from .cli_reports import chosen_visits
    from .services.checklists import current_version
    from .services.export_csv import VisitExport

    spec = chosen_visits(checklist, since, until, region, location_format, scenario)
    if current_version(checklist) is None:
        click.echo(f"error: unknown checklist '{checklist}'", err=True)
        sys.exit(1)
    export = VisitExport(spec)
    with click.open_file(out, "wb", atomic=out != "-") as handle:  # bytes: the rows end in CRLF as written
        for chunk in export:
            handle.write(chunk.encode("utf-8"))
    from .extensions import db
    from .services import audit_log

    audit_log.record("visits.exported", "checklist", checklist, None, out=out, visits=export.visits,
                     filters=spec.chosen())
    db.session.commit()
    if out != "-":
        click.echo(f"wrote {out} ({export.visits} visits, {export.answers} answers)")
