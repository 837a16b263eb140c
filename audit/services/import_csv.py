"""Read a CSV file of past audits into rows grouped by visit (no Flask, no database).

Decodes UTF-8 (a BOM is fine: Excel's "CSV UTF-8" writes one), reads comma- or
semicolon-separated values (Excel in Lithuanian, Latvian and Russian locales separates with
semicolons), checks the header and every cell, and groups the rows by ``external_id``.
Problems are collected as ``line N: column: message``; :mod:`audit.services.imports` checks
the rows against the database and writes them.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO

from ..checklist.answers import MAX_TEXT_LENGTH

COLUMNS = ("external_id", "location_code", "location_name", "region", "auditor", "visited_at",
           "checklist", "item", "answer", "comment")
#: Columns a file may add (our export writes them): the visit's scenario, the format of a branch
#: the import creates, the name of an auditor it creates. Without them: no scenario, the
#: default format, the auditor named after the e-mail.
OPTIONAL_COLUMNS = ("scenario", "location_format", "auditor_name")
EXPORT_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
#: Columns that describe the visit, not the answer: every row of a visit repeats them.
VISIT_COLUMNS = ("location_code", "location_name", "region", "auditor", "visited_at", "checklist", *OPTIONAL_COLUMNS)
REQUIRED = ("external_id", "location_code", "location_name", "auditor", "visited_at", "checklist", "item")
MAX_LENGTHS = {"external_id": 100, "location_name": 200, "region": 120, "auditor": 254, "checklist": 64,
               "item": 64, "comment": MAX_TEXT_LENGTH, "scenario": 200, "location_format": 32, "auditor_name": 120}
MAX_ERRORS = 200
APP_PREFIX = "app:"  # the export's id of a visit recorded in the app: app:<uuid>
#: Text columns in which our CSV export writes ``'=…`` for a value starting with ``=``, ``+``,
#: ``-``, ``@`` or a tab, so that spreadsheets show it instead of running it as a formula.
UNGUARDED = ("external_id", "location_name", "region", "auditor", "answer", "comment", "scenario", "auditor_name")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def separator(text: str) -> str:
    """The CSV separator of ``text``, from its header line: ";" as Excel writes it in Lithuanian,
    Latvian and Russian settings, a tab as a spreadsheet's "Text (tab-separated)" does, else ","."""
    first_line = text.split("\n", 1)[0]
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}  # a tie: ","
    return max(counts, key=counts.__getitem__)


