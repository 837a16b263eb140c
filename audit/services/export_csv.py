"""Approved visits as CSV in the import format (one row per answer), for spreadsheets and for
moving audits to another installation: ``audit import-visits`` reads the file back.

The columns are :data:`audit.services.import_csv.EXPORT_COLUMNS`: the import's, then the scenario,
the branch's format and the auditor's name. ``external_id`` is the id a visit
was imported with, or ``app:<uuid>`` for a visit recorded in the app; importing the file into
the installation it came from therefore changes nothing, and into another one it creates each
visit once. ``visited_at`` is local time with its UTC offset, so no reader has to guess the
zone. Rows stream in visit order from one query, read in batches (a large chain's export never
sits in memory whole).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC

from sqlalchemy import Connection, select

from ..extensions import db
from ..models import Answer, Checklist, ChecklistVersion, Location, Region, User, Visit
from ..times import display_zone
from .chain_stats import StatsFilter
from .import_csv import APP_PREFIX, EXPORT_COLUMNS, FORMULA_STARTS

BATCH_ROWS = 5000


def export_id(uuid: str, external_id: str | None) -> str:
    return external_id or f"{APP_PREFIX}{uuid}"


def guarded(text: str) -> str:
    """``text`` as a spreadsheet shows it rather than runs it: a cell starting with ``=``, ``+``,
    ``-``, ``@`` or a tab is a formula to Excel, so it gets a leading apostrophe (which the
    import removes again). A plain number such as ``-2.5`` stays a number."""
    if not text.startswith(FORMULA_STARTS):
        return text
    try:
        float(text)
    except ValueError:
        return "'" + text
    return text


class VisitExport:
    """The CSV text of the approved visits ``spec`` selects, in pieces: a BOM and the header
    first (Excel then reads the file as UTF-8), then batches of rows. Iterate over it within
    the app (it reads through the request's session), or pass a connection of its own to
    :meth:`chunks` to stream after the request has ended. Afterwards ``visits`` and
    ``answers`` count what was written."""

    def __init__(self, spec: StatsFilter, separator: str = ",") -> None:
        self.spec = spec
        self.separator = separator  # ";" for Excel set to Lithuanian, Latvian or Russian
        self.zone = display_zone()
        self.statement = (
            select(Visit.id, Visit.uuid, Visit.external_id, Location.code, Location.name, Region.name, User.email,
                   Visit.visited_at, Checklist.key, Answer.item_id, Answer.value, Answer.comment,
                   Visit.scenario, Location.format, User.name)
            .select_from(Visit)
            .join(Location, Location.id == Visit.location_id).outerjoin(Region, Region.id == Location.region_id)
            .join(User, User.id == Visit.auditor_id)
            .join(ChecklistVersion, ChecklistVersion.id == Visit.checklist_version_id)
            .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
            .join(Answer, Answer.visit_id == Visit.id)
            .where(*spec.conditions(), Answer.value.is_not(None) | (Answer.comment != ""))
            .order_by(Visit.visited_at, Visit.id, Answer.id)
            .execution_options(yield_per=BATCH_ROWS)
        )
        self.visits = 0
        self.answers = 0

    def __iter__(self) -> Iterator[str]:
        return self.chunks(db.session.connection())

    def chunks(self, connection: Connection) -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=self.separator, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        yield "\ufeff" + _take(buffer)
        last_visit = None
        for (visit_id, uuid, external_id, code, name, region, email, visited_at, checklist, item, value, comment,
             scenario, location_format, auditor_name) in connection.execute(self.statement):
            if visit_id != last_visit:
                last_visit = visit_id
                self.visits += 1
                local = visited_at.replace(tzinfo=UTC, microsecond=0).astimezone(self.zone).isoformat()
            writer.writerow((guarded(export_id(uuid, external_id)), code, guarded(name), guarded(region or ""), guarded(email),
                             local, checklist, item, guarded(value or ""), guarded(comment or ""),
                             guarded(scenario or ""), location_format, guarded(auditor_name or "")))
            self.answers += 1
            if self.answers % BATCH_ROWS == 0:
                yield _take(buffer)
        yield _take(buffer)


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
