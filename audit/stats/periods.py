"""Change of each location's mean score between a previous and the current period.

The difference is current − previous (0–100 points). Significance comes from Welch's t-test
(unequal variances, ``scipy.stats.ttest_ind_from_stats(equal_var=False)``), run only when the
location has at least 2 visits in *both* periods and some spread in at least one of them;
otherwise the location is "not tested" and its ``significant`` entry in :meth:`records`
is ``None``. A chain tests every branch at once, so "significant" is decided on the
Benjamini–Hochberg adjusted p-values (``q_value``, false discovery rate α over the locations
tested): without it about 1 unchanged branch in 20 was announced as significantly worse or
better (15 of 300 in a month of a large chain). The raw ``p_value`` is kept beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import StatsInputError, readonly, records
from .groups import GroupSummary


@dataclass(frozen=True, eq=False)
class PeriodChange:
    """Per-location change; ``difference`` is NaN where a period has no visits."""

    difference: np.ndarray
    t_statistic: np.ndarray
    p_value: np.ndarray
    #: Benjamini–Hochberg adjusted p-values over the tested locations (NaN where not tested).
    q_value: np.ndarray
    #: True where Welch's test could be run (≥ 2 visits in both periods, some spread).
    tested: np.ndarray
    #: True where tested and q ≤ alpha (Benjamini–Hochberg's rule); False otherwise (see ``tested``).
    significant: np.ndarray
    alpha: float

    def records(self) -> list[dict]:
        """One dict per location; ``significant`` is ``None`` where no test was run."""
        rows = records({
            "location": np.arange(len(self.difference)), "difference": self.difference,
            "t_statistic": self.t_statistic, "p_value": self.p_value, "q_value": self.q_value,
            "significant": self.significant,
        })
        for row, tested in zip(rows, self.tested.tolist()):
            if not tested:
                row["significant"] = None
        return rows

    @property
    def improved(self) -> np.ndarray:
        """Codes of locations significantly better than in the previous period."""
        return np.flatnonzero(self.significant & (self.difference > 0))

    @property
    def declined(self) -> np.ndarray:
        """Codes of locations significantly worse than in the previous period."""
        return np.flatnonzero(self.significant & (self.difference < 0))


def compare_periods(current: GroupSummary, previous: GroupSummary, alpha: float = 0.05) -> PeriodChange:
    """Difference and Welch test per location between two summaries over the same locations."""
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py
    if current.n_groups != previous.n_groups:
        raise StatsInputError(
            f"current and previous must cover the same locations: {current.n_groups} vs "
            f"{previous.n_groups} groups; pass n_locations to summarise_groups for both periods"
        )
    if not 0 < alpha < 1:
        raise StatsInputError(f"alpha must lie between 0 and 1, got {alpha}")
    n_now, n_before = current.count, previous.count
    sd_now, sd_before = np.nan_to_num(current.sd), np.nan_to_num(previous.sd)
    difference = current.mean - previous.mean
    tested = (n_now >= 2) & (n_before >= 2) & ((sd_now > 0) | (sd_before > 0))
    t_statistic = np.full(len(difference), np.nan)
    p_value = np.full(len(difference), np.nan)
    q_value = np.full(len(difference), np.nan)
    if tested.any():
        result = scipy_stats.ttest_ind_from_stats(
            current.mean[tested], sd_now[tested], n_now[tested],
            previous.mean[tested], sd_before[tested], n_before[tested], equal_var=False,
        )
        t_statistic[tested] = result.statistic
        p_value[tested] = result.pvalue
        q_value[tested] = scipy_stats.false_discovery_control(p_value[tested], method="bh")
    significant = tested & (np.nan_to_num(q_value, nan=1.0) <= alpha)
    return PeriodChange(readonly(difference), readonly(t_statistic), readonly(p_value), readonly(q_value),
                        readonly(tested), readonly(significant), alpha)
