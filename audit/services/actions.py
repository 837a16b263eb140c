"""Corrective actions: a branch (or head office) plans what will be done about a failed question
of an approved visit, or about the visit as a whole, by a day; then marks it done.

Plans and completions are in the audit log under the visit, so its History names them. The
lists (a manager's branches, one branch, the whole chain) are one query each, the earliest due
first, so overdue actions lead.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import CorrectiveAction, Location, Region, User, Visit, utcnow
from ..models.actions import MAX_ACTION_TEXT, MAX_RESPONSIBLE
from ..scoring import score_visit
from . import audit_log
from .visits import VisitError, VisitInvalid

#: How far back the branch page lists actions marked done.
RECENTLY_DONE_DAYS = 90
RECENTLY_DONE_SHOWN = 20


def latest_due_day(today: date) -> date:
    """The latest day an action may be due: a year from ``today`` (29 February: 28 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def _due_day(text: str | date | None, today: date, errors: dict[str, str]) -> date | None:
    if isinstance(text, date):
        day = text
    elif not (text or "").strip():
        errors["due_on"] = "choose the day it is due"
        return None
    else:
        try:
            day = date.fromisoformat(text.strip())
        except ValueError:
            errors["due_on"] = "enter the due day as a date, like 2026-12-31"
            return None
    if day < today:
        errors["due_on"] = "the due day cannot be in the past"
    elif day > latest_due_day(today):
        errors["due_on"] = f"the due day can be at most a year ahead, until {latest_due_day(today).isoformat()}"
    return day


def failed_items(visit: Visit) -> set[str]:
    """The items of ``visit`` scored below the pass mark (what an action can be planned for)."""
    result = score_visit(visit.checklist_version.parsed, {a.item_id: a.value for a in visit.answers})
    return {item_id for item_id, r in result.items.items() if r.failed}


def plan_action(visit: Visit, user: User, item_id: str | None, text: str, responsible: str,
                due_on: str | date | None, today: date) -> CorrectiveAction:
    """A new open action on a failed item of the approved ``visit`` (``item_id`` None or "": on
    the visit as a whole). :class:`VisitInvalid` names each field that cannot be accepted."""
    if visit.status != "approved":
        raise VisitError("corrective actions can be planned only for approved visits")
    item_id = (item_id or "").strip() or None
    if item_id is not None:
        if visit.checklist_version.parsed.item(item_id) is None:
            raise VisitInvalid({"item_id": "unknown item"})
        if item_id not in failed_items(visit):
            raise VisitInvalid({"item_id": "an action can be planned only for a question that failed"})
    text, responsible = (text or "").strip(), (responsible or "").strip()
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "say what will be done"
    elif len(text) > MAX_ACTION_TEXT:
        errors["text"] = f"at most {MAX_ACTION_TEXT} characters"
    if len(responsible) > MAX_RESPONSIBLE:
        errors["responsible"] = f"at most {MAX_RESPONSIBLE} characters"
    day = _due_day(due_on, today, errors)
    if errors:
        raise VisitInvalid(errors)
    same = db.session.scalar(select(CorrectiveAction).where(
        CorrectiveAction.visit_id == visit.id, CorrectiveAction.item_id.is_(None) if item_id is None
        else CorrectiveAction.item_id == item_id, CorrectiveAction.status == "open",
        CorrectiveAction.text == text, CorrectiveAction.due_on == day))
    if same is not None:  # the form sent twice (a double tap, a reload): one action, not two
        return same
    action = CorrectiveAction(visit_id=visit.id, item_id=item_id, location_id=visit.location_id, text=text,
                              responsible=responsible, due_on=day, status="open", created_by_id=user.id)
    db.session.add(action)
    db.session.flush()
    audit_log.record("action.planned", "visit", visit.id, user, action_id=action.id, item=item_id,
                     due_on=day.isoformat())
    return action


def complete_action(action: CorrectiveAction, user: User, note: str = "") -> CorrectiveAction:
    """Mark an open action done, with an optional note on what was done."""
    if action.status == "done":
        raise VisitError("this action was already marked done")
    visit = db.session.get(Visit, action.visit_id)
    if visit.status != "approved":
        raise VisitError("corrective actions can be planned only for approved visits")
    note = (note or "").strip()
    if len(note) > MAX_ACTION_TEXT:
        raise VisitInvalid({"done_note": f"at most {MAX_ACTION_TEXT} characters"})
    action.status, action.done_note, action.done_by_id, action.done_at = "done", note, user.id, utcnow()
    db.session.flush()
    audit_log.record("action.done", "visit", action.visit_id, user, action_id=action.id, item=action.item_id)
    return action


def actions_of_visit(visit: Visit) -> dict[str | None, list[CorrectiveAction]]:
    """The visit's actions by item id (None: the visit as a whole), oldest first."""
    rows = db.session.scalars(
        select(CorrectiveAction).where(CorrectiveAction.visit_id == visit.id)
        .options(selectinload(CorrectiveAction.created_by), selectinload(CorrectiveAction.done_by))
        .order_by(CorrectiveAction.created_at, CorrectiveAction.id))
    grouped: dict[str | None, list[CorrectiveAction]] = {}
    for action in rows:
        grouped.setdefault(action.item_id, []).append(action)
    return grouped


# --- lists --------------------------------------------------------------------------------------

def _conditions(where, region: str = "", search: str = "") -> list:
    """Open actions matching ``where`` (a policy clause), in the region named, at a branch whose
    code or name contains ``search`` (case-blind in every alphabet, as the schedule's search)."""
    conditions = [CorrectiveAction.status == "open", where]
    if region:
        conditions.append(CorrectiveAction.location_id.in_(
            select(Location.id).join(Region, Location.region_id == Region.id).where(Region.name == region)))
    if search.strip():
        fold = func.casefold if db.engine.dialect.name == "sqlite" else func.lower
        needle = search.strip().casefold()
        conditions.append(CorrectiveAction.location_id.in_(
            select(Location.id).where(fold(Location.code).contains(needle, autoescape=True)
                                      | fold(Location.name).contains(needle, autoescape=True))))
    return conditions


def count_open_actions(where, today: date, region: str = "", search: str = "") -> dict[str, int]:
    """``{"open": n, "overdue": m}`` of the open actions :func:`open_actions` lists."""
    total, overdue = db.session.execute(
        select(func.count(CorrectiveAction.id),
               func.count(case((CorrectiveAction.due_on < today, CorrectiveAction.id))))
        .where(*_conditions(where, region, search))).one()
    return {"open": int(total or 0), "overdue": int(overdue or 0)}


def open_actions(where, today: date, lang: str, region: str = "", search: str = "",
                 offset: int = 0, limit: int = 100) -> list[dict]:
    """Open actions, the earliest due first (so the overdue ones lead), as plain dicts."""
    stmt = (select(CorrectiveAction).where(*_conditions(where, region, search))
            .order_by(CorrectiveAction.due_on, CorrectiveAction.id).offset(offset).limit(limit))
    return _rows(stmt, today, lang)


def location_actions(location_code: str, today: date, lang: str) -> dict[str, list[dict]]:
    """One branch's open actions (the earliest due first) and the last :data:`RECENTLY_DONE_SHOWN`
    marked done in the last :data:`RECENTLY_DONE_DAYS` days (the latest first)."""
    at = select(Location.id).where(Location.code == location_code).scalar_subquery()
    since = utcnow() - timedelta(days=RECENTLY_DONE_DAYS)
    open_ = (select(CorrectiveAction).where(CorrectiveAction.location_id == at, CorrectiveAction.status == "open")
             .order_by(CorrectiveAction.due_on, CorrectiveAction.id))
    done = (select(CorrectiveAction).where(CorrectiveAction.location_id == at, CorrectiveAction.status == "done",
                                           CorrectiveAction.done_at >= since)
            .order_by(CorrectiveAction.done_at.desc(), CorrectiveAction.id.desc()).limit(RECENTLY_DONE_SHOWN))
    return {"open": _rows(open_, today, lang), "done": _rows(done, today, lang), "done_days": RECENTLY_DONE_DAYS}


def _rows(stmt, today: date, lang: str) -> list[dict]:
    actions = db.session.scalars(stmt.options(
        selectinload(CorrectiveAction.visit).selectinload(Visit.checklist_version),
        selectinload(CorrectiveAction.location).selectinload(Location.region),
        selectinload(CorrectiveAction.created_by), selectinload(CorrectiveAction.done_by))).all()
    rows = []
    for a in actions:
        item = a.visit.checklist_version.parsed.item(a.item_id) if a.item_id else None
        rows.append({
            "id": a.id, "visit_id": a.visit_id, "visited_at": a.visit.visited_at, "item_id": a.item_id,
            "question": (item.text.get(lang) if item else a.item_id), "text": a.text, "responsible": a.responsible,
            "due_on": a.due_on, "status": a.status, "overdue": a.overdue(today),
            "location_code": a.location.code, "location_name": a.location.name,
            "region": a.location.region.name if a.location.region else None,
            "created_at": a.created_at, "created_by": a.created_by.name,
            "done_at": a.done_at, "done_by": a.done_by.name if a.done_by else None, "done_note": a.done_note,
        })
    return rows
