"""What an import finds in the database and how it writes: the visits stored under a file's
external ids, as plain values to compare with the file, and the bulk INSERTs of new visits."""
from __future__ import annotations

import uuid

from sqlalchemy import insert, select

from ..extensions import db
from ..models import Answer, Checklist, ChecklistVersion, Location, User, Visit, VisitSectionScore
from ..scoring import visible_items
from .import_csv import APP_PREFIX

BATCH = 500  # visits per bulk insert, and values per IN (…) query


def app_uuid(external_id: str) -> str | None:
    """The visit UUID in an ``app:<uuid>`` id (how our export names visits recorded in the app)."""
    if not external_id.startswith(APP_PREFIX):
        return None
    try:
        return str(uuid.UUID(external_id.removeprefix(APP_PREFIX)))
    except ValueError:
        return None


_VISIT_COLUMNS = ("uuid", "external_id", "location_id", "auditor_id", "checklist_version_id", "channel",
                  "scenario", "staff_description", "status", "visited_at", "score", "critical_failed",
                  "created_at", "updated_at", "submitted_at", "approved_at")
_ANSWER_COLUMNS = ("item_id", "value", "is_na", "comment", "score")


def insert_visits(visits: list[Visit]) -> None:
    """Insert scored visits with their answers and section scores: three bulk INSERTs, not a
    unit-of-work flush of every object (several times faster for tens of thousands of answers)."""
    ids = db.session.scalars(
        insert(Visit).returning(Visit.id, sort_by_parameter_order=True),
        [{name: getattr(visit, name) for name in _VISIT_COLUMNS} for visit in visits],
    ).all()
    answers = [{"visit_id": visit_id, **{name: getattr(answer, name) for name in _ANSWER_COLUMNS}}
               for visit_id, visit in zip(ids, visits) for answer in visit.answers]
    sections = [{"visit_id": visit_id, "section_id": s.section_id, "score": s.score}
                for visit_id, visit in zip(ids, visits) for s in visit.section_scores]
    # render_nulls: rows with and without NULLs share batches (every column is given explicitly)
    if answers:
        db.session.execute(insert(Answer), answers, execution_options={"render_nulls": True})
    if sections:
        db.session.execute(insert(VisitSectionScore), sections, execution_options={"render_nulls": True})


def stored_visits(external_ids: list[str]) -> dict[str, dict]:
    """What is stored under these external ids, as plain values: visits imported before, and
    for ``app:<uuid>`` ids the app's own visit of that UUID (an export read back in)."""
    stored: dict[str, dict] = {}
    ids: dict[int, str] = {}
    versions: dict[int, int] = {}  # visit id → its checklist version
    app_ids = {found: external_id for external_id in external_ids if (found := app_uuid(external_id))}
    columns = select(Visit.id, Visit.external_id, Visit.uuid, Location.code, User.email, Visit.visited_at,
                     Checklist.key, Visit.scenario, Visit.checklist_version_id) \
        .join(Location, Location.id == Visit.location_id) \
        .join(User, User.id == Visit.auditor_id) \
        .join(ChecklistVersion, ChecklistVersion.id == Visit.checklist_version_id) \
        .join(Checklist, Checklist.id == ChecklistVersion.checklist_id)
    lookups = [Visit.external_id.in_(batch) for batch in batches(external_ids)]
    lookups += [Visit.uuid.in_(batch) & Visit.external_id.is_(None) for batch in batches(app_ids)]
    for lookup in lookups:
        for visit_id, external_id, visit_uuid, code, email, visited_at, key, scenario, version_id in db.session.execute(
                columns.where(lookup)):
            external_id = external_id or app_ids[visit_uuid]
            ids[visit_id] = external_id
            versions[visit_id] = version_id
            # The export writes whole seconds; the app stores what the tablet's clock gave.
            stored[external_id] = {"location": code, "auditor": email, "visited_at": visited_at.replace(microsecond=0),
                                   "checklist": key, "scenario": scenario or "", "answers": {},
                                   "version_id": version_id}
    for batch in batches(list(ids)):
        for visit_id, item_id, value, comment in db.session.execute(
            select(Answer.visit_id, Answer.item_id, Answer.value, Answer.comment).where(Answer.visit_id.in_(batch))
        ):
            comment = (comment or "").strip().replace("\r\n", "\n")  # as a CSV cell is read
            if value is not None or comment:
                stored[ids[visit_id]]["answers"][item_id] = (value, comment)
    # Answers the visit's own version hides never counted, and a file leaves them out.
    definitions = {version_id: db.session.get(ChecklistVersion, version_id).parsed for version_id in set(versions.values())}
    for visit_id, external_id in ids.items():
        answers = stored[external_id]["answers"]
        shown = visible_items(definitions[versions[visit_id]], {k: value for k, (value, _) in answers.items()})
        stored[external_id]["answers"] = {k: v for k, v in answers.items() if k in shown}
    return stored


def batches(values) -> list[list]:
    values = list(values)
    return [values[i:i + BATCH] for i in range(0, len(values), BATCH)]
