"""Scheduling visits from a CSV file (columns ``CSV_COLUMNS``, ISO dates), all or nothing.

Messages are ``line N: column: message`` in the user's language (:class:`AssignmentError`);
the rules of each visit are :func:`audit.services.assignments.create_assignments`'s.
"""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _

from ..models import Assignment, User
from .assignments import AssignmentError, AssignmentRequest, create_assignments, problem_at
from .import_csv import runaway_cells, separator
from .import_values import calendar_date

CSV_COLUMNS = ("location_code", "checklist", "auditor", "scenario", "due_from", "due_until", "notes")
MAX_ROWS = 5000


def import_assignments_csv(text: str, created_by: User) -> list[Assignment]:
    """Bulk scheduling from CSV (columns ``CSV_COLUMNS``, ISO dates), all or nothing."""
    text = text.lstrip("\ufeff")
    sep = separator(text)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    header = reader.fieldnames or []
    index = {column: i for i, column in enumerate(header)}
    missing = [c for c in CSV_COLUMNS[:6] if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if missing or unknown:
        problems = [problem_at(1, c, _("missing column")) for c in missing]
        problems += [problem_at(1, c, _("unknown column (use %(columns)s)", columns=", ".join(CSV_COLUMNS)))
                     for c in unknown]
        raise AssignmentError([], problems)
    requests: list[AssignmentRequest] = []
    lines: list[int] = []
    errors: list[tuple[int, str]] = []
    for row in reader:
        # The record's first line: a quoted value may span lines (line_num is the last one).
        line = reader.line_num - sum(value.rstrip("\r\n").count("\n") for value in row.values()
                                     if isinstance(value, str))
        if not row.get(None) and all(not (value or "").strip() for value in row.values()):
            continue  # separators only (",,,,,,"): a spreadsheet's formatted empty row
        cells = [value or "" for column, value in row.items() if column is not None]  # None: a short row
        runaway = runaway_cells(line, cells, index, multiline=("notes",), separator=sep)
        if runaway:  # a double quote left open took the rows after it into one value
            errors.extend(problem_at(start, column, _("the value goes on to line %(num)d: close the double quote "
                                                      "(\") it starts with, or remove it", num=end))
                          for start, column, end in runaway)
            continue
        if len(requests) >= MAX_ROWS:
            raise AssignmentError([], [problem_at(line, "", _("at most %(num)d assignments per file", num=MAX_ROWS))])
        given = len(header) - sum(value is None for value in row.values()) + len(row.get(None) or [])
        if given != len(header):  # csv fills a short row with None and keeps a long row's rest under None
            errors.append(problem_at(line, "", _("%(given)d values, but the header has %(columns)d columns; put "
                                                 "values that contain the separator in double quotes",
                                                 given=given, columns=len(header))))
            continue
        dates = {}
        for column in ("due_from", "due_until"):
            typed = (row.get(column) or "").strip()
            try:
                dates[column] = calendar_date(typed)
            except ValueError:
                dates[column] = None  # reported here; the row's other columns are still checked
                errors.append(problem_at(line, column, _("'%(value)s' is not a date like 2026-12-01", value=typed)
                                         if typed else _("a date like 2026-12-01 is required")))
        requests.append(AssignmentRequest(
            location_code=(row["location_code"] or "").strip(), checklist=(row["checklist"] or "").strip(),
            auditor=(row["auditor"] or "").strip(), scenario=(row.get("scenario") or "").strip(),
            notes=(row.get("notes") or "").strip(), **dates))
        lines.append(line)
    if not requests and not errors:
        errors.append(problem_at(2, "", _("the file has no assignments")))
    try:
        created = create_assignments(requests, created_by, lines) if requests else []
    except AssignmentError as exc:
        errors.extend(exc.ordered)
    if errors:
        raise AssignmentError([], errors)
    return created
