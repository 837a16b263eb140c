"""The chain's activity: the audit log read back for admins, newest first, narrowed by kind of
event, by who did it, by what it concerns (a person, or a branch with its visits) and by day.

A page of entries comes with what they concern, loaded in one statement per kind of object, so
that a page costs the same few statements however varied its entries are.

Scheduling is logged by assignment: a cancelled visit names its assignment, and visits scheduled
together (one visit, a file, a round) one entry naming the first of them, stamped with the moment
their assignments carry as ``created_at``. So a branch finds its scheduling entries through its
assignments: by id, and by who scheduled them and when (one entry may cover many branches).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Row, String, case, cast, func, or_, select, tuple_
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (ApiToken, Assignment, AuditLogEntry, Checklist, ChecklistVersion, Location, Region, User,
                      Visit)
from ..times import display_zone, stored_utc

#: Kinds of event an admin looks for, by the start of the action's name (``"visit."`` …).
KINDS: dict[str, tuple[str, ...]] = {
    "visits": ("visit.started", "visit.submitted", "visit.resubmitted", "visit.recorded", "evidence."),
    "review": ("visit.approved", "visit.returned", "dispute."),
    "actions": ("action.",),
    "people": ("user.", "users.", "password_link.", "api_token."),
    "branches": ("location.", "locations.", "region."),
    "checklists": ("checklist.",),
    "scheduling": ("assignments.", "assignment."),
    "data": ("visits.imported", "visits.exported", "demo."),
}


@dataclass(frozen=True)
class ActivityFilter:
    kind: str = ""                 # a key of KINDS, or "" for every kind
    by: int | None = None          # the user who acted
    about_user: int | None = None  # entries concerning this user's account
    about_location: int | None = None  # the branch itself, its visits and the visits scheduled there
    since: date | None = None      # local days, both included
    until: date | None = None


@dataclass
class Subjects:
    """What a page's entries concern, by id (ids as the log keeps them: strings)."""
    visits: dict[str, Row] = field(default_factory=dict)  # id, visited_at, code, name
    users: dict[str, User] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    checklists: dict[str, Checklist] = field(default_factory=dict)
    versions: dict[str, ChecklistVersion] = field(default_factory=dict)
    #: Scheduled visits by id: id, due_from, due_until, location_id, code, name.
    assignments: dict[str, Row] = field(default_factory=dict)
    #: Visits scheduled together, by who and when (an entry's ``user_id`` and ``at``): visits,
    #: branches, one branch's id (the only one's, if one) and how many are at the page's branch.
    batches: dict[tuple, Row] = field(default_factory=dict)
    #: The branch the page is narrowed to, if it is.
    here: int | None = None
    #: What the page made of them once (names, dates in words): a visit has many entries.
    memo: dict = field(default_factory=dict)


def _conditions(chosen: ActivityFilter) -> list:
    conditions = []
    if chosen.kind in KINDS:
        conditions.append(or_(*(AuditLogEntry.action.startswith(start) if start.endswith(".")
                                else AuditLogEntry.action == start for start in KINDS[chosen.kind])))
    if chosen.by is not None:
        conditions.append(AuditLogEntry.user_id == chosen.by)
    if chosen.about_user is not None:  # the account, and the API tokens made for it
        tokens = select(cast(ApiToken.id, String)).where(ApiToken.user_id == chosen.about_user)
        conditions.append(or_(
            (AuditLogEntry.object_type == "user") & (AuditLogEntry.object_id == str(chosen.about_user)),
            (AuditLogEntry.object_type == "api_token") & AuditLogEntry.object_id.in_(tokens)))
    if chosen.about_location is not None:
        here = chosen.about_location
        visits_here = select(cast(Visit.id, String)).where(Visit.location_id == here)
        scheduled_here = select(cast(Assignment.id, String)).where(Assignment.location_id == here)
        batches_here = select(Assignment.created_by_id, Assignment.created_at).where(Assignment.location_id == here)
        conditions.append(or_(
            (AuditLogEntry.object_type == "location") & (AuditLogEntry.object_id == str(here)),
            (AuditLogEntry.object_type == "visit") & AuditLogEntry.object_id.in_(visits_here),
            (AuditLogEntry.object_type == "assignment") & AuditLogEntry.object_id.in_(scheduled_here),
            (AuditLogEntry.action == "assignments.created")
            & tuple_(AuditLogEntry.user_id, AuditLogEntry.at).in_(batches_here)))
    if chosen.since is not None:
        conditions.append(AuditLogEntry.at >= _start_of(chosen.since))
    if chosen.until is not None:
        conditions.append(AuditLogEntry.at < _start_of(chosen.until + timedelta(days=1)))
    return conditions


def _start_of(day: date) -> datetime:
    """The stored (naive UTC) moment a local day begins."""
    return stored_utc(datetime.combine(day, time(), tzinfo=display_zone()))


def count_activity(chosen: ActivityFilter) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLogEntry).where(*_conditions(chosen)))


