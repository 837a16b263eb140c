"""Scheduling visits (one at a time; a CSV file of them: :mod:`audit.services.assignments_csv`),
and the auditor's view of their work."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Assignment, Checklist, ChecklistVersion, Location, User, Visit, utcnow
from ..times import local_today
from . import audit_log, notifications
from .scenarios import Scenarios

MAX_SCENARIO, MAX_NOTES = 200, 2000  # the form's limits, for the CSV too
#: A window ending further ahead, or longer, is a typing mistake (2206 for 2026), not a plan.
MAX_AHEAD, MAX_WINDOW = timedelta(days=731), timedelta(days=366)


class AssignmentError(ValueError):
    """Assignments that cannot be created; ``errors`` lists ``line N: column: message`` in the
    user's language (column names stay as in the CSV header), in line order."""

    def __init__(self, errors: list[str], ordered: list[tuple[int, str]] | None = None,
                 fields: list[tuple[str, str]] | None = None) -> None:
        ordered = ordered if ordered is not None else list(enumerate(errors))
        self.ordered = sorted(ordered, key=lambda problem: problem[0])
        self.errors = [text for _line, text in self.ordered]
        #: ``(column, message)`` of each problem, for a form of one visit to show beside its field
        #: ("" for the visit as a whole).
        self.fields = fields or []
        super().__init__("\n".join(self.errors))


def problem_at(line: int, column: str, message: str, *, numbered_as: str = "line") -> tuple[int, str]:
    """``(line, "line N: column: message")`` with "line" (or "assignment") in the user's language."""
    where = _("line %(num)d", num=line) if numbered_as == "line" else _("assignment %(num)d", num=line)
    return line, f"{where}: {column}: {message}" if column else f"{where}: {message}"


@dataclass(frozen=True)
class AssignmentRequest:
    """One visit to schedule; a date of ``None`` was unreadable (and is reported already)."""
    location_code: str
    checklist: str
    auditor: str
    due_from: date | None
    due_until: date | None
    scenario: str = ""
    notes: str = ""


