"""Chain statistics: approved visits gathered with a fixed number of SQL queries, then
:mod:`audit.stats` on arrays, returned as plain dicts (the shape of ``audit stats --json``).

The number of statements does not grow with the number of locations, and no statement sends
one row per visit: visits come as ``GROUP BY`` sums per (location, auditor) — all the
location figures and the location + auditor model need —, items and sections as sums per
(item, location), the trend as sums per month, and repeat failures as failed/scored counts
over each location's last visits.
"""
from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import case, func, select, true
from sqlalchemy.orm import aliased

from ..times import display_zone, stored_utc
from .. import stats
from ..checklist.model import PASS_SCORE
from ..extensions import db
from ..models import Answer, Checklist, ChecklistVersion, Location, Region, User, Visit, VisitSectionScore
from .chain_records import (
    consistency_record, finding_record, funnel_curve, location_records, part_labels, part_records, regions,
    section_matrix,
)
from .chain_trend import checklist_versions, trend_and_versions
from .checklists import current_version, earlier_definitions
from .stats_cache import cached_statistics
from .stats_queries import numbers, plain_rows, visits_from

REPEAT_WINDOW = 3


class StatsError(ValueError):
    """The statistics cannot be computed as asked; the message says why."""


@dataclass(frozen=True)
class StatsFilter:
    checklist: str
    since: date | None = None
    until: date | None = None  # inclusive
    region: str | None = None
    location_format: str | None = None
    scenario: str | None = None
    location_code: str | None = None

    def chosen(self) -> dict[str, str]:
        """The filters set besides the checklist, as text (for the audit log)."""
        return {name: str(value) for name, value in asdict(self).items() if value is not None and name != "checklist"}

    def conditions(self, since: date | None = None, until: date | None = None) -> list:
        """WHERE conditions on ``visit`` alone: the other tables enter as uncorrelated
        ``IN (subquery)`` sets, so the big per-answer queries join nothing but ``visit``."""
        since = self.since if since is None else since
        until = self.until if until is None else until
        versions = select(ChecklistVersion.id).join(Checklist).where(Checklist.key == self.checklist)
        conds = [Visit.status == "approved", Visit.score.is_not(None), Visit.checklist_version_id.in_(versions)]
        if since:
            conds.append(Visit.visited_at >= _start_of_day(since))
        if until:
            conds.append(Visit.visited_at < _start_of_day(until + timedelta(days=1)))
        if self.scenario:
            conds.append(Visit.scenario == self.scenario)
        if self.region or self.location_format or self.location_code:
            places = select(Location.id).outerjoin(Region, Location.region_id == Region.id)
            if self.region:
                places = places.where(Region.name == self.region)
            if self.location_format:
                places = places.where(Location.format == self.location_format)
            if self.location_code:
                places = places.where(Location.code == self.location_code)
            conds.append(Visit.location_id.in_(places))
        return conds


def _start_of_day(day: date) -> datetime:
    """Midnight of ``day`` in the app's display zone, as the naive UTC that visits are stored in:
    a period is the days people see on the pages and reports, not UTC days."""
    return stored_utc(datetime.combine(day, time.min, tzinfo=display_zone()))


def chain_statistics(spec: StatsFilter, lang: str = "en") -> dict:
    """Every figure of the chain report for ``spec``, as JSON-ready plain values; kept for the
    next request with the same question until the data change (:mod:`.stats_cache`)."""
    def compute() -> dict:
        with _cyclic_gc_paused():
            return _chain_statistics(spec, lang)

    return cached_statistics({"page": "chain", "checklist": spec.checklist, "filters": filters_of(spec), "lang": lang},
                             compute)


