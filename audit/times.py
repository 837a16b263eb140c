"""Timestamps are stored as naive UTC; people see, type and count days in the display zone
(``BABEL_DEFAULT_TIMEZONE``, Europe/Vilnius by default)."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


#: The days a period may name. Earlier or later days are typing mistakes (9999-12-31), and
#: keeping to them keeps the calendar arithmetic around a period (the day after it, the period
#: before it, its months) inside what ``datetime`` can hold.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)


#: The earliest day a visit may have: an earlier one is a typing mistake (0026-11-05, 1926 for
#: 2026) that would otherwise sit in every statistic and trend as a visit of long ago.
EARLIEST_VISIT = date(2000, 1, 1)


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


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


def local_moment(stored: datetime) -> datetime:
    """A stored naive-UTC timestamp in the display zone."""
    return stored.replace(tzinfo=UTC).astimezone(display_zone())
