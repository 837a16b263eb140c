"""Two imports at the same moment that both create the same region, branch or person.

Each import checks the whole file against what the database holds and only then writes. When
another import (or an admin on a form) creates one of the rows in between, the database's
unique constraint (or the service's own "already exists" check) stops the second one. That is
not a problem of the file: the import stops with :class:`ImportConflict` naming the row, its
caller rolls back the whole import (all or nothing, as for a refused file) and says to run it
again, which then finds the row and uses it.
"""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

#: What an import creates, as its messages name it.
KINDS = ("region", "branch", "auditor", "user", "visit")


class ImportConflict(Exception):
    """Another import created ``name`` (a ``kind`` of :data:`KINDS`) at the same time; the caller
    must roll back: nothing of this import may stay. Visits are inserted by the hundred, so a
    conflict over one (the same file imported twice at once) names the file's visits, not one."""

    def __init__(self, kind: str, name: str = "") -> None:
        self.kind, self.name = kind, name
        what = f"{kind} {name}" if kind != "visit" else "visits of this file"
        super().__init__(f"another import created {what} at the same time; nothing was imported — "
                         "run the import again")


def unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a row because a unique column already holds its value
    (PostgreSQL's SQLSTATE 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE), not for a missing parent
    row or a failed check."""
    driver_error = exc.orig
    sqlstate = getattr(driver_error, "sqlstate", None)  # psycopg
    if sqlstate is not None:
        return sqlstate == "23505"
    return (getattr(driver_error, "sqlite_errorname", "") == "SQLITE_CONSTRAINT_UNIQUE"
            or str(driver_error).startswith("UNIQUE constraint failed"))


@contextmanager
def creating(kind: str, name: str = ""):
    """Around the flush that inserts ``name``: a unique violation means that someone created it
    since the import's check, and becomes :class:`ImportConflict`."""
    try:
        yield
    except IntegrityError as exc:
        if not unique_violation(exc):
            raise
        raise ImportConflict(kind, name) from exc
