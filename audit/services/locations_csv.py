"""Branches and their regions from a CSV file, and back: the admin's spreadsheet as master list.

One row per branch, columns ``code,name`` and, if the file has them, ``region,city,address,
format,active``. A code the app knows (whatever its case) updates that branch, a new code
creates one, so importing the same file again changes nothing. Files are read as the past
audits' import reads them (:mod:`audit.services.import_csv`: UTF-8 with or without a BOM,
comma or semicolon); the rules are the admin form's (:mod:`audit.services.locations`).

All or nothing: every problem is collected as ``(line, column, message)`` in plain English
(the CLI prints it; the admin page translates it) and nothing is written when there is one.
Typos must not make duplicates: a new region that is an existing one but for accents (Riga,
Rīga) and a new code carrying an existing branch's name are refused, naming the existing one.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..models import LOCATION_FORMATS, Location, Region, User
from ..names import code_key, same_name
from . import audit_log
from .assignments import open_assignments_at
from .export_csv import guarded
from .import_conflicts import ImportConflict, creating
from .import_csv import MAX_ERRORS, ImportRejected, _decode, _records, read_header, runaway_values, separator, unguarded
from .import_values import ANSWER_WORDS, name_key
from .locations import LocationError, _valid_location, create_location, create_region, update_location

COLUMNS = ("code", "name", "region", "city", "address", "format", "active")
REQUIRED = ("code", "name")
MAX_LENGTHS = {"code": 32, "name": 200, "region": 120, "city": 120, "address": 300}  # the admin form's
TEXT_COLUMNS = ("name", "region", "city", "address")  # exported with the formula guard
MAX_ROWS = 5000
LISTED = 5  # codes and regions named in a summary; the rest are counted
# and yes/no as the answers' import reads them in Latvian, Lithuanian and Russian
YES = ("y", "true", "1", "active") + ANSWER_WORDS["yes"]
NO = ("n", "false", "0", "inactive") + ANSWER_WORDS["no"]


@dataclass(frozen=True)
class Problem:
    line: int
    column: str  # a CSV column, or "header", "row", "file"
    message: str  # plain English

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.message}"


class Problems:
    """The problems found so far, at most one per cell (a code too long is not also misspelt)."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, str], Problem] = {}

    def add(self, line: int, column: str, message: str) -> None:
        self.found.setdefault((line, column), Problem(line, column, message))

    def __len__(self) -> int:
        return len(self.found)

    def rejection(self) -> LocationImportRejected:
        return LocationImportRejected(list(self.found.values()))