def unguarded(text: str) -> str:
    """``text`` without the apostrophe the export puts before a would-be formula."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class ImportRejected(Exception):
    """Nothing was imported. ``errors`` holds at most ``MAX_ERRORS`` problems, each
    ``line N: column: message``, in line order; ``omitted`` counts the ones left out."""

    def __init__(self, errors: list[str], omitted: int = 0) -> None:
        self.errors = errors
        self.omitted = omitted
        super().__init__(f"{self.count} problem(s); nothing was imported")

    @property
    def count(self) -> int:
        return len(self.errors) + self.omitted


class Problems:
    """Problems collected while reading and checking, reported in line order."""

    def __init__(self) -> None:
        self._items: list[tuple[int, int, str]] = []

    def add(self, line: int, column: str, message: str) -> None:
        self._items.append((line, len(self._items), f"line {line}: {column}: {message}"))

    def __len__(self) -> int:
        return len(self._items)

    def rejection(self) -> ImportRejected:
        ordered = [text for _, _, text in sorted(self._items)]
        return ImportRejected(ordered[:MAX_ERRORS], max(0, len(ordered) - MAX_ERRORS))


@dataclass
class VisitRows:
    """The rows of one ``external_id``; the checker fills in what they mean."""

    external_id: str
    line: int  # its first line
    fields: dict[str, str]  # the visit columns as written on the first line
    rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # (line, item, answer, comment)
    reported: set[str] = field(default_factory=set)  # visit columns already reported as disagreeing
    incomplete: bool = False  # a row had a problem of its own: "required answer missing" would mislead
    # set by the checker
    version: object = None  # ChecklistVersion
    email: str = ""
    visited_at: datetime | None = None
    answers: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # item → (value, comment)


def read_source(source: str | Path | IO) -> tuple[bytes | str, str]:
    """The content of a path or an open file, and a name for the audit log."""
    if isinstance(source, (str, Path)):
        return Path(source).read_bytes(), Path(source).name
    return source.read(), Path(str(getattr(source, "name", "upload"))).name


def read_visits(data: bytes | str, problems: Problems) -> tuple[dict[str, VisitRows], int]:
    """``(visits by external_id, rows read)``; raises :class:`ImportRejected` for a file that is
    not UTF-8 or has a bad header, and adds every other problem to ``problems``."""
    text = _decode(data)
    sep = separator(text)
    visits: dict[str, VisitRows] = {}
    index: dict[str, int] = {}
    incomplete: set[str] = set()  # visits with a row that could not be read whole
    rows = width = 0
    unnamed: tuple[int, ...] = ()
    line = 1
    try:
        for line, cells in _records(text):
            if line == 1:
                index = _header(cells, problems)
                if len(problems):
                    raise problems.rejection()  # rows cannot be read without a valid header
                width = max(index.values()) + 1
                unnamed = tuple(i for i in range(width) if i not in index.values())
                continue
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and Excel's empty trailing rows
            rows += 1
            before = len(problems)
            row = None if runaway_values(line, cells, index, problems, ("answer", "comment"), sep) else \
                _row(line, cells, index, width, unnamed, problems)
            if row is not None and row["external_id"]:
                _group(line, row, visits, problems)
            if len(problems) > before and len(cells) > index["external_id"]:
                incomplete.add(cells[index["external_id"]].strip())
    except csv.Error as exc:
        problems.add(line, "row", f"not readable as CSV ({exc})")
    for external_id in incomplete & visits.keys():
        visits[external_id].incomplete = True
    if not index:
        problems.add(1, "header", f"the file is empty; the first line must name the columns {','.join(COLUMNS)}")
    return visits, rows


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([_encoding_problem(data, exc)]) from None


def _encoding_problem(data: bytes, exc: UnicodeDecodeError) -> str:
    """Name the line and column of the first byte that is not UTF-8."""
    line, column = data[:exc.start].count(b"\n") + 1, "file"
    header = None
    try:
        for start, cells in _records(data.decode("utf-8-sig", errors="replace")):
            bad = next((i for i, cell in enumerate(cells) if "\ufffd" in cell), None)
            if bad is not None:
                line = start
                if header is None:
                    column = "header"
                else:
                    column = header[bad] if bad < len(header) and header[bad] else "row"
                break
            header = header if header is not None else [c.strip().lower() for c in cells]
    except csv.Error:
        pass
    return (f"line {line}: {column}: not UTF-8 text (byte 0x{data[exc.start]:02X}); "
            f'save the file as "CSV UTF-8" and import it again')


def _records(text: str):
    """``(first line number, cells)`` of every CSV record; a quoted value may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    start = 1
    for cells in reader:
        yield start, cells
        start = reader.line_num + 1


def _header(cells: list[str], problems: Problems) -> dict[str, int]:
    return read_header(cells, problems, COLUMNS, OPTIONAL_COLUMNS)


def runaway_cells(line: int, cells: list[str], index: dict[str, int], multiline: tuple[str, ...] = (),
                  separator: str = ",") -> list[tuple[int, str, int]]:
    """``(first line, column, last line)`` of each value of the record starting on ``line`` that
    runs over a line break where none belongs: a double quote left open takes the lines after it
    into one value ('TST-21,"Unclosed quote' took the next branch's row into TST-21's name, and
    the import said "1 branch created"). ``multiline`` columns (a comment) may hold line breaks,
    but not a line that has as many separators as a row. Every CSV import uses it."""
    names = {i: name for name, i in index.items()}
    found, start = [], line
    for i, cell in enumerate(cells):
        end = start + cell.rstrip("\r\n").count("\n")  # the last line with some of the value
        name = names.get(i)
        if end > start and name is not None and (
                name not in multiline
                or any(part.count(separator) >= len(index) - 1 for part in cell.splitlines()[1:])):
            found.append((start, name, end))
        start += cell.count("\n")
    return found


