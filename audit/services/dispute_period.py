"""How long a branch may dispute a visit: ``DISPUTE_DAYS`` days (14 by default, 0: no limit)
after the day the visit was approved, when its report reached the branch. After that its score
stands."""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from ..models import Visit
from ..times import local_date, local_today


def dispute_deadline(visit: Visit) -> date | None:
    """The last day (in the display zone) an answer of ``visit`` may be disputed: ``DISPUTE_DAYS``
    days after the day it was approved, when its report reached the branch. None: no limit
    (``DISPUTE_DAYS`` is 0, or the visit is not approved, or was approved without a recorded time)."""
    days = current_app.config.get("DISPUTE_DAYS") or 0
    if not days or visit.status != "approved" or visit.approved_at is None:
        return None
    return local_date(visit.approved_at) + timedelta(days=days)


def disputes_ended(visit: Visit) -> date | None:
    """The day the dispute period of ``visit`` ended, if it has; else None."""
    deadline = dispute_deadline(visit)
    return deadline if deadline is not None and local_today() > deadline else None
