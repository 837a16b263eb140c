"""A visit's life: started as a draft, saved as the auditor types, submitted, recorded whole.

Review and disputes live in :mod:`audit.services.review`. Services flush; the request or
command commits once. Access (who may act on which visit) is decided by
:mod:`audit.policy` in the views; these functions enforce the *state* rules.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..times import EARLIEST_VISIT, local_date, stored_utc
from ..checklist import InvalidAnswer, parse_answer
from ..extensions import db
from ..models import EDITABLE_STATUSES, Answer, Assignment, Location, User, Visit, utcnow
from ..scoring import missing_answers, visible_items
from . import audit_log
from .checklists import current_version
from .scenarios import canonical as canonical_scenario
from .scores import store_visit_scores
from .visit_lock import hold_visit

MAX_SCENARIO, MAX_STAFF, MAX_COMMENT = 200, 2000, 5000
FUTURE_SLACK = timedelta(minutes=10)  # tablet clocks drift


class VisitError(Exception):
    """A visit rule was broken; ``message`` says what and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VisitNotEditable(VisitError):
    pass


class VisitConflict(VisitError):
    """The client UUID is taken by a visit with other content (HTTP 409)."""


class VisitInvalid(VisitError):
    """Answers or details that cannot be accepted: ``errors`` maps item id or field → message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class VisitContent:
    """What a person typed: raw answers and comments by item id, plus visit details.

    ``None`` for a detail means "not given, keep what is stored".
    """

    answers: dict[str, object] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    visited_at: datetime | None = None
    scenario: str | None = None
    staff_description: str | None = None
    #: The date field was sent, but empty or unreadable (cleared on the tablet): refused, where
    #: ``visited_at`` None alone keeps the stored date without a word.
    visited_at_unreadable: bool = False


def find_visit(client_uuid: str) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.uuid == client_uuid))


def start_visit(auditor: User, client_uuid: str, *, location: Location | None = None,
                checklist_key: str | None = None, assignment: Assignment | None = None,
                scenario: str = "", actor: User | None = None) -> Visit:
    """A new draft, or the existing one when the same start is repeated (a retried tap).

    ``actor`` is who started it when that is not the auditor (a reviewer recording a visit).
    """
    existing = find_visit(client_uuid)
    if existing is not None:
        if existing.auditor_id == auditor.id and (assignment is None or existing.assignment_id == assignment.id):
            return existing
        raise VisitConflict("this visit id is already used by another visit")
    if assignment is not None:
        if assignment.cancelled:
            raise VisitError("this assignment was cancelled")
        started = db.session.scalar(select(Visit).where(Visit.assignment_id == assignment.id))
        if started is not None:
            return started  # one visit per assignment: reopen the one already started
        location, checklist_key = assignment.location, assignment.checklist.key
        scenario = canonical_scenario(scenario) if scenario.strip() else assignment.scenario
    else:
        scenario = canonical_scenario(scenario)
    if location is None or checklist_key is None:
        raise VisitError("choose a location and a checklist")
    version = current_version(checklist_key)
    if version is None:
        raise VisitError(f"unknown checklist '{checklist_key}'")
    if assignment is None and version.checklist.retired_at is not None:
        # A visit scheduled before the retirement may still be done; a new one may not.
        raise VisitInvalid({"checklist": f"checklist '{checklist_key}' is retired: it is not used for new "
                                         "visits (only visits scheduled before can still be made)"})
    visit = Visit(
        uuid=client_uuid, location=location, auditor=auditor, checklist_version=version,
        channel=version.parsed.channel, status="draft", visited_at=utcnow(), scenario=scenario[:MAX_SCENARIO],
        assignment=assignment,
    )
    db.session.add(visit)
    db.session.flush()
    audit_log.record("visit.started", "visit", visit.id, actor or auditor, uuid=client_uuid)
    return visit


def save_draft(visit: Visit, user: User, content: VisitContent) -> dict[str, str]:
    """Store what was typed; returns errors by item id for values that could not be stored.

    Valid values are kept even when others are invalid, so nothing good is lost.
    """
    _claim(visit)
    errors = _apply(visit, content)
    store_visit_scores(visit)
    return errors


def submit_visit(visit: Visit, user: User, content: VisitContent | None = None) -> Visit:
    """Apply the final content and submit, or raise :class:`VisitInvalid` keeping every answer."""
    if visit.status not in EDITABLE_STATUSES:
        if content is not None and visit.content_hash == _hash_after(visit, content):
            return visit  # the same submission again: a retry, not a change
        raise VisitNotEditable("this visit was already submitted; changes are no longer accepted")
    _claim(visit)
    errors = _apply(visit, content) if content is not None else {}
    _spell(visit)
    errors = {**submission_problems(visit), **errors}  # "answer yes or no" says more than "required"
    store_visit_scores(visit)
    if errors:
        db.session.flush()  # the draft keeps every valid answer even though submission failed
        raise VisitInvalid(errors)
    drop_hidden_answers(visit)
    was_returned = visit.status == "returned"
    visit.status, visit.submitted_at = "submitted", utcnow()
    visit.content_hash = content_hash(visit)
    if was_returned:
        for comment in visit.review_comments:
            comment.resolved_at = comment.resolved_at or visit.submitted_at
    db.session.flush()
    audit_log.record("visit.resubmitted" if was_returned else "visit.submitted", "visit", visit.id, user,
                     score=visit.score, critical_failed=visit.critical_failed)
    return visit


def record_visit(auditor: User, client_uuid: str, location: Location, checklist_key: str,
                 content: VisitContent, approved_by: User | None = None,
                 recorded_by: User | None = None) -> tuple[Visit, bool]:
    """A complete visit in one call (API): ``(visit, created)``; an identical retry is not new.
    The history names ``recorded_by`` (who sent it) for starting and submitting, not the auditor."""
    existing = find_visit(client_uuid)
    if existing is not None:
        same_place = (existing.location_id == location.id and existing.auditor_id == auditor.id
                      and existing.checklist_version.checklist.key == checklist_key)
        if same_place and existing.status not in EDITABLE_STATUSES and existing.content_hash == _hash_after(existing, content):
            return existing, False
        raise VisitConflict(f"a visit with client_uuid {client_uuid} already exists with other content")
    visit = start_visit(auditor, client_uuid, location=location, checklist_key=checklist_key, actor=recorded_by)
    submit_visit(visit, recorded_by or auditor, content)
    if approved_by is not None:
        from .review import approve_visit

        approve_visit(visit, approved_by)
    return visit, True


def outside_window(visit: Visit) -> bool:
    """Was a scheduled visit made on a day outside its window (display-zone days)?"""
    assignment = visit.assignment
    if assignment is None or visit.visited_at is None:
        return False
    return not assignment.due_from <= local_date(visit.visited_at) <= assignment.due_until


def submission_problems(visit: Visit) -> dict[str, str]:
    """Why the visit cannot be submitted yet: item id → message."""
    definition = visit.checklist_version.parsed
    answers = {a.item_id: a.value for a in visit.answers}
    comments = {a.item_id: a.comment for a in visit.answers}
    messages = {"required": "an answer is required", "comment": "a comment is required when this item fails"}
    problems = {item_id: messages[reason] for item_id, reason in missing_answers(definition, answers, comments).items()}
    photographed = {e.item_id for e in visit.evidence}
    for item in definition.items:
        if item.type == "photo" and item.required and item.id not in photographed:
            problems[item.id] = "a photo is required"
    return problems


@dataclass
class _Merged:
    """A visit's content after applying what was typed, as plain values."""

    answers: dict[str, tuple[str | None, str]]  # item id → (value, comment)
    visited_at: datetime | None
    scenario: str
    staff_description: str
    errors: dict[str, str]


