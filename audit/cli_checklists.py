"""``audit retire-checklist KEY [--undo]``: stop offering a checklist for new visits, or take it back."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.command("retire-checklist")
@with_appcontext
@click.argument("key")
@click.option("--undo", is_flag=True, help="Offer the retired checklist for new visits again.")
def retire_checklist(key: str, undo: bool) -> None:
    """Retire a checklist: no longer offered for new visits; its past visits keep counting."""
    from sqlalchemy import select

    from .extensions import db
    from .models import Checklist
    from .services.checklist_retirement import find_checklist, reinstate_checklist
    from .services.checklist_retirement import retire_checklist as retire
    from .times import local_date

    checklist = find_checklist(key)
    if checklist is None:
        loaded = ", ".join(db.session.scalars(select(Checklist.key).order_by(Checklist.key))) or "none"
        click.echo(f"error: no checklist '{key}' (loaded: {loaded})", err=True)
        sys.exit(1)
    was_retired = checklist.retired_at
    open_visits = reinstate_checklist(checklist) if undo else retire(checklist)
    db.session.commit()
    if undo:
        click.echo(f"{key} is offered for new visits again" if was_retired else f"{key} was not retired; nothing changed")
    elif was_retired:
        click.echo(f"{key} was already retired on {local_date(was_retired).isoformat()}; nothing changed")
    else:
        click.echo(f"{key} retired: not offered for new visits (scheduling, starting one through the API); "
                   "its past visits keep counting in statistics and reports")
    if not open_visits:
        click.echo("no scheduled visit of it is open")
    elif undo:
        click.echo(f"{open_visits} scheduled visit(s) of it open")
    else:
        click.echo(f"{open_visits} scheduled visit(s) of it still open (not started, drafts or returned): they can "
                   "still be made; cancel those no longer wanted on the Scheduled visits page (/assignments)")
