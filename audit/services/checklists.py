"""Store checklist files as immutable, content-hashed versions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checklist import Checklist as ChecklistDefinition
from ..checklist import ChecklistError, checklist_to_dict, content_hash, load_checklist_set
from ..extensions import db
from ..models import Checklist, ChecklistVersion
from . import audit_log


@dataclass(frozen=True)
class LoadOutcome:
    key: str
    number: int
    created: bool
    source: str
    retired: bool = False  # loading a file never takes a retired checklist back into use


def store_checklist(definition: ChecklistDefinition, source: str = "") -> LoadOutcome:
    """Store ``definition`` as version N+1 unless the newest version has the same content."""
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
    audit_log.record("checklist.version_created", "checklist_version", version.id,
                     checklist=definition.id, number=version.number, hash=digest)
    return LoadOutcome(definition.id, version.number, True, source, retired)


def load_checklist_files(paths: list[str | Path]) -> tuple[list[LoadOutcome], list[ChecklistError]]:
    """Validate every file, then store the valid ones; a file with a problem stores nothing."""
    loaded, errors = load_checklist_set(paths)
    return [store_checklist(definition, source=path.name) for path, definition in loaded], errors


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
