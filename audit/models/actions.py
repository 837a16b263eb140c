"""Corrective actions: what a branch will do about what went wrong in an approved visit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .org import Location, User

ACTION_STATUSES = ("open", "done")
MAX_ACTION_TEXT = 2000
MAX_RESPONSIBLE = 200


class CorrectiveAction(db.Model):
    """One thing a branch will do about a failed question (``item_id``) or the visit as a whole
    (``item_id`` None), due on a day, then marked done. ``location_id`` repeats the visit's, so
    that the lists of open actions by branch and region need no join through the visits."""

    __tablename__ = "corrective_action"
    __table_args__ = (
        CheckConstraint(f"status IN {ACTION_STATUSES!r}", name="status_known"),
        # Head office's list: open actions across the chain, the earliest due first.
        Index("ix_corrective_action_status_due_on", "status", "due_on", "id"),
        # A branch's open actions by due day (manager home, branch page) and its recently done ones.
        Index("ix_corrective_action_location_status_due_on", "location_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str | None] = mapped_column(String(64))  # None: the visit as a whole
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    text: Mapped[str] = mapped_column(Text)
    responsible: Mapped[str] = mapped_column(String(MAX_RESPONSIBLE), default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    done_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    done_at: Mapped[datetime | None] = mapped_column(DateTime)

    visit: Mapped["Visit"] = relationship(viewonly=True)  # noqa: F821  (read side, for lists)
    location: Mapped[Location] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    def overdue(self, today: date) -> bool:
        return self.status == "open" and self.due_on < today
