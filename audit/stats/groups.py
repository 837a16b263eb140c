"""Per-group summaries (count, mean, within-group sum of squares) and the one-way ANOVA.

A :class:`GroupSummary` is what every other module starts from. Build it either from raw
scores (:func:`summarise_groups`) or straight from SQL aggregates
(:meth:`GroupSummary.from_sums` takes ``COUNT``, ``SUM`` and ``SUM(x*x)`` per group), so the
database layer never has to send one row per visit when it does not need to.

Standard deviations use ``ddof=1`` (the sample SD) throughout the package.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import StatsInputError, check_same_length, group_count, index_array, readonly, score_array


@dataclass(frozen=True, eq=False)
class GroupSummary:
    """Count, mean and within-group sum of squared deviations for each group code.

    ``mean`` is NaN for a group without data; ``within_ss`` is 0 for groups of 0 or 1.
    """

    count: np.ndarray
    mean: np.ndarray
    within_ss: np.ndarray

    @classmethod
    def from_sums(cls, count, total, total_of_squares) -> GroupSummary:
        """From SQL aggregates per group: ``COUNT(x)``, ``SUM(x)``, ``SUM(x * x)``."""
        count = _count_array(count, "count")
        total = score_array(total, "total")
        squares = score_array(total_of_squares, "total_of_squares")
        check_same_length(count=count, total=total, total_of_squares=squares)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(count > 0, total / count, np.nan)
            # Σx² − (Σx)²/n can dip below 0 by rounding when all values are equal.
            within = np.where(count > 1, np.maximum(squares - total * total / count, 0.0), 0.0)
        return cls(readonly(count), readonly(mean), readonly(within))

    @classmethod
    def from_moments(cls, count, mean, sd) -> GroupSummary:
        """From count, mean and sample SD (``ddof=1``) per group; SD may be NaN when n < 2."""
        count = _count_array(count, "count")
        mean = score_array(mean, "mean")
        sd = score_array(sd, "sd")
        check_same_length(count=count, mean=mean, sd=sd)
        within = np.where(count > 1, np.nan_to_num(sd) ** 2 * (count - 1), 0.0)
        return cls(readonly(count), readonly(np.where(count > 0, mean, np.nan)), readonly(within))

    @property
    def n_groups(self) -> int:
        return len(self.count)

    @property
    def has_data(self) -> np.ndarray:
        """True for groups with at least one value."""
        return self.count > 0

    @property
    def total_count(self) -> int:
        return int(self.count.sum())

    @property
    def grand_mean(self) -> float:
        """Mean over all values (each value weighs the same, not each group)."""
        n = self.total_count
        return float(np.sum(self.count * np.nan_to_num(self.mean)) / n) if n else float("nan")

    @property
    def between_ss(self) -> float:
        """Σ n_j (mean_j − grand mean)²."""
        if not self.total_count:
            return float("nan")
        deviations = np.nan_to_num(self.mean) - self.grand_mean
        return float(np.sum(self.count * deviations ** 2))

    @property
    def total_ss(self) -> float:
        return float(self.within_ss.sum()) + self.between_ss

    @property
    def total_sd(self) -> float:
        """Sample SD of all values pooled together (the chain SD when groups are locations)."""
        n = self.total_count
        return float(np.sqrt(self.total_ss / (n - 1))) if n > 1 else float("nan")

    @property
    def sd(self) -> np.ndarray:
        """Sample SD within each group; NaN for groups of fewer than 2."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.count > 1, np.sqrt(self.within_ss / (self.count - 1)), np.nan)


def summarise_groups(values, group_index, n_groups: int | None = None) -> GroupSummary:
    """Summarise ``values`` by ``group_index``; NaN values are left out.

    ``n_groups`` keeps trailing groups without data (e.g. locations not visited yet).
    """
    return summarise_named(values, group_index, n_groups, "values", "group_index", "n_groups")


def summarise_named(values, group_index, n_groups: int | None, values_name: str, index_name: str,
                    size_name: str) -> GroupSummary:
    """:func:`summarise_groups` with the caller's argument names in error messages."""
    values = score_array(values, values_name)
    group_index = index_array(group_index, index_name)
    check_same_length(**{values_name: values, index_name: group_index})
    size = group_count(group_index, n_groups, size_name)
    group_index = index_array(group_index, index_name, size, size_name)
    keep = ~np.isnan(values)
    values, group_index = values[keep], group_index[keep]
    count = np.bincount(group_index, minlength=size)
    total = np.bincount(group_index, weights=values, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    # Two passes (deviations from the group mean) rather than Σx² − (Σx)²/n: no cancellation.
    deviations = values - mean[group_index]
    within = np.bincount(group_index, weights=deviations * deviations, minlength=size)
    return GroupSummary(readonly(count), readonly(mean), readonly(within))


@dataclass(frozen=True)
class OneWayAnova:
    """One-way ANOVA table over the groups with data, plus the adjusted group size n₀."""

    n_total: int
    n_groups: int
    ss_between: float
    ss_within: float
    df_between: int
    df_within: int
    ms_between: float
    ms_within: float
    f_statistic: float
    p_value: float
    #: (N − Σn_j²/N) / (k − 1): the "average" group size of unbalanced data (= n when balanced).
    n0: float


def one_way_anova(summary: GroupSummary) -> OneWayAnova:
    """The one-way ANOVA of a :class:`GroupSummary`; groups without data are ignored.

    Mean squares are NaN when their degrees of freedom are 0 (one group, or one value per group).
    """
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py
    count = summary.count[summary.has_data]
    n, k = int(count.sum()), len(count)
    df_between, df_within = k - 1, n - k
    ss_between = summary.between_ss if n else float("nan")
    ss_within = float(summary.within_ss.sum()) if n else float("nan")
    nan = float("nan")
    ms_between = ss_between / df_between if df_between > 0 else nan
    ms_within = ss_within / df_within if df_within > 0 else nan
    with np.errstate(invalid="ignore", divide="ignore"):
        f_statistic = float(np.float64(ms_between) / np.float64(ms_within))
    p_value = float(scipy_stats.f.sf(f_statistic, df_between, df_within)) if np.isfinite(f_statistic) else nan
    n0 = (n - float(np.sum(count.astype(float) ** 2)) / n) / df_between if df_between > 0 else nan
    return OneWayAnova(n, k, ss_between, ss_within, df_between, df_within, ms_between, ms_within,
                       f_statistic, p_value, n0)


def _count_array(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise StatsInputError(f"{name} must be a 1-D array of counts, got shape {array.shape}")
    if array.size and (not np.all(np.isfinite(array.astype(float))) or np.any(array < 0)
                       or np.any(array != np.round(array))):
        raise StatsInputError(f"{name} must hold whole numbers ≥ 0 (COUNT per group)")
    return array.astype(np.int64)
