"""Checklists and their immutable versions."""
from __future__ import annotations

from datetime import datetime
from functools import cached_property

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..checklist import Checklist as ChecklistDefinition
from ..checklist import checklist_from_data
from ..extensions import db
from ._common import utcnow


class Checklist(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # the `id:` of the file
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Retired: no longer offered for new visits (its past visits keep counting); None = in use.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    versions: Mapped[list[ChecklistVersion]] = relationship(
        back_populates="checklist", order_by="ChecklistVersion.number"
    )

    @property
    def current_version(self) -> ChecklistVersion | None:
        return self.versions[-1] if self.versions else None

    def title_in(self, lang: str) -> str:
        """The current version's title in ``lang`` (English, then the key, where it has none)."""
        version = self.current_version
        titles = version.title if version else {}
        return titles.get(lang) or titles.get("en") or self.key


class ChecklistVersion(db.Model):
    """One frozen definition; visits point at the version they were scored against."""

    __table_args__ = (UniqueConstraint("checklist_id", "number", name="uq_checklist_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklist.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    definition: Mapped[dict] = mapped_column(JSON)
    title: Mapped[dict] = mapped_column(JSON)  # {lang: text}, copied from the definition for lists
    source: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    checklist: Mapped[Checklist] = relationship(back_populates="versions")

    @cached_property
    def parsed(self) -> ChecklistDefinition:
        """The frozen :class:`audit.checklist.Checklist` of this version."""
        return checklist_from_data(self.definition, f"checklist version {self.id}")


@event.listens_for(ChecklistVersion, "before_update")
def _versions_are_immutable(mapper, connection, target: ChecklistVersion) -> None:
    state = db.inspect(target)
    for name in ("definition", "title", "content_hash", "number", "checklist_id"):
        if state.attrs[name].history.has_changes():
            raise ValueError("checklist versions are immutable; load a new version instead")
