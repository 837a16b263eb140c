"""The values the head-office filters offer: checklists, regions, location formats and scenarios.

Each is one small SQL query returning plain values, for the choices of a select box.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..names import name_key
from ..models import Checklist, ChecklistVersion, Location, Region, Visit

MAX_SCENARIOS = 200  # a select box longer than this helps no one


def checklist_choices(lang: str) -> list[tuple[str, str]]:
    """``[(key, title in lang)]`` of every loaded checklist, by title (the current version's);
    retired ones after the others, marked as retired: their past visits still have statistics."""
    newest = (select(ChecklistVersion.checklist_id, func.max(ChecklistVersion.number).label("number"))
              .group_by(ChecklistVersion.checklist_id).subquery())
    rows = db.session.execute(
        select(Checklist.key, ChecklistVersion.title, Checklist.retired_at)
        .join(ChecklistVersion, ChecklistVersion.checklist_id == Checklist.id)
        .join(newest, (newest.c.checklist_id == ChecklistVersion.checklist_id)
              & (newest.c.number == ChecklistVersion.number))
    ).all()
    choices = []
    for key, title, retired_at in rows:
        shown = (title or {}).get(lang) or (title or {}).get("en") or key
        choices.append((retired_at is not None, shown.lower(),
                        (key, _("%(title)s (retired)", title=shown) if retired_at is not None else shown)))
    return [choice for *_order, choice in sorted(choices)]


def busiest_checklist(location_code: str | None = None, auditor_id: int | None = None,
                      among: list[str] | None = None) -> str | None:
    """The checklist with the most approved visits (at the location, by the auditor, of the
    checklists ``among``), else the first loaded one (of ``among``): what a page shows when no
    checklist was chosen. A salon chain that never uses the shipped store checklist no longer
    opens on an empty "In-store visit" dashboard."""
    query = (select(Checklist.key).join(ChecklistVersion, ChecklistVersion.checklist_id == Checklist.id)
             .join(Visit, Visit.checklist_version_id == ChecklistVersion.id).where(Visit.status == "approved"))
    if location_code is not None:
        query = query.join(Location, Location.id == Visit.location_id).where(Location.code == location_code)
    if auditor_id is not None:
        query = query.where(Visit.auditor_id == auditor_id)
    if among is not None:
        query = query.where(Checklist.key.in_(among))
    busiest = db.session.scalar(query.group_by(Checklist.key).order_by(func.count(Visit.id).desc(), Checklist.key)
                                .limit(1))
    first = select(Checklist.key).order_by(Checklist.key).limit(1)
    return busiest or db.session.scalar(first.where(Checklist.key.in_(among)) if among is not None else first)


def region_names() -> list[str]:
    return sorted(db.session.scalars(select(Region.name)), key=name_key)


def location_formats() -> list[str]:
    return list(db.session.scalars(select(Location.format).distinct().order_by(Location.format)))


def scenarios(checklist: str) -> list[str]:
    """Scenarios of the checklist's approved visits (the ones the statistics can filter on)."""
    return list(db.session.scalars(
        select(Visit.scenario).distinct()
        .join(ChecklistVersion, Visit.checklist_version_id == ChecklistVersion.id)
        .join(Checklist, ChecklistVersion.checklist_id == Checklist.id)
        .where(Checklist.key == checklist, Visit.status == "approved", Visit.scenario != "")
        .order_by(Visit.scenario).limit(MAX_SCENARIOS)
    ))
