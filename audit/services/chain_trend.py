"""The chain's trend by month in the display zone, and the checklist versions its visits were
scored against (each with its visits, first and last day, and what changed in scoring)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ..checklist.changes import version_changes
from ..extensions import db
from ..models import ChecklistVersion, Visit
from ..times import display_zone
from .stats_queries import numbers, visit_hour, visits_from


def trend_and_versions(where: list) -> tuple[list[dict], list[tuple[int, int, datetime, datetime]]]:
    """Visits and mean score per calendar month in the app's display zone, and per checklist
    version its visits and first and last hour: ``(trend, [(version id, visits, first, last)])``.

    The database sums per (UTC hour, version) (a few thousand rows a year); each hour then goes
    to its local month here, which is exact for zones whose UTC offset is a whole number of hours
    (Vilnius, Riga, Moscow …) and needs no time-zone support from SQLite.
    """
    hour = visit_hour()
    rows = numbers(
        visits_from(hour, Visit.checklist_version_id, func.count(Visit.score), func.sum(Visit.score))
        .where(*where).group_by(hour, Visit.checklist_version_id)
    )
    month_of = local_month_finder(display_zone())
    months: dict[str, list[float]] = {}
    versions: dict[int, list] = {}
    for start, version_id, n, total in rows:
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        counted = months.setdefault(month_of(start), [0, 0.0])
        counted[0] += n
        counted[1] += total or 0.0
        seen = versions.setdefault(version_id, [0, start, start])
        seen[0] += n
        seen[1], seen[2] = min(seen[1], start), max(seen[2], start)
    trend = [{"month": month, "visits": int(n), "mean": total / n} for month, (n, total) in sorted(months.items()) if n]
    return trend, [(version_id, n, first, last) for version_id, (n, first, last) in versions.items() if n]


def checklist_versions(found: list[tuple[int, int, datetime, datetime]], current: ChecklistVersion) -> list[dict]:
    """The checklist versions the visits were scored against, oldest first, each with its visits,
    the local days of its first and last visit, and what changed in scoring since the one before."""
    known = {current.id: current}
    if any(version_id not in known for version_id, *_ in found):
        known.update((v.id, v) for v in db.session.scalars(
            select(ChecklistVersion).where(ChecklistVersion.id.in_([row[0] for row in found]))))
    zone = display_zone()
    records, before = [], None
    for version_id, n, first, last in sorted(found, key=lambda row: known[row[0]].number):
        version = known[version_id]
        record = {"number": version.number, "visits": int(n),
                  "first": first.replace(tzinfo=UTC).astimezone(zone).date().isoformat(),
                  "last": last.replace(tzinfo=UTC).astimezone(zone).date().isoformat(),
                  "scoring_changed": False, "changes": None}
        if before is not None:
            changes = version_changes(before.parsed, version.parsed)
            record["scoring_changed"], record["changes"] = changes.scoring_changed, changes.counts()
        records.append(record)
        before = version
    return records


def local_month_finder(zone):
    """``month_of(utc_hour) -> "YYYY-MM"`` in ``zone``, converting one or two hours per UTC day
    instead of every hour: a day whose first and last hour fall in the same local month lies
    wholly in it (local time only moves forward), and only days around a month's end need
    each hour converted."""
    def local_month(moment: datetime) -> str:
        local = moment.replace(tzinfo=UTC).astimezone(zone)
        return f"{local.year:04d}-{local.month:02d}"  # strftime writes year 1 as "1", not "0001"

    whole_day: dict[date, str | None] = {}

    def month_of(start: datetime) -> str:
        day = start.date()
        if day not in whole_day:
            first = datetime.combine(day, time.min)
            month = local_month(first)
            whole_day[day] = month if local_month(first + timedelta(hours=23, minutes=59)) == month else None
        return whole_day[day] or local_month(start)

    return month_of
