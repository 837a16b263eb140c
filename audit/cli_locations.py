"""``audit import-locations FILE.csv``: branches and regions from the admin's spreadsheet
(README.md, "Importing branches (CSV)"); the admin page "Locations" imports and exports the same."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.command("import-locations")
@with_appcontext
@click.argument("file", type=click.Path())
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what importing it would do, changing nothing.")
def import_locations(file: str, dry_run: bool) -> None:
    """Create and update branches (and their regions) from a CSV file: all or nothing; importing
    the same file again changes nothing."""
    from .extensions import db
    from .services.import_conflicts import ImportConflict
    from .services.locations_csv import LocationImportRejected, import_locations as run_import

    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    try:
        result = run_import(data, source=Path(file).name)
    except ImportConflict as exc:
        db.session.rollback()
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(1)
    except LocationImportRejected as exc:
        db.session.rollback()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        if exc.omitted:
            click.echo(f"... and {exc.omitted} more", err=True)
        click.echo(f"{file}: {exc.count} problem(s); nothing was imported", err=True)
        sys.exit(1)
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()  # written and checked by the database, then taken back
        click.echo(f"{file}: {result.describe()} (dry run: nothing was changed)")
    else:
        db.session.commit()
        click.echo(f"{file}: {result.describe()}")
    for warning in result.warnings():
        click.echo(f"  {warning}")


@click.command("export-locations")
@with_appcontext
@click.option("--out", "out", required=True, help="The CSV file to write (- for standard output).")
def export_locations(out: str) -> None:
    """Every branch in the columns import-locations reads: edit it in a spreadsheet, import it again."""
    from .services.locations_csv import export_locations as export

    text = export()
    if out == "-":
        click.echo(text, nl=False)
        return
    Path(out).write_text(text, encoding="utf-8", newline="")
    click.echo(f"wrote {out} ({text.count(chr(10)) - 1} branches)")
