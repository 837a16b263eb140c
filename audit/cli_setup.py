"""``audit check-setup``: is this installation ready to serve – database reachable and migrated,
sign-in counters shared, photos writable, the PDF reports' fonts there, the mail server answering,
cookies and secrets right for several processes?

Prints one line per check (``ok``, ``warning`` or ``problem``) and exits 1 on any problem, so a
deployment script can run it before starting (or restarting) the app processes.
"""
from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

OK, WARNING, PROBLEM = "ok", "warning", "problem"
MIN_SECRET_KEY = 32
FREE_SPACE_WARNING = 1024 ** 3  # photos are a few hundred KB each: under 1 GB left is worth a word


@click.command("check-setup")
@with_appcontext
def check_setup() -> None:
    """Check the database, migrations, secret key, sign-in counters, statistics cache, photo folder,
    PDF fonts, e-mail and cookies."""
    results = list(_checks())
    for level, what, message in results:
        click.echo(f"{level:<8}{what}: {message}")
    problems = sum(level == PROBLEM for level, _, _ in results)
    warnings = sum(level == WARNING for level, _, _ in results)
    click.echo(f"{problems} problem(s), {warnings} warning(s)")
    if problems:
        sys.exit(1)


def _checks() -> Iterator[tuple[str, str, str]]:
    schema_ready = False
    for result in _database():
        schema_ready = schema_ready or (result[1] == "schema" and result[0] == OK)
        yield result
    if schema_ready:
        yield from _contents()
    yield _secret_key()
    yield _sign_in_counters()
    yield _statistics_cache()
    yield _photo_folder()
    yield _report_fonts()
    yield from _mail(schema_ready)
    yield from _cookies()


def _database() -> Iterator[tuple[str, str, str]]:
    from sqlalchemy.exc import SQLAlchemyError

    from .cli_common import reason, schema_revisions, shown_url
    from .extensions import db

    url = shown_url(db.engine)
    try:
        current, head = schema_revisions(db.engine)
    except SQLAlchemyError as exc:
        yield PROBLEM, "database", f"{url} cannot be reached: {reason(exc)}"
        return
    yield OK, "database", f"{url} ({db.engine.dialect.name})"
    if current == head:
        yield OK, "schema", f"at migration {head}, the newest"
    elif current is None:
        yield PROBLEM, "schema", "no migration recorded (a new database?): run `audit init-db`"
    else:
        yield PROBLEM, "schema", f"at migration {current}, the newest is {head}: run `audit init-db` before starting the app"


def _contents() -> Iterator[tuple[str, str, str]]:
    from sqlalchemy import func, select

    from .extensions import db
    from .models import Checklist, User
    from .services.demo.data import DOMAIN as DEMO_DOMAIN

    checklists = db.session.scalar(select(func.count(Checklist.id)))
    admins = db.session.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True)))
    yield ((OK, "checklists", f"{checklists} loaded") if checklists
           else (WARNING, "checklists", "none loaded: run `audit load-checklists`"))
    yield ((OK, "admins", f"{admins} active") if admins
           else (WARNING, "admins", "no active admin: create one with `audit create-user EMAIL --role admin`"))
    demo = db.session.scalar(select(func.count(User.id)).where(User.email.like(f"%@{DEMO_DOMAIN}"),
                                                               User.active.is_(True)))
    if demo:
        yield (WARNING, "demo accounts",
               f"{demo} active …@{DEMO_DOMAIN} account(s) from `audit demo` share one password kept in "
               "demo-logins.txt: deactivate them (or start from an empty database) before real use")
    yield from _checklist_files()


