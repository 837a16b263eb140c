"""One question across the chain: where it fails, by branch, region, auditor and month, and
what the auditors wrote when it failed. The figures of the question page ``/office/questions``.

The per-branch figures come from the same per-(item, location) sums and the same
:func:`audit.stats.statistics_from_cells` as the dashboard's "least consistent questions", so
the mean, the spread and the branches beyond the limits read the same on both pages. A fixed
number of statements, whatever the number of branches: sums per (location, auditor), per hour,
over each branch's last visits, and the latest failures with their photos.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import case, func, select

from .. import stats
from ..checklist.model import PASS_SCORE
from ..extensions import db
from ..models import Answer, Evidence, Location, User, Visit
from ..stats.funnel import binomial_funnel_curve
from ..stats.proportions import score_interval
from ..times import display_zone
from .chain_records import consistency_record, num
from .chain_stats import (
    StatsError, StatsFilter, auditor_names, filters_of, json_ready, last_visits, location_details,
)
from .chain_trend import local_month_finder
from .checklists import current_version, earlier_definitions
from .stats_cache import cached_statistics
from .stats_queries import numbers, visit_hour, visits_from

#: The latest failed answers listed with their comments and photos.
LATEST_FAILURES = 30


@dataclass(frozen=True)
class FoundItem:
    """A question as the newest version that has it defines it (``current``: the newest version)."""

    item: object
    section: object
    current: bool


def find_item(checklist: str, item_id: str) -> FoundItem | None:
    """The question ``item_id`` of ``checklist``: from its newest version, or, for a question
    removed since, from the newest earlier version that had it; None if no version had it."""
    version = current_version(checklist)
    if version is None:
        raise StatsError(f"unknown checklist '{checklist}'")
    definition = version.parsed
    if definition.item(item_id) is not None:
        return FoundItem(definition.item(item_id), definition.section_of(item_id), True)
    for earlier in earlier_definitions(checklist):
        if earlier.item(item_id) is not None:
            return FoundItem(earlier.item(item_id), earlier.section_of(item_id), False)
    return None


def question_statistics(spec: StatsFilter, item_id: str) -> dict:
    """Every figure of the question page for ``item_id`` over the visits ``spec`` chooses; kept
    for the next request with the same question until the data change (:mod:`.stats_cache`)."""
    return cached_statistics({"page": "question", "item": item_id, "checklist": spec.checklist,
                              "filters": filters_of(spec)}, lambda: _question_statistics(spec, item_id))


def _question_statistics(spec: StatsFilter, item_id: str) -> dict:
    where = spec.conditions()
    scored = [*where, Answer.item_id == item_id, Answer.score.is_not(None)]
    answers = visits_from().join(Answer, Answer.visit_id == Visit.id)
    cell_rows = numbers(
        answers.with_only_columns(
            Visit.location_id, Visit.auditor_id, func.count(Answer.score), func.sum(Answer.score),
            func.sum(Answer.score * Answer.score), func.sum(case((Answer.score >= PASS_SCORE, 1), else_=0)),
        ).where(*scored).group_by(Visit.location_id, Visit.auditor_id)
    )
    result = {"checklist": spec.checklist, "item": item_id, "filters": filters_of(spec),
              "answers": sum(row[2] for row in cell_rows)}
    if not result["answers"]:
        return {**result, "mean": None, "pass_rate": None, "branches": [], "regions": [], "auditors": None,
                "trend": [], "funnel_curve": None, "failures": _failures(scored, item_id, 0)}

    location_ids, auditor_ids, count, total, squares, passed = (np.array(c, dtype=float) for c in zip(*cell_rows))
    total, squares = total * 100.0, squares * 10_000.0  # answers are stored on 0–1, shown on 0–100
    loc_codes, loc_index = np.unique(location_ids.astype(np.int64), return_inverse=True)
    aud_codes, aud_index = np.unique(auditor_ids.astype(np.int64), return_inverse=True)

    def per_location(values: np.ndarray) -> np.ndarray:
        return np.bincount(loc_index, weights=values, minlength=len(loc_codes))

    n, sums, sums_sq, passes = per_location(count), per_location(total), per_location(squares), per_location(passed)
    part = stats.statistics_from_cells(n[None, :], sums[None, :], sums_sq[None, :], passes[None, :])
    # Every answer 0 or 100 (Σx² = 100·Σx), failing all included: a pass rate, with its Wilson interval.
    yes_no = bool(np.isclose(sums_sq.sum(), 100.0 * sums.sum(), rtol=1e-9, atol=1e-6))
    low, high = score_interval(n, sums, sums_sq, passes, yes_no)
    locations = location_details(loc_codes)
    repeat = _repeat_failures(where, item_id, loc_codes)
    branches = []
    for at, code in enumerate(loc_codes):
        info = locations[int(code)]
        branches.append({
            "code": info["code"], "name": info["name"], "region": info["region"], "answers": int(n[at]),
            "mean": num(part.location_mean[0, at]), "pass_rate": float(passes[at] / n[at]),
            "ci_low": num(low[at]), "ci_high": num(high[at]), "funnel": str(part.location_band[0, at]),
            "repeat": ({"failures": int(repeat[0][at]), "of": int(repeat[1][at])}
                       if repeat[0][at] >= 2 else None),
        })
    branches.sort(key=lambda b: (b["mean"], -b["answers"], b["code"]))
    chain_mean = float(part.mean_score[0])
    max_n = int(n.max())
    curve = (binomial_funnel_curve(chain_mean / 100.0, max_n) if yes_no
             else stats.funnel_curve(chain_mean, float(part.answer_sd[0]), max_n)
             if np.isfinite(part.answer_sd[0]) else None)
    cells = stats.cells_from_sums(loc_index, aud_index, count, total, squares, len(loc_codes), len(aud_codes))
    names = auditor_names(aud_codes)
    consistency = consistency_record(stats.consistency_from_cells(cells), names, aud_codes)
    raw = _auditor_raw(names, aud_index, aud_codes, count, total, passed)
    for auditor in consistency["auditors"]:
        auditor.update(raw[auditor["email"]])
    return json_ready({
        **result, "yes_no": yes_no, "mean": chain_mean, "pass_rate": num(part.pass_rate[0]),
        "sd_between": num(part.between_location_sd[0]), "spread_sd": num(part.spread_sd[0]),
        "location_share": num(part.location_share[0]), "locations": int(part.n_locations[0]),
        "branches": branches,
        "regions": _regions(branches),
        "auditors": consistency,
        "trend": _trend(scored),
        "funnel_curve": ({"n": [int(v) for v in curve.n], "centre": float(curve.centre),
                          **{key: [num(v) for v in getattr(curve, key)]
                             for key in ("lower_998", "lower_95", "upper_95", "upper_998")}}
                         if curve is not None else None),
        "failures": _failures(scored, item_id, int(n.sum() - passes.sum())),
    })


def _auditor_raw(names: dict[int, dict], aud_index, aud_codes, count, total, passed) -> dict[str, dict]:
    """Each auditor's own mean and pass rate on this question, before branches are accounted for,
    by e-mail address (unique, and carried by ``consistency_record``)."""
    n = np.bincount(aud_index, weights=count, minlength=len(aud_codes))
    sums = np.bincount(aud_index, weights=total, minlength=len(aud_codes))
    passes = np.bincount(aud_index, weights=passed, minlength=len(aud_codes))
    return {names[int(code)]["email"]: {"mean": float(sums[at] / n[at]), "pass_rate": float(passes[at] / n[at])}
            for at, code in enumerate(aud_codes)}


def _regions(branches: list[dict]) -> list[dict]:
    """Answers, mean and pass rate per region (answer-weighted), lowest mean first."""
    found: dict[str | None, list[float]] = {}
    for b in branches:
        totals = found.setdefault(b["region"], [0, 0, 0.0, 0.0])
        totals[0] += 1
        totals[1] += b["answers"]
        totals[2] += b["mean"] * b["answers"]
        totals[3] += b["pass_rate"] * b["answers"]
    records = [{"name": name, "branches": k, "answers": int(answers), "mean": total / answers,
                "pass_rate": passes / answers} for name, (k, answers, total, passes) in found.items()]
    return sorted(records, key=lambda r: (r["mean"], r["name"] or ""))


def _repeat_failures(where: list, item_id: str, loc_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per branch: failed and scored answers of this question over its last ``REPEAT_WINDOW`` visits."""
    recent = last_visits(where)
    rows = numbers(
        select(recent.c.location_id, func.count(Answer.score), func.sum(case((Answer.score < PASS_SCORE, 1), else_=0)))
        .select_from(recent).join(Answer, Answer.visit_id == recent.c.id)
        .where(Answer.item_id == item_id, Answer.score.is_not(None)).group_by(recent.c.location_id)
    )
    position = {int(code): at for at, code in enumerate(loc_codes)}
    failed, scored = np.zeros(len(loc_codes), dtype=np.int64), np.zeros(len(loc_codes), dtype=np.int64)
    for location_id, answered, failures in rows:
        if location_id in position:
            scored[position[location_id]], failed[position[location_id]] = answered, failures or 0
    return failed, scored