@contextmanager
def _cyclic_gc_paused():
    """The reads below make some 100,000 small tuples of numbers, enough to trigger several full
    passes of Python's cyclic garbage collector over every live object of the process (0.1–0.2 s
    on a large chain). The rows hold no reference cycles, so reference counting frees them
    anyway; the collector is switched back on afterwards (unless it was off already)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _chain_statistics(spec: StatsFilter, lang: str) -> dict:
    version = current_version(spec.checklist)
    if version is None:
        raise StatsError(f"unknown checklist '{spec.checklist}'")
    where = spec.conditions()
    cell_rows = numbers(
        visits_from(Visit.location_id, Visit.auditor_id, func.count(Visit.score), func.sum(Visit.score),
                     func.sum(Visit.score * Visit.score))
        .where(*where).group_by(Visit.location_id, Visit.auditor_id)
    )
    n_visits = sum(row[2] for row in cell_rows)
    result = {"checklist": spec.checklist, "filters": filters_of(spec), "visits": n_visits}
    if not n_visits:
        return {**result, "chain": None, "locations": [], "items": [], "sections": [], "repeat_failures": [],
                "consistency": None, "trend": [], "section_matrix": None, "regions": [], "funnel_curve": None,
                "checklist_versions": []}

    location_ids, auditor_ids, counts, totals, squares = (np.array(c) for c in zip(*cell_rows))
    loc_codes, loc_index = np.unique(location_ids, return_inverse=True)
    aud_codes, aud_index = np.unique(auditor_ids, return_inverse=True)
    locations = location_details(loc_codes)
    auditors = auditor_names(aud_codes)
    cells = stats.cells_from_sums(loc_index, aud_index, counts, totals.astype(float), squares.astype(float),
                                  len(loc_codes), len(aud_codes))
    location_summary = cells.by_location()
    location_stats = stats.location_statistics_from_summary(location_summary)
    consistency = stats.consistency_from_cells(cells)
    definition = version.parsed
    labels = [locations[int(i)]["code"] for i in loc_codes]
    items, item_stats, item_ids = _parts(where, loc_codes, labels, definition, lang, kind="item")
    sections, section_stats, section_ids = _parts(where, loc_codes, labels, definition, lang, kind="section")
    repeat = _repeat_failures(where, loc_codes, item_ids)
    change = _period_change(spec, loc_codes, location_stats)
    trend, found_versions = trend_and_versions(where)
    versions = checklist_versions(found_versions, version)
    findings = stats.collect_findings(
        locations=location_stats, consistency=consistency, items=item_stats, sections=section_stats,
        repeat=repeat, period_change=change, location_labels=labels,
        item_labels=item_ids or None, section_labels=section_ids or None,
        versions=[(v["number"], v["visits"], v["scoring_changed"]) for v in versions],
    )
    return {
        **result,
        "chain": {"mean": location_stats.chain_mean, "sd": location_stats.chain_sd, "locations": len(loc_codes),
                  "between_location_variance": location_stats.between_location_variance,
                  "within_location_variance": location_stats.within_location_variance},
        "locations": location_records(location_stats, locations, loc_codes, change),
        "items": items, "sections": sections,
        "repeat_failures": [
            {"location": labels[loc], "item": item_ids[item], "failures": int(repeat.failures[item, loc]),
             "of": int(repeat.answers[item, loc])}
            for item, loc in repeat.flagged_pairs()
        ] if repeat is not None else [],
        "section_matrix": section_matrix(section_stats, section_ids, sections, labels),
        "regions": regions(locations, loc_codes, location_summary, section_stats, section_ids),
        "funnel_curve": funnel_curve(location_stats),
        "consistency": {**consistency_record(consistency, auditors, aud_codes),
                        "findings": [finding_record(f, labels, item_ids, section_ids) for f in findings]},
        "trend": trend,
        "checklist_versions": versions,
    }


def filters_of(spec: StatsFilter) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(spec).items() if k != "checklist"}


def location_details(ids: np.ndarray) -> dict[int, dict]:
    """Code, name, region name and format of the locations ``ids``, by location id (one statement)."""
    rows = plain_rows(
        select(Location.id, Location.code, Location.name, Location.format, Region.name.label("region"))
        .outerjoin(Region, Location.region_id == Region.id).where(Location.id.in_([int(i) for i in ids]))
    ).all()
    return {row.id: {"code": row.code, "name": row.name, "region": row.region, "format": row.format} for row in rows}


def auditor_names(ids: np.ndarray) -> dict[int, dict]:
    """Id, name and e-mail address of the users ``ids``, by user id (one statement)."""
    rows = plain_rows(select(User.id, User.name, User.email).where(User.id.in_([int(i) for i in ids])))
    return {row.id: {"id": row.id, "name": row.name, "email": row.email} for row in rows}




def _parts(where: list, loc_codes: np.ndarray, labels_of_locations: list[str], definition, lang: str, kind: str):
    """Per-item or per-section figures from GROUP BY sums; ``(records, stats, ids)``."""
    # A pass is half marks or more. Item scores are stored on 0–1, section scores on 0–100;
    # the sums are scaled to 0–100 afterwards, not every row.
    if kind == "item":
        key, score, scale, pass_mark = Answer.item_id, Answer.score, 100.0, PASS_SCORE
        base = visits_from().join(Answer, Answer.visit_id == Visit.id)
    else:
        key, score, scale, pass_mark = VisitSectionScore.section_id, VisitSectionScore.score, 1.0, 100 * PASS_SCORE
        base = visits_from().join(VisitSectionScore, VisitSectionScore.visit_id == Visit.id)
    rows = numbers(
        base.with_only_columns(
            key, Visit.location_id, func.count(score), func.sum(score), func.sum(score * score),
            func.sum(case((score >= pass_mark, 1), else_=0)),
        ).where(*where, score.is_not(None))
        .group_by(Visit.location_id, key)  # integer key first: SQLite's sorter is ~12% faster so
    )
    if not rows:
        return [], None, []
    order = [i.id for i in definition.items] if kind == "item" else [s.id for s in definition.sections]
    found = {row[0] for row in rows}
    ids = [i for i in order if i in found] + sorted(found - set(order))
    position = {part: n for n, part in enumerate(ids)}
    loc_position = {int(code): n for n, code in enumerate(loc_codes)}
    shape = (len(ids), len(loc_codes))
    count, total, squares, passed = (np.zeros(shape) for _ in range(4))
    for part, location_id, n, s, ss, p in rows:
        at = (position[part], loc_position[location_id])
        count[at], total[at], squares[at], passed[at] = n, s * scale, ss * scale * scale, p
    part_stats = stats.statistics_from_cells(count, total, squares, passed)
    labels = part_labels(definition, ids, kind, lang, earlier=lambda: earlier_definitions(definition.id))
    records = part_records(part_stats, ids, labels, labels_of_locations)
    return records, part_stats, ids


def _repeat_failures(where: list, loc_codes: np.ndarray, item_ids: list[str]):
    """Items failed in ≥ 2 of each location's last ``REPEAT_WINDOW`` visits: one query counts
    the failed and the scored answers per (item, location) over those visits."""
    if not item_ids:
        return None
    recent = last_visits(where)
    rows = numbers(
        select(Answer.item_id, recent.c.location_id, func.count(Answer.score),
               func.sum(case((Answer.score < PASS_SCORE, 1), else_=0)))
        .select_from(recent).join(Answer, Answer.visit_id == recent.c.id)
        .group_by(recent.c.location_id, Answer.item_id)
    )
    position = {item: n for n, item in enumerate(item_ids)}
    loc_position = {int(code): n for n, code in enumerate(loc_codes)}
    answers, failures = (np.zeros((len(item_ids), len(loc_codes)), dtype=np.int64) for _ in range(2))
    for item, location_id, scored, failed in rows:
        if item in position and location_id in loc_position:
            at = (position[item], loc_position[location_id])
            answers[at], failures[at] = scored, failed or 0
    return stats.repeat_failures_from_counts(failures, answers, last_n=REPEAT_WINDOW)


def last_visits(where: list):
    """Subquery (id, location_id) of each location's last ``REPEAT_WINDOW`` chosen visits.

    PostgreSQL reads them from the (location, visited_at, id) index, a few entries per
    location (LATERAL … LIMIT); elsewhere a window ranks the chosen visits (SQLite sorts the
    100,000 visits of a large chain in a fraction of the time its answer scans take).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        place = aliased(Location, name="place")
        latest = (select(Visit.id).where(Visit.location_id == place.id, *where)
                  .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(REPEAT_WINDOW).lateral("latest"))
        return select(latest.c.id, place.id.label("location_id")).select_from(place).join(latest, true()).subquery()
    newest_first = func.row_number().over(partition_by=Visit.location_id,
                                          order_by=(Visit.visited_at.desc(), Visit.id.desc()))
    ranked = visits_from(Visit.id, Visit.location_id, newest_first.label("recency")).where(*where).subquery()
    return select(ranked.c.id, ranked.c.location_id).where(ranked.c.recency <= REPEAT_WINDOW).subquery()


