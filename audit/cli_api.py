"""CLI commands for the JSON API: ``audit create-token EMAIL``, ``list-tokens``, ``revoke-token ID``."""
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


@click.command("list-tokens")
@with_appcontext
@click.argument("email", required=False)
def list_tokens(email: str | None) -> None:
    """List API tokens (of one user, or everyone's): id, owner, label, when made and last used."""
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from .extensions import db
    from .models import ApiToken, User
    from .times import display_zone

    statement = select(ApiToken).join(User).options(joinedload(ApiToken.user)).order_by(User.email, ApiToken.id)
    if email:
        statement = statement.where(User.email == email.strip().lower())
    rows = db.session.scalars(statement).all()
    if not rows:
        click.echo("no API tokens" + (f" for {email}" if email else ""))
        return

    def when(moment) -> str:
        return _local(moment, display_zone()) if moment else "never"

    for row in rows:
        state = f"revoked {_local(row.revoked_at, display_zone())}" if row.revoked_at else (
            "user deactivated" if not row.user.active else "active")
        click.echo(f"{row.id:>5}  {row.user.email}  {row.label or '–'}  made {when(row.created_at)}  "
                   f"last used {when(row.last_used_at)}  {state}")


@click.command("revoke-token")
@with_appcontext
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke one API token by its id (`audit list-tokens`), e.g. of a lost tablet; the user's
    other tokens and their sign-in keep working."""
    from .extensions import db
    from .models import ApiToken
    from .services.tokens import revoke_token as revoke

    row = db.session.get(ApiToken, token_id)
    if row is None:
        click.echo(f"error: no API token with id {token_id}; `audit list-tokens` lists them", err=True)
        sys.exit(1)
    if not revoke(row):
        click.echo(f"error: token {token_id} of {row.user.email} was already revoked", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"revoked token {token_id} of {row.user.email}{f' ({row.label})' if row.label else ''}")


def _local(moment, zone) -> str:
    from datetime import UTC

    return moment.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")
