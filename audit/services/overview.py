"""What the home pages list: locations, checklists and visits, aggregated in SQL."""
from __future__ import annotations

from sqlalchemy import func, select

from ..checklist.model import Text
from ..extensions import db
from ..names import code_key, name_key
from ..models import Checklist, ChecklistVersion, Location, Region, User, Visit
from ..policy import visible_locations, visible_visits


def title_text(title: dict) -> Text:
    return Text(**title)


def _visit_rows(user: User):
    """The visits ``user`` may see, as the columns a table of visits shows."""
    return (
        select(
            Visit.id, Visit.visited_at, Visit.submitted_at, Visit.status, Visit.score, Visit.critical_failed,
            Visit.scenario, Location.code.label("location_code"), Location.name.label("location_name"),
            User.name.label("auditor"), ChecklistVersion.title.label("checklist_title"),
            ChecklistVersion.number.label("version"),
        )
        .join(Location, Visit.location_id == Location.id)
        .join(User, Visit.auditor_id == User.id)
        .join(ChecklistVersion, Visit.checklist_version_id == ChecklistVersion.id)
        .where(visible_visits(user))
    )


def _as_dicts(stmt) -> list[dict]:
    return [{**row._asdict(), "checklist_title": title_text(row.checklist_title)} for row in db.session.execute(stmt)]


def recent_visits(user: User, limit: int = 25, status: str | None = None) -> list[dict]:
    """The newest visits ``user`` may see, newest first, as plain dicts."""
    stmt = _visit_rows(user).order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Visit.status == status)
    return _as_dicts(stmt)


def own_visits_among(user: User, uuids: list[str]) -> list[dict]:
    """The visits among ``uuids`` that ``user`` made (as their auditor), newest first, with
    their ``uuid``: a tablet keeps unsent work by visit only, and asks at sign-out which is theirs."""
    if not uuids:
        return []
    own = _visit_rows(user).add_columns(Visit.uuid).where(Visit.auditor_id == user.id, Visit.uuid.in_(uuids))
    return _as_dicts(own.order_by(Visit.visited_at.desc(), Visit.id.desc()))


def waiting_for_review(user: User, offset: int = 0, limit: int = 50) -> list[dict]:
    """Submitted visits, the longest waiting first (a queue, not a news feed: the oldest were
    hidden below the newest fifty)."""
    waiting = _visit_rows(user).where(Visit.status == "submitted")
    return _as_dicts(waiting.order_by(Visit.submitted_at, Visit.id).offset(offset).limit(limit))


def count_waiting(user: User) -> int:
    """How many visits ``user`` may see wait for review."""
    return db.session.scalar(select(func.count(Visit.id)).where(visible_visits(user), Visit.status == "submitted")) or 0


def next_waiting(user: User, after: Visit) -> int | None:
    """The visit waiting longest for review other than ``after``: where a reviewer goes next."""
    return db.session.scalar(
        select(Visit.id).where(visible_visits(user), Visit.status == "submitted", Visit.id != after.id)
        .order_by(Visit.submitted_at, Visit.id).limit(1))


def visit_counts_by_status(user: User) -> dict[str, int]:
    stmt = select(Visit.status, func.count()).where(visible_visits(user)).group_by(Visit.status)
    return dict(db.session.execute(stmt).all())


def locations_overview(user: User) -> list[dict]:
    """Locations with, per checklist, their number of approved visits and mean approved score.

    A mean over different checklists (a store visit and a phone enquiry) compares nothing, so
    each checklist keeps its own: ``by_checklist`` is ``[{key, title, visits, mean_score}]``.
    """
    places = (
        select(Location.id, Location.code, Location.name, Location.city, Location.format, Location.active,
               Region.name.label("region"))
        .outerjoin(Region, Location.region_id == Region.id)
        .where(visible_locations(user))
        .order_by(Region.name, Location.code)
    )
    rows = {row.id: {**row._asdict(), "by_checklist": [], "visits": 0} for row in db.session.execute(places)}
    figures = (
        select(Visit.location_id, Checklist.key, func.count(Visit.id).label("visits"),
               func.avg(Visit.score).label("mean_score"))
        .join(ChecklistVersion, Visit.checklist_version_id == ChecklistVersion.id)
        .join(Checklist, ChecklistVersion.checklist_id == Checklist.id)
        .where(Visit.status == "approved", Visit.location_id.in_(select(places.subquery().c.id)))
        .group_by(Visit.location_id, Checklist.key)
        .order_by(Visit.location_id, func.count(Visit.id).desc(), Checklist.key)
    )
    titles = {key: title_text(title) for key, title in db.session.execute(
        select(Checklist.key, ChecklistVersion.title).join(ChecklistVersion)
        .order_by(Checklist.key, ChecklistVersion.number))}  # the newest version's title last, so it wins
    for location_id, key, visits, mean in db.session.execute(figures):
        row = rows[location_id]
        row["by_checklist"].append({"key": key, "title": titles.get(key), "visits": visits, "mean_score": mean})
        row["visits"] += visits
    return sorted(rows.values(), key=lambda r: (name_key(r["region"] or ""), code_key(r["code"])))


def checklists_overview() -> list[dict]:
    """Every checklist with all its versions (newest first) and visits per version; retired
    checklists (``retired_at`` set) after the ones in use."""
    visits = (
        select(Visit.checklist_version_id, func.count().label("visits"))
        .group_by(Visit.checklist_version_id)
        .subquery()
    )
    stmt = (
        select(
            Checklist.key, Checklist.retired_at, ChecklistVersion.number, ChecklistVersion.title,
            ChecklistVersion.content_hash, ChecklistVersion.created_at, func.coalesce(visits.c.visits, 0).label("visits"),
        )
        .join(ChecklistVersion, ChecklistVersion.checklist_id == Checklist.id)
        .outerjoin(visits, visits.c.checklist_version_id == ChecklistVersion.id)
        .order_by(Checklist.key, ChecklistVersion.number.desc())
    )
    checklists: dict[str, dict] = {}
    for row in db.session.execute(stmt):
        entry = checklists.setdefault(row.key, {"key": row.key, "title": title_text(row.title),
                                                "retired_at": row.retired_at, "versions": []})
        entry["versions"].append(
            {"number": row.number, "hash": row.content_hash, "created_at": row.created_at, "visits": row.visits}
        )
    return sorted(checklists.values(), key=lambda entry: entry["retired_at"] is not None)  # stable: by key within


def user_counts_by_role() -> dict[str, int]:
    return dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
