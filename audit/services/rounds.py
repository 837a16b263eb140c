"""A round of visits: one visit of a checklist to each chosen branch in one window, the branches
shared out among the chosen auditors.

How the auditors are chosen matters for the statistics, not only for the workload: a branch
always seen by the same auditor has that auditor's leniency in its score, and auditors who never
visit the same branches cannot be compared at all ("groups that never overlap"). So each branch
goes, as far as the balance allows, to an auditor who did not make its last visits, and an
in-person visit to an auditor who has worked in its region before (a shopper from Vilnius is not
sent to Rīga while a Rīga shopper is free). The plan is only a proposal: the scheduler sees it
before anything is stored, and the visits are then created as any others (all or none, the same
visit twice refused).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select

from ..extensions import db
from ..models import Assignment, Checklist, ChecklistVersion, Location, User, Visit
from ..names import code_key, name_key

#: How many of a branch's latest visits (of this checklist) count as "recent".
RECENT_VISITS = 2
#: The costs the plan minimises over the whole round: the k-th visit an auditor gets in it costs
#: 2·k (so the visits spread evenly), giving a branch to the auditor of its last visit 3 (of the
#: one before: 1), an in-person visit in a region the auditor never worked in 2. So a branch
#: goes to an auditor with one visit more rather than to its last auditor again.
LOAD, LAST_VISIT, EARLIER_VISIT, UNKNOWN_REGION = 2, 3, 1, 2
MAX_CELLS = 8_000_000


@dataclass(frozen=True)
class PlannedVisit:
    location: Location
    auditor: User
    #: 1: the auditor made (or is scheduled for) the branch's last visit, 2: the one before; 0: neither
    repeat: int
    #: in person, in a region the auditor has not visited before (they have visited others)
    new_region: bool
    #: the name of a deactivated auditor who still holds a visit of the branch in the window (a
    #: visit that will not be made: the branch is planned again, the old visit is for cancelling)
    held_by_inactive: str | None = None


@dataclass(frozen=True)
class RoundPlan:
    visits: list[PlannedVisit]
    #: branches left out: a visit of this checklist is scheduled there and still open, in a
    #: window that overlaps the round's
    already_scheduled: list[Location]
    #: (auditor, visits in this round), every chosen auditor, the busiest first
    per_auditor: list[tuple[User, int]]


def plan_round(checklist: Checklist, locations: list[Location], auditors: list[User],
               due_from: date, due_until: date) -> RoundPlan:
    """Share ``locations`` out among ``auditors`` (see the module's notes) at the least total
    cost (:data:`LOAD` and the penalties); deterministic."""
    locations = sorted(locations, key=lambda loc: (name_key(loc.region.name if loc.region else ""),
                                                   code_key(loc.code)))
    auditors = sorted(auditors, key=lambda u: name_key(u.name))
    held = _open_in_window(checklist, [loc.id for loc in locations], due_from, due_until)
    busy = {location_id for location_id, (active, _name) in held.items() if active}
    recent = _recent_auditors(checklist, [loc.id for loc in locations])
    workload = _open_work(auditors, due_from, due_until)
    regions = _regions_worked(auditors)
    in_person = checklist.current_version is not None and checklist.current_version.parsed.channel == "in_person"
    open_branches = [location for location in locations if location.id not in busy]
    left_out = [location for location in locations if location.id in busy]
    if not open_branches or not auditors:
        return RoundPlan([], left_out, [(auditor, 0) for auditor in auditors])
    penalty = np.array([[_penalty(auditor, location, recent.get(location.id, []), regions, in_person)
                         for auditor in auditors] for location in open_branches], dtype=float)
    # Each auditor offers slots, the k-th costing LOAD·(k + the visits they already have open in
    # the window): an assignment of branches to slots (scipy's Hungarian method) at the least
    # total cost is the plan. Rounds planned one region at a time thus even out too.
    already = np.array([workload.get(auditor.id, 0) for auditor in auditors])
    # Enough slots for the least busy auditor to catch up with an even share, and one more for a
    # swap; at most MAX_CELLS costs in all (a round of 2,000 branches and 50 auditors: 4 million).
    even = -(-(len(open_branches) + int(already.sum())) // len(auditors))
    slots = max(-(-len(open_branches) // len(auditors)),  # never fewer than every branch needs
                min(len(open_branches), even - int(already.min()) + 1,
                    MAX_CELLS // (len(open_branches) * len(auditors))))
    cost = np.repeat(penalty, slots, axis=1) + LOAD * (np.tile(np.arange(slots), len(auditors))
                                                       + np.repeat(already, slots))
    from scipy.optimize import linear_sum_assignment  # here: scipy takes most of a second to load

    rows, columns = linear_sum_assignment(cost)
    load = {auditor.id: 0 for auditor in auditors}
    visits = []
    for row, column in sorted(zip(rows, columns)):
        location, auditor = open_branches[row], auditors[column // slots]
        load[auditor.id] += 1
        last = recent.get(location.id, [])
        visits.append(PlannedVisit(location, auditor, repeat=(last.index(auditor.id) + 1) if auditor.id in last else 0,
                                   new_region=_new_region(auditor, location, regions, in_person),
                                   held_by_inactive=held[location.id][1] if location.id in held else None))
    per_auditor = sorted(((auditor, load[auditor.id]) for auditor in auditors), key=lambda pair: -pair[1])
    return RoundPlan(visits, left_out, per_auditor)


def _penalty(auditor: User, location: Location, last: list[int], regions: dict[int, set], in_person: bool) -> int:
    penalty = 0
    if last and last[0] == auditor.id:
        penalty += LAST_VISIT
    elif auditor.id in last:
        penalty += EARLIER_VISIT
    if _new_region(auditor, location, regions, in_person):
        penalty += UNKNOWN_REGION
    return penalty


def _new_region(auditor: User, location: Location, regions: dict[int, set], in_person: bool) -> bool:
    worked = regions.get(auditor.id)
    return in_person and bool(worked) and location.region_id not in worked


def scheduled_in_window(checklist: Checklist, location_ids: list[int], due_from: date, due_until: date) -> set[int]:
    """Branches with a visit of ``checklist`` scheduled with an active auditor, not cancelled and
    not yet submitted, whose window overlaps ``due_from``–``due_until``."""
    held = _open_in_window(checklist, location_ids, due_from, due_until)
    return {location_id for location_id, (active, _name) in held.items() if active}


def _open_in_window(checklist: Checklist, location_ids: list[int], due_from: date,
                    due_until: date) -> dict[int, tuple[bool, str]]:
    """Each branch with an open visit of ``checklist`` in the window: (whether an active auditor
    holds one, else the name of the deactivated one who does). A visit held by a deactivated
    auditor will not be made: the round planner counted the branch as covered."""
    if not location_ids:
        return {}
    rows = db.session.execute(
        select(Assignment.location_id, User.active, User.name)
        .join(User, User.id == Assignment.auditor_id).outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(Assignment.checklist_id == checklist.id, Assignment.location_id.in_(location_ids),
               Assignment.cancelled.is_(False), (Visit.id.is_(None)) | Visit.status.in_(("draft", "returned")),
               Assignment.due_from <= due_until, Assignment.due_until >= due_from)
        .order_by(User.active.desc()))
    held: dict[int, tuple[bool, str]] = {}
    for location_id, active, name in rows:
        held.setdefault(location_id, (active, name))  # an active auditor's visit first
    return held


def _recent_auditors(checklist: Checklist, location_ids: list[int]) -> dict[int, list[int]]:
    """Each branch's auditors of its last :data:`RECENT_VISITS` visits of ``checklist``, the
    latest first: a visit scheduled and not made yet (its window's start) counts as the latest,
    then the visits made (submitted or later)."""
    if not location_ids:
        return {}
    made = db.session.execute(
        select(Visit.location_id, Visit.auditor_id)
        .join(ChecklistVersion, ChecklistVersion.id == Visit.checklist_version_id)
        .where(ChecklistVersion.checklist_id == checklist.id, Visit.location_id.in_(location_ids),
               Visit.status.in_(("submitted", "approved")))
        .order_by(Visit.location_id, Visit.visited_at.desc(), Visit.id.desc()))
    planned = db.session.execute(
        select(Assignment.location_id, Assignment.auditor_id).outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(Assignment.checklist_id == checklist.id, Assignment.location_id.in_(location_ids),
               Assignment.cancelled.is_(False), (Visit.id.is_(None)) | Visit.status.in_(("draft", "returned")))
        .order_by(Assignment.location_id, Assignment.due_from.desc(), Assignment.id.desc()))
    recent: dict[int, list[int]] = {}
    for location_id, auditor_id in [*planned, *made]:
        found = recent.setdefault(location_id, [])
        if len(found) < RECENT_VISITS and auditor_id not in found:
            found.append(auditor_id)
    return recent


def _open_work(auditors: list[User], due_from: date, due_until: date) -> dict[int, int]:
    """Each auditor's scheduled visits (any checklist) not made yet whose window overlaps the round's."""
    if not auditors:
        return {}
    rows = db.session.execute(
        select(Assignment.auditor_id, func.count(Assignment.id)).outerjoin(Visit, Visit.assignment_id == Assignment.id)
        .where(Assignment.auditor_id.in_([a.id for a in auditors]), Assignment.cancelled.is_(False),
               (Visit.id.is_(None)) | Visit.status.in_(("draft", "returned")),
               Assignment.due_from <= due_until, Assignment.due_until >= due_from)
        .group_by(Assignment.auditor_id))
    return dict(rows.all())


def _regions_worked(auditors: list[User]) -> dict[int, set]:
    """The regions of the branches each auditor has visited (any checklist, submitted or later)."""
    if not auditors:
        return {}
    rows = db.session.execute(
        select(Visit.auditor_id, Location.region_id).join(Location, Location.id == Visit.location_id)
        .where(Visit.auditor_id.in_([a.id for a in auditors]), Visit.status.in_(("submitted", "approved")))
        .distinct())
    worked: dict[int, set] = {}
    for auditor_id, region_id in rows:
        worked.setdefault(auditor_id, set()).add(region_id)
    return worked
