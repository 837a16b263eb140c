"""Store checklist files as immutable, content-hashed versions."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checklist import Checklist as ChecklistDefinition
from ..checklist import ChecklistError, checklist_to_dict, content_hash, find_checklist_files, load_checklist_file
from ..extensions import db
from ..models import Checklist, ChecklistVersion
from . import audit_log


@dataclass(frozen=True)
class LoadOutcome:
    key: str
    number: int
    created: bool
    source: str


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
    if latest is not None and latest.content_hash == digest:
        return LoadOutcome(definition.id, latest.number, False, source)
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
    return LoadOutcome(definition.id, version.number, True, source)


def load_checklist_files(paths: list[str | Path]) -> tuple[list[LoadOutcome], list[ChecklistError]]:
    """Validate every file, then store the valid ones; a file with a problem stores nothing."""
    outcomes, errors = [], []
    for path in find_checklist_files(paths):
        try:
            definition = load_checklist_file(path)
        except ChecklistError as exc:
            errors.append(exc)
            continue
        outcomes.append(store_checklist(definition, source=path.name))
    return outcomes, errors


def current_version(key: str) -> ChecklistVersion | None:
    return db.session.scalar(
        select(ChecklistVersion)
        .join(Checklist)
        .where(Checklist.key == key)
        .order_by(ChecklistVersion.number.desc())
        .limit(1)
    )