def create_assignments(requests: list[AssignmentRequest], created_by: User,
                       lines: list[int] | None = None) -> list[Assignment]:
    """Create all or none; errors name the line (``lines``) or the position of each request."""
    codes = {r.location_code.strip().upper() for r in requests}  # codes are unique whatever their case
    keys = {r.checklist.strip().lower() for r in requests}  # STORE-VISIT is store-visit, as codes and e-mails
    emails = {r.auditor.strip().lower() for r in requests}
    locations = {l.code.upper(): l for l in db.session.scalars(select(Location).where(func.upper(Location.code).in_(codes)))}
    checklists = {c.key.lower(): c for c in db.session.scalars(select(Checklist).where(func.lower(Checklist.key).in_(keys)))}
    auditors = {u.email: u for u in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))}
    errors: list[tuple[int, str]] = []
    fields: list[tuple[str, str]] = []
    created = []
    today = local_today()
    # The same visit twice (a file imported again, a form sent twice) is a mistake, not a plan:
    # same branch, checklist, auditor, window and scenario. Another scenario is another visit.
    scheduled = _scheduled_keys({location.id for location in locations.values()})
    seen: dict[tuple, int] = {}
    spelled = Scenarios() if any(r.scenario.strip() for r in requests) else None  # "buy a gift" → "Buy a gift"
    for index, request in enumerate(requests):
        scenario = spelled.canonical(request.scenario) if spelled else ""
        line, numbered_as = (lines[index], "line") if lines else (index + 1, "assignment")

        def problem(column: str, message: str) -> None:
            errors.append(problem_at(line, column, message, numbered_as=numbered_as))  # noqa: B023
            fields.append((column, message))
        location = locations.get(request.location_code.strip().upper())
        checklist = checklists.get(request.checklist.strip().lower())
        auditor = auditors.get(request.auditor.strip().lower())
        if location is None or not location.active:
            problem("location_code", _("unknown or inactive location '%(code)s'", code=request.location_code))
        if checklist is None:
            problem("checklist", _("unknown checklist '%(key)s'", key=request.checklist))
        elif checklist.retired_at is not None:
            problem("checklist", _("checklist '%(key)s' is retired", key=request.checklist))
        if auditor is None or auditor.role != "auditor" or not auditor.active:
            problem("auditor", _("'%(auditor)s' is not an active auditor", auditor=request.auditor))
        if request.due_from is None or request.due_until is None:
            pass  # an unreadable date, already reported
        elif request.due_until < request.due_from:
            problem("due_until", _("must not be before due_from (%(day)s)", day=request.due_from.isoformat()))
        elif request.due_until < today:  # it would only ever be listed as overdue
            problem("due_until", _("%(day)s has passed; a visit window must end today or later",
                                   day=request.due_until.isoformat()))
        elif request.due_until > today + MAX_AHEAD:
            problem("due_until", _("%(day)s is more than two years ahead; check the year",
                                   day=request.due_until.isoformat()))
        elif request.due_until - request.due_from > MAX_WINDOW:
            problem("due_from", _("a visit window can be at most a year long; check the year of %(day)s",
                                  day=request.due_from.isoformat()))
        if len(request.scenario) > MAX_SCENARIO:
            problem("scenario", _("at most %(num)d characters", num=MAX_SCENARIO))
        if len(request.notes) > MAX_NOTES:
            problem("notes", _("at most %(num)d characters", num=MAX_NOTES))
        # Rows whose dates could not be read are not the same visit: their dates are unknown.
        if (location is not None and checklist is not None and auditor is not None
                and request.due_from is not None and request.due_until is not None):
            key = (location.id, checklist.id, auditor.id, request.due_from, request.due_until, scenario)
            if key in scheduled:
                problem("", _("this visit is already scheduled (same location, checklist, auditor, dates and scenario)"))
            elif key in seen:
                problem("", _("the same visit as %(where)s", where=_("line %(num)d", num=seen[key])
                                if numbered_as == "line" else _("assignment %(num)d", num=seen[key])))
            seen.setdefault(key, line)
        if not errors and request.due_from is not None and request.due_until is not None:
            created.append(Assignment(location=location, checklist=checklist, auditor=auditor,
                                      scenario=scenario, notes=request.notes.strip(),
                                      due_from=request.due_from, due_until=request.due_until,
                                      created_by_id=created_by.id))
    if errors or len(created) < len(requests):  # an unreadable date is its caller's error to report
        raise AssignmentError([], errors, fields)
    # One moment for the visits and their log entry: who scheduled them and when is how the
    # activity page finds the entry from each branch it scheduled (see services.activity).
    now = utcnow()
    for assignment in created:
        assignment.created_at = now
    db.session.add_all(created)
    db.session.flush()
    audit_log.record("assignments.created", "assignment", created[0].id if created else "-", created_by,
                     at=now, count=len(created))
    notifications.visits_assigned(created)
    return created


def _still_open():
    """An assignment neither cancelled nor submitted yet (no visit, or one in draft or returned)."""
    return Assignment.cancelled.is_(False) & (Visit.id.is_(None) | Visit.status.in_(("draft", "returned")))


def overlapping_open(assignment: Assignment) -> list[Assignment]:
    """Other visits of the same checklist at the same branch whose windows overlap this one's,
    not cancelled and not yet submitted: allowed (another scenario is another visit), but
    usually a slip the scheduler wants to hear of (the round planner leaves such branches out)."""
    return list(db.session.scalars(
        select(Assignment).outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(Assignment.location_id == assignment.location_id, Assignment.checklist_id == assignment.checklist_id,
               Assignment.id != assignment.id, Assignment.due_from <= assignment.due_until,
               Assignment.due_until >= assignment.due_from, _still_open())
        .options(selectinload(Assignment.auditor)).order_by(Assignment.due_from, Assignment.id)))


