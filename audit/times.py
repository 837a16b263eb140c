"""Timestamps are stored as naive UTC; people see, type and count days in the display zone
(``BABEL_DEFAULT_TIMEZONE``, Europe/Vilnius by default)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def display_zone() -> ZoneInfo:
    """The app's display zone (needs an app context)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def stored_utc(moment: datetime) -> datetime:
    """An aware datetime as the naive UTC the database keeps."""
    return moment.astimezone(UTC).replace(tzinfo=None)