def _checklist_files() -> Iterator[tuple[str, str, str]]:
    """The checklist folder against what is loaded: a file edited (or added) but never loaded
    leaves new visits on the old questions without anyone noticing."""
    from sqlalchemy import func, select

    from .checklist import content_hash, load_checklist_set
    from .extensions import db
    from .models import Checklist
    from .services.checklists import current_version

    folder = current_app.config["CHECKLIST_DIR"]
    loaded, errors = load_checklist_set([folder])
    if errors:
        bad = sorted({problem.file for error in errors for problem in error.problems})
        yield (WARNING, "checklist files", f"{len(bad)} file(s) in {folder} have problems "
               f"({', '.join(Path(name).name for name in bad)}): run `audit check-checklists`")
    versions = {definition.id: current_version(definition.id) for _path, definition in loaded}
    stale = [path.name for path, definition in loaded
             if versions[definition.id] is not None and versions[definition.id].content_hash != content_hash(definition)]
    never = [path.name for path, definition in loaded if versions[definition.id] is None]
    if stale:
        yield (WARNING, "checklist files", f"{', '.join(stale)} in {folder} differ from what is loaded: "
               "run `audit load-checklists` (new visits use the loaded version)")
    if never:
        elsewhere = db.session.scalar(select(func.count(Checklist.id)).where(Checklist.key.not_in(list(versions))))
        note = (f"; {elsewhere} loaded checklist(s) came from another folder: set AUDIT_CHECKLIST_DIR to it"
                if elsewhere else "")
        yield (WARNING, "checklist files",
               f"{', '.join(never)} in {folder}: never loaded (run `audit load-checklists` to use them){note}")
    if loaded and not stale and not never:
        yield OK, "checklist files", f"the {len(loaded)} file(s) in {folder} are loaded as they are"


def _secret_key() -> tuple[str, str, str]:
    key_file = current_app.config.get("SECRET_KEY_FILE")
    if not key_file:
        key = current_app.config["SECRET_KEY"]
        if len(key) < MIN_SECRET_KEY or len(set(key)) < 8:
            return (PROBLEM, "secret key",
                    f"the configured key is {len(key)} characters{' of few kinds' if len(key) >= MIN_SECRET_KEY else ''}: "
                    f"anyone who guesses it can sign in as anyone; use at least {MIN_SECRET_KEY} random ones "
                    "(python3 -c 'import secrets; print(secrets.token_hex(32))')")
        return OK, "secret key", "set in the configuration (AUDIT_SECRET_KEY or instance/config.py)"
    return (OK, "secret key",
            f"from {key_file}: shared by every process using this instance folder; "
            "with app servers on several machines set the same AUDIT_SECRET_KEY on each")


def _sign_in_counters() -> tuple[str, str, str]:
    from .extensions import limiter

    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return WARNING, "sign-in limits", "switched off (AUDIT_RATELIMIT_ENABLED)"
    if uri.startswith("memory://"):
        from .extensions import db

        if db.engine.dialect.name == "sqlite":
            return (OK, "sign-in limits", "counted in memory, per process: right for the embedded set-up "
                    "(one app process on SQLite)")
        return (WARNING, "sign-in limits",
                "counted in memory, per process: with several app processes set "
                "AUDIT_RATELIMIT_STORAGE_URL=redis://host:6379/0 so that they share the counts")
    try:
        reachable = limiter.storage.check()
    except Exception:  # noqa: BLE001 – any failure of the store means the same thing here
        reachable = False
    from .cli_common import shown_url

    shown = shown_url(uri)
    if not reachable:
        return (PROBLEM, "sign-in limits",
                f"{shown} cannot be reached: each process would count on its own until it can")
    return OK, "sign-in limits", f"counted in {shown}, shared by every process"


def _statistics_cache() -> tuple[str, str, str]:
    from .cli_common import shown_url
    from .services.stats_cache import MemoryStore

    store = current_app.extensions.get("stats_cache")
    if store is None:
        return OK, "statistics cache", "off (AUDIT_STATS_CACHE_URL=none): every dashboard and report computes afresh"
    if isinstance(store, MemoryStore):
        return (OK, "statistics cache", "in memory, per process; with several app processes "
                "AUDIT_STATS_CACHE_URL=redis://host:6379/1 lets a PDF use the statistics its dashboard computed "
                "in another process")
    shown = shown_url(current_app.config["STATS_CACHE_URL"])
    if not store.check():
        return (WARNING, "statistics cache", f"{shown} cannot be reached: statistics are computed afresh "
                "each time until it can")
    return OK, "statistics cache", f"in {shown}, shared by every process"


