"""Record who changed what in the audit log (flushed with the caller's transaction)."""
from __future__ import annotations

from ..extensions import db
from ..models import AuditLogEntry, User


def record(action: str, object_type: str, object_id: object, user: User | None = None, **details) -> None:
    db.session.add(
        AuditLogEntry(
            action=action, object_type=object_type, object_id=str(object_id),
            user_id=user.id if user is not None else None, details=details,
        )
    )
