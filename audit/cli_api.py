"""CLI commands for the JSON API: ``audit create-token EMAIL``."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("create-token")
@with_appcontext
@click.argument("email")
@click.option("--label", default="", help="What the token is for, e.g. the tablet or the import job.")
def create_token(email: str, label: str) -> None:
    """Create an API token for a user; the token is printed once, alone on the last line."""
    from .extensions import db
    from .services.tokens import TokenError
    from .services.tokens import create_token as create
    from .services.users import find_user_by_email

    user = find_user_by_email(email)
    if user is None:
        click.echo(f"error: no user with the e-mail {email}; create one with `audit create-user`", err=True)
        sys.exit(1)
    try:
        token = create(user, label)
    except TokenError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"API token for {user.role} {user.email}{f' ({label.strip()})' if label.strip() else ''}.")
    click.echo("It is shown only this once; send it as `Authorization: Bearer <token>`.")
    click.echo(token)
