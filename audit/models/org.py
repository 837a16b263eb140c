"""The organisation: regions, locations (branches) and the people who use the app."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, String, Table, func, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ._common import utcnow

ROLES = ("admin", "reviewer", "auditor", "manager")
LOCATION_FORMATS = ("flagship", "mall", "high_street", "outlet", "kiosk")

manager_location = Table(
    "manager_location",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
)


class Region(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    locations: Mapped[list[Location]] = relationship(back_populates="region")


class Location(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    format: Mapped[str] = mapped_column(String(32), default="high_street")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    region: Mapped[Region | None] = relationship(back_populates="locations")
    managers: Mapped[list[User]] = relationship(secondary=manager_location, back_populates="locations")


# Codes are one whatever their case (kns-14 is KNS-14): the app checks before it writes, and
# this index holds when two writers check at the same moment. Codes are ASCII, so SQLite's
# upper() folds them as PostgreSQL's does.
Index("uq_location_code_upper", func.upper(Location.code), unique=True)


class User(UserMixin, db.Model):
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None: cannot log in
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    # E-mails about their own work (visits approved, returned, scheduled; disputes decided).
    wants_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)  # personal data erased (services.erasure)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    locations: Mapped[list[Location]] = relationship(secondary=manager_location, back_populates="managers")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The identity Flask-Login keeps in the session and remember-me cookies: the id and the
        key of this sign-in (:mod:`audit.services.sign_ins`), valid while the server keeps it."""
        key = getattr(self, "sign_in_key", None)
        if not key:
            raise RuntimeError("not signed in: call audit.services.sign_ins.start before login_user")
        return f"{self.id}:{key}"
