"""``audit import-users FILE.csv``: a chain's people from the admin's spreadsheet (README.md,
"Adding users in bulk (CSV)"); the admin page "Users" imports the same files."""
from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path

import click
from flask import current_app, url_for
from flask.cli import with_appcontext


@click.command("import-users")
@with_appcontext
@click.argument("file", type=click.Path())
@click.option("--dry-run", is_flag=True,
              help="Check the file and say what importing it would do, changing nothing (and making no links).")
@click.option("--base-url", metavar="URL",
              help="The app's address (https://audit.example.com) to print full links; without it, paths.")
def import_users(file: str, dry_run: bool, base_url: str | None) -> None:
    """Create and update users from a CSV file (email,name,role[,locations][,language]): all or
    nothing; importing the same file again changes nothing. Every new user gets a one-time
    set-password link, printed here: send each person theirs."""
    from .extensions import db
    from .services.import_conflicts import ImportConflict
    from .services.import_csv import ImportRejected
    from .services.users_csv import import_users as run_import

    if base_url and not base_url.startswith(("https://", "http://")):
        click.echo(f"error: --base-url {base_url}: write the address with https:// (or http://)", err=True)
        sys.exit(1)
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        click.echo(f"error: cannot read {file}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    try:
        result = run_import(data, source=Path(file).name, make_links=not dry_run)
    except ImportConflict as exc:
        db.session.rollback()
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(1)
    except ImportRejected as exc:
        db.session.rollback()
        for problem in exc.errors:
            click.echo(problem, err=True)
        if exc.omitted:
            click.echo(f"... and {exc.omitted} more", err=True)
        click.echo(f"{file}: {exc.count} problem(s); nothing was imported", err=True)
        sys.exit(1)
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()  # written and checked by the database, then taken back
        click.echo(f"{file}: {result.describe()} (dry run: nothing was changed, no links were made)")
        return
    db.session.commit()
    click.echo(f"{file}: {result.describe()}")
    if result.links:
        expires = result.links[0].expires_at.replace(tzinfo=UTC).strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"set-password links of the new users (each works once, until {expires}; send each person "
                   "theirs, they are not shown again):")
        with current_app.test_request_context(base_url=base_url or "http://localhost/"):
            for link in result.links:
                url = url_for("password_links.set_password", token=link.token, _external=bool(base_url))
                click.echo(f"{link.user.email}\t{link.user.name}\t{url}")
