"""Users from a CSV file: a chain's branch managers, auditors and reviewers at once.

One row per person, columns ``email,name,role`` and, if the file has them, ``locations``
(branch codes separated by spaces, commas or ``|``; branch managers need at least one) and
``language`` (en, ru, lt, lv). An e-mail the app knows (whatever its case) updates that
user's name, role, branches and language, a new one creates a user without a password who
gets a set-password link (:mod:`audit.services.password_links`); passwords are never
touched, and importing the same file again changes nothing. Files are read as the past
audits' import reads them (:mod:`audit.services.import_csv`: UTF-8 with or without a BOM,
comma or semicolon); the rules are the admin form's (:mod:`audit.services.users`).

All or nothing: every problem is collected as ``line N: column: message`` in plain English
(the CLI prints it; the admin page translates the message) and nothing is written when
there is one.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import ROLES, Location, User
from ..names import code_key
from . import audit_log
from .import_conflicts import ImportConflict, creating
from .import_csv import Problems, _decode, _records, read_header, runaway_values, separator, unguarded
from .password_links import NewLink, make_link
from .users import UserError, create_user, update_user

COLUMNS = ("email", "name", "role", "locations", "language")
REQUIRED = ("email", "name", "role")
MAX_LENGTHS = {"email": 254, "name": 200}  # the admin form's
MAX_ROWS = 5000
CODE_SEPARATORS = re.compile(r"[\s|,;]+")  # none can be part of a code (locations.CODE_PATTERN)


@dataclass
class UserRow:
    """One row, checked: ``locations`` as the user will have them (codes as the app spells
    them), ``language`` ``None`` when the row does not say (an update keeps the user's own)."""

    line: int
    email: str
    name: str
    role: str
    locations: list[str]
    language: str | None


@dataclass
class UserImport:
    """What an import did (or, in a dry run, would do): e-mails of each kind, and the links
    made for the new users."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    links: list[NewLink] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def describe(self) -> str:
        """``3 created, 12 updated, 40 unchanged``, or that nothing changed."""
        if not self.changed:
            count = len(self.unchanged)
            return (f"nothing changed: the {count} user{'' if count == 1 else 's'} in the file "
                    f"{'is' if count == 1 else 'are'} already as the file says")
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def import_users(data: bytes | str, actor: User | None = None, source: str = "upload",
                 make_links: bool = True) -> UserImport:
    """Check the whole file, then create and update its users (and, with ``make_links``, a
    set-password link for each new one) and flush; the caller commits, or rolls back for a dry
    run. Raises :class:`~audit.services.import_csv.ImportRejected`, writing nothing, when any
    row has a problem, and :class:`~audit.services.import_conflicts.ImportConflict` when another
    import created one of its new users since the check (the caller rolls back)."""
    text = _decode(data)  # not UTF-8: ImportRejected naming the line and column
    problems = Problems()
    cells = _read(text, problems)
    checker = _Check(problems, actor)
    rows = [row for row in (checker.row(line, values) for line, values in cells) if row is not None]
    if len(problems):
        raise problems.rejection()
    result, new_users = _write(rows, checker.existing, actor, problems)
    if len(problems):
        raise problems.rejection()
    if make_links:
        result.links = [make_link(user, actor) for user in new_users]
    if result.changed:
        audit_log.record("users.imported", "import", source, actor, created=result.created,
                         updated=result.updated, unchanged=len(result.unchanged))
        db.session.flush()
    return result


def _read(text: str, problems: Problems) -> list[tuple[int, dict[str, str]]]:
    """``(line, values by column)`` of every row; header problems stop the reading."""
    sep = separator(text)
    rows: list[tuple[int, dict[str, str]]] = []
    index: dict[str, int] = {}
    width, line = 0, 1
    try:
        for line, cells in _records(text):
            if line == 1:
                index = _header(cells, problems)
                if len(problems):
                    return []  # rows cannot be read without a valid header
                width = max(index.values()) + 1
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and Excel's empty trailing rows
            if len(rows) == MAX_ROWS:
                problems.add(line, "row", f"at most {MAX_ROWS} users per file")
                return rows
            if runaway_values(line, cells, index, problems, separator=sep):
                continue
            if len(cells) < width:
                problems.add(line, "row", f"{len(cells)} values, but the header has {width} columns; put values "
                                          "that contain the separator in double quotes")
                continue
            stray = next((i for i in range(len(cells)) if i not in index.values() and cells[i].strip()), None)
            if stray is not None:
                problems.add(line, "row", f"a value in column {stray + 1}, which has no name in the header; put "
                                          "values that contain the separator in double quotes")
                continue
            rows.append((line, {name: unguarded(cells[i].strip()) for name, i in index.items()}))
    except csv.Error as exc:
        problems.add(line, "row", f"not readable as CSV ({exc})")
    if not index:
        problems.add(1, "header", f"the file is empty; the first line must name the columns {','.join(REQUIRED)}")
    elif not rows and not len(problems):
        problems.add(2, "row", "the file has no users")
    return rows


def _header(cells: list[str], problems: Problems) -> dict[str, int]:
    return read_header(cells, problems, REQUIRED, COLUMNS[3:])


class _Check:
    """Checks rows cell by cell and against the users and branches there are (two queries)
    and each other (an e-mail twice)."""

    def __init__(self, problems: Problems, actor: User | None) -> None:
        self.problems, self.actor = problems, actor
        self.existing = {user.email.lower(): user for user in
                         db.session.scalars(select(User).options(selectinload(User.locations)))}
        self.codes = {code.upper(): code for code in db.session.scalars(select(Location.code))}
        self.languages = tuple(current_app.config["LANGUAGES"])
        self.seen: dict[str, int] = {}  # e-mail → line

    def row(self, line: int, values: dict[str, str]) -> UserRow | None:
        add = self.problems.add
        before = len(self.problems)
        bad: set[str] = set()  # columns with a problem already: one message per cell
        for name, value in values.items():
            if name in REQUIRED and not value:
                add(line, name, "must not be empty")
            elif "\x00" in value:
                add(line, name, "contains a NUL character")
            elif name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
                add(line, name, f"at most {MAX_LENGTHS[name]} characters, not {len(value)}")
            else:
                continue
            bad.add(name)
        email = self._email(line, values["email"]) if "email" not in bad else None
        role = values["role"].lower()
        if "role" not in bad and role not in ROLES:
            add(line, "role", f"'{values['role']}' is not a role; use one of: {', '.join(ROLES)}")
        user = self.existing.get(email) if email else None
        codes, misspelt = self._codes(line, values.get("locations"))
        if codes is None:  # no locations column: a manager keeps their branches
            codes = sorted(loc.code for loc in user.locations) if user is not None and role == "manager" else []
        if role == "manager" and not codes and not misspelt:
            add(line, "locations", "a branch manager needs at least one branch code")
        elif role in ROLES and role != "manager" and codes:
            add(line, "locations", "only branch managers have branches: leave the cell empty or make the role manager")
        language = values.get("language", "").lower() or None
        if language is not None and language not in self.languages:
            add(line, "language", f"'{values['language']}' is not a language; use one of: {', '.join(self.languages)}")
        if user is not None and self.actor is not None and user.id == self.actor.id and role != user.role:
            add(line, "role", "you cannot change your own role; ask another administrator")
        if len(self.problems) > before or email is None:
            return None
        return UserRow(line, email, values["name"], role, codes, language)

    def _email(self, line: int, typed: str) -> str | None:
        try:
            email = validate_email(typed, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            self.problems.add(line, "email", f"'{typed}' is not a valid e-mail address: {exc}")
            return None
        first = self.seen.setdefault(email, line)
        if first != line:
            self.problems.add(line, "email", f"{email} is also on line {first}; a user may have one row")
            return None
        return email

    def _codes(self, line: int, cell: str | None) -> tuple[list[str] | None, bool]:
        """The branch codes of a ``locations`` cell as the app spells them (matched whatever
        their case), ``None`` when the file has no such column; and whether one was unknown."""
        if cell is None:
            return None, False
        codes: list[str] = []
        misspelt = False
        for typed in CODE_SEPARATORS.split(cell.strip()):
            if not typed:
                continue
            code = self.codes.get(typed.upper())
            if code is None:
                self.problems.add(line, "locations", f"unknown location code '{typed}'")
                misspelt = True
            elif code not in codes:
                codes.append(code)
        return sorted(codes, key=code_key), misspelt


def _write(rows: list[UserRow], existing: dict[str, User], actor: User | None,
           problems: Problems) -> tuple[UserImport, list[User]]:
    result, new_users = UserImport(), []
    for row in rows:
        user = existing.get(row.email)
        try:
            if user is None:
                with creating("user", row.email):
                    try:
                        user = create_user(row.email, row.role, row.name, None, row.locations, actor=actor)
                    except UserError as exc:
                        if exc.field == "email":  # checked new: another import has created it since
                            raise ImportConflict("user", row.email) from exc
                        raise
                user.locale = row.language
                result.created.append(user.email)
                new_users.append(user)
                continue
            changes = update_user(user, email=user.email, name=row.name, role=row.role, active=user.active,
                                  location_codes=row.locations, actor=actor)
        except UserError as exc:  # changed since the check (another admin at the same moment)
            problems.add(row.line, exc.field or "row", exc.message)
            continue
        if row.language is not None and row.language != user.locale:
            audit_log.record("user.updated", "user", user.id, actor, changes={"locale": [user.locale, row.language]})
            user.locale = row.language
            changes["locale"] = row.language
        (result.updated if changes else result.unchanged).append(user.email)
    return result, new_users
