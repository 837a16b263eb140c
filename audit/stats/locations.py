"""Per-location figures on the 0–100 visit-score scale.

For each location: number of visits, mean, 95% interval of the mean, SD of its visits,
percentile rank, z-score against the chain, funnel band, empirical-Bayes shrunk mean and a
low-data flag. Only approved visits should be passed in; the caller filters.

Definitions (the chain is all visits passed in, each visit weighing the same):

* CI: mean ± t(0.975, N − K) · s_w / √n, with s_w² the chain's within-location variance (the
  one-way ANOVA's mean square within, N visits at K locations): the interval of a group mean in
  the one-way model the funnel, the ICC and the shrinkage use. A branch's own SD made honest
  intervals impossible for the few-visit branches that most need them: two visits of 100 gave
  "100.0–100.0". Without any spread within branches to estimate s_w from (no branch with 2
  visits, or only identical scores): NaN.
* SD: sample SD (``ddof=1``) of the location's visit scores; NaN for n < 2.
* percentile rank: the share of the *other* locations with data whose mean this location
  beats, ties counting half: 100 · (average rank − 1) / (K − 1). The lowest mean gets 0, the
  highest 100. NaN without data, or when fewer than 2 locations have data.
* z-score: (mean − chain mean) / (chain SD / √n), chain SD = SD of all visit scores.
* funnel band and limits: see :mod:`audit.stats.funnel`; shrunk mean: see
  :mod:`audit.stats.shrinkage` (shown beside the raw mean, never instead of it).
* low data: fewer than :data:`LOW_DATA_VISITS` visits (including none).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import readonly, records
from .funnel import FunnelLimits, classify_funnel, funnel_limits
from .groups import GroupSummary, one_way_anova, summarise_named
from .shrinkage import shrink_location_means

#: Locations with fewer visits than this carry a low-data warning.
LOW_DATA_VISITS = 3
CONFIDENCE = 0.95


@dataclass(frozen=True, eq=False)
class LocationStats:
    """Per-location columns (index = location code) plus chain-level figures."""

    n_visits: np.ndarray
    mean: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    sd: np.ndarray
    percentile_rank: np.ndarray
    z_score: np.ndarray
    funnel_band: np.ndarray
    limits: FunnelLimits
    shrunk_mean: np.ndarray
    shrinkage_weight: np.ndarray
    low_data: np.ndarray
    chain_mean: float
    chain_sd: float
    between_location_variance: float
    within_location_variance: float

    def records(self) -> list[dict]:
        """One plain dict per location (``location`` = its code); NaN becomes ``None``."""
        return records({
            "location": np.arange(len(self.n_visits)),
            "n_visits": self.n_visits, "mean": self.mean, "ci_low": self.ci_low,
            "ci_high": self.ci_high, "sd": self.sd, "percentile_rank": self.percentile_rank,
            "z_score": self.z_score, "funnel_band": self.funnel_band,
            "lower_998": self.limits.lower_998, "lower_95": self.limits.lower_95,
            "upper_95": self.limits.upper_95, "upper_998": self.limits.upper_998,
            "shrunk_mean": self.shrunk_mean, "shrinkage_weight": self.shrinkage_weight,
            "low_data": self.low_data,
        })

    def locations_in_band(self, band: str) -> np.ndarray:
        """Codes of the locations in funnel ``band`` (e.g. ``"below_998"``)."""
        return np.flatnonzero(self.funnel_band == band)


def location_statistics(scores, location_index, n_locations: int | None = None) -> LocationStats:
    """Per-location figures from one visit score (0–100) and location code per visit.

    NaN scores (visits where nothing applied) are left out. ``n_locations`` keeps locations
    without visits in the result (their figures are NaN, their band ``"no_data"``).
    """
    summary = summarise_named(scores, location_index, n_locations, "scores", "location_index", "n_locations")
    return location_statistics_from_summary(summary)


def location_statistics_from_summary(summary: GroupSummary) -> LocationStats:
    """Per-location figures from a :class:`GroupSummary` (e.g. built from SQL sums)."""
    n = summary.count
    mean = summary.mean
    sd = summary.sd
    chain_mean, chain_sd = summary.grand_mean, summary.total_sd
    anova = one_way_anova(summary)
    if np.isfinite(anova.ms_within) and anova.ms_within > 0 and anova.df_within > 0:
        ci_low, ci_high = pooled_confidence_interval(n, mean, anova.ms_within, anova.df_within)
    else:  # no spread within any branch to go by: no interval rather than a width of zero
        ci_low = ci_high = np.full(len(n), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z_score = np.where(n > 0, (mean - chain_mean) / (chain_sd / np.sqrt(np.maximum(n, 1))), np.nan)
    shrunk = shrink_location_means(summary)
    return LocationStats(
        n_visits=readonly(n),
        mean=readonly(mean),
        ci_low=readonly(ci_low),
        ci_high=readonly(ci_high),
        sd=readonly(sd),
        percentile_rank=readonly(percentile_ranks(mean)),
        z_score=readonly(z_score),
        funnel_band=classify_funnel(mean, n, chain_mean, chain_sd),
        limits=funnel_limits(chain_mean, chain_sd, n),
        shrunk_mean=shrunk.shrunk_mean,
        shrinkage_weight=shrunk.weight,
        low_data=readonly(n < LOW_DATA_VISITS),
        chain_mean=chain_mean,
        chain_sd=chain_sd,
        between_location_variance=shrunk.between_variance,
        within_location_variance=shrunk.within_variance,
    )


def pooled_confidence_interval(n, mean, ms_within: float, df_within: int,
                               confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """``mean ± t(1 − α/2, df_within) · √(ms_within / n)`` per group; NaN where n = 0."""
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py
    n = np.asarray(n, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        half_width = scipy_stats.t.ppf(0.5 + confidence / 2, df_within) * np.sqrt(ms_within / n)
    half_width = np.where(n > 0, half_width, np.nan)
    return mean - half_width, mean + half_width


def mean_confidence_interval(n, mean, sd, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """t-interval ``mean ± t(1 − α/2, n − 1) · sd / √n`` per group; NaN where n < 2."""
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py
    n = np.asarray(n)
    defined = n > 1
    df = np.where(defined, n - 1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        half_width = scipy_stats.t.ppf(0.5 + confidence / 2, df) * np.asarray(sd) / np.sqrt(np.where(defined, n, 1))
    half_width = np.where(defined, half_width, np.nan)
    return mean - half_width, mean + half_width


def percentile_ranks(means) -> np.ndarray:
    """100 · (average rank − 1) / (K − 1) among the K finite means; NaN elsewhere or if K < 2."""
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py
    means = np.asarray(means, dtype=np.float64)
    ranks = np.full(means.shape, np.nan)
    finite = np.isfinite(means)
    k = int(finite.sum())
    if k >= 2:
        ranks[finite] = 100.0 * (scipy_stats.rankdata(means[finite]) - 1) / (k - 1)
    return ranks
