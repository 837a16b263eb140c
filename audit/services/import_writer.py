"""Write what the check of an imported file found new: its regions, branches and auditors, then
its visits. :mod:`audit.services.imports` reads and checks the file, then hands the result
(a :class:`CheckedFile`) to :func:`write_checked_file`.

Regions, branches and auditors are inserted one at a time (they are few): when another import
has created one since the check, :class:`~audit.services.import_conflicts.ImportConflict`
names it. Visits are scored like every other visit and inserted in batches of
:data:`~audit.services.import_store.BATCH` (:func:`~audit.services.import_store.insert_visits`).
Rows are flushed; the caller commits.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Answer, Location, Region, User, Visit
from ..names import same_name
from .import_conflicts import ImportConflict, creating
from .import_csv import VisitRows
from .import_store import BATCH, app_uuid, insert_visits
from .import_summary import ImportSummary
from .lookalikes import Lookalike, People, Person, lookalike
from .scores import store_visit_scores
from .users import UserError, create_user

#: Imported visits get ``uuid5(IMPORT_NAMESPACE, external_id)``; never change it.
IMPORT_NAMESPACE = uuid.UUID("b7e2f0c4-5a1d-5c3e-9f6b-2d8a4c1e7f03")


@dataclass(frozen=True)
class CheckedFile:
    """What the check of a file found: what to create, and the stored rows it refers to."""

    now: datetime  # when the check began: the new visits' created, submitted and approved time
    new_visits: list[VisitRows]
    unchanged: int  # visits imported before with the same content
    new_regions: dict[str, str]  # casefolded name → name as first written
    new_locations: dict[str, tuple[str, str, str, int]]  # CODE → (code, name, region, line)
    new_formats: dict[str, str]  # CODE → format of a location to create
    new_auditors: dict[str, str]  # e-mail → name of an auditor to create
    regions: dict[str, Region]  # casefolded name → stored region
    locations: dict[str, Location]  # CODE → stored location
    users: dict[str, User]  # e-mail → stored user


def write_checked_file(checked: CheckedFile, rows: int) -> ImportSummary:
    """Insert what the check found new (``rows``: the file's count, for the summary) and flush;
    the caller commits."""
    # Regions, branches and auditors are inserted one at a time (they are few): when another
    # import has created one since the check, the conflict names it.
    regions = {key: _insert("region", name, Region(name=name)) for key, name in checked.new_regions.items()}
    region_ids = {key: r.id for key, r in (checked.regions | regions).items()}
    locations = {code: _insert("branch", code, Location(
                     code=code, name=name, region_id=region_ids.get(region.casefold()),
                     **({"format": form} if (form := checked.new_formats.get(code.upper())) else {})))
                 for code, name, region, _ in checked.new_locations.values()}
    location_ids = {code.upper(): loc.id for code, loc in (checked.locations | locations).items()}
    user_ids = {email: u.id for email, u in checked.users.items()}
    similar = _lookalikes(checked.new_auditors)
    for email, name in checked.new_auditors.items():
        with creating("auditor", email):
            try:
                user_ids[email] = create_user(email, "auditor", name, None).id
            except UserError as exc:
                if exc.field != "email":
                    raise
                raise ImportConflict("auditor", email) from exc  # checked new; created since
    for start in range(0, len(checked.new_visits), BATCH):
        with creating("visit"):  # the same file imported twice at the same moment
            insert_visits([_visit(v, location_ids, user_ids, checked.now)
                           for v in checked.new_visits[start:start + BATCH]])
    return ImportSummary(rows, len(checked.new_visits), checked.unchanged, tuple(checked.new_regions.values()),
                         tuple((code, name) for code, name, _, _ in checked.new_locations.values()),
                         tuple(checked.new_auditors), similar)


def _lookalikes(new_auditors: dict[str, str]) -> tuple[Lookalike, ...]:
    """The new auditors that resemble a user already here, or another new one earlier in the
    file (the first import of a spreadsheet has no users to compare with): a typo would split
    one auditor in two."""
    if not new_auditors:
        return ()
    users = People([tuple(row) for row in db.session.execute(select(User.email, User.name).order_by(User.id))])
    found, earlier = [], People()
    for email, name in new_auditors.items():
        person = Person.of(email, name)
        similar = lookalike(person, users) or lookalike(person, earlier, in_file=True)
        if similar is not None:
            found.append(similar)
        earlier.add(person)
    return tuple(found)


def _insert(kind: str, name: str, row: Region | Location) -> Region | Location:
    """Insert a region or branch the check found new. The unique constraints see only the
    same spelling; the same one in another case (kns-14, vilnius) is looked for first."""
    with creating(kind, name):
        if isinstance(row, Region):
            taken = any(same_name(name, other) for other in db.session.scalars(select(Region.name)))
        else:
            taken = db.session.scalar(select(Location.id).where(func.upper(Location.code) == name.upper()))
        if taken:
            raise ImportConflict(kind, name)
        db.session.add(row)
        db.session.flush()
    return row


def _visit(visit: VisitRows, location_ids: dict[str, int], user_ids: dict[str, int], now: datetime) -> Visit:
    """The visit as an object outside the session, scored like every other visit."""
    version = visit.version
    stored = Visit(
        uuid=app_uuid(visit.external_id) or str(uuid.uuid5(IMPORT_NAMESPACE, visit.external_id)),
        external_id=visit.external_id,
        location_id=location_ids[visit.fields["location_code"].upper()], auditor_id=user_ids[visit.email],
        checklist_version=version, checklist_version_id=version.id, channel=version.parsed.channel,
        scenario=visit.fields.get("scenario", ""), staff_description="", status="approved",
        visited_at=visit.visited_at,
        created_at=now, updated_at=now, submitted_at=now, approved_at=now,
        answers=[Answer(item_id=item_id, value=value, comment=comment)
                 for item_id, (value, comment) in visit.answers.items() if value is not None or comment],
    )
    store_visit_scores(stored)
    return stored
