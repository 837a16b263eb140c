"""One auditor against the others at the same branches: where does their scoring differ?

For each question (or the visit score), the answers at the branches the auditor visited are
split into the auditor's own and everyone else's. The difference is estimated by least squares
with a fixed effect per branch and one indicator for "this auditor":

    score = branch_b + d · [this auditor] + error

Its estimate is the weighted mean of the per-branch differences (the auditor's mean minus the
others' mean at that branch), each weighted by w_b = n_own · n_other / (n_own + n_other), so a
branch counts only where both sides answered, and a branch visited once by each counts half as
much as one with many answers. Its standard error is s / √Σw_b with s² the model's residual
variance (within-cell sums of squares plus each branch's deviation from the common d, over
N − branches − 1 degrees of freedom); the two-sided t-test gives a p-value and, across the
questions, Benjamini–Hochberg q-values (false discovery rate 5 %), so that one question in
twenty is not flagged by chance alone.

Everything comes from per-(row, branch) sums for the two sides (a SQL ``GROUP BY``): counts, sums
and sums of squares of the scores on 0–100. Rows are questions (or a single row for visits).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import readonly

FALSE_DISCOVERY_RATE = 0.05


@dataclass(frozen=True, eq=False)
class SameBranchDifference:
    """Per row: the auditor's difference from the others at the same branches (points)."""

    difference: np.ndarray
    standard_error: np.ndarray
    p_value: np.ndarray
    q_value: np.ndarray
    #: Branches where both the auditor and someone else answered (the ones compared); the
    #: answers and means below are over those branches only.
    branches: np.ndarray
    own_answers: np.ndarray
    other_answers: np.ndarray
    own_mean: np.ndarray
    other_mean: np.ndarray
    degrees_of_freedom: np.ndarray

    @property
    def significant(self) -> np.ndarray:
        return np.nan_to_num(self.q_value, nan=1.0) <= FALSE_DISCOVERY_RATE


def same_branch_difference(own_n, own_sum, own_sq, other_n, other_sum, other_sq) -> SameBranchDifference:
    """The fixed-effects difference per row from (rows × branches) sums of the two sides."""
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py

    own_n, own_sum, own_sq, other_n, other_sum, other_sq = (
        np.atleast_2d(np.asarray(a, dtype=np.float64)) for a in (own_n, own_sum, own_sq, other_n, other_sum, other_sq))
    with np.errstate(invalid="ignore", divide="ignore"):
        own_mean = np.where(own_n > 0, own_sum / own_n, 0.0)
        other_mean = np.where(other_n > 0, other_sum / other_n, 0.0)
        both = (own_n > 0) & (other_n > 0)
        weight = np.where(both, own_n * other_n / (own_n + other_n), 0.0)
        total_weight = weight.sum(axis=1)
        gap = own_mean - other_mean
        difference = np.where(total_weight > 0, (weight * gap).sum(axis=1) / total_weight, np.nan)
        within = (np.where(own_n > 0, own_sq - own_n * own_mean ** 2, 0.0)
                  + np.where(other_n > 0, other_sq - other_n * other_mean ** 2, 0.0))
        between = (weight * (gap - np.nan_to_num(difference)[:, None]) ** 2).sum(axis=1)
        answers = own_n.sum(axis=1) + other_n.sum(axis=1)
        branches_with_answers = ((own_n + other_n) > 0).sum(axis=1)
        df = answers - branches_with_answers - 1
        residual = np.clip(within.sum(axis=1) + between, 0, None) / np.where(df > 0, df, np.nan)
        standard_error = np.sqrt(residual / total_weight)
        t = difference / standard_error
    tested = np.isfinite(t) & (df > 0)
    p_value = np.full(len(difference), np.nan)
    p_value[tested] = 2 * scipy_stats.t.sf(np.abs(t[tested]), df[tested])
    # A difference with no spread at all around it (every answer the same on each side) has
    # standard error 0: certain, but a test of it says nothing; it stays untested (NaN).
    q_value = np.full(len(difference), np.nan)
    if tested.any():
        q_value[tested] = scipy_stats.false_discovery_control(p_value[tested], method="bh")
    # The answers and means of the branches compared (both sides answered there), so that the
    # counts and the means read beside the difference are those it rests on.
    with np.errstate(invalid="ignore", divide="ignore"):
        own_total, other_total = np.where(both, own_n, 0).sum(axis=1), np.where(both, other_n, 0).sum(axis=1)
        own_overall = np.where(own_total > 0, np.where(both, own_sum, 0).sum(axis=1) / own_total, np.nan)
        other_overall = np.where(other_total > 0, np.where(both, other_sum, 0).sum(axis=1) / other_total, np.nan)
    return SameBranchDifference(
        difference=readonly(difference), standard_error=readonly(standard_error), p_value=readonly(p_value),
        q_value=readonly(q_value), branches=readonly(both.sum(axis=1)), own_answers=readonly(own_total.astype(np.int64)),
        other_answers=readonly(other_total.astype(np.int64)), own_mean=readonly(own_overall),
        other_mean=readonly(other_overall), degrees_of_freedom=readonly(df.astype(np.int64)),
    )