def content_hash(visit: Visit) -> str:
    """SHA-256 of what a submission consists of; equal hashes mean an identical resubmission."""
    return _hash(visit, _merge(visit, VisitContent()))


def drop_hidden_answers(visit: Visit) -> None:
    """A follow-up question answered before its opening question changed is hidden again: its
    answer and comment are no part of the submitted visit (they do not score, and a file
    exported with them could not be imported back, since the import refuses hidden answers)."""
    visible = visible_items(visit.checklist_version.parsed, {a.item_id: a.value for a in visit.answers})
    for answer in [a for a in visit.answers if a.item_id not in visible]:
        visit.answers.remove(answer)


def _hash(visit: Visit, merged: _Merged) -> str:
    visible = visible_items(visit.checklist_version.parsed,
                            {item_id: value for item_id, (value, _) in merged.answers.items()})
    payload = {
        "location": visit.location_id, "version": visit.checklist_version_id,
        "visited_at": merged.visited_at.isoformat(timespec="seconds") if merged.visited_at else None,
        "scenario": merged.scenario, "staff": merged.staff_description,
        "answers": sorted((item_id, value, comment) for item_id, (value, comment) in merged.answers.items()
                          if (value is not None or comment) and item_id in visible),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _hash_after(visit: Visit, content: VisitContent) -> str | None:
    """The hash ``visit`` would have with ``content`` applied, without changing it."""
    merged = _merge(visit, content)
    if merged.scenario != (visit.scenario or ""):  # a retry may spell it as typed, not as stored
        merged.scenario = canonical_scenario(merged.scenario)
    return None if merged.errors else _hash(visit, merged)


def _spell(visit: Visit) -> None:
    """The scenario as the chain already spells it (services.scenarios), when the visit is
    submitted: that reads every scenario of the chain, too much for each pause in typing, when a
    draft is saved. A draft keeps the scenario as typed, spaces tidied."""
    if visit.scenario:
        visit.scenario = canonical_scenario(visit.scenario)


def _claim(visit: Visit) -> None:
    """Take the visit for this transaction, then read it afresh; VisitNotEditable if it is no
    longer editable.

    An autosave and the submit of the same visit can arrive together (the last debounced save
    and the tap on Submit), each having read the visit before the other wrote. The first write
    of the transaction is this conditional UPDATE: it waits for the other transaction (the row
    lock on PostgreSQL, the write lock on SQLite), and only then are the visit and its answers
    read again, so this request sees the other's answers instead of inserting them a second
    time, and cannot change a visit that was submitted in the meantime.
    """
    if visit.id is None:  # created in this transaction (API): nobody else can know it yet
        _require_editable(visit)
        return
    claimed = hold_visit(visit, EDITABLE_STATUSES, updated_at=utcnow())
    db.session.expire(visit)
    db.session.execute(select(Visit).where(Visit.id == visit.id)
                       .options(selectinload(Visit.answers)).execution_options(populate_existing=True))
    if not claimed:
        raise VisitNotEditable("this visit was already submitted; changes are no longer accepted")


def _require_editable(visit: Visit) -> None:
    if visit.status not in EDITABLE_STATUSES:
        raise VisitNotEditable("this visit was already submitted; changes are no longer accepted")


def _merge(visit: Visit, content: VisitContent) -> _Merged:
    """The visit's stored content with ``content`` applied, validated, as plain values."""
    definition = visit.checklist_version.parsed
    answers = {a.item_id: (a.value, a.comment or "") for a in visit.answers}
    errors: dict[str, str] = {}
    for item_id in sorted(set(content.answers) | set(content.comments)):
        item = definition.item(item_id)
        if item is None:
            errors[item_id] = "unknown item"
            continue
        value, comment = answers.get(item_id, (None, ""))
        if item_id in content.answers and item.type == "photo":
            if content.answers[item_id] not in (None, ""):
                errors[item_id] = "photos are uploaded as evidence, not typed as an answer"
        elif item_id in content.answers:
            try:
                value = parse_answer(item, content.answers[item_id])
            except InvalidAnswer as exc:
                errors[item_id] = exc.message
        if item_id in content.comments:
            typed = (content.comments[item_id] or "").strip()
            if len(typed) > MAX_COMMENT:  # an answer refused too says more: it is the one to mend first
                errors.setdefault(item_id, f"the comment is longer than {MAX_COMMENT} characters")
            else:
                comment = typed
        answers[item_id] = (value, comment)
    visited_at = visit.visited_at
    if content.visited_at_unreadable:
        errors["visited_at"] = "enter the day and time of the visit"
    elif content.visited_at is not None:
        typed = content.visited_at
        if typed.tzinfo is not None:  # stored as naive UTC like every timestamp
            typed = stored_utc(typed)
        if typed > utcnow() + FUTURE_SLACK:
            errors["visited_at"] = "the visit cannot be in the future"
        elif typed.date() < EARLIEST_VISIT:
            errors["visited_at"] = f"the visit cannot be before {EARLIEST_VISIT.isoformat()}"
        else:
            visited_at = typed
    # Spaces tidied; the chain's spelling of it is taken on submit (_spell), not on each draft save.
    scenario = (visit.scenario or "") if content.scenario is None else " ".join(content.scenario.split())
    staff = (visit.staff_description or "") if content.staff_description is None else content.staff_description.strip()
    if len(scenario) > MAX_SCENARIO:
        errors["scenario"] = f"at most {MAX_SCENARIO} characters"
    if len(staff) > MAX_STAFF:
        errors["staff_description"] = f"at most {MAX_STAFF} characters"
    return _Merged(answers, visited_at, scenario[:MAX_SCENARIO], staff[:MAX_STAFF], errors)


def _apply(visit: Visit, content: VisitContent) -> dict[str, str]:
    """Write ``content`` into the visit (every valid part of it); returns the errors by key."""
    merged = _merge(visit, content)
    by_item = {a.item_id: a for a in visit.answers}
    for item_id, (value, comment) in merged.answers.items():
        answer = by_item.get(item_id)
        if answer is None:
            if value is None and not comment:
                continue
            answer = Answer(item_id=item_id)
            visit.answers.append(answer)
        answer.value, answer.comment = value, comment
    visit.visited_at = merged.visited_at
    visit.scenario, visit.staff_description = merged.scenario, merged.staff_description
    return merged.errors
