"""Funnel limits and bands at their edges; empirical-Bayes shrinkage worked by hand."""
from __future__ import annotations

import math

import numpy as np
import pytest

from audit.stats import (
    ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, INSIDE, NO_DATA, classify_funnel, funnel_curve, funnel_limits,
    location_icc, location_statistics, shrink_location_means, summarise_groups,
)


def test_funnel_limits_by_hand():
    # Chain mean 70, σ 10, n 4 → standard error 10/√4 = 5.
    # 95%:   70 ± 1.959964 · 5 = 70 ± 9.79982  → 60.20018 … 79.79982
    # 99.8%: 70 ± 3.090232 · 5 = 70 ± 15.45116 → 54.54884 … 85.45116
    limits = funnel_limits(70, 10, [4])
    assert limits.lower_95[0] == pytest.approx(60.20018)
    assert limits.upper_95[0] == pytest.approx(79.79982)
    assert limits.lower_998[0] == pytest.approx(54.54884)
    assert limits.upper_998[0] == pytest.approx(85.45116)


def test_funnel_classification_at_and_just_beyond_the_limits():
    limits = funnel_limits(70, 10, 4)
    upper_95, upper_998 = float(limits.upper_95), float(limits.upper_998)
    lower_95, lower_998 = float(limits.lower_95), float(limits.lower_998)
    tiny = 1e-9
    means = [70, upper_95, upper_95 + tiny, upper_998, upper_998 + tiny,
             lower_95, lower_95 - tiny, lower_998, lower_998 - tiny]
    bands = classify_funnel(means, 4, 70, 10).tolist()
    # On a limit counts as inside that limit; strictly beyond moves out a band.
    assert bands == [INSIDE, INSIDE, ABOVE_95, ABOVE_95, ABOVE_998,
                     INSIDE, BELOW_95, BELOW_95, BELOW_998]


def test_same_deviation_is_inside_for_few_visits_and_outside_for_many():
    # Mean 80 against chain 70 (σ 10): n 1 → z 1 inside; n 4 → z 2 > 1.96 above 95; n 16 → z 4 above 99.8.
    assert classify_funnel([80, 80, 80], [1, 4, 16], 70, 10).tolist() == [INSIDE, ABOVE_95, ABOVE_998]


def test_no_data_without_visits_or_without_chain_spread():
    assert classify_funnel([np.nan, 70, 70], [0, 0, 3], 70, 10).tolist()[:2] == [NO_DATA, NO_DATA]
    assert classify_funnel([70], [3], 70, np.nan).tolist() == [NO_DATA]


def test_funnel_curve_points_for_drawing():
    curve = funnel_curve(70, 10, 25)
    assert curve.n.tolist() == list(range(1, 26))
    expected_upper = np.minimum(70 + 3.090232 * 10 / np.sqrt(np.arange(1, 26)), 100)
    assert curve.upper_998 == pytest.approx(expected_upper)
    assert curve.lower_95[3] == pytest.approx(60.20018)
    clipped = funnel_curve(95, 20, 2)
    assert clipped.upper_998.max() == 100.0  # 95 + 61.8 clipped to the score scale
    assert funnel_curve(95, 20, 2, bounds=None).upper_998[0] == pytest.approx(95 + 3.090232 * 20)


def test_location_funnel_bands_use_chain_mean_and_visit_sd():
    rng = np.random.default_rng(11)
    scores = np.concatenate([rng.normal(75, 8, 400), [20.0] * 10])
    locations = np.concatenate([np.arange(400) % 40, [40] * 10])
    stats = location_statistics(scores, locations)
    chain_mean, chain_sd = np.mean(scores), np.std(scores, ddof=1)
    assert stats.chain_mean == pytest.approx(chain_mean)
    assert stats.limits.lower_998[40] == pytest.approx(chain_mean - 3.090232 * chain_sd / math.sqrt(10))
    assert stats.funnel_band[40] == BELOW_998
    assert stats.locations_in_band(BELOW_998).tolist() == [40]


# Shrinkage. Same data as the location tests:
#   location 0: 70 80 90 (n 3, mean 80); location 1: 60 (n 1); location 2: 50 70 (n 2, mean 60).
#   Chain mean 70. SSB = 3·10² + 1·10² + 2·10² = 600, df 2 → MSB 300.
#   SSW = 200 + 0 + 200 = 400, df 3 → MSW 133.33.  n₀ = (6 − (9+1+4)/6)/2 = 11/6.
#   τ² = (300 − 133.33) / (11/6) = 1000/11 = 90.909.
#   B_0 = 90.909 / (90.909 + 133.33/3) = 0.671642 → 70 + 6.71642  = 76.71642
#   B_1 = 90.909 / (90.909 + 133.33/1) = 0.405405 → 70 − 4.05405  = 65.94595
#   B_2 = 90.909 / (90.909 + 133.33/2) = 0.576923 → 70 − 5.76923  = 64.23077
SHRINK_SCORES = np.array([70, 80, 90, 60, 50, 70])
SHRINK_LOCATIONS = np.array([0, 0, 0, 1, 2, 2])


def test_shrinkage_by_hand():
    shrunk = shrink_location_means(summarise_groups(SHRINK_SCORES, SHRINK_LOCATIONS, 4))
    assert shrunk.between_variance == pytest.approx(1000 / 11)
    assert shrunk.within_variance == pytest.approx(400 / 3)
    assert shrunk.weight[:3] == pytest.approx([0.671642, 0.405405, 0.576923], abs=1e-6)
    assert shrunk.shrunk_mean[:3] == pytest.approx([76.71642, 65.94595, 64.23077], abs=1e-5)
    assert math.isnan(shrunk.shrunk_mean[3])  # no visits: no estimate, not the chain mean


def test_small_locations_shrink_more_towards_the_chain_mean():
    shrunk = shrink_location_means(summarise_groups(SHRINK_SCORES, SHRINK_LOCATIONS))
    # Locations 1 (n 1) and 2 (n 2) share the raw mean 60; the one with fewer visits moves further.
    assert shrunk.shrunk_mean[1] > shrunk.shrunk_mean[2] > 60
    assert np.all(np.abs(shrunk.shrunk_mean - 70) <= np.abs(np.array([80, 60, 60]) - 70))


def test_no_between_location_variance_shrinks_everything_to_the_chain_mean():
    # Location means 60 and 61 with large visit noise: MSB < MSW → τ² = 0.
    scores = np.array([40, 80, 41, 81])
    shrunk = shrink_location_means(summarise_groups(scores, [0, 0, 1, 1]))
    assert shrunk.between_variance == 0
    assert shrunk.shrunk_mean == pytest.approx([60.5, 60.5])


def test_shrinkage_variances_agree_with_icc1():
    rng = np.random.default_rng(5)
    locations = rng.integers(0, 15, 120)
    scores = 70 + rng.normal(0, 5, 15)[locations] + rng.normal(0, 10, 120)
    shrunk = shrink_location_means(summarise_groups(scores, locations))
    tau2, sigma2 = shrunk.between_variance, shrunk.within_variance
    assert location_icc(scores, locations).value == pytest.approx(tau2 / (tau2 + sigma2))
