"""One way to take a visit's row for a transaction: a conditional UPDATE.

Saving answers, uploading a photo, approving, returning and disputing each check the visit's
status and then change something. Read first and written later, two requests at once could both
pass the check (a photo joined a visit submitted meanwhile; two reviewers both approved). The
first write of the transaction is therefore this UPDATE: it waits for anyone else changing the
visit (PostgreSQL's row lock; SQLite's write lock, which starts the transaction here – a plain
SELECT … FOR UPDATE takes no lock at all on SQLite) and only one of two requests finds the
status it expects. What is read after it is current; what the session loaded before may not be.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import update

from ..extensions import db
from ..models import Visit
from .stats_cache import LEAVES_STATISTICS


def hold_visit(visit: Visit, statuses: Iterable[str], **values) -> bool:
    """Lock ``visit``'s row if its status is still one of ``statuses``; False if it is not.

    ``values`` are written to the row at the same time (``updated_at`` is kept when none are
    given). The UPDATE leaves the statistics alone: whatever the caller changes next raises
    their generation by itself.
    """
    held = db.session.execute(
        update(Visit).where(Visit.id == visit.id, Visit.status.in_(tuple(statuses)))
        .values(**(values or {"updated_at": Visit.updated_at}))
        .execution_options(synchronize_session=False, **{LEAVES_STATISTICS: True})
    ).rowcount
    return bool(held)