def _period_change(spec: StatsFilter, loc_codes: np.ndarray, current):
    """Against the period of the same length just before ``since`` (needs since and until)."""
    if not (spec.since and spec.until):
        return None
    length = (spec.until - spec.since).days + 1
    previous_until = spec.since - timedelta(days=1)
    previous_since = previous_until - timedelta(days=length - 1)
    rows = numbers(
        visits_from(Visit.location_id, func.count(Visit.score), func.sum(Visit.score),
                     func.sum(Visit.score * Visit.score))
        .where(*spec.conditions(previous_since, previous_until)).group_by(Visit.location_id)
    )
    loc_position = {int(code): n for n, code in enumerate(loc_codes)}
    count, total, squares = (np.zeros(len(loc_codes)) for _ in range(3))
    for location_id, n, s, ss in rows:
        if location_id in loc_position:
            at = loc_position[location_id]
            count[at], total[at], squares[at] = n, s, ss
    previous = stats.GroupSummary.from_sums(count, total, squares)
    summary = stats.GroupSummary.from_moments(current.n_visits, current.mean, current.sd)
    return stats.compare_periods(summary, previous)


def json_ready(value):
    """``value`` with every figure that could not be computed (NaN: the spread between branches
    when the filters leave one; ±inf) as ``None``, which JSON writes as ``null``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    return value