class LocationImportRejected(Exception):
    """Nothing was imported; ``problems`` in line order, at most ``MAX_ERRORS`` of them (``omitted``
    counts the rest)."""

    def __init__(self, problems: list[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: p.line)  # stable: a line's problems keep their order
        self.problems = ordered[:MAX_ERRORS]
        self.omitted = len(ordered) - len(self.problems)
        super().__init__(f"{len(ordered)} problem(s); nothing was imported")

    @property
    def count(self) -> int:
        return len(self.problems) + self.omitted


@dataclass
class BranchRow:
    """One row; ``None`` means "not in the file": an update keeps the branch's value, a new
    branch gets the form's default (no region, empty city and address, high street, active)."""

    line: int
    code: str
    name: str
    region: str | None = None
    city: str | None = None
    address: str | None = None
    format: str | None = None
    active: bool | None = None


@dataclass
class LocationImport:
    """What an import did (or, in a dry run, would do): codes of each kind, regions created, and
    the branches it deactivated that still have open scheduled visits (code, how many)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    still_open: list[tuple[str, int]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.regions)

    def describe(self) -> str:
        """The summary in English: ``3 branches created (…), 12 updated (…), 0 unchanged; 1 region
        created: Vidzeme``."""
        if not self.changed:
            return (f"nothing changed: the {_n(len(self.unchanged), 'branch')} in the file "
                    f"{'is' if len(self.unchanged) == 1 else 'are'} already as the file says")
        text = f"{_n(len(self.created), 'branch')} created"
        text += f" ({listed(self.created)})" if self.created else ""
        text += f", {len(self.updated)} updated" + (f" ({listed(self.updated)})" if self.updated else "")
        text += f", {len(self.unchanged)} unchanged"
        if self.regions:
            text += f"; {_n(len(self.regions), 'region')} created: {listed(self.regions)}"
        return text

    def warnings(self) -> list[str]:
        """What the import leaves to do, one line per branch: ``KNS-14 deactivated: 3 scheduled
        visits are still open — cancel or move them on the Scheduled visits page``."""
        return [f"{code} deactivated: {_n(count, 'scheduled visit')} {'is' if count == 1 else 'are'} still open — "
                f"cancel or move {'it' if count == 1 else 'them'} on the Scheduled visits page"
                for code, count in self.still_open]


def listed(names: list[str]) -> str:
    """``RIX-05, RIX-06, … and 7 more``: the first :data:`LISTED` names."""
    shown = ", ".join(names[:LISTED])
    return f"{shown} … and {len(names) - LISTED} more" if len(names) > LISTED else shown


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 'es' if noun.endswith('ch') else 's'}"


# --- import -------------------------------------------------------------------------------------


def import_locations(data: bytes | str, actor: User | None = None, source: str = "upload") -> LocationImport:
    """Check the whole file, then create and update its branches and regions and flush; the
    caller commits (or rolls back for a dry run). Raises :class:`LocationImportRejected`,
    writing nothing, when any row has a problem, and
    :class:`~audit.services.import_conflicts.ImportConflict` when another import created one of
    its new regions or branches since the check (the caller rolls back)."""
    try:
        text = _decode(data)
    except ImportRejected as exc:  # not UTF-8: the message names the line and column
        line, column, message = exc.errors[0].split(": ", 2)
        raise LocationImportRejected([Problem(int(line.removeprefix("line ")), column, message)]) from None
    problems = Problems()
    rows = _read(text, problems)
    checked = _Check(problems)
    for row in rows:
        checked.row(row)
    checked.names(rows)
    if problems:
        raise problems.rejection()
    result = _write(rows, checked, actor)
    if result.changed:
        audit_log.record("locations.imported", "import", source, actor, created=result.created,
                         updated=result.updated, unchanged=len(result.unchanged), regions=result.regions)
        db.session.flush()
    return result


def _read(text: str, problems: Problems) -> list[BranchRow]:
    sep = separator(text)
    rows: list[BranchRow] = []
    index: dict[str, int] = {}
    width, line = 0, 1
    try:
        for line, cells in _records(text):
            if line == 1:
                index = _header(cells, problems)
                if problems:
                    return []  # rows cannot be read without a valid header
                width = max(index.values()) + 1
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and Excel's empty trailing rows
            if len(rows) == MAX_ROWS:
                problems.add(line, "row", f"at most {MAX_ROWS} branches per file")
                return rows
            if runaway_values(line, cells, index, problems, separator=sep):
                continue
            row = _row(line, cells, index, width, problems)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.add(line, "row", f"not readable as CSV ({exc})")
    if not index:
        problems.add(1, "header", f"the file is empty; the first line must name the columns "
                                             f"{','.join(COLUMNS)}")
    elif not rows and not problems:
        problems.add(2, "row", "the file has no branches")
    return rows


def _header(cells: list[str], problems: Problems) -> dict[str, int]:
    return read_header(cells, problems, REQUIRED, COLUMNS[2:])


def _row(line: int, cells: list[str], index: dict[str, int], width: int, problems: Problems) -> BranchRow | None:
    """The row's values, checked cell by cell; ``None`` when it cannot be told which branch it is.
    A row with a bad cell still takes part in the checks across rows (a duplicate code, a region
    written two ways), so that one upload shows every problem."""
    if len(cells) < width:
        problems.add(line, "row", f"{len(cells)} values, but the header has {width} columns; put values that "
                                  "contain the separator in double quotes")
        return None
    stray = next((i for i in range(len(cells)) if i not in index.values() and cells[i].strip()), None)
    if stray is not None:
        problems.add(line, "row", f"a value in column {stray + 1}, which has no name in the header; put values "
                                  "that contain the separator in double quotes")
        return None
    values = {name: cells[i].strip() for name, i in index.items()}
    for name, value in values.items():
        if name in TEXT_COLUMNS:
            value = values[name] = unguarded(value)
        if name in REQUIRED and not value:
            problems.add(line, name, "must not be empty")
        elif "\x00" in value:
            problems.add(line, name, "contains a NUL character")
        elif name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            problems.add(line, name, f"at most {MAX_LENGTHS[name]} characters, not {len(value)}")
    location_format = values.get("format", "").lower() or None
    if location_format is not None and location_format not in LOCATION_FORMATS:
        problems.add(line, "format", f"'{values['format']}' is not a format; use one of: {', '.join(LOCATION_FORMATS)}")
    active = values.get("active", "").lower() or None
    if active is not None and active not in YES + NO:
        problems.add(line, "active", f"write yes or no, not '{values['active']}'")
    if not values["code"]:
        return None
    return BranchRow(line, values["code"], values["name"], values.get("region"), values.get("city"),
                     values.get("address"), location_format, None if active is None else active in YES)


class _Check:
    """Looks the rows up against the branches and regions there are (two queries), and against
    each other: duplicate codes, new regions written two ways, names of other branches."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.existing = {loc.code.upper(): loc for loc in db.session.scalars(select(Location))}
        self.regions = list(db.session.scalars(select(Region)))
        self.new_regions: dict[str, tuple[str, int]] = {}  # folded → (name as first written, line)
        self.seen: dict[str, int] = {}  # code in upper case → line

    def row(self, row: BranchRow) -> None:
        location = self.existing.get(row.code.upper())
        try:  # the form's rules for the code (name, format and region are checked on their own)
            _valid_location(row.code, "-", None, "", "", "high_street", True, ignore=location, check_name=False)
        except LocationError as exc:
            self.problems.add(row.line, exc.field or "code", exc.message)
        first = self.seen.setdefault(row.code.upper(), row.line)
        if first != row.line:
            self.problems.add(row.line, "code", f"{row.code} is also on line {first}; a branch may have one row")
        if row.region:
            self._region(row)

    def _region(self, row: BranchRow) -> None:
        if any(same_name(row.region, region.name) for region in self.regions):
            return
        key = name_key(row.region)
        similar = next((region.name for region in self.regions if name_key(region.name) == key), None)
        if similar is not None:
            self.problems.add(row.line, "region", f"'{row.region}' is the region {similar} but for accents: "
                                                  f"write {similar}")
            return
        first = self.new_regions.setdefault(key, (row.region, row.line))
        if not same_name(first[0], row.region):
            self.problems.add(row.line, "region", f"'{row.region}' is '{first[0]}' on line {first[1]} but for "
                                                  "accents: write the new region one way")

    def names(self, rows: list[BranchRow]) -> None:
        """A new code must not carry the name of another branch (the one it was meant to be)."""
        in_file = {row.code.upper(): row for row in rows}
        taken: dict[str, str] = {}  # folded name → code, as the branches will be named after the import
        for key, location in self.existing.items():
            name = in_file[key].name if key in in_file and in_file[key].name else location.name
            taken.setdefault(name_key(name), location.code)
        for row in rows:
            if row.code.upper() in self.existing or not row.name:
                continue
            other = taken.setdefault(name_key(row.name), row.code)
            if other != row.code:
                self.problems.add(row.line, "code", f"{row.code} is new, but '{row.name}' is the name of {other}: "
                                                    "use that code or another name")

    def region_of(self, row: BranchRow) -> str | None:
        """The name the row's region has (or will have) in the app, matched whatever its case."""
        found = next((region.name for region in self.regions if same_name(row.region, region.name)), None)
        return found or self.new_regions[name_key(row.region)][0]


def _write(rows: list[BranchRow], checked: _Check, actor: User | None) -> LocationImport:
    """Create and update the branches; raises :class:`ImportConflict` when another import (or an
    admin) created one of the new regions or codes since the check."""
    result = LocationImport()
    regions = {region.name: region for region in checked.regions}
    problems = Problems()
    deactivated: dict[int, str] = {}  # location id → code
    for row in rows:
        region_name = checked.region_of(row) if row.region else None
        if region_name is not None and region_name not in regions:
            with creating("region", region_name):
                try:
                    regions[region_name] = create_region(region_name, actor)
                except LocationError as exc:  # the name was checked new: "a region called … already exists"
                    raise ImportConflict("region", region_name) from exc
            result.regions.append(region_name)
        location = checked.existing.get(row.code.upper())
        try:
            if location is None:
                with creating("branch", row.code):
                    try:
                        create_location(**_values(row, location, regions.get(region_name)), actor=actor,
                                        check_name=False)
                    except LocationError as exc:
                        if exc.field == "code":  # the code was checked new: another has taken it since
                            raise ImportConflict("branch", row.code) from exc
                        raise
                result.created.append(row.code)
            elif changes := update_location(location, **_values(row, location, regions.get(region_name)), check_name=False,
                                            actor=actor):
                result.updated.append(location.code)
                if changes.get("active") == [True, False]:
                    deactivated[location.id] = location.code
            else:
                result.unchanged.append(location.code)
        except LocationError as exc:  # changed since the check (another admin at the same moment)
            problems.add(row.line, exc.field or "row", exc.message)
    if problems:
        raise problems.rejection()
    still_open = open_assignments_at(deactivated)
    result.still_open = [(code, still_open[location_id]) for location_id, code in deactivated.items()
                         if still_open.get(location_id)]
    return result


def _values(row: BranchRow, location: Location | None, region: Region | None) -> dict:
    """The arguments of create_location/update_location: what the row says, and for what it does
    not say the branch's own value (a new branch: the form's default)."""
    def given(value, attribute: str, default):
        if value is not None:
            return value
        return getattr(location, attribute) if location is not None else default

    if row.region is not None:  # an empty cell: no region
        region_id = region.id if region is not None else None
    else:
        region_id = given(None, "region_id", None)
    return {
        "code": location.code if location is not None else row.code,  # an existing code keeps its case
        "name": row.name,
        "region_id": region_id,
        "city": given(row.city, "city", ""), "address": given(row.address, "address", ""),
        "format": given(row.format, "format", "high_street"), "active": given(row.active, "active", True),
    }


# --- export -------------------------------------------------------------------------------------


def export_locations(separator: str = ",") -> str:
    """Every branch (inactive ones too) as CSV in the import's columns, in code order: a BOM and
    CRLF line ends as Excel expects, text that a spreadsheet would run as a formula guarded
    with an apostrophe (which the import removes again). ``separator``: ``;`` for Excel set to
    Lithuanian, Latvian or Russian (the import reads either)."""
    rows = db.session.execute(
        select(Location.code, Location.name, Region.name, Location.city, Location.address, Location.format,
               Location.active).outerjoin(Region, Location.region_id == Region.id)).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for code, name, region, city, address, location_format, active in sorted(rows, key=lambda r: code_key(r[0])):
        writer.writerow([code, guarded(name), guarded(region or ""), guarded(city or ""), guarded(address or ""),
                         location_format, "yes" if active else "no"])
    return "\ufeff" + buffer.getvalue()
