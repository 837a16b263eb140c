"""The ``audit`` command: a Flask CLI group over ``create_app`` (``audit run``, ``audit init-db`` …)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from click.core import ParameterSource
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .checklist import find_checklist_files, load_checklist_set
from .cli_api import create_token, list_tokens, revoke_token
from .cli_checklists import retire_checklist
from .cli_import import export_visits, import_visits
from .cli_locations import export_locations, import_locations
from .cli_users import import_users
from .models import utcnow
from .times import local_today


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=create_app, help="Mystery-shopping and service-consistency audits.")(prog_name="audit")


def register_commands(app: Flask) -> None:
    from .cli_reports import report_group, stats_command
    from .cli_copy import copy_database
    from .cli_mail import send_mail, send_reminders_command
    from .cli_setup import check_setup

    from .cli_common import needs_schema

    for command in (init_db, check_checklists, check_setup, copy_database):
        app.cli.add_command(command)
    for command in (load_checklists, rescore, create_user, demo, import_visits, export_visits, import_locations, export_locations,
                    import_users, create_token, list_tokens, revoke_token, stats_command, retire_checklist, send_mail,
                    send_reminders_command):
        app.cli.add_command(needs_schema(command))
    for command in report_group.commands.values():
        needs_schema(command)
    app.cli.add_command(report_group)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the newest migration."""
    from flask_migrate import upgrade
    from sqlalchemy.exc import OperationalError

    from .cli_common import reason

    try:
        upgrade()
    except OperationalError as exc:  # the server is down, the name or password wrong …
        click.echo(f"error: {_safe_url()} cannot be reached: {reason(exc)}", err=True)
        sys.exit(1)
    click.echo(f"database ready: {_safe_url()}")


@click.command("check-checklists")
@with_appcontext
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--all-languages", is_flag=True,
              help="A text missing in Russian, Lithuanian or Latvian is a problem, not a note.")
def check_checklists(paths: tuple[str, ...], all_languages: bool) -> None:
    """Validate checklist files (default: the checklists folder) without touching the database."""
    from .checklist import ChecklistProblem
    from .checklist.untranslated import missing_texts

    chosen = list(paths) or [current_app.config["CHECKLIST_DIR"]]
    files = find_checklist_files(chosen)
    loaded, errors = load_checklist_set(chosen)
    problems = [problem for error in errors for problem in error.problems]
    for path, _definition in loaded:
        missing = missing_texts(path)
        if all_languages:
            problems += [ChecklistProblem(str(path), place.line, place.path, f"no {_language_list(place.languages)} "
                                          "text: shown in English") for place in missing]
            continue
        for lang, name in LANGUAGE_NAMES.items():
            places = [f"line {place.line} ({place.path})" for place in missing if lang in place.languages]
            if places:
                listed = ", ".join(places[:5]) + (f" and {len(places) - 5} more" if len(places) > 5 else "")
                click.echo(f"note: {path}: no {name} ({lang}) text for {len(places)} place(s), shown in English: "
                           f"{listed}", err=True)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        bad = len({p.file for p in problems})
        click.echo(f"{len(problems)} problem(s) in {bad} of {len(files)} file(s)", err=True)
        sys.exit(1)
    if not files:
        click.echo("no checklist files found", err=True)
        sys.exit(1)
    click.echo(f"ok: {len(files)} checklist file(s)")


LANGUAGE_NAMES = {"ru": "Russian", "lt": "Lithuanian", "lv": "Latvian"}


def _language_list(languages) -> str:
    names = [f"{LANGUAGE_NAMES[lang]} ({lang})" for lang in languages]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


@click.command("load-checklists")
@with_appcontext
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--take-back", is_flag=True,
              help="Store a file whose content is an earlier version's as a new version (going back to it).")
def load_checklists(paths: tuple[str, ...], take_back: bool) -> None:
    """Store checklist files as versions; unchanged content creates no new version, nor does the
    content of an earlier version (unless --take-back)."""
    from .extensions import db
    from .services.checklists import load_checklist_files

    from sqlalchemy.exc import IntegrityError

    chosen = list(paths) or [current_app.config["CHECKLIST_DIR"]]
    try:
        outcomes, errors = load_checklist_files(chosen, take_back=take_back)
        db.session.commit()
    except IntegrityError:  # two servers' release scripts at once: the other one stored them
        db.session.rollback()
        click.echo("error: another load-checklists stored checklists at the same moment; nothing was stored "
                   "by this one: run it again to see what is loaded", err=True)
        sys.exit(1)
    for outcome in outcomes:
        if outcome.older is not None:
            path = next((f for f in find_checklist_files(chosen) if f.name == outcome.source), outcome.source)
            click.echo(f"{outcome.key}: not stored — {outcome.source} is version {outcome.older}, older than the "
                       f"newest version {outcome.number} (loaded since, perhaps on the checklists page); to go "
                       f"back to it: audit load-checklists --take-back {path}", err=True)
            continue
        state = "new version" if outcome.created else "unchanged"
        retired = (f" — retired, not offered for new visits (to use it again: audit retire-checklist {outcome.key} "
                   "--undo)") if outcome.retired else ""
        click.echo(f"{outcome.key}: version {outcome.number} ({state}) from {outcome.source}{retired}")
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        click.echo(f"{len(errors)} file(s) not loaded; nothing of them was stored", err=True)
        sys.exit(1)