#: An entry as the page and the export read it: the log's columns and the name and address of who acted.
ENTRY_COLUMNS = (AuditLogEntry.id, AuditLogEntry.at, AuditLogEntry.user_id, AuditLogEntry.action,
                 AuditLogEntry.object_type, AuditLogEntry.object_id, AuditLogEntry.details,
                 User.name.label("user_name"), User.email.label("user_email"))


def _entries(chosen: ActivityFilter):
    return (select(*ENTRY_COLUMNS).outerjoin(User, AuditLogEntry.user_id == User.id).where(*_conditions(chosen))
            .order_by(AuditLogEntry.at.desc(), AuditLogEntry.id.desc()))


def activity(chosen: ActivityFilter, offset: int, limit: int) -> list[Row]:
    """Entries newest first (by when they happened: the demo and imports write past times), as
    rows (ENTRY_COLUMNS): a page reads them, nothing changes them."""
    return list(db.session.execute(_entries(chosen).offset(offset).limit(limit)))


def activity_in_batches(chosen: ActivityFilter, size: int = 1000):
    """Every entry ``chosen`` selects, newest first, ``size`` at a time (each batch a page read
    after the last one's time and id, so that a long log is not re-counted from its start)."""
    last = None
    while True:
        stmt = _entries(chosen)
        if last is not None:
            stmt = stmt.where(or_(AuditLogEntry.at < last[0], (AuditLogEntry.at == last[0]) & (AuditLogEntry.id < last[1])))
        batch = list(db.session.execute(stmt.limit(size)))
        if not batch:
            return
        yield batch
        last = (batch[-1].at, batch[-1].id)


def subjects_of(entries: list[Row], here: int | None = None) -> Subjects:
    """What ``entries`` concern, one statement per kind of object (none for a kind not there);
    ``here``: the branch the entries were narrowed to."""
    ids: dict[str, set[int]] = {}
    batches = set()
    for entry in entries:
        # Only the kinds looked up, and only ids that are ids: an import's entry names its file.
        if entry.object_type in LOOKED_UP and is_id(entry.object_id):
            ids.setdefault(entry.object_type, set()).add(int(entry.object_id))
        for_user = (entry.details or {}).get("for_user")
        if entry.object_type == "api_token" and isinstance(for_user, int):
            ids.setdefault("user", set()).add(for_user)
        if entry.action == "assignments.created" and entry.user_id is not None:
            batches.add((entry.user_id, entry.at))
    found = Subjects(here=here)
    if ids.get("assignment"):
        found.assignments = {str(row.id): row for row in db.session.execute(
            select(Assignment.id, Assignment.due_from, Assignment.due_until, Assignment.location_id, Location.code,
                   Location.name).join(Location, Assignment.location_id == Location.id)
            .where(Assignment.id.in_(ids["assignment"])))}
    if batches:  # counted in SQL: a file or a round may schedule thousands of visits
        found.batches = {(row.created_by_id, row.created_at): row for row in db.session.execute(
            select(Assignment.created_by_id, Assignment.created_at, func.count().label("visits"),
                   func.count(Assignment.location_id.distinct()).label("branches"),
                   func.min(Assignment.location_id).label("location_id"),
                   func.sum(case((Assignment.location_id == here, 1), else_=0)).label("here"))
            # Each column's own IN first: SQLite seeks the (created_by_id, created_at) index for
            # them, but scans all of it for the pairs alone (bench/assignment_batch_bench.py).
            .where(Assignment.created_by_id.in_({user for user, _ in batches}),
                   Assignment.created_at.in_({moment for _, moment in batches}),
                   tuple_(Assignment.created_by_id, Assignment.created_at).in_(batches))
            .group_by(Assignment.created_by_id, Assignment.created_at))}
        # A batch is named by its branch if it has one, or by the page's branch (looked up with
        # the branches the entries name).
        named = {row.location_id for row in found.batches.values() if row.branches == 1}
        ids.setdefault("location", set()).update(named | ({here} if here is not None else set()))
    if ids.get("visit"):  # rows, not objects: a page names a visit by its branch and day only
        found.visits = {str(row.id): row for row in db.session.execute(
            select(Visit.id, Visit.visited_at, Location.code, Location.name).join(Location, Visit.location_id == Location.id)
            .where(Visit.id.in_(ids["visit"])))}
    for kind, model, into in (("user", User, "users"), ("location", Location, "locations"),
                              ("region", Region, "regions"), ("checklist", Checklist, "checklists")):
        if ids.get(kind):
            setattr(found, into, _by_id(select(model).where(model.id.in_(ids[kind]))))
    if ids.get("checklist_version"):
        found.versions = _by_id(select(ChecklistVersion).where(ChecklistVersion.id.in_(ids["checklist_version"]))
                                .options(selectinload(ChecklistVersion.checklist)))
    return found


LOOKED_UP = ("visit", "user", "location", "region", "checklist", "checklist_version", "assignment")


def is_id(text: str) -> bool:
    """Whether ``text`` is a row id as the log and links write it (ASCII digits, fits an integer)."""
    return text.isascii() and text.isdigit() and len(text) < 10


def _by_id(stmt) -> dict[str, object]:
    return {str(row.id): row for row in db.session.scalars(stmt)}