def overlaps_of_many(assignments: list[Assignment]) -> list[tuple[Assignment, list[Assignment]]]:
    """``overlapping_open`` for a whole imported file in one query: each of ``assignments`` that
    shares days with another open visit of its checklist at its branch (from the same file or
    scheduled before), with those others, in the order given."""
    if not assignments:
        return []
    candidates = db.session.scalars(
        select(Assignment).outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(Assignment.location_id.in_({a.location_id for a in assignments}),
               Assignment.checklist_id.in_({a.checklist_id for a in assignments}),
               Assignment.due_from <= max(a.due_until for a in assignments),
               Assignment.due_until >= min(a.due_from for a in assignments), _still_open())
        .options(selectinload(Assignment.auditor)).order_by(Assignment.due_from, Assignment.id)).all()
    by_place: dict[tuple[int, int], list[Assignment]] = {}
    for candidate in candidates:
        by_place.setdefault((candidate.location_id, candidate.checklist_id), []).append(candidate)
    found = []
    for assignment in assignments:
        others = [other for other in by_place.get((assignment.location_id, assignment.checklist_id), [])
                  if other.id != assignment.id and other.due_from <= assignment.due_until
                  and other.due_until >= assignment.due_from]
        if others:
            found.append((assignment, others))
    return found


def _scheduled_keys(location_ids: set[int]) -> set[tuple]:
    """What is scheduled and not cancelled at these locations, as the keys that make a visit the same."""
    if not location_ids:
        return set()
    rows = db.session.execute(
        select(Assignment.location_id, Assignment.checklist_id, Assignment.auditor_id, Assignment.due_from,
               Assignment.due_until, Assignment.scenario)
        .where(Assignment.location_id.in_(location_ids), Assignment.cancelled.is_(False)))
    return {(*row[:5], (row[5] or "").strip()) for row in rows}


def cancel_assignment(assignment: Assignment, user: User) -> None:
    if db.session.scalar(select(Visit.id).where(Visit.assignment_id == assignment.id)):
        raise AssignmentError([_("this assignment was already started; it cannot be cancelled")])
    assignment.cancelled = True
    audit_log.record("assignment.cancelled", "assignment", assignment.id, user)


@dataclass(frozen=True)
class AuditorWork:
    overdue: list[dict]
    today: list[dict]
    upcoming: list[dict]
    in_progress: list[dict]  # drafts and returned visits


def auditor_work(auditor: User, today: date) -> AuditorWork:
    """The auditor's open assignments by due date, and visits still with them."""
    rows = db.session.execute(
        select(Assignment, Visit.uuid, Visit.status, Visit.scenario)
        .outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(Assignment.auditor_id == auditor.id, Assignment.cancelled.is_(False))
        .options(selectinload(Assignment.location), selectinload(Assignment.checklist))
        .order_by(Assignment.due_until, Assignment.id)
    ).all()
    overdue, due_today, upcoming, in_progress = [], [], [], []
    for assignment, visit_uuid, status, scenario in rows:
        # A started visit shows its own scenario: the auditor may have made it more precise.
        entry = {"assignment": assignment, "location": assignment.location, "checklist": assignment.checklist,
                 "visit_uuid": visit_uuid, "status": status, "scenario": scenario or assignment.scenario}
        if status in ("draft", "returned"):
            in_progress.append(entry)
        elif status is None:
            if assignment.due_until < today:
                overdue.append(entry)
            elif assignment.due_from <= today:
                due_today.append(entry)
            else:
                upcoming.append(entry)
    # Visits recorded without a schedule (through the API) are theirs to finish or fix too.
    unscheduled = db.session.scalars(
        select(Visit).where(Visit.auditor_id == auditor.id, Visit.assignment_id.is_(None),
                            Visit.status.in_(("draft", "returned")))
        .options(selectinload(Visit.location), selectinload(Visit.checklist_version).selectinload(
            ChecklistVersion.checklist))
        .order_by(Visit.visited_at, Visit.id))
    in_progress += [{"assignment": None, "location": visit.location, "checklist": visit.checklist_version.checklist,
                     "visit_uuid": visit.uuid, "status": visit.status, "scenario": visit.scenario,
                     "visited_at": visit.visited_at} for visit in unscheduled]
    in_progress.sort(key=lambda entry: entry["status"] != "returned")  # returned visits first: they wait for a fix
    return AuditorWork(overdue, due_today, upcoming, in_progress)


