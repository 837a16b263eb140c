"""The trend puts each UTC hour in its local calendar month; the shortcut that converts one or
two hours per day must agree with converting every hour, around month ends and clock changes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from audit.services.chain_trend import local_month_finder


@pytest.mark.parametrize("zone", ["Europe/Vilnius", "Europe/Moscow", "America/New_York", "Asia/Kolkata", "UTC"])
def test_every_hour_of_two_years_lands_in_the_month_a_clock_there_shows(zone):
    tz = ZoneInfo(zone)
    month_of = local_month_finder(tz)
    hour = datetime(2025, 1, 1)
    moved = 0
    while hour < datetime(2027, 1, 1):
        expected = hour.replace(tzinfo=UTC).astimezone(tz).strftime("%Y-%m")
        assert month_of(hour) == expected, hour
        moved += expected != hour.strftime("%Y-%m")
        hour += timedelta(hours=1)
    # The cases that matter were there: hours whose local month is not their UTC month.
    assert moved > 0 or zone == "UTC"


def test_month_keys_have_four_digit_years():
    """"1-01" (strftime's year 1) crashed the dashboard's month labels; keys sort and parse as YYYY-MM."""
    month_of = local_month_finder(ZoneInfo("UTC"))
    assert month_of(datetime(1, 1, 1, 10)) == "0001-01"
    assert month_of(datetime(999, 12, 31, 23)) == "0999-12"
