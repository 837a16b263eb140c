"""The chain's activity: the audit log read back for admins, newest first, narrowed by kind of
event, by who did it, by what it concerns (a person, or a branch with its visits) and by day.

A page of entries comes with what they concern, loaded in one statement per kind of object, so
that a page costs the same few statements however varied its entries are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Row, String, cast, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import ApiToken, AuditLogEntry, Checklist, ChecklistVersion, Location, Region, User, Visit
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
    about_location: int | None = None  # the branch itself and its visits
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
        visits_here = select(cast(Visit.id, String)).where(Visit.location_id == chosen.about_location)
        conditions.append(or_(
            (AuditLogEntry.object_type == "location") & (AuditLogEntry.object_id == str(chosen.about_location)),
            (AuditLogEntry.object_type == "visit") & AuditLogEntry.object_id.in_(visits_here)))
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


def subjects_of(entries: list[Row]) -> Subjects:
    """What ``entries`` concern, one statement per kind of object (none for a kind not there)."""
    ids: dict[str, set[int]] = {}
    for entry in entries:
        # Only the kinds looked up, and only ids that are ids: an import's entry names its file.
        if entry.object_type in LOOKED_UP and is_id(entry.object_id):
            ids.setdefault(entry.object_type, set()).add(int(entry.object_id))
        for_user = (entry.details or {}).get("for_user")
        if entry.object_type == "api_token" and isinstance(for_user, int):
            ids.setdefault("user", set()).add(for_user)
    found = Subjects()
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


LOOKED_UP = ("visit", "user", "location", "region", "checklist", "checklist_version")


def is_id(text: str) -> bool:
    """Whether ``text`` is a row id as the log and links write it (ASCII digits, fits an integer)."""
    return text.isascii() and text.isdigit() and len(text) < 10


def _by_id(stmt) -> dict[str, object]:
    return {str(row.id): row for row in db.session.scalars(stmt)}

