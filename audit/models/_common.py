"""Helpers shared by the model modules."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so every stored timestamp is naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
