"""The statistics' generation: one row whose number rises in every transaction that changes
what the chain statistics read, so that cached statistics (``services.stats_cache``) are used
only while nothing they were computed from has changed."""
from __future__ import annotations

import secrets

from sqlalchemy import BigInteger, String, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

ONLY_ROW = 1


def new_database_label() -> str:
    """A random name for this database's cache entries: a shared cache (Redis) may serve several
    databases, and a database emptied and filled again starts with a new name."""
    return secrets.token_hex(12)


class StatsGeneration(db.Model):
    __tablename__ = "stats_generation"

    id: Mapped[int] = mapped_column(primary_key=True)  # always ONLY_ROW
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    database_label: Mapped[str] = mapped_column(String(32))


@event.listens_for(StatsGeneration.__table__, "after_create")
def _first_row(table, connection, **_) -> None:
    """``create_all`` (tests) makes the row the migration makes."""
    connection.execute(table.insert().values(id=ONLY_ROW, value=0, database_label=new_database_label()))
