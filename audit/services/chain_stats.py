"""Chain statistics: approved visits gathered with a fixed number of SQL queries, then
:mod:`audit.stats` on arrays, returned as plain dicts (the shape of ``audit stats --json``).

The number of statements does not grow with the number of locations: visits come as one
array, items and sections as SQL ``GROUP BY`` sums per (item, location), repeat failures
from a window over each location's last visits.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from sqlalchemy import case, func, select

from .. import stats
from ..extensions import db
from ..models import Answer, Checklist, ChecklistVersion, Location, Region, User, Visit, VisitSectionScore
from .checklists import current_version

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

    def conditions(self, since: date | None = None, until: date | None = None) -> list:
        """WHERE conditions on ``visit`` alone: the other tables enter as uncorrelated
        ``IN (subquery)`` sets, so the big per-answer queries join nothing but ``visit``."""
        since = self.since if since is None else since
        until = self.until if until is None else until
        versions = select(ChecklistVersion.id).join(Checklist).where(Checklist.key == self.checklist)
        conds = [Visit.status == "approved", Visit.score.is_not(None), Visit.checklist_version_id.in_(versions)]
        if since:
            conds.append(Visit.visited_at >= datetime.combine(since, time.min))
        if until:
            conds.append(Visit.visited_at < datetime.combine(until + timedelta(days=1), time.min))
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


def _visits_from(*columns):
    """SELECT ``columns`` FROM visit (filters come from ``StatsFilter.conditions``)."""
    return select(*columns).select_from(Visit)


def chain_statistics(spec: StatsFilter, lang: str = "en") -> dict:
    """Every figure of the chain report for ``spec``, as JSON-ready plain values."""
    version = current_version(spec.checklist)
    if version is None:
        raise StatsError(f"unknown checklist '{spec.checklist}'")
    where = spec.conditions()
    visit_rows = _rows(
        _visits_from(Visit.id, Visit.location_id, Visit.auditor_id, Visit.score, Visit.visited_at)
        .where(*where).order_by(Visit.visited_at, Visit.id)
    ).all()
    result = {"checklist": spec.checklist, "filters": _filters(spec), "visits": len(visit_rows)}
    if not visit_rows:
        return {**result, "chain": None, "locations": [], "items": [], "sections": [], "repeat_failures": [],
                "consistency": None, "trend": [], "section_matrix": None, "regions": [], "funnel_curve": None}

    visit_ids, location_ids, auditor_ids, scores, visited = (list(c) for c in zip(*visit_rows))
    loc_codes, loc_index = np.unique(np.array(location_ids), return_inverse=True)
    aud_codes, aud_index = np.unique(np.array(auditor_ids), return_inverse=True)
    locations = _locations(loc_codes)
    auditors = _auditors(aud_codes)
    score_array = np.array(scores, dtype=float)

    location_stats = stats.location_statistics(score_array, loc_index, len(loc_codes))
    consistency = stats.chain_consistency(score_array, loc_index, aud_index, len(loc_codes), len(aud_codes))
    definition = version.parsed
    labels = [locations[int(i)]["code"] for i in loc_codes]
    items, item_stats, item_ids = _parts(where, loc_codes, labels, definition, lang, kind="item")
    sections, section_stats, section_ids = _parts(where, loc_codes, labels, definition, lang, kind="section")
    repeat = _repeat_failures(np.array(visit_ids), loc_index, loc_codes, item_ids)
    change = _period_change(spec, loc_codes, location_stats)
    findings = stats.collect_findings(
        locations=location_stats, consistency=consistency, items=item_stats, sections=section_stats,
        repeat=repeat, period_change=change, location_labels=labels,
        item_labels=item_ids or None, section_labels=section_ids or None,
    )
    return {
        **result,
        "chain": {"mean": location_stats.chain_mean, "sd": location_stats.chain_sd, "locations": len(loc_codes),
                  "between_location_variance": location_stats.between_location_variance,
                  "within_location_variance": location_stats.within_location_variance},
        "locations": _location_records(location_stats, locations, loc_codes, change),
        "items": items, "sections": sections,
        "repeat_failures": [
            {"location": labels[loc], "item": item_ids[item], "failures": int(repeat.failures[item, loc]),
             "of": int(repeat.answers[item, loc])}
            for item, loc in repeat.flagged_pairs()
        ] if repeat is not None else [],
        "section_matrix": _section_matrix(section_stats, section_ids, sections, labels),
        "regions": _regions(locations, loc_codes, loc_index, score_array, section_stats, section_ids),
        "funnel_curve": _funnel_curve(location_stats),
        "consistency": {**_consistency_record(consistency, auditors, aud_codes),
                        "findings": [asdict(f) for f in findings]},
        "trend": _trend(visited, score_array),
    }


def _rows(statement):
    """Run a plain column query through Core: no ORM row loading, which costs 2× on big reads."""
    return db.session.connection().execute(statement)


def _filters(spec: StatsFilter) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(spec).items() if k != "checklist"}


def _locations(ids: np.ndarray) -> dict[int, dict]:
    rows = _rows(
        select(Location.id, Location.code, Location.name, Location.format, Region.name.label("region"))
        .outerjoin(Region, Location.region_id == Region.id).where(Location.id.in_([int(i) for i in ids]))
    ).all()
    return {row.id: {"code": row.code, "name": row.name, "region": row.region, "format": row.format} for row in rows}


def _auditors(ids: np.ndarray) -> dict[int, dict]:
    rows = _rows(select(User.id, User.name, User.email).where(User.id.in_([int(i) for i in ids])))
    return {row.id: {"name": row.name, "email": row.email} for row in rows}


def _parts(where: list, loc_codes: np.ndarray, labels_of_locations: list[str], definition, lang: str, kind: str):
    """Per-item or per-section figures from GROUP BY sums; ``(records, stats, ids)``."""
    if kind == "item":  # item scores are stored on 0–1: scale the sums, not every row
        key, score, scale = Answer.item_id, Answer.score, 100.0
        base = _visits_from().join(Answer, Answer.visit_id == Visit.id)
    else:
        key, score, scale = VisitSectionScore.section_id, VisitSectionScore.score, 1.0
        base = _visits_from().join(VisitSectionScore, VisitSectionScore.visit_id == Visit.id)
    rows = _rows(
        base.with_only_columns(
            key, Visit.location_id, func.count(score), func.sum(score), func.sum(score * score),
            func.sum(case((score >= 0.5 * scale, 1), else_=0)),
        ).where(*where, score.is_not(None))
        .group_by(Visit.location_id, key)  # integer key first: SQLite's sorter is ~12% faster so
    ).all()
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
    labels = _part_labels(definition, ids, kind, lang)
    records = []
    for n, part in enumerate(ids):
        outliers = [
            {"location": labels_of_locations[loc], "band": band, "mean": float(part_stats.location_mean[n, loc]),
             "answers": int(part_stats.location_n[n, loc])}
            for band, locs in part_stats.deviating_locations(n).items() for loc in locs
        ]
        records.append({
            "id": part, "text": labels[n]["text"], "section": labels[n]["section"],
            "answers": int(part_stats.n_answers[n]), "mean": _num(part_stats.mean_score[n]),
            "pass_rate": _num(part_stats.pass_rate[n]), "sd_between": _num(part_stats.between_location_sd[n]),
            "cv": _num(part_stats.cv[n]), "locations": int(part_stats.n_locations[n]), "outliers": outliers,
        })
    return records, part_stats, ids


def _part_labels(definition, ids: list[str], kind: str, lang: str) -> list[dict]:
    labels = []
    for part in ids:
        if kind == "item":
            item, section = definition.item(part), definition.section_of(part)
            labels.append({"text": item.text.get(lang) if item else part, "section": section.id if section else None})
        else:
            section = next((s for s in definition.sections if s.id == part), None)
            labels.append({"text": section.title.get(lang) if section else part, "section": part})
    return labels


def _repeat_failures(visit_ids: np.ndarray, loc_index: np.ndarray, loc_codes: np.ndarray, item_ids: list[str]):
    """Items failed in ≥ 2 of each location's last ``REPEAT_WINDOW`` visits.

    ``visit_ids``/``loc_index`` come in visit order (visited_at, id), so each location's last
    visits are picked here; one query then reads just their answers.
    """
    if not item_ids or not len(visit_ids):
        return None
    order = np.lexsort((np.arange(len(loc_index)), loc_index))  # by location, visit order kept
    sorted_loc = loc_index[order]
    from_end = np.r_[np.flatnonzero(np.diff(sorted_loc)) + 1, len(sorted_loc)]  # one past each group's end
    group_end = np.repeat(from_end, np.diff(np.r_[0, from_end]))
    recent = order[group_end - np.arange(len(order)) <= REPEAT_WINDOW]
    recent_ids = [int(v) for v in visit_ids[recent]]
    rank = {visit_id: position for position, visit_id in zip(recent, recent_ids)}
    rows = _rows(
        select(Answer.item_id, Answer.visit_id, Answer.score).where(Answer.visit_id.in_(recent_ids))
    ).all()
    position = {item: n for n, item in enumerate(item_ids)}
    rows = [r for r in rows if r[0] in position]
    if not rows:
        return None
    visits = np.array([r[1] for r in rows])
    return stats.repeat_failures(
        np.array([np.nan if r[2] is None else r[2] for r in rows], dtype=float),
        np.array([position[r[0]] for r in rows]), loc_index[[rank[v] for v in visits]],
        visits, np.array([rank[v] for v in visits], dtype=float),
        n_items=len(item_ids), n_locations=len(loc_codes), last_n=REPEAT_WINDOW,
    )


def _period_change(spec: StatsFilter, loc_codes: np.ndarray, current):
    """Against the period of the same length just before ``since`` (needs since and until)."""
    if not (spec.since and spec.until):
        return None
    length = (spec.until - spec.since).days + 1
    previous_until = spec.since - timedelta(days=1)
    previous_since = previous_until - timedelta(days=length - 1)
    rows = _rows(
        _visits_from(Visit.location_id, func.count(Visit.score), func.sum(Visit.score),
                     func.sum(Visit.score * Visit.score))
        .where(*spec.conditions(previous_since, previous_until)).group_by(Visit.location_id)
    ).all()
    loc_position = {int(code): n for n, code in enumerate(loc_codes)}
    count, total, squares = (np.zeros(len(loc_codes)) for _ in range(3))
    for location_id, n, s, ss in rows:
        if location_id in loc_position:
            at = loc_position[location_id]
            count[at], total[at], squares[at] = n, s, ss
    previous = stats.GroupSummary.from_sums(count, total, squares)
    summary = stats.GroupSummary.from_moments(current.n_visits, current.mean, current.sd)
    return stats.compare_periods(summary, previous)


def _location_records(ls, locations: dict, loc_codes: np.ndarray, change) -> list[dict]:
    records = []
    for n, code in enumerate(loc_codes):
        info = locations[int(code)]
        record = {
            **info, "visits": int(ls.n_visits[n]), "mean": _num(ls.mean[n]), "ci_low": _num(ls.ci_low[n]),
            "ci_high": _num(ls.ci_high[n]), "shrunk": _num(ls.shrunk_mean[n]), "z": _num(ls.z_score[n]),
            "funnel": str(ls.funnel_band[n]), "percentile": _num(ls.percentile_rank[n]),
            "sd_within": _num(ls.sd[n]), "low_data": bool(ls.low_data[n]),
        }
        if change is not None:
            record["change"] = {"difference": _num(change.difference[n]), "p_value": _num(change.p_value[n]),
                                "significant": bool(change.significant[n])}
        records.append(record)
    records.sort(key=lambda r: (r["mean"] is None, -(r["mean"] or 0), r["code"]))
    return records


def _consistency_record(consistency, auditors: dict, aud_codes: np.ndarray) -> dict:
    variance = consistency.variance
    return {
        "icc_location": _num(consistency.icc1.value),
        "icc_location_adjusted": _num(consistency.adjusted_icc.value),
        "design_connected": bool(consistency.design.connected),
        "variance": {"location": _num(variance.location), "auditor": _num(variance.auditor),
                     "residual": _num(variance.residual)},
        "auditors": sorted(
            ({**auditors[int(code)], "offset": _num(consistency.auditor_offset[n]),
              "visits": int(consistency.auditor_visits[n])} for n, code in enumerate(aud_codes)),
            key=lambda a: -(a["offset"] or 0),
        ),
    }


def _section_matrix(section_stats, section_ids: list[str], sections: list[dict], codes: list[str]) -> dict | None:
    """Locations × sections mean scores (None where a location has no answer), for heat maps."""
    if section_stats is None:
        return None
    means = section_stats.location_mean  # sections × locations
    return {"sections": section_ids, "section_titles": [s["text"] for s in sections], "locations": codes,
            "values": [[_num(means[s, loc]) for s in range(len(section_ids))] for loc in range(len(codes))]}


def _regions(locations: dict, loc_codes, loc_index, scores: np.ndarray, section_stats, section_ids) -> list[dict]:
    """Visit-weighted means per region, overall and per section."""
    region_of = np.array([locations[int(code)]["region"] or "" for code in loc_codes])
    records = []
    for region in sorted(set(region_of)):
        in_region = region_of == region
        chosen = scores[in_region[loc_index]]
        sections = {}
        if section_stats is not None:
            n = section_stats.location_n[:, in_region]
            total = np.nansum(np.where(n > 0, section_stats.location_mean[:, in_region] * n, 0.0), axis=1)
            count = n.sum(axis=1)
            sections = {sid: (_num(total[i] / count[i]) if count[i] else None) for i, sid in enumerate(section_ids)}
        records.append({"name": region or None, "locations": int(in_region.sum()), "visits": int(chosen.size),
                        "mean": _num(chosen.mean()) if chosen.size else None, "sections": sections})
    return records


def _funnel_curve(location_stats) -> dict | None:
    if np.isnan(location_stats.chain_sd) or not location_stats.n_visits.max():
        return None
    curve = stats.funnel_curve(location_stats.chain_mean, location_stats.chain_sd, int(location_stats.n_visits.max()))
    return {"n": [int(n) for n in curve.n], "centre": float(curve.centre),
            **{key: [_num(v) for v in getattr(curve, key)] for key in ("lower_998", "lower_95", "upper_95", "upper_998")}}


def _trend(visited: list[datetime], scores: np.ndarray) -> list[dict]:
    months = np.array([v.year * 12 + v.month - 1 for v in visited])
    trend = []
    for month in np.unique(months):
        chosen = scores[months == month]
        trend.append({"month": f"{month // 12:04d}-{month % 12 + 1:02d}", "visits": int(chosen.size),
                      "mean": float(chosen.mean())})
    return trend


def _num(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value
