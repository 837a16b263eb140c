"""Visits summarised per (location, auditor) cell: all the two-factor statistics need.

The additive location + auditor model, ICC(1) and Henderson's method III depend on the
visits only through each cell's visit count, score total and within-cell sum of squares:
the least-squares fit is constant within a cell, so the residual sum of squares splits into
Σ within-cell SS + Σ n_c (cell mean − fitted)². The database can therefore send one row per
(location, auditor) pair from a ``GROUP BY`` (:func:`cells_from_sums`) instead of one row
per visit; :func:`cells_from_visits` builds the same cells from per-visit arrays.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import StatsInputError, check_same_length, group_count, index_array, readonly, score_array
from .groups import GroupSummary


@dataclass(frozen=True, eq=False)
class Cells:
    """One entry per (location, auditor) pair with at least one scored visit."""

    location_index: np.ndarray
    auditor_index: np.ndarray
    count: np.ndarray
    total: np.ndarray
    #: Σ (score − cell mean)² over the cell's visits.
    within_ss: np.ndarray
    n_locations: int
    n_auditors: int

    @property
    def n_visits(self) -> int:
        return int(self.count.sum())

    @property
    def mean(self) -> np.ndarray:
        return self.total / self.count

    def by_location(self) -> GroupSummary:
        """The visits pooled per location (count, mean, within-location SS)."""
        return self._pooled(self.location_index, self.n_locations)

    def by_auditor(self) -> GroupSummary:
        """The visits pooled per auditor."""
        return self._pooled(self.auditor_index, self.n_auditors)

    def _pooled(self, group: np.ndarray, size: int) -> GroupSummary:
        count = np.bincount(group, weights=self.count, minlength=size)
        total = np.bincount(group, weights=self.total, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / count, np.nan)
        # Within a group = within its cells + between its cells' means (no Σx² − (Σx)²/n).
        spread = self.count * (self.mean - mean[group]) ** 2 if len(group) else np.zeros(0)
        within = np.bincount(group, weights=self.within_ss + spread, minlength=size)
        return GroupSummary(readonly(count.astype(np.int64)), readonly(mean), readonly(within))


def cells_from_visits(scores, location_index, auditor_index, n_locations: int | None = None,
                      n_auditors: int | None = None) -> Cells:
    """Cells from one score (NaN = left out), location code and auditor code per visit."""
    scores = score_array(scores, "scores")
    location_index = index_array(location_index, "location_index")
    auditor_index = index_array(auditor_index, "auditor_index")
    check_same_length(scores=scores, location_index=location_index, auditor_index=auditor_index)
    n_locations, n_auditors, location_index, auditor_index = _sized(
        location_index, auditor_index, n_locations, n_auditors)
    keep = ~np.isnan(scores)
    scores, location_index, auditor_index = scores[keep], location_index[keep], auditor_index[keep]
    keys, cell = np.unique(location_index * max(n_auditors, 1) + auditor_index, return_inverse=True)
    count = np.bincount(cell, minlength=len(keys))
    total = np.bincount(cell, weights=scores, minlength=len(keys))
    deviations = scores - (total / np.maximum(count, 1))[cell]
    within = np.bincount(cell, weights=deviations * deviations, minlength=len(keys))
    return _cells(keys // max(n_auditors, 1), keys % max(n_auditors, 1), count, total, within,
                  n_locations, n_auditors)


def cells_from_sums(location_index, auditor_index, count, total, total_of_squares,
                    n_locations: int | None = None, n_auditors: int | None = None) -> Cells:
    """Cells from SQL aggregates per (location, auditor): ``COUNT(score)``, ``SUM(score)``,
    ``SUM(score * score)``. Each pair may appear once; cells with a count of 0 are dropped."""
    location_index = index_array(location_index, "location_index")
    auditor_index = index_array(auditor_index, "auditor_index")
    summary = GroupSummary.from_sums(count, total, total_of_squares)
    check_same_length(location_index=location_index, auditor_index=auditor_index, count=summary.count)
    n_locations, n_auditors, location_index, auditor_index = _sized(
        location_index, auditor_index, n_locations, n_auditors)
    keys = location_index * max(n_auditors, 1) + auditor_index
    if len(np.unique(keys)) != len(keys):
        raise StatsInputError("each (location_index, auditor_index) pair must appear once; GROUP BY both columns")
    keep = summary.count > 0
    return _cells(location_index[keep], auditor_index[keep], summary.count[keep],
                  summary.count[keep] * summary.mean[keep], summary.within_ss[keep], n_locations, n_auditors)


def _sized(location_index, auditor_index, n_locations, n_auditors):
    n_locations = group_count(location_index, n_locations, "n_locations")
    n_auditors = group_count(auditor_index, n_auditors, "n_auditors")
    location_index = index_array(location_index, "location_index", n_locations, "n_locations")
    auditor_index = index_array(auditor_index, "auditor_index", n_auditors, "n_auditors")
    return n_locations, n_auditors, location_index, auditor_index


def _cells(location_index, auditor_index, count, total, within, n_locations, n_auditors) -> Cells:
    return Cells(readonly(location_index.astype(np.int64)), readonly(auditor_index.astype(np.int64)),
                 readonly(count.astype(np.int64)), readonly(np.asarray(total, dtype=float)),
                 readonly(np.asarray(within, dtype=float)), n_locations, n_auditors)