@click.command("rescore")
@with_appcontext
@click.option("--checklist", "key", help="Only visits of this checklist id.")
def rescore(key: str | None) -> None:
    """Recompute the stored scores of every submitted, returned or approved visit."""
    from .extensions import db
    from .models import Checklist, ChecklistVersion, Visit
    from .services.scores import store_visit_scores

    stmt = select(Visit.id).where(Visit.status != "draft").order_by(Visit.id)
    if key:
        stmt = stmt.join(ChecklistVersion).join(Checklist).where(Checklist.key == key)
    ids = db.session.scalars(stmt).all()
    changed = 0
    for start in range(0, len(ids), 500):
        batch = db.session.scalars(
            select(Visit).where(Visit.id.in_(ids[start:start + 500]))
            .options(selectinload(Visit.answers), selectinload(Visit.section_scores))
        ).all()
        for visit in batch:
            before = (visit.score, visit.critical_failed)
            store_visit_scores(visit)
            changed += before != (visit.score, visit.critical_failed)
        db.session.commit()
    click.echo(f"rescored {len(ids)} visit(s); {changed} visit score(s) changed")


def _typed_not_given(ctx, param, value):
    """A password is typed at the prompt (or piped in): given as ``--password`` it would stay in
    the shell's history and in the process list."""
    if ctx.get_parameter_source(param.name) is ParameterSource.COMMANDLINE:
        raise click.BadParameter("type it at the prompt instead: on the command line it stays in the "
                                 "shell history and is visible to other users in the process list", param=param)
    return value


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "reviewer", "auditor", "manager"]), required=True)
@click.option("--name", default="", help="Display name (default: the part of the e-mail before @).")
@click.option("--location", "locations", multiple=True,
              help="Code of a location a manager looks after (any case; repeat for several; managers need one).")
@click.option("--language", type=click.Choice(["en", "ru", "lt", "lv"]),
              help="The language of their pages (default: as their browser asks).")
@click.option("--password", hidden=True, callback=_typed_not_given)
def create_user(email: str, role: str, name: str, locations: tuple[str, ...], language: str | None,
                password: str | None) -> None:
    """Create a user; the password is asked twice on standard input, once the rest is right."""
    from .extensions import db
    from .services.users import UserError, check_new_user, create_user as create

    name = name or email.split("@")[0]
    try:
        if role == "manager" and not locations:  # as import-users: a manager without one sees nothing
            raise UserError("a branch manager needs at least one branch: add --location CODE")
        check_new_user(email, role, name, list(locations), language)
        password = click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")
        user = create(email, role, name, password, list(locations), locale=language)
    except UserError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@click.command("demo")
@with_appcontext
@click.option("--locations", default=40, show_default=True, type=click.IntRange(2, 2000))
@click.option("--months", default=6, show_default=True, type=click.IntRange(1, 36))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--end", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day of visits (default: today).")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has locations.")
def demo(locations: int, months: int, seed: int, end, if_empty: bool) -> None:
    """Build a deterministic demo chain: regions, branches, people and approved visits."""
    from .extensions import db
    from .models import Location
    from .services.demo import DemoError, build_demo_chain

    if if_empty and db.session.scalar(select(func.count(Location.id))):
        click.echo("demo: the database already has locations; nothing built")
        logins = Path(current_app.instance_path) / "demo-logins.txt"
        if logins.exists():
            click.echo(logins.read_text().rstrip())
        return
    try:
        # Nothing may lie in the future (a visit drawn for later today moves back a day).
        summary = build_demo_chain(locations=locations, months=months, seed=seed,
                                   end=end.date() if end else local_today(), not_after=utcnow())
    except DemoError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(summary.describe())


def _safe_url() -> str:
    from .cli_common import shown_url
    from .extensions import db

    return shown_url(db.engine)
