"""Store checklist files as immutable, content-hashed versions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checklist import Checklist as ChecklistDefinition
from ..checklist import ChecklistError, checklist_to_dict, content_hash, load_checklist_set
from ..extensions import db
from ..models import Checklist, ChecklistVersion, User
from . import audit_log


@dataclass(frozen=True)
class LoadOutcome:
    key: str
    number: int
    created: bool
    source: str
    retired: bool = False  # loading a file never takes a retired checklist back into use
    #: not stored: the content is that of this earlier version (``number`` is the newest)
    older: int | None = None


def store_checklist(definition: ChecklistDefinition, source: str = "", *, actor: User | None = None,
                    take_back: bool = False) -> LoadOutcome:
    """Store ``definition`` as version N+1 unless the newest version has the same content.

    Content equal to an *earlier* version is not stored unless ``take_back``: a checklist
    folder loaded at every start (``make run``) would otherwise undo, at each start, a newer
    version loaded on the web page."""
    checklist = db.session.scalar(
        select(Checklist).where(Checklist.key == definition.id).options(selectinload(Checklist.versions))
    )
    if checklist is None:
        checklist = Checklist(key=definition.id)
        db.session.add(checklist)
    digest = content_hash(definition)
    latest = checklist.current_version
    retired = checklist.retired_at is not None
    if latest is not None and latest.content_hash == digest:
        return LoadOutcome(definition.id, latest.number, False, source, retired)
    earlier = next((v for v in reversed(checklist.versions) if v.content_hash == digest), None)
    if earlier is not None and not take_back:
        return LoadOutcome(definition.id, latest.number, False, source, retired, older=earlier.number)
    version = ChecklistVersion(
        checklist=checklist,
        number=latest.number + 1 if latest else 1,
        content_hash=digest,
        definition=checklist_to_dict(definition),
        title=definition.title.to_dict(),
        source=source,
    )
    db.session.add(version)
    db.session.flush()
    audit_log.record("checklist.version_created", "checklist_version", version.id, actor,
                     checklist=definition.id, number=version.number, hash=digest, source=source,
                     **({"same_as": earlier.number} if earlier is not None else {}))
    return LoadOutcome(definition.id, version.number, True, source, retired)


def find_version_by_content(definition: ChecklistDefinition) -> tuple[ChecklistVersion | None, ChecklistVersion | None]:
    """The newest stored version of ``definition``'s checklist, and the version (if any) with
    exactly its content."""
    versions = db.session.scalars(
        select(ChecklistVersion).join(Checklist).where(Checklist.key == definition.id)
        .order_by(ChecklistVersion.number.desc())
    ).all()
    digest = content_hash(definition)
    return (versions[0] if versions else None), next((v for v in versions if v.content_hash == digest), None)


def load_checklist_files(paths: list[str | Path], take_back: bool = False
                         ) -> tuple[list[LoadOutcome], list[ChecklistError]]:
    """Validate every file, then store the valid ones; a file with a problem stores nothing."""
    loaded, errors = load_checklist_set(paths)
    return [store_checklist(definition, source=path.name, take_back=take_back) for path, definition in loaded], errors


def earlier_definitions(key: str) -> list[ChecklistDefinition]:
    """Every version of checklist ``key`` but the newest, newest first, as definitions."""
    versions = db.session.scalars(
        select(ChecklistVersion).join(Checklist).where(Checklist.key == key)
        .order_by(ChecklistVersion.number.desc()).offset(1)
    ).all()
    return [version.parsed for version in versions]


def current_version(key: str) -> ChecklistVersion | None:
    return db.session.scalar(
        select(ChecklistVersion)
        .join(Checklist)
        .where(Checklist.key == key)
        .order_by(ChecklistVersion.number.desc())
        .limit(1)
    )
