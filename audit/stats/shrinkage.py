"""Empirical-Bayes shrunk location means (normal–normal model), shown beside the raw mean.

Model: a location's true mean θ_j ~ N(μ, τ²); its visit scores ~ N(θ_j, σ²_w). Given n_j
visits, the posterior mean of θ_j is

    shrunk_j = μ + B_j (mean_j − μ),   B_j = τ² / (τ² + σ²_w / n_j).

A location with few visits is pulled strongly towards the chain; one with many visits keeps
almost its raw mean. Estimates:

* μ = the chain mean over all visits (each visit weighs the same), the centre the funnel
  plot uses too;
* σ²_w = MSW, the pooled within-location variance of the one-way ANOVA;
* τ² = max(0, (MSB − MSW) / n₀), the ANOVA (method-of-moments) estimator with the
  adjusted group size n₀ of unbalanced data.

These are the same variance components as ICC(1) = τ² / (τ² + σ²_w), so the shrinkage and
the consistency figure never disagree about how much locations differ. When τ² = 0 every
location shrinks to the chain mean: the data give no evidence that locations differ.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import readonly
from .groups import GroupSummary, one_way_anova


@dataclass(frozen=True, eq=False)
class ShrunkMeans:
    """Shrunk means and weights B_j per location (NaN where a location has no visits)."""

    shrunk_mean: np.ndarray
    #: B_j in [0, 1]: the share of the raw deviation from the chain mean that is kept.
    weight: np.ndarray
    chain_mean: float
    #: τ², between-location variance of true means (clipped at 0).
    between_variance: float
    #: σ²_w, within-location variance of single visits (MSW).
    within_variance: float


def between_location_variance(summary: GroupSummary) -> tuple[float, float]:
    """(τ², σ²_w) by the one-way ANOVA method of moments; τ² is clipped at 0.

    Both are NaN when they cannot be estimated (fewer than 2 locations with data, or no
    location with 2 visits).
    """
    anova = one_way_anova(summary)
    if not (np.isfinite(anova.ms_between) and np.isfinite(anova.ms_within)):
        return float("nan"), float(anova.ms_within)
    return max(0.0, (anova.ms_between - anova.ms_within) / anova.n0), anova.ms_within


def shrink_location_means(summary: GroupSummary) -> ShrunkMeans:
    """Empirical-Bayes means for each location of ``summary`` (see the module docstring)."""
    tau2, sigma2 = between_location_variance(summary)
    chain_mean = summary.grand_mean
    count = summary.count
    with np.errstate(invalid="ignore", divide="ignore"):
        if tau2 == 0.0:
            weight = np.where(count > 0, 0.0, np.nan)
        else:
            weight = np.where(count > 0, tau2 / (tau2 + sigma2 / count), np.nan)
        shrunk = chain_mean + weight * (summary.mean - chain_mean)
    return ShrunkMeans(readonly(shrunk), readonly(weight), chain_mean, tau2, sigma2)
