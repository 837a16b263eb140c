"""Import past audits from a CSV file: one row per answer, validated whole, then written at once.

The format is documented in README.md ("Importing past audits (CSV)"). In short: columns
``external_id,location_code,location_name,region,auditor,visited_at,checklist,item,answer,comment``
(any order, a header is required), UTF-8 with or without a BOM, comma- or semicolon-separated.

:func:`import_visits` reads and checks the whole file first and raises
:class:`ImportRejected` with every problem as ``line N: column: message``; only a file
without problems is written (and the caller commits once). Visits are keyed by
``external_id``: one imported before with the same content is skipped, one with other
content is an error, so importing a file twice changes nothing. A new branch under another
branch's name, or a new region spelt like another but for accents, is refused as the typo it
is (RIX-1 for RIX-01, Riga for Rīga); the summary names every region, branch and auditor
created. A dry run is the caller rolling back instead of committing.

This module holds the use case and the checks against the database; the file is read by
:mod:`~audit.services.import_csv` and what it adds is written by :mod:`~audit.services.import_writer`.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import IO

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from ..times import EARLIEST_VISIT, display_zone
from ..checklist import InvalidAnswer, parse_answer
from ..extensions import db
from ..models import LOCATION_FORMATS, Checklist, ChecklistVersion, Location, Region, User, utcnow
from ..scoring import missing_answers, visible_items
from . import audit_log
from .checklists import current_version
from .import_conflicts import ImportConflict
from .import_csv import COLUMNS, ImportRejected, Problems, VisitRows, read_source, read_visits
from .import_store import app_uuid, batches, stored_visits
from .import_summary import ImportSummary
from .import_values import accepted_words, answer_value, name_key, visited_at
from .import_writer import CheckedFile, write_checked_file
from .locations import CODE_PATTERN
from .scenarios import Scenarios
from .scenarios import key as scenario_key

__all__ = ["COLUMNS", "ImportConflict", "ImportRejected", "ImportSummary", "import_visits"]

FUTURE_SLACK = timedelta(minutes=10)


def import_visits(stream_or_path: str | Path | IO, importer: User | None = None) -> ImportSummary:
    """Check the whole file, then add its new visits to the session and flush; the caller commits.

    Raises :class:`ImportRejected` (and adds nothing) when any row has a problem,
    :class:`ImportConflict` when another import created one of its new regions, branches or
    auditors since the check (the caller rolls back), and ``OSError`` when a path cannot be read.
    """
    data, name = read_source(stream_or_path)
    problems = Problems()
    visits, rows = read_visits(data, problems)
    checker = _Checker(problems)
    checker.check(visits)
    if problems:
        raise problems.rejection()
    summary = write_checked_file(checker.checked(), rows)
    digest = hashlib.sha256(data if isinstance(data, bytes) else data.encode()).hexdigest()
    audit_log.record("visits.imported", "import", digest, importer, file=name, **summary.counts())
    db.session.flush()
    return summary


class _Checker:
    """Looks up what the file refers to (a few queries, not one per row) and checks every row;
    :mod:`audit.services.import_writer` writes what it found new."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.zone = display_zone()
        self.now = utcnow()
        self.new_visits: list[VisitRows] = []
        self.unchanged = 0
        self.new_regions: dict[str, str] = {}  # casefolded name → name as first written
        # Location codes are unique whatever their case (as in the admin screens): keys are upper case.
        self.new_locations: dict[str, tuple[str, str, str, int]] = {}  # CODE → (code, name, region, line)
        self.new_formats: dict[str, str] = {}  # CODE → format of a location to create (location_format)
        self.new_auditors: dict[str, str] = {}  # e-mail → name of an auditor to create (auditor_name)
        # Names compared by name_key, which sees through the typos that made duplicates:
        self.new_region_keys: dict[str, tuple[str, int]] = {}  # key → (region as first written, line)
        self.new_location_keys: dict[str, tuple[str, int]] = {}  # key of a new branch's name → (code, line)
        self.reported: set[tuple] = set()
        self.regions: dict[str, Region] = {}  # casefolded name → stored region
        self.locations: dict[str, Location] = {}
        self.users: dict[str, User] = {}

    def check(self, visits: dict[str, VisitRows]) -> None:
        if not visits:
            return
        self.versions = {key: current_version(key) for key in {v.fields["checklist"] for v in visits.values()}}
        self.known_checklists = sorted(db.session.scalars(select(Checklist.key)))
        self.regions = {r.name.casefold(): r for r in db.session.scalars(select(Region))}
        self.region_keys = {name_key(r.name): r.name for r in self.regions.values()}
        self.location_keys = {name_key(name): (code, name) for code, name in db.session.execute(
            select(Location.code, Location.name).order_by(Location.code.desc()))}  # of namesakes, the first code
        codes = {v.fields["location_code"].upper() for v in visits.values()}
        self.locations = {loc.code.upper(): loc for batch in batches(codes) for loc in db.session.scalars(
            select(Location).where(func.upper(Location.code).in_(batch)))}
        self.location_regions = {r.id: r.name for r in self.regions.values()}
        self.emails = {raw: self._email(raw) for raw in {v.fields["auditor"].lower() for v in visits.values()}}
        self.users = {u.email.lower(): u for emails in batches({e for e in self.emails.values() if isinstance(e, str)})
                      for u in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))}
        self.existing = stored_visits(list(visits))
        if any(v.fields.get("scenario") for v in visits.values()):
            spelled = Scenarios()  # "buy a gift" in the file is the chain's "Buy a gift" (services.scenarios)
            for visit in visits.values():
                if "scenario" in visit.fields:
                    visit.fields["scenario"] = spelled.canonical(visit.fields["scenario"])
        for visit in visits.values():
            before = len(self.problems)
            self.flawed = False  # set by _once, also when the problem was named for an earlier visit
            self._check_visit(visit)
            if len(self.problems) > before or self.flawed:
                continue  # one mistyped checklist or branch is one problem, not one per visit
            stored = self.existing.get(visit.external_id)
            if stored is None:
                self.new_visits.append(visit)
            elif (what := self._difference(visit, stored)) is None:
                self.unchanged += 1
            else:
                self.problems.add(visit.line, "external_id",
                                  f"{visit.external_id} was imported before with different content ({what}); "
                                  "imported visits are not changed by re-importing")

    def _check_visit(self, visit: VisitRows) -> None:
        fields, line = visit.fields, visit.line
        stored = self.existing.get(visit.external_id)
        if stored is not None and stored["checklist"] == fields["checklist"]:
            # A visit imported before is read against the version it was stored with: a question
            # added since (required, say) is not missing from it, and re-importing the same file, or
            # the app's own export, after a checklist change still finds it unchanged.
            visit.version = db.session.get(ChecklistVersion, stored["version_id"])
        else:
            visit.version = self.versions.get(fields["checklist"])
        if visit.version is None:
            loaded = ", ".join(self.known_checklists) or "none; run `audit load-checklists`"
            self._once(line, "checklist", fields["checklist"], "",
                       f"unknown checklist '{fields['checklist']}' (loaded: {loaded})")
        self._check_location(line, fields)
        self._check_auditor(visit)
        try:
            visit.visited_at = visited_at(fields["visited_at"], self.zone)
        except ValueError as exc:
            self.problems.add(line, "visited_at", str(exc))
        else:
            if visit.visited_at > self.now + FUTURE_SLACK:
                self.problems.add(line, "visited_at", f"'{fields['visited_at']}' is in the future")
            elif visit.visited_at.date() < EARLIEST_VISIT:
                self.problems.add(line, "visited_at",
                                  f"'{fields['visited_at']}' is before {EARLIEST_VISIT.isoformat()}: a typing mistake?")
        if visit.version is not None:
            self._check_answers(visit)

    def _check_location(self, line: int, fields: dict[str, str]) -> None:
        code, name, region = fields["location_code"], fields["location_name"], fields["region"]
        form = fields.get("location_format", "")
        if form and form not in LOCATION_FORMATS:
            self._once(line, "location_format", code, form,
                       f"'{form}' is not a location format; use one of {', '.join(LOCATION_FORMATS)}")
            form = ""
        if not CODE_PATTERN.match(code):
            self._once(line, "location_code", code, "", f"'{code}' is not a location code: 1 to 32 letters, digits, "
                                                        "'-', '_' or '.', starting with a letter or digit")
            return
        stored = self.locations.get(code.upper())
        if stored is not None:
            code = stored.code
            stored_region = self.location_regions.get(stored.region_id, "")
            if name != stored.name:
                self._once(line, "location_name", code, name,
                           f"location {code} is called '{stored.name}' in the database, not '{name}'")
            if region.casefold() != stored_region.casefold():
                self._once(line, "region", code, region,
                           f"location {code} is in region '{stored_region or '(none)'}' in the database, "
                           f"not '{region or '(none)'}'")
            if form and form != stored.format:
                self._once(line, "location_format", code, form,
                           f"location {code} has the format '{stored.format}' in the database, not '{form}'")
            return
        code, first_name, first_region, first_line = self.new_locations.setdefault(
            code.upper(), (code, name, region, line))
        if name != first_name:
            self._once(line, "location_name", code, name,
                       f"location {code} is called '{first_name}' on line {first_line}")
        else:
            self._check_new_name(line, code, name)
        if region.casefold() != first_region.casefold():
            self._once(line, "region", code, region,
                       f"location {code} is in region '{first_region}' on line {first_line}")
        if region and region.casefold() not in self.regions:
            self._check_new_region(line, region)
        if form:
            first_form = self.new_formats.setdefault(code.upper(), form)
            if form != first_form:
                self._once(line, "location_format", code, form,
                           f"location {code} has the format '{first_form}' on line {first_line}")

    def _check_new_name(self, line: int, code: str, name: str) -> None:
        """A new code under the name of another branch is a mistyped code (RIX-1 for RIX-01),
        which would split the branch's history in two."""
        key = name_key(name)
        if key in self.location_keys:
            known_code, known_name = self.location_keys[key]
            self._once(line, "location_code", code, name,
                       f"{code} is not a branch here, but '{known_name}' is {known_code}: use that code, "
                       "or give the new branch a name of its own")
            return
        first_code, first_line = self.new_location_keys.setdefault(key, (code, line))
        if first_code.upper() != code.upper():
            self._once(line, "location_code", code, name,
                       f"{code} is a new branch called '{name}', and so is {first_code} on line {first_line}: "
                       "use one code, or give each branch a name of its own")

    def _check_new_region(self, line: int, region: str) -> None:
        """A new region spelt like another but for accents or spaces (Riga for Rīga) is a typo."""
        key = name_key(region)
        if key in self.region_keys:
            self._once(line, "region", "", region,
                       f"'{region}' is not a region here, but '{self.region_keys[key]}' is: use that name, "
                       "or give the new region a name of its own")
            return
        first, first_line = self.new_region_keys.setdefault(key, (region, line))
        if first.casefold() != region.casefold():
            self._once(line, "region", "", region,
                       f"'{region}' is a new region spelt '{first}' on line {first_line}: "
                       "write one region one way")
            return
        self.new_regions.setdefault(region.casefold(), region)

    def _check_auditor(self, visit: VisitRows) -> None:
        raw = visit.fields["auditor"]
        email = self.emails[raw.lower()]
        if isinstance(email, EmailNotValidError):
            self._once(visit.line, "auditor", raw, "", f"'{raw}' is not a valid e-mail address: {email}")
            return
        user = self.users.get(email)
        if user is not None and user.role != "auditor":
            self._once(visit.line, "auditor", email, "",
                       f"{email} belongs to a user with the role {user.role}; "
                       "visits can only be imported for auditors")
        elif user is None:
            self.new_auditors.setdefault(email, visit.fields.get("auditor_name") or email.split("@")[0])
        visit.email = email

    def _check_answers(self, visit: VisitRows) -> None:
        definition = visit.version.parsed
        lines: dict[str, int] = {}
        invalid: set[str] = set()
        for line, item_id, raw, comment in visit.rows:
            if not item_id:
                continue  # reported as an empty cell
            item = definition.item(item_id)
            if item is None:
                self.problems.add(line, "item", f"unknown item '{item_id}' in checklist {definition.id}")
                continue
            if item_id in lines:
                self.problems.add(line, "item", f"'{item_id}' is answered twice for external_id "
                                                f"{visit.external_id} (also on line {lines[item_id]})")
                continue
            lines[item_id] = line
            try:
                value = parse_answer(item, answer_value(item, raw))
            except InvalidAnswer as exc:
                self.problems.add(line, "answer", exc.message + accepted_words(item))
                invalid.add(item_id)
                continue
            visit.answers[item_id] = (value, comment)
        values = {item_id: value for item_id, (value, _) in visit.answers.items()}
        visible = visible_items(definition, values)
        for item_id, (value, comment) in list(visit.answers.items()):
            if item_id in visible or (value is None and not comment):
                continue
            if app_uuid(visit.external_id):
                # Exported by the app from before submissions dropped hidden answers: they never
                # counted, and are left out here too (the export must import back).
                del visit.answers[item_id]
                continue
            rule = definition.item(item_id).show_if
            self.problems.add(lines[item_id], "answer",
                              f"the checklist shows {item_id} only when {rule.item} is "
                              f"{' or '.join(rule.values)}; leave its answer and comment empty")
        # Comments demanded on failed items are a tablet rule; old systems may not have them.
        # A visit exported from this app ("app:<uuid>") was complete under the version it was
        # recorded with: a question added later as required is simply unanswered in it (else no
        # chain could re-import or move its history after adding a required question).
        missing = [item_id for item_id, reason in missing_answers(definition, values).items()
                   if reason == "required" and item_id not in invalid]
        if missing and not visit.incomplete and not app_uuid(visit.external_id):
            self.problems.add(visit.line, "item", f"external_id {visit.external_id} has no answer to the "
                                                  f"required item(s) {', '.join(missing)}")

    def _once(self, line: int, column: str, key: str, value: str, message: str) -> None:
        """Report a problem of a location or auditor once, not for each of its visits."""
        self.flawed = True
        if (column, key, value) not in self.reported:
            self.reported.add((column, key, value))
            self.problems.add(line, column, message)

    def _email(self, raw: str) -> str | EmailNotValidError:
        try:
            return validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            return exc

    def _difference(self, visit: VisitRows, stored: dict) -> str | None:
        mine = {k: v for k, v in visit.answers.items() if v[0] is not None or v[1]}
        for what, here, there in (
            ("location", visit.fields["location_code"].upper(), stored["location"].upper()),
            ("auditor", visit.email, stored["auditor"].lower()),
            ("visited_at", visit.visited_at, stored["visited_at"]),
            ("checklist", visit.fields["checklist"], stored["checklist"]),
            ("answers or comments", mine, stored["answers"]),
            # A file without the column says nothing about the scenario; one spelled otherwise is
            # the same (stored before the chain's spelling was applied, or spelled so since).
            ("scenario", scenario_key(visit.fields.get("scenario", stored["scenario"])), scenario_key(stored["scenario"])),
        ):
            if here != there:
                return what
        return None

    def checked(self) -> CheckedFile:
        """What the check found, for :func:`~audit.services.import_writer.write_checked_file`."""
        return CheckedFile(self.now, self.new_visits, self.unchanged, self.new_regions, self.new_locations,
                           self.new_formats, self.new_auditors, self.regions, self.locations, self.users)
