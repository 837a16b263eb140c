"""Scheduled work: an assignment sends an auditor to a location with a checklist and scenario."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow
from .checklists import Checklist
from .org import Location, User


class Assignment(db.Model):
    # The activity page finds the visits scheduled together by who scheduled them and the moment.
    __table_args__ = (Index("ix_assignment_created_by_at", "created_by_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist.id"))
    auditor_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    scenario: Mapped[str] = mapped_column(String(200), default="")
    due_from: Mapped[date] = mapped_column(Date)
    due_until: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    location: Mapped[Location] = relationship()
    checklist: Mapped[Checklist] = relationship()
    auditor: Mapped[User] = relationship(foreign_keys=[auditor_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
