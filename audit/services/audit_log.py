"""Record who changed what in the audit log (flushed with the caller's transaction)."""
from __future__ import annotations

from datetime import datetime

from ..extensions import db
from ..models import AuditLogEntry, User


def record(action: str, object_type: str, object_id: object, user: User | None = None, *,
           at: datetime | None = None, **details) -> None:
    """Add an entry; ``at`` (naive UTC; when it is flushed by default) for a change whose rows
    carry the moment it happened."""
    entry = AuditLogEntry(
        action=action, object_type=object_type, object_id=str(object_id),
        user_id=user.id if user is not None else None, details=details,
    )
    if at is not None:
        entry.at = at
    db.session.add(entry)
