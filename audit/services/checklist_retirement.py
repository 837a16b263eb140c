"""Retiring a checklist a chain no longer uses, and taking it back into use.

A retired checklist is not offered for new visits: scheduling it and starting an unscheduled
visit with it are refused (:mod:`audit.services.assignments`, :mod:`audit.services.visits`).
Everything already done keeps counting (statistics, reports, past-audit imports), and a visit
scheduled before the retirement can still be started and finished: an auditor in the field is
never stranded. Each function returns how many such scheduled visits are still open, so the
person retiring it can cancel the ones no longer wanted.
"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Checklist, User, utcnow
from . import audit_log
from .assignments import open_assignments_of


def find_checklist(key: str) -> Checklist | None:
    return db.session.scalar(select(Checklist).where(Checklist.key == key))


def retire_checklist(checklist: Checklist, user: User | None = None) -> int:
    """Stop offering ``checklist`` for new visits (an already retired one keeps its date);
    returns how many of its scheduled visits are still open."""
    if checklist.retired_at is None:
        checklist.retired_at = utcnow()
        db.session.flush()
        audit_log.record("checklist.retired", "checklist", checklist.id, user, checklist=checklist.key)
    return open_assignments_of(checklist)


def reinstate_checklist(checklist: Checklist, user: User | None = None) -> int:
    """Offer a retired ``checklist`` for new visits again; returns how many of its scheduled
    visits are open."""
    if checklist.retired_at is not None:
        audit_log.record("checklist.reinstated", "checklist", checklist.id, user, checklist=checklist.key,
                         retired_at=checklist.retired_at.isoformat(timespec="seconds"))
        checklist.retired_at = None
        db.session.flush()
    return open_assignments_of(checklist)
