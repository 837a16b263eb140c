"""One auditor's scoring against the other auditors: the figures of ``/office/auditors/<id>``.

Over the approved visits the dashboard's filters choose:

* their leniency as the dashboard shows it (the additive location + auditor model over the
  whole choice, :func:`audit.stats.consistency_from_cells`);
* at the branches they visited, their visit scores and each question's answers against the
  other auditors' there (:mod:`audit.stats.calibration`: a fixed effect per branch, so a strict
  auditor is not confused with one sent to weak branches), the questions where they differ
  beyond chance first;
* their latest visits.

A fixed number of statements, whatever the number of branches or auditors.
"""
from __future__ import annotations

from datetime import UTC

import numpy as np
from sqlalchemy import case, func, select

from .. import stats
from ..extensions import db
from ..models import Answer, Location, Region, Visit
from ..stats.calibration import same_branch_difference
from .chain_records import consistency_record, num, part_labels
from .chain_stats import StatsError, StatsFilter, auditor_names, filters_of, json_ready
from .checklists import current_version, earlier_definitions
from .stats_cache import cached_statistics
from .stats_queries import numbers, visits_from

LATEST_VISITS = 30


def auditor_statistics(spec: StatsFilter, auditor_id: int, lang: str = "en") -> dict:
    """Every figure of the auditor page for ``auditor_id`` over the visits ``spec`` chooses; kept
    for the next request with the same question until the data change (:mod:`.stats_cache`)."""
    return cached_statistics({"page": "auditor", "auditor": auditor_id, "checklist": spec.checklist,
                              "filters": filters_of(spec), "lang": lang},
                             lambda: _auditor_statistics(spec, auditor_id, lang))


def _auditor_statistics(spec: StatsFilter, auditor_id: int, lang: str) -> dict:
    version = current_version(spec.checklist)
    if version is None:
        raise StatsError(f"unknown checklist '{spec.checklist}'")
    where = spec.conditions()
    cell_rows = numbers(
        visits_from(Visit.location_id, Visit.auditor_id, func.count(Visit.score), func.sum(Visit.score),
                    func.sum(Visit.score * Visit.score))
        .where(*where).group_by(Visit.location_id, Visit.auditor_id)
    )
    own_rows = [row for row in cell_rows if row[1] == auditor_id]
    result = {"checklist": spec.checklist, "filters": filters_of(spec), "auditor": auditor_id,
              "visits": int(sum(row[2] for row in own_rows)), "branches": len(own_rows)}
    if not own_rows:
        return {**result, "offset": None, "regions": 0, "visit_scores": None, "items": [], "latest": []}
    location_ids, auditor_ids, count, total, squares = (np.array(c, dtype=float) for c in zip(*cell_rows))
    loc_codes, loc_index = np.unique(location_ids.astype(np.int64), return_inverse=True)
    aud_codes, aud_index = np.unique(auditor_ids.astype(np.int64), return_inverse=True)
    cells = stats.cells_from_sums(loc_index, aud_index, count, total, squares, len(loc_codes), len(aud_codes))
    consistency = consistency_record(stats.consistency_from_cells(cells), auditor_names(aud_codes), aud_codes)
    me = next(a for a in consistency["auditors"] if a["id"] == auditor_id)

    own_branches = sorted({int(row[0]) for row in own_rows})
    position = {branch: at for at, branch in enumerate(own_branches)}
    own, other = (np.zeros((3, len(own_branches))) for _ in range(2))
    for location_id, who, n, s, ss in cell_rows:
        if location_id in position:
            side = own if who == auditor_id else other
            side[:, position[location_id]] += (n, s, ss)
    visit_scores = _record(same_branch_difference(*own[:, None, :], *other[:, None, :]), 0)
    return json_ready({
        **result, "offset": me["offset"], "design_connected": consistency["design_connected"],
        "chain_visits": int(count.sum()),
        "auditors": len(aud_codes), "regions": _region_count(own_branches),
        "visit_scores": visit_scores,
        "items": _items(where, auditor_id, own_branches, version.parsed, lang),
        "latest": _latest(where, auditor_id),
    })


def _region_count(location_ids: list[int]) -> int:
    return int(db.session.scalar(
        select(func.count(func.distinct(Location.region_id))).where(Location.id.in_(location_ids),
                                                                  Location.region_id.is_not(None))) or 0)


def _record(found, row: int) -> dict:
    return {"difference": num(found.difference[row]), "standard_error": num(found.standard_error[row]),
            "p_value": num(found.p_value[row]), "q_value": num(found.q_value[row]),
            "significant": bool(found.significant[row]), "branches": int(found.branches[row]),
            "own_answers": int(found.own_answers[row]), "other_answers": int(found.other_answers[row]),
            "own_mean": num(found.own_mean[row]), "other_mean": num(found.other_mean[row]),
            "df": int(found.degrees_of_freedom[row])}


def _items(where: list, auditor_id: int, branches: list[int], definition, lang: str) -> list[dict]:
    """Each question at the auditor's ``branches`` (the ids of the locations of their chosen
    visits): their answers against the others' there."""
    mine = case((Visit.auditor_id == auditor_id, 1), else_=0)
    rows = numbers(
        visits_from(Answer.item_id, Visit.location_id, mine, func.count(Answer.score), func.sum(Answer.score),
                    func.sum(Answer.score * Answer.score))
        .join(Answer, Answer.visit_id == Visit.id)
        .where(*where, Visit.location_id.in_(branches), Answer.score.is_not(None))
        .group_by(Answer.item_id, Visit.location_id, mine)
    )
    if not rows:
        return []
    order = [i.id for i in definition.items]
    found = {row[0] for row in rows}
    ids = [i for i in order if i in found] + sorted(found - set(order))
    item_at = {item: at for at, item in enumerate(ids)}
    place_at = {place: at for at, place in enumerate(sorted({row[1] for row in rows}))}
    sums = np.zeros((2, 3, len(ids), len(place_at)))  # (other, own) × (n, Σ, Σ²) × items × branches
    for item, place, is_mine, n, s, ss in rows:
        sums[int(is_mine), :, item_at[item], place_at[place]] = (n, s * 100.0, ss * 10_000.0)
    found_diff = same_branch_difference(*sums[1], *sums[0])
    labels = part_labels(definition, ids, "item", lang, earlier=lambda: earlier_definitions(definition.id))
    records = [{"id": item, "text": labels[at]["text"], "section": labels[at]["section"], **_record(found_diff, at)}
               for at, item in enumerate(ids)]
    # The clearest differences first (smallest q), then the largest ones.
    records.sort(key=lambda r: (r["q_value"] is None, r["q_value"] if r["q_value"] is not None else 1.0,
                                -abs(r["difference"] or 0.0)))
    return records


def _latest(where: list, auditor_id: int) -> list[dict]:
    rows = db.session.execute(
        select(Visit.id, Visit.visited_at, Visit.score, Visit.critical_failed, Location.code, Location.name,
               Region.name.label("region"))
        .join(Location, Location.id == Visit.location_id).outerjoin(Region, Region.id == Location.region_id)
        .where(*where, Visit.auditor_id == auditor_id)
        .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(LATEST_VISITS)
    ).all()
    return [{"visit": row.id, "visited_at": row.visited_at.replace(tzinfo=UTC).isoformat(), "score": row.score,
             "critical_failed": bool(row.critical_failed), "code": row.code, "name": row.name, "region": row.region}
            for row in rows]

