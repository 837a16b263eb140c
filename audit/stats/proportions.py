"""Intervals for one question's result at each location.

A yes/no question's location mean is a pass rate: with the few answers a branch gives in a
quarter (3 of 4 passed), the usual ``mean ± t·sd/√n`` runs past 0–100 or collapses to a
single point when every answer agrees. The Wilson score interval stays inside 0–1 and is
honest about small counts (Wilson 1927; Agresti & Coull 1998 recommend it for n < 40).
Other questions (scales, bands, choices) get the t-interval with the question's pooled spread
within branches (as the branch ranking's intervals, :func:`pooled_confidence_interval`), clipped
to 0–100: a branch whose few answers all agree has no spread of its own, and its own SD gave
intervals of zero width ("100.0–100.0" from seven answers).
"""
from __future__ import annotations

import numpy as np

from .funnel import Z_95
from .groups import GroupSummary, one_way_anova
from .locations import pooled_confidence_interval


def wilson_interval(passes, n, z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """95 % Wilson score interval of ``passes`` out of ``n`` per group, as fractions; NaN where n = 0."""
    passes, n = np.asarray(passes, float), np.asarray(n, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = passes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    empty = n <= 0
    return np.where(empty, np.nan, np.clip(centre - half, 0, 1)), np.where(empty, np.nan, np.clip(centre + half, 0, 1))


def score_interval(count, total, squares, passes, yes_no: bool) -> tuple[np.ndarray, np.ndarray]:
    """95 % interval of each location's mean on 0–100 from its answers' sums (scores on 0–100).

    ``yes_no``: every answer is 0 or 100, so the mean is 100 × the pass rate and the Wilson
    interval is used; otherwise the pooled t-interval, clipped to 0–100 (NaN everywhere when no
    branch has any spread within it to go by).
    """
    count, total, squares = (np.asarray(a, float) for a in (count, total, squares))
    if yes_no:
        low, high = wilson_interval(passes, count)
        return low * 100, high * 100
    summary = GroupSummary.from_sums(count, total, squares)
    anova = one_way_anova(summary)
    if not (np.isfinite(anova.ms_within) and anova.ms_within > 0 and anova.df_within > 0):
        nothing = np.full(len(count), np.nan)
        return nothing, nothing.copy()
    low, high = pooled_confidence_interval(count, summary.mean, anova.ms_within, anova.df_within)
    return np.clip(low, 0, 100), np.clip(high, 0, 100)