def runaway_values(line: int, cells: list[str], index: dict[str, int], problems: Problems,
                   multiline: tuple[str, ...] = (), separator: str = ",") -> bool:
    """Whether a value runs over a line break where none belongs (:func:`runaway_cells`), each
    such value added to ``problems``."""
    found = runaway_cells(line, cells, index, multiline, separator)
    for start, name, end in found:
        problems.add(start, name, f'the value goes on to line {end}: close the double quote (") it starts '
                                  "with, or remove it")
    return bool(found)


def read_header(cells: list[str], problems: Problems, columns: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, int]:
    """Column name → position, from a header line that must name ``columns`` and may name
    ``optional`` ones, in any order and case; every problem is added as a line-1 problem (the
    visit, branch and user imports share it)."""
    index: dict[str, int] = {}
    known = (*columns, *optional)
    if not {cell.strip().lower() for cell in cells} & set(known):
        # "kods,nosaukums" (a header in Latvian) or a first row of data, not "no column names"
        named = [cell.strip() if len(cell.strip()) <= 30 else cell.strip()[:29] + "…" for cell in cells[:4]]
        problems.add(1, "header", f"no column on the first line has a known name ({', '.join(named)}"
                                  f"{', …' if len(cells) > 4 else ''}); the first line must name the columns "
                                  f"{','.join(columns)}")
        return index
    for i, cell in enumerate(cells):
        name = cell.strip().lower()
        if not name:
            continue  # unnamed (e.g. trailing) columns must stay empty; see the row readers
        if name not in known:
            problems.add(1, cell.strip(), f"unknown column; the columns are {','.join(columns)} "
                                          f"(and, if you have them, {','.join(optional)})")
        elif name in index:
            problems.add(1, name, "the column appears twice")
        else:
            index[name] = i
    for name in columns:
        if name not in index:
            problems.add(1, name, "missing column")
    return index


def _row(line: int, cells: list[str], index: dict[str, int], width: int, unnamed: tuple[int, ...],
         problems: Problems) -> dict | None:
    if len(cells) < width:
        problems.add(line, "row", f"{len(cells)} values, but the header has {width} columns")
        return None
    stray = next((i for i in (*unnamed, *range(width, len(cells))) if cells[i].strip()), None)
    if stray is not None:
        problems.add(line, "row", f"a value in column {stray + 1}, which has no name in the header; "
                                  "put values that contain the separator in double quotes")
        return None
    row = {name: cells[i].strip().replace("\r\n", "\n") for name, i in index.items()}
    for name in UNGUARDED:
        if name in row:
            row[name] = unguarded(row[name])
    for name, value in row.items():
        if name in REQUIRED and not value:
            problems.add(line, name, "must not be empty")
        elif "\x00" in value:
            problems.add(line, name, "contains a NUL character")
        elif name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            problems.add(line, name, f"at most {MAX_LENGTHS[name]} characters, not {len(value)}")
    return row


def _group(line: int, row: dict[str, str], visits: dict[str, VisitRows], problems: Problems) -> None:
    external_id = row["external_id"]
    visit = visits.get(external_id)
    if visit is None:
        visit = visits[external_id] = VisitRows(external_id, line, {c: row[c] for c in VISIT_COLUMNS if c in row})
    else:
        for column in visit.fields:
            here, there = row[column], visit.fields[column]
            case_blind = column in ("auditor", "location_code")
            if (here.lower() != there.lower() if case_blind else here != there) and column not in visit.reported:
                visit.reported.add(column)
                problems.add(line, column, f"'{here}' differs from '{there}' on line {visit.line}; every row of "
                                           f"external_id {external_id} must repeat the same {column}")
    visit.rows.append((line, row["item"], row["answer"], row["comment"]))