def _photo_folder() -> tuple[str, str, str]:
    folder = Path(current_app.config["UPLOAD_DIR"])
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = folder / f".check-setup-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return PROBLEM, "photos", f"{folder} is not writable: {exc.strerror or exc}"
    if folder.stat().st_mode & 0o077:
        return (WARNING, "photos", f"{folder} can be read by other accounts of this machine "
                                   f"(mode {folder.stat().st_mode & 0o777:o}): chmod 700 it")
    free = shutil.disk_usage(folder).free
    message = f"{folder}, {free / 1024 ** 3:.1f} GB free; with app servers on several machines it must be one shared folder"
    return (WARNING if free < FREE_SPACE_WARNING else OK), "photos", message


#: What the reports print, and the font each must be printed in: the text of all four languages,
#: and the emoji auditors type on tablets.
REPORT_FONTS = {"DejaVu Sans": "Ąčęėįšųūž Āēīķļņ Ёжщы", "Noto Color Emoji": "👍🙂✅"}
FONT_PACKAGES = {"DejaVu Sans": "fonts-dejavu-core", "Noto Color Emoji": "fonts-noto-color-emoji"}
WITHOUT_FONT = {"DejaVu Sans": "the PDFs are printed in whatever font is found",
                "Noto Color Emoji": "emoji typed in comments print as empty boxes in the PDFs"}


def _report_fonts() -> tuple[str, str, str]:
    """Lay out a line of each kind with WeasyPrint and see which fonts it used."""
    import weasyprint  # loading Pango takes a moment: only when this check runs

    html = "".join(f'<p style="font-family: {family}">{text}</p>' for family, text in REPORT_FONTS.items())
    try:
        document = weasyprint.HTML(string=html).render()
        document.write_pdf()  # the fonts are chosen for each glyph as the PDF is written
    except Exception as exc:  # noqa: BLE001 – whatever stops WeasyPrint stops every report
        return PROBLEM, "PDF fonts", f"the PDF reports cannot be made: {exc}"
    used = {font.family for font in document.fonts.values()}
    missing = [family for family in REPORT_FONTS if family not in used]
    if missing:
        return (WARNING, "PDF fonts", "; ".join(f"{family} not found: {WITHOUT_FONT[family]}" for family in missing)
                + f" (on Debian: apt-get install {' '.join(FONT_PACKAGES[family] for family in missing)})")
    return OK, "PDF fonts", ", ".join(REPORT_FONTS)


def _mail(schema_ready: bool) -> Iterator[tuple[str, str, str]]:
    from .services.mail_delivery import server_problem
    from .services.mail_queue import mail_is_on

    config = current_app.config
    if not mail_is_on():
        yield OK, "e-mail", "off (no AUDIT_MAIL_SERVER): nobody is e-mailed about their work"
        return
    server = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']} ({config['MAIL_SECURITY']})"
    problem = server_problem()
    if problem:
        yield PROBLEM, "e-mail", f"{server} cannot be used: {problem}"
    else:
        signed_in = f", signed in as {config['MAIL_USERNAME']}" if config.get("MAIL_USERNAME") else ""
        yield OK, "e-mail", f"{server} answers{signed_in}; links lead to {config['BASE_URL']}"
    if schema_ready:
        from sqlalchemy import func, select

        from .extensions import db
        from .models import OutgoingMail

        failed = db.session.scalar(select(func.count()).select_from(OutgoingMail)
                                   .where(OutgoingMail.failed_at.is_not(None)))
        if failed:
            yield WARNING, "e-mail", f"{failed} e-mail(s) given up on: see Admin → E-mail for why"


def _cookies() -> Iterator[tuple[str, str, str]]:
    hops = int(current_app.config.get("PROXY_HOPS") or 0)
    if current_app.config["SESSION_COOKIE_SECURE"]:
        yield OK, "cookies", "sent over HTTPS only"
    else:
        yield (WARNING, "cookies",
               "also sent over plain HTTP: behind HTTPS set AUDIT_SESSION_COOKIE_SECURE=true")
    yield OK, "proxy", (f"client address and scheme read from {hops} proxy hop(s)" if hops
                        else "no reverse proxy expected (behind one, set AUDIT_PROXY_HOPS=1)")
    if os.environ.get("FLASK_DEBUG") in ("1", "true"):
        yield PROBLEM, "debug", "FLASK_DEBUG is on: never in production"
