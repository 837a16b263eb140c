"""Timestamps are stored as naive UTC; people see, type and count days in the display zone
(``BABEL_DEFAULT_TIMEZONE``, Europe/Vilnius by default)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def display_zone() -> ZoneInfo:
    """The app's display zone (needs an app context)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC")


def stored_utc(moment: datetime) -> datetime:
    """An aware datetime as the naive UTC the database keeps."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_today() -> date:
    """Today in the display zone (not the server's date: in Vilnius the day starts 2–3 hours
    before it does in UTC, and visits made then belong to the new day)."""
    return datetime.now(display_zone()).date()


def local_date(stored: datetime) -> date:
    """The display-zone day of a stored naive-UTC timestamp."""
    return stored.replace(tzinfo=UTC).astimezone(display_zone()).date()
