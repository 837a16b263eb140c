"""The JSON shapes of the API, built from stored rows as plain dicts.

Stored scores are authoritative (``visit.score``, section and answer scores, as written on
submission and by ``audit rescore``); :func:`audit.scoring.score_visit` is only run to tell
each item's state (scored, na, hidden, unanswered, unscored) and which critical items failed.
Scores: visit and sections 0–100, items 0–1.
"""
from __future__ import annotations

from datetime import datetime

from ...checklist.model import LANGUAGES, NA
from ...models import ChecklistVersion, Visit
from ...scoring import score_visit


def utc_iso(value: datetime | None) -> str | None:
    """Stored naive UTC as ISO 8601 with ``Z``."""
    return None if value is None else value.isoformat(timespec="seconds") + "Z"


def json_value(item, stored: str | None):
    """A stored answer as the API takes it: numbers (scale, number) as JSON numbers, the rest
    — yes, no, na, an option id, a text — as stored."""
    if stored is None or stored == NA or item.type not in ("scale", "number"):
        return stored
    number = float(stored)
    return int(number) if number.is_integer() else number


def visit_json(visit: Visit, with_auditor: bool = True) -> dict:
    definition = visit.checklist_version.parsed
    answers = {a.item_id: a for a in visit.answers}
    result = score_visit(definition, {item_id: a.value for item_id, a in answers.items()})
    section_scores = {s.section_id: s.score for s in visit.section_scores}
    items = []
    for section in definition.sections:
        for item in section.items:
            answer = answers.get(item.id)
            items.append({
                "id": item.id, "section": section.id,
                "value": json_value(item, answer.value) if answer else None,
                "comment": answer.comment if answer else "",
                "score": answer.score if answer else None,
                "state": result.items[item.id].state,
            })
    return {
        "id": visit.id,
        "client_uuid": visit.uuid,
        "location": {"code": visit.location.code, "name": visit.location.name},
        "checklist": {"id": visit.checklist_version.checklist.key, "version": visit.checklist_version.number},
        # Branch managers (who may not see who visited) get null.
        "auditor": {"email": visit.auditor.email, "name": visit.auditor.name} if with_auditor else None,
        "status": visit.status,
        "external_id": visit.external_id,  # the id an imported visit came with
        "visited_at": utc_iso(visit.visited_at),
        "submitted_at": utc_iso(visit.submitted_at), "approved_at": utc_iso(visit.approved_at),
        "updated_at": utc_iso(visit.updated_at),  # what ``changed_since`` compares
        "scenario": visit.scenario,
        "staff_description": visit.staff_description,
        "score": visit.score,
        "critical_failed": visit.critical_failed,
        "critical_items": list(result.critical_items),
        "sections": [
            {"id": s.id, "title": s.title.en, "score": section_scores.get(s.id)} for s in definition.sections
        ],
        "items": items,
    }


def checklist_json(key: str, version: ChecklistVersion) -> dict:
    definition = version.parsed
    return {
        "id": key,
        "version": version.number,
        "title": {lang: getattr(definition.title, lang) for lang in LANGUAGES},
        "channel": definition.channel,
        "items": len(definition.items),
        # A retired checklist takes no new unscheduled visits (POST /visits answers 400).
        "retired": version.checklist.retired_at is not None,
    }
