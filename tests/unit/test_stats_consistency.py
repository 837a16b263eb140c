"""ICC(1), the additive location + auditor model, variance components and the design check.

Checked against the Shrout & Fleiss (1979) table, hand-worked ANOVAs, scipy's f_oneway,
numpy's lstsq on a full dummy design and explicit projection matrices (Henderson III).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from audit.stats import (
    chain_consistency, design_connectivity, fit_additive_model, location_icc, one_way_anova, summarise_groups,
    variance_components,
)

# Shrout & Fleiss (1979), 6 targets (rows = locations) × 4 judges (columns = auditors).
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)


def crossed(table: np.ndarray):
    """One visit per cell: (scores, location codes, auditor codes)."""
    rows, columns = np.indices(table.shape)
    return table.ravel(), rows.ravel(), columns.ravel()


def test_shrout_fleiss_worked_example():
    # Row sums 24 12 26 16 30 19, column sums 46 15 26 40, total 127, Σy² = 841.
    # CF = 127²/24 = 672.0417; SS_total = 168.9583.
    # SS_rows = 2913/4 − CF = 56.2083 → BMS = 11.2417 (df 5)
    # SS_within = 168.9583 − 56.2083 = 112.75 → WMS = 6.2639 (df 18)
    # SS_cols = 4617/6 − CF = 97.4583 → JMS = 32.4861 (df 3)
    # SS_error = 168.9583 − 56.2083 − 97.4583 = 15.2917 → EMS = 1.0194 (df 15)
    # ICC(1,1) = (11.2417 − 6.2639)/(11.2417 + 3·6.2639) = 0.1657
    # ICC(3,1) = (11.2417 − 1.0194)/(11.2417 + 3·1.0194) = 0.7148
    result = chain_consistency(*crossed(SHROUT_FLEISS))
    assert result.anova.ms_between == pytest.approx(11.241667, abs=1e-6)
    assert result.anova.ms_within == pytest.approx(6.263889, abs=1e-6)
    assert result.fit.residual_variance == pytest.approx(1.019444, abs=1e-6)
    assert round(result.icc1.value, 2) == 0.17
    assert round(result.adjusted_icc.value, 2) == 0.71
    assert result.icc1.value == pytest.approx(0.165742, abs=1e-6)
    assert result.adjusted_icc.value == pytest.approx(0.714841, abs=1e-6)
    # Variance components: judges (32.4861 − 1.0194)/6 = 5.2444; targets (11.2417 − 1.0194)/4 = 2.5556.
    assert result.variance.auditor == pytest.approx(5.244444, abs=1e-6)
    assert result.variance.location == pytest.approx(2.555556, abs=1e-6)
    assert result.variance.auditors_explain_more


def test_icc1_on_unbalanced_groups_against_f_oneway_and_n0():
    groups = [[1, 3], [4, 5, 6], [2, 4, 6, 8, 10]]
    scores = np.concatenate(groups).astype(float)
    locations = np.repeat([0, 1, 2], [2, 3, 5])
    # N = 10, Σn² = 4 + 9 + 25 = 38 → n₀ = (10 − 38/10)/2 = 3.1.
    # Means 2, 5, 6; grand 4.9. SSB = 2·2.9² + 3·0.1² + 5·1.1² = 22.9 → MSB 11.45.
    # SSW = 2 + 2 + 40 = 44 → MSW 44/7 = 6.285714.
    # ICC(1) = (11.45 − 6.285714)/(11.45 + 2.1·6.285714) = 5.164286/24.65 = 0.209504.
    anova = one_way_anova(summarise_groups(scores, locations))
    assert anova.n0 == pytest.approx(3.1)
    assert anova.ms_between == pytest.approx(11.45)
    assert anova.ms_within == pytest.approx(44 / 7)
    reference = scipy_stats.f_oneway(*[np.array(g, float) for g in groups])
    assert anova.f_statistic == pytest.approx(reference.statistic)
    assert anova.p_value == pytest.approx(reference.pvalue)
    icc = location_icc(scores, locations)
    assert icc.value == pytest.approx(0.209504, abs=1e-6)
    f = reference.statistic
    assert icc.value == pytest.approx((f - 1) / (f + anova.n0 - 1))


def test_negative_icc1_is_clipped_but_kept_raw():
    # Locations with identical means and spread inside: MSB = 0 < MSW.
    icc = location_icc([40, 80, 40, 80], [0, 0, 1, 1])
    assert icc.value == 0
    assert icc.raw == pytest.approx((0 - 800) / (0 + (2 - 1) * 800))  # −1


def test_adjusted_icc_is_icc31_on_a_balanced_crossed_design():
    rng = np.random.default_rng(2)
    n, k = 7, 5  # locations × auditors
    table = 70 + rng.normal(0, 6, (n, 1)) + rng.normal(0, 4, (1, k)) + rng.normal(0, 5, (n, k))
    grand = table.mean()
    row_means, column_means = table.mean(axis=1), table.mean(axis=0)
    ms_rows = k * np.sum((row_means - grand) ** 2) / (n - 1)
    ms_columns = n * np.sum((column_means - grand) ** 2) / (k - 1)
    ms_error = np.sum((table - row_means[:, None] - column_means[None, :] + grand) ** 2) / ((n - 1) * (k - 1))
    icc31 = (ms_rows - ms_error) / (ms_rows + (k - 1) * ms_error)
    result = chain_consistency(*crossed(table))
    assert result.adjusted_icc.raw == pytest.approx(icc31)
    assert result.fit.residual_variance == pytest.approx(ms_error)
    assert result.variance.location_raw == pytest.approx((ms_rows - ms_error) / k)
    assert result.variance.auditor_raw == pytest.approx((ms_columns - ms_error) / n)
    # Balanced: fitted effects are the row and column means' deviations from the grand mean.
    assert result.fit.auditor_offset == pytest.approx(column_means - grand)
    assert result.fit.location_effect == pytest.approx(row_means - grand)


def unbalanced_example(seed=4, n_visits=40, n_locations=6, n_auditors=4):
    rng = np.random.default_rng(seed)
    locations = np.concatenate([np.arange(n_locations), rng.integers(0, n_locations, n_visits - n_locations)])
    auditors = np.concatenate([np.arange(n_locations) % n_auditors, rng.integers(0, n_auditors, n_visits - n_locations)])
    scores = 70 + rng.normal(0, 5, n_locations)[locations] + rng.normal(0, 5, n_auditors)[auditors] \
        + rng.normal(0, 4, n_visits)
    return scores, locations, auditors


def dummies(codes, size):
    return (codes[:, None] == np.arange(size)[None, :]).astype(float)


def test_additive_model_matches_lstsq_on_the_full_dummy_design():
    scores, locations, auditors = unbalanced_example()
    design = np.hstack([np.ones((len(scores), 1)), dummies(locations, 6), dummies(auditors, 4)])
    coefficients = np.linalg.lstsq(design, scores, rcond=None)[0]
    fitted = design @ coefficients
    fit = fit_additive_model(scores, locations, auditors)
    assert fit.fitted(locations, auditors) == pytest.approx(fitted)
    assert fit.residual_ss == pytest.approx(np.sum((scores - fitted) ** 2))
    assert fit.residual_df == len(scores) - np.linalg.matrix_rank(design)  # 40 − 9
    # Auditor coefficients centred so that their visit-weighted mean is 0.
    auditor_visits = np.bincount(auditors)
    auditor_coefficients = coefficients[7:]
    average_auditor = auditor_visits @ auditor_coefficients / len(scores)
    assert fit.auditor_offset == pytest.approx(auditor_coefficients - average_auditor)
    assert np.sum(fit.auditor_visits * fit.auditor_offset) == pytest.approx(0, abs=1e-9)
    # Adjusted location mean = prediction for that location with an average auditor.
    adjusted = coefficients[0] + coefficients[1:7] + average_auditor
    assert fit.adjusted_location_mean == pytest.approx(adjusted)
    assert fit.grand_mean == pytest.approx(scores.mean())


def test_variance_components_match_henderson_three_with_projections():
    scores, locations, auditors = unbalanced_example(seed=9, n_visits=60, n_locations=8, n_auditors=5)
    n = len(scores)
    z_locations, z_auditors = dummies(locations, 8), dummies(auditors, 5)
    full = np.hstack([z_locations, z_auditors])

    def projection(x):
        return x @ np.linalg.pinv(x)

    def rank(x):
        return np.linalg.matrix_rank(x)

    p_full, p_locations, p_auditors = projection(full), projection(z_locations), projection(z_auditors)
    mse = scores @ (np.eye(n) - p_full) @ scores / (n - rank(full))
    location = (scores @ (p_full - p_auditors) @ scores - (rank(full) - rank(z_auditors)) * mse) \
        / np.trace(z_locations.T @ (np.eye(n) - p_auditors) @ z_locations)
    auditor = (scores @ (p_full - p_locations) @ scores - (rank(full) - rank(z_locations)) * mse) \
        / np.trace(z_auditors.T @ (np.eye(n) - p_locations) @ z_auditors)
    components = variance_components(scores, locations, auditors)
    assert components.residual == pytest.approx(mse)
    assert components.location_raw == pytest.approx(location)
    assert components.auditor_raw == pytest.approx(auditor)


def test_one_auditor_gives_back_icc1():
    rng = np.random.default_rng(1)
    locations = rng.integers(0, 10, 50)
    scores = 60 + rng.normal(0, 8, 10)[locations] + rng.normal(0, 6, 50)
    result = chain_consistency(scores, locations, np.zeros(50, int))
    assert result.adjusted_icc.raw == pytest.approx(result.icc1.raw)
    assert math.isnan(result.variance.auditor)
    assert not result.variance.auditors_explain_more


def test_disconnected_design_is_detected():
    # Auditors 0 and 1 share locations 0 and 1; auditor 2 alone visits locations 2 and 3.
    locations = np.array([0, 0, 1, 1, 2, 3, 3])
    auditors = np.array([0, 1, 0, 1, 2, 2, 2])
    design = design_connectivity(locations, auditors, n_locations=5, n_auditors=4)
    assert not design.connected
    assert design.n_components == 2
    assert design.location_component.tolist() == [0, 0, 1, 1, -1]  # location 4 and auditor 3: no visits
    assert design.auditor_component.tolist() == [0, 0, 1, -1]
    scores = np.array([70, 60, 80, 72, 50, 55, 58], float)
    fit = fit_additive_model(scores, locations, auditors, n_locations=5, n_auditors=4)
    # Offsets are centred within each part; auditor 2 alone in its part gets 0.
    assert fit.auditor_offset[2] == pytest.approx(0)
    assert fit.auditor_offset[:2] @ fit.auditor_visits[:2] == pytest.approx(0, abs=1e-9)
    assert math.isnan(fit.auditor_offset[3]) and math.isnan(fit.location_effect[4])
    assert fit.fitted(locations, auditors) == pytest.approx(
        np.linalg.lstsq(np.hstack([dummies(locations, 4), dummies(auditors, 3)]), scores, rcond=None)[0]
        @ np.hstack([dummies(locations, 4), dummies(auditors, 3)]).T
    )
    assert design_connectivity([0, 1, 1], [0, 0, 1]).connected


def test_nan_visit_scores_are_left_out():
    scores, locations, auditors = unbalanced_example()
    with_gap = chain_consistency(np.append(scores, np.nan), np.append(locations, 0), np.append(auditors, 0))
    without = chain_consistency(scores, locations, auditors)
    assert with_gap.n_visits == len(scores)
    assert with_gap.icc1.raw == pytest.approx(without.icc1.raw)
    assert with_gap.adjusted_icc.raw == pytest.approx(without.adjusted_icc.raw)