def _trend(scored: list) -> list[dict]:
    """Answers, mean and pass rate per local calendar month (summed per UTC hour in SQL, as the
    dashboard's trend)."""
    hour = visit_hour()
    rows = numbers(
        visits_from(hour, func.count(Answer.score), func.sum(Answer.score),
                    func.sum(case((Answer.score >= PASS_SCORE, 1), else_=0)))
        .join(Answer, Answer.visit_id == Visit.id).where(*scored).group_by(hour)
    )
    month_of = local_month_finder(display_zone())
    months: dict[str, list[float]] = {}
    for start, answered, total, passes in rows:
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        counted = months.setdefault(month_of(start), [0, 0.0, 0])
        counted[0] += answered
        counted[1] += (total or 0.0) * 100.0
        counted[2] += passes or 0
    return [{"month": month, "answers": int(k), "mean": total / k, "pass_rate": passes / k}
            for month, (k, total, passes) in sorted(months.items()) if k]


def _failures(scored: list, item_id: str, failed: int) -> dict:
    """How many answers failed, and the latest of them with the branch, the auditor, the answer
    given, the auditor's comment and the photos taken for this question."""
    if not failed:
        return {"count": 0, "with_comment": 0, "latest": []}
    rows = db.session.execute(
        select(Visit.id, Visit.visited_at, Location.code, Location.name, User.name.label("auditor"),
               Answer.value, Answer.comment)
        .select_from(Visit).join(Answer, Answer.visit_id == Visit.id)
        .join(Location, Location.id == Visit.location_id).join(User, User.id == Visit.auditor_id)
        .where(*scored, Answer.score < PASS_SCORE)
        .order_by(Visit.visited_at.desc(), Visit.id.desc()).limit(LATEST_FAILURES)
    ).all()
    photos: dict[int, list[int]] = {}
    if rows:
        for evidence_id, visit_id in db.session.execute(
                select(Evidence.id, Evidence.visit_id)
                .where(Evidence.visit_id.in_([row.id for row in rows]), Evidence.item_id == item_id)
                .order_by(Evidence.id)):
            photos.setdefault(visit_id, []).append(evidence_id)
    with_comment = db.session.scalar(
        visits_from(func.count()).join(Answer, Answer.visit_id == Visit.id)
        .where(*scored, Answer.score < PASS_SCORE, func.length(func.trim(Answer.comment)) > 0)
    )
    return {
        "count": failed, "with_comment": int(with_comment or 0),
        "latest": [{"visit": row.id, "visited_at": row.visited_at.replace(tzinfo=UTC).isoformat(),
                    "code": row.code, "name": row.name, "auditor": row.auditor, "value": row.value,
                    "comment": row.comment or "", "photos": photos.get(row.id, [])} for row in rows],
    }