def waiting_assignments(*, auditor: User | None = None, location: Location | None = None) -> int:
    """Scheduled visits not started yet, overdue ones too, of ``auditor`` or at ``location``:
    what a deactivation leaves without anyone to do it (said when it happens). The overdue one
    is the most urgent to reassign; it was left out, so the count fell short of the Scheduled
    visits page's."""
    query = (select(func.count(Assignment.id)).outerjoin(Visit, Visit.assignment_id == Assignment.id)
             .where(Assignment.cancelled.is_(False), Visit.id.is_(None)))
    if auditor is not None:
        query = query.where(Assignment.auditor_id == auditor.id)
    if location is not None:
        query = query.where(Assignment.location_id == location.id)
    return db.session.scalar(query) or 0


#: Which scheduled visits the schedulers' list shows.
VIEWS = ("open", "all")


def _scheduled_conditions(view: str, search: str) -> list:
    """``open`` ones (not started, or a draft or returned visit) or ``all`` (not cancelled);
    ``search`` finds a branch code or name, or an auditor's name or e-mail. On the assignment
    outer-joined to its visit."""
    conditions = [Assignment.cancelled.is_(False)]
    if view == "open":
        conditions.append(func.coalesce(Visit.status, "draft").in_(("draft", "returned")))
    if search.strip():
        # Case-blind in every alphabet on both databases (PostgreSQL's lower() knows Cyrillic and
        # Š, Ā …; SQLite's does not: it gets Python's casefold); % and _ are searched as typed.
        fold = func.casefold if db.engine.dialect.name == "sqlite" else func.lower
        needle = search.strip().casefold()

        def found(column):
            return fold(column).contains(needle, autoescape=True)
        matching_locations = select(Location.id).where(found(Location.code) | found(Location.name))
        matching_auditors = select(User.id).where(found(User.name) | found(User.email))
        conditions.append(Assignment.location_id.in_(matching_locations)
                          | Assignment.auditor_id.in_(matching_auditors))
    return conditions


def open_assignments_at(location_ids) -> dict[int, int]:
    """How many scheduled visits the Scheduled visits page lists as open (not started, or a
    draft or returned visit; overdue ones too) at each of these locations, by location id;
    locations without any are left out. What deactivating a branch leaves to cancel or move."""
    location_ids = list(location_ids)
    if not location_ids:
        return {}
    rows = db.session.execute(
        select(Assignment.location_id, func.count(Assignment.id))
        .outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(*_scheduled_conditions("open", ""), Assignment.location_id.in_(location_ids))
        .group_by(Assignment.location_id))
    return dict(rows.all())


def open_assignments_of(checklist: Checklist) -> int:
    """How many scheduled visits of ``checklist`` the Scheduled visits page lists as open (not
    started, or a draft or returned visit; overdue ones too): what retiring it leaves to do or cancel."""
    return db.session.scalar(
        select(func.count(Assignment.id)).outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(*_scheduled_conditions("open", ""), Assignment.checklist_id == checklist.id)) or 0


def count_scheduled(view: str = "open", search: str = "") -> int:
    """How many scheduled visits :func:`scheduled_assignments` has to show in all."""
    return db.session.scalar(select(func.count(Assignment.id)).outerjoin(Visit, Visit.assignment_id == Assignment.id)
                             .where(*_scheduled_conditions(view, search))) or 0


def scheduled_assignments(view: str = "open", search: str = "", offset: int = 0, limit: int = 100) -> list[dict]:
    """Scheduled visits for the schedulers' list (see :func:`_scheduled_conditions`): open ones
    the most urgent first, all of them the latest window first."""
    conditions = _scheduled_conditions(view, search)
    order = ((Assignment.due_until, Assignment.due_from, Assignment.id) if view == "open"
             else (Assignment.due_until.desc(), Assignment.id.desc()))
    rows = db.session.execute(
        select(Assignment, Visit.status)
        .outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(*conditions)
        .options(selectinload(Assignment.location), selectinload(Assignment.checklist),
                 selectinload(Assignment.auditor))
        .order_by(*order).offset(offset).limit(limit)
    ).all()
    return [{"assignment": a, "status": status} for a, status in rows]
