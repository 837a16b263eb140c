"""The disputes the home pages list: head office's open ones (the longest waiting first) and a
branch manager's own branches' disputes, open and lately decided. One query each, plus one for
the checklist versions the questions are named from."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import ChecklistVersion, Dispute, Location, User, Visit
from ..policy import visible_visits

#: How long a decided dispute stays on a manager's home page.
DECIDED_SHOWN_DAYS = 30


def open_dispute_rows(limit: int = 50) -> tuple[list[dict], int]:
    """Open disputes, the longest waiting first (``limit`` of them), and how many are open."""
    rows = with_items(select_disputes().where(Dispute.status == "open")
                      .order_by(Dispute.created_at, Dispute.id).limit(limit))
    total = db.session.scalar(select(func.count(Dispute.id)).where(Dispute.status == "open")) or 0
    return rows, int(total)


def branch_dispute_rows(user: User, now: datetime, limit: int = 50) -> list[dict]:
    """The disputes of the visits ``user`` may see: open ones first (oldest first), then those
    decided in the last :data:`DECIDED_SHOWN_DAYS` days, the latest decision first."""
    since = now - timedelta(days=DECIDED_SHOWN_DAYS)
    stmt = (select_disputes().where(visible_visits(user))
            .where((Dispute.status == "open") | (Dispute.decided_at >= since))
            .order_by((Dispute.status != "open"), Dispute.decided_at.desc(), Dispute.created_at, Dispute.id)
            .limit(limit))
    return with_items(stmt)


def select_disputes():
    raiser = aliased(User, name="raiser")
    return (select(Dispute.id, Dispute.visit_id, Dispute.item_id, Dispute.reason, Dispute.status,
                   Dispute.decision_note, Dispute.created_at, Dispute.decided_at, Dispute.old_value, Dispute.new_value,
                   Visit.visited_at, Visit.checklist_version_id, Location.code.label("location_code"),
                   Location.name.label("location_name"), raiser.name.label("raised_by"))
            .join(Visit, Visit.id == Dispute.visit_id).join(Location, Location.id == Visit.location_id)
            .join(raiser, raiser.id == Dispute.raised_by_id))


def with_items(stmt) -> list[dict]:
    """The rows of a :func:`select_disputes` statement as dicts, each with its question (``item``)."""
    rows = [row._asdict() for row in db.session.execute(stmt)]
    versions = {v.id: v.parsed for v in db.session.scalars(
        select(ChecklistVersion).where(ChecklistVersion.id.in_({r["checklist_version_id"] for r in rows})))} \
        if rows else {}
    for row in rows:
        row["item"] = versions[row["checklist_version_id"]].item(row["item_id"])
    return rows
