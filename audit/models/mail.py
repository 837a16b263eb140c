"""E-mail waiting to be sent, sent, or given up on (the outbox).

A mail is written in the same transaction as the event it tells about, so a request that fails
sends nothing and one that succeeds cannot lose its mail; a sender delivers it after the commit
(:mod:`audit.services.mail_delivery`).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ._common import utcnow

MAIL_KINDS = ("visit_approved", "visit_returned", "visits_assigned", "dispute_decided", "password_link",
              "visit_reminder", "action_reminder", "review_reminder", "test")


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Waiting while sent_at and failed_at are both empty; due from next_attempt_at. A sender
    # claims a mail until claimed_until, so two processes never send it at once.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)  # given up: the server refused it
    last_error: Mapped[str] = mapped_column(String(500), default="")

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.failed_at is not None else "waiting"
