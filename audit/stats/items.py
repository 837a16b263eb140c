"""Per-item and per-section figures: chain mean, pass rate, spread between locations, funnel.

Input is one row per (visit, item) answer: the item's score, item code and location code.
NaN marks an answer that does not count (N/A, hidden by ``show_if``, unanswered) and is left
out everywhere. Only answers of approved visits should be passed in.

Scales. Item scores arrive on 0–1 (as :mod:`audit.scoring` stores them) and every figure
except the pass rate is reported on 0–100 (item mean × 100), so items, sections and visits
read on one scale. Sections arrive on 0–100 (as stored) and are treated exactly like items.
Pass rates are fractions in 0–1 (Babel's ``format_percent`` takes fractions): the share of
answers with score ≥ 0.5 (items) or ≥ 50 (sections), as ``audit.checklist.model.PASS_SCORE``.

Spread between locations. ``between_location_sd`` is the sample SD (``ddof=1``) of the
location means, each location with ≥ 1 answer counting once (NaN with fewer than 2 such
locations). It is descriptive: locations with few answers add sampling noise, so compare items
by it within one report period, not across periods of very different size. The coefficient of
variation is that SD divided by the item's chain mean (NaN when the mean is 0).

Noise-corrected spread. ``spread_sd`` estimates the SD of the locations' *true* means, with
the sampling noise of few answers removed: the one-way random-effects ANOVA of the item's
answers grouped by location gives σ²_between = (MSB − MSW) / n₀ (n₀ the adjusted group size,
as for ICC(1) in :mod:`audit.stats.consistency`), clipped at 0, and ``spread_sd`` is its root.
``location_share`` is that item's ICC(1): the share of its answer variance that lies between
locations. A question asked rarely (a complaint follow-up answered in a few visits) can show a
large descriptive SD from noise alone; its ``spread_sd`` stays near 0 unless the locations
really differ, which is why the "least consistent" rankings use ``spread_sd``.

Funnel. Each location's item mean is classified against the item's own funnel: centre = the
item's chain mean, σ = SD of the item's single answers across the chain (see
:mod:`audit.stats.funnel`). Yes/no items (every answer 0 or 100) use the exact binomial tails
instead (:func:`audit.stats.funnel.classify_binomial`): with two or three answers the normal
approximation put branches beyond the 95% limits on what chance gives one time in nine.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..checklist.model import PASS_SCORE
from ._arrays import StatsInputError, check_same_length, group_count, index_array, readonly, records, score_array
from .consistency import icc_from_anova
from .funnel import ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, classify_binomial, classify_funnel
from .groups import GroupSummary, one_way_anova


@dataclass(frozen=True, eq=False)
class ItemStats:
    """Per item (or section) columns; ``location_*`` arrays are (item, location) tables."""

    n_answers: np.ndarray
    mean_score: np.ndarray
    pass_rate: np.ndarray
    answer_sd: np.ndarray
    n_locations: np.ndarray
    between_location_sd: np.ndarray
    cv: np.ndarray
    #: SD of the locations' true means (sampling noise removed); see the module docstring.
    spread_sd: np.ndarray
    #: ICC(1) of the item's answers by location: the share of their variance between locations.
    location_share: np.ndarray
    location_n: np.ndarray
    location_mean: np.ndarray
    location_band: np.ndarray

    def records(self) -> list[dict]:
        """One plain dict per item (``item`` = its code); NaN becomes ``None``."""
        return records({
            "item": np.arange(len(self.n_answers)), "n_answers": self.n_answers,
            "mean_score": self.mean_score, "pass_rate": self.pass_rate, "answer_sd": self.answer_sd,
            "n_locations": self.n_locations, "between_location_sd": self.between_location_sd,
            "cv": self.cv, "spread_sd": self.spread_sd, "location_share": self.location_share,
        })

    def deviating_locations(self, item: int) -> dict[str, np.ndarray]:
        """Location codes of ``item`` in each funnel band other than inside / no data."""
        bands = self.location_band[item]
        return {band: np.flatnonzero(bands == band) for band in (ABOVE_998, ABOVE_95, BELOW_95, BELOW_998)}

    def pairs_in_band(self, band: str) -> np.ndarray:
        """(item, location) code pairs in funnel ``band``, shape (m, 2)."""
        return np.argwhere(self.location_band == band)


SectionStats = ItemStats


def item_statistics(scores, item_index, location_index, n_items: int | None = None,
                    n_locations: int | None = None) -> ItemStats:
    """Figures per item from one 0–1 score (or NaN) per (visit, item) answer."""
    scores = score_array(scores, "scores")
    if np.any((scores < 0) | (scores > 1)):
        raise StatsInputError(
            "item scores must lie in [0, 1] (NaN for N/A); for 0–100 section scores use section_statistics"
        )
    return _part_statistics(scores * 100.0, item_index, location_index, n_items, n_locations,
                            pass_mark=100.0 * PASS_SCORE, name="item_index")


def section_statistics(scores, section_index, location_index, n_sections: int | None = None,
                       n_locations: int | None = None) -> SectionStats:
    """Figures per section from one 0–100 section score (or NaN) per (visit, section)."""
    scores = score_array(scores, "scores")
    if np.any((scores < 0) | (scores > 100)):
        raise StatsInputError("section scores must lie in [0, 100] (NaN when no item of the section applies)")
    return _part_statistics(scores, section_index, location_index, n_sections, n_locations,
                            pass_mark=100.0 * PASS_SCORE, name="section_index")


def _part_statistics(values: np.ndarray, part_index, location_index, n_parts, n_locations,
                     pass_mark: float, name: str) -> ItemStats:
    part_index = index_array(part_index, name)
    location_index = index_array(location_index, "location_index")
    check_same_length(scores=values, **{name: part_index}, location_index=location_index)
    n_parts = group_count(part_index, n_parts, "n_items")
    n_locations = group_count(location_index, n_locations, "n_locations")
    part_index = index_array(part_index, name, n_parts, "the number of items")
    location_index = index_array(location_index, "location_index", n_locations, "n_locations")

    keep = ~np.isnan(values)
    values, part_index, location_index = values[keep], part_index[keep], location_index[keep]
    cell = part_index * n_locations + location_index
    size = n_parts * n_locations

    def per_cell(weights=None) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=size).astype(float).reshape(n_parts, n_locations)

    return statistics_from_cells(per_cell(), per_cell(values), per_cell(values * values),
                                 per_cell((values >= pass_mark).astype(float)))


def statistics_from_cells(count, total, total_of_squares, passed) -> ItemStats:
    """Item (or section) figures from per-(item, location) sums, e.g. a SQL GROUP BY.

    All arguments are (items × locations) arrays over the answers that count: their number,
    the sum and the sum of squares of their scores **on 0–100**, and the number that pass.
    ``item_statistics`` computes exactly these sums from single answers and calls this.
    """
    count, total = np.asarray(count, float), np.asarray(total, float)
    total_of_squares, passed = np.asarray(total_of_squares, float), np.asarray(passed, float)
    per_part = GroupSummary.from_sums(count.sum(axis=1), total.sum(axis=1), total_of_squares.sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        pass_rate = np.where(per_part.count > 0, passed.sum(axis=1) / per_part.count, np.nan)
        location_mean = np.where(count > 0, total / count, np.nan)
    location_n = count.astype(np.int64)
    between_sd = _between_location_sd(location_n, location_mean)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = np.where(per_part.mean != 0, between_sd / per_part.mean, np.nan)
    bands = classify_funnel(location_mean, location_n, per_part.mean[:, None], per_part.sd[:, None])
    binary = _yes_no_parts(total, total_of_squares)
    if binary.any():
        exact = classify_binomial(np.rint(total[binary] / 100.0), count[binary], per_part.mean[binary, None] / 100.0)
        bands = np.array(bands)
        bands[binary] = exact
        bands = readonly(bands)
    spread_sd, share = _true_spread(count, total, total_of_squares)
    return ItemStats(
        n_answers=per_part.count,
        mean_score=per_part.mean,
        pass_rate=readonly(pass_rate),
        answer_sd=readonly(per_part.sd),
        n_locations=readonly((location_n > 0).sum(axis=1)),
        between_location_sd=readonly(between_sd),
        cv=readonly(cv),
        spread_sd=readonly(spread_sd),
        location_share=readonly(share),
        location_n=readonly(location_n),
        location_mean=readonly(location_mean),
        location_band=bands,
    )


def _yes_no_parts(total: np.ndarray, squares: np.ndarray) -> np.ndarray:
    """Which parts have only answers of 0 or 100 (yes/no questions): for scores in 0–100,
    Σx² = 100·Σx exactly when every x is 0 or 100."""
    total, squares = total.sum(axis=1), squares.sum(axis=1)
    return (total > 0) & np.isclose(squares, 100.0 * total, rtol=1e-9, atol=1e-6)


def _true_spread(count: np.ndarray, total: np.ndarray, squares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row: √σ²_between and ICC(1) from the one-way ANOVA by location (NaN if undefined)."""
    spread, share = np.full(len(count), np.nan), np.full(len(count), np.nan)
    for row in range(len(count)):
        anova = one_way_anova(GroupSummary.from_sums(count[row], total[row], squares[row]))
        if anova.df_between > 0 and anova.df_within > 0:
            between = max(0.0, (anova.ms_between - anova.ms_within) / anova.n0)
            spread[row] = np.sqrt(between)
            share[row] = icc_from_anova(anova).value  # clipped at 0; NaN when every answer is equal
    return spread, share


def _between_location_sd(location_n: np.ndarray, location_mean: np.ndarray) -> np.ndarray:
    """Sample SD (ddof=1) across the locations with data, per row; NaN with < 2 locations."""
    has_data = location_n > 0
    k = has_data.sum(axis=1)
    means = np.where(has_data, location_mean, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = means.sum(axis=1) / k
        squares = np.where(has_data, (means - centre[:, None]) ** 2, 0.0).sum(axis=1)
        return np.where(k >= 2, np.sqrt(squares / np.maximum(k - 1, 1)), np.nan)
