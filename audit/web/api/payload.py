"""Strict validation of API request bodies: every problem is named by its field or item id.

Only the shape is checked here (types, formats, duplicates). Whether a location, checklist
or auditor exists is checked by the view; whether an answer fits its item is checked by
:mod:`audit.services.visits`, which names the item too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import request

from ...times import stored_utc
from ...services.visits import VisitContent
from .auth import ApiError

STATUSES = ("submitted", "approved")
REQUIRED = ("client_uuid", "location", "checklist", "visited_at", "scenario", "answers")
OPTIONAL = ("staff_description", "status", "auditor")
ANSWER_FIELDS = ("item", "value", "comment")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def invalid(details: dict[str, str]) -> ApiError:
    """The one status for every validation problem: 400 with the problems by field or item."""
    return ApiError(400, "invalid request", details)


def json_object() -> dict:
    """The request body as a JSON object, or a 400 saying what is wrong with it."""
    if not request.is_json:
        raise invalid({"body": "send JSON with the header Content-Type: application/json"})
    data = request.get_json(silent=True)
    if data is None:
        raise invalid({"body": "not valid JSON"})
    if not isinstance(data, dict):
        raise invalid({"body": f"must be a JSON object, not {type(data).__name__}"})
    return data


@dataclass(frozen=True)
class VisitPayload:
    """A validated ``POST /api/v1/visits`` body."""

    client_uuid: str
    location: str
    checklist: str
    visited_at: datetime  # naive UTC
    scenario: str
    answers: dict[str, object] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    staff_description: str | None = None
    status: str = "submitted"
    auditor: str | None = None

    def content(self) -> VisitContent:
        return VisitContent(answers=dict(self.answers), comments=dict(self.comments), visited_at=self.visited_at,
                            scenario=self.scenario, staff_description=self.staff_description)


def visit_payload(data: dict) -> VisitPayload:
    """Check the shape of a visit; raises a 400 naming every field or item that is wrong."""
    errors: dict[str, str] = {}
    for name in sorted(set(data) - set(REQUIRED) - set(OPTIONAL)):
        errors[name] = "unknown field"
    for name in REQUIRED:
        if data.get(name) is None:
            errors[name] = "required"

    values: dict[str, object] = {}
    for name in ("location", "checklist", "scenario", "staff_description", "auditor", "status"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = "must be a string"
        elif value is not None:
            values[name] = value.strip()
    for name in ("location", "checklist", "auditor"):
        if name in values and not values[name]:
            errors[name] = "must not be empty"
    if values.get("status", "submitted") not in STATUSES:
        errors["status"] = f"must be one of: {', '.join(STATUSES)}"

    client_uuid = data.get("client_uuid")
    if client_uuid is not None:
        if isinstance(client_uuid, str) and _UUID.fullmatch(client_uuid.strip()):
            values["client_uuid"] = client_uuid.strip().lower()
        else:
            errors["client_uuid"] = "must be a UUID string such as 0b6f3c52-8a4e-4d2b-9b1f-5d0e6c7a8f90"
    visited_at = data.get("visited_at")
    if visited_at is not None:
        parsed = utc_datetime(visited_at)
        if isinstance(parsed, str):
            errors["visited_at"] = parsed
        else:
            values["visited_at"] = parsed
    if data.get("answers") is not None:
        answers, comments = _answers(data["answers"], errors)
        values["answers"], values["comments"] = answers, comments

    if errors:
        raise invalid(errors)
    return VisitPayload(**values)


def utc_datetime(value: object) -> datetime | str:
    """Naive UTC from ISO 8601; a time without an offset is taken as UTC. A str is an error."""
    example = "ISO 8601 date and time such as 2026-10-01T14:30:00+03:00 or 2026-10-01T11:30:00Z"
    if not isinstance(value, str):
        return f"must be a string: {example}"
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return f"not a date and time; use {example}"
    if "T" not in text.upper() and " " not in text:
        return f"give the time as well as the date: {example}"
    if parsed.tzinfo is not None:
        parsed = stored_utc(parsed)
    return parsed.replace(microsecond=0)


def _answers(raw: object, errors: dict[str, str]) -> tuple[dict[str, object], dict[str, str]]:
    """``{item id: value}`` and ``{item id: comment}`` from the list of answer objects."""
    answers: dict[str, object] = {}
    comments: dict[str, str] = {}
    if not isinstance(raw, list):
        errors["answers"] = "must be a list of {item, value, comment} objects"
        return answers, comments
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"answers[{index}]"
        if not isinstance(entry, dict):
            errors[where] = "must be an object with item, value and comment"
            continue
        item = entry.get("item")
        if not isinstance(item, str) or not item.strip():
            errors[where] = "item is required: the id of a checklist item"
            continue
        item = item.strip()
        if item in seen:
            errors[item] = "answered more than once; send each item once"
            continue
        seen.add(item)
        unknown = sorted(set(entry) - set(ANSWER_FIELDS))
        value, comment = entry.get("value"), entry.get("comment")
        if unknown:
            errors[item] = f"unknown field(s) in the answer: {', '.join(unknown)}"
        elif "value" not in entry:
            errors[item] = "value is required (null for no answer)"
        elif isinstance(value, bool) or not isinstance(value, str | int | float | None):
            errors[item] = 'value must be "yes", "no", "na", a number, an option id, a text or null'
        elif comment is not None and not isinstance(comment, str):
            errors[item] = "comment must be a string"
        else:
            answers[item] = value
            if comment:
                comments[item] = comment
    return answers, comments
