"""Visits summarised per (location, auditor) cell give the same consistency figures as the
visits themselves — the database sends ``GROUP BY location, auditor`` sums instead of visits."""
from __future__ import annotations

import numpy as np
import pytest

from audit.stats import (
    StatsInputError, cells_from_sums, cells_from_visits, chain_consistency, consistency_from_cells,
    location_statistics, location_statistics_from_summary,
)


def visits(seed=3, n_visits=400, n_locations=30, n_auditors=7):
    rng = np.random.default_rng(seed)
    locations = rng.integers(0, n_locations, n_visits)
    auditors = rng.integers(0, n_auditors, n_visits)
    scores = np.clip(72 + rng.normal(0, 6, n_locations)[locations] + rng.normal(0, 4, n_auditors)[auditors]
                     + rng.normal(0, 9, n_visits), 0, 100)
    return scores, locations, auditors


def sql_like_sums(scores, locations, auditors):
    """What ``SELECT location, auditor, COUNT(score), SUM(score), SUM(score*score) … GROUP BY`` returns."""
    pairs = sorted(set(zip(locations.tolist(), auditors.tolist())))
    rows = []
    for loc, aud in pairs:
        chosen = scores[(locations == loc) & (auditors == aud)]
        rows.append((loc, aud, len(chosen), chosen.sum(), (chosen * chosen).sum()))
    return [np.array(column) for column in zip(*rows)]


def test_consistency_from_sql_sums_equals_consistency_from_visits():
    scores, locations, auditors = visits()
    from_visits = chain_consistency(scores, locations, auditors, 32, 7)  # two locations never visited
    from_sums = consistency_from_cells(cells_from_sums(*sql_like_sums(scores, locations, auditors), 32, 7))
    assert from_sums.n_visits == from_visits.n_visits == 400
    assert from_sums.icc1.raw == pytest.approx(from_visits.icc1.raw, rel=1e-9)
    assert from_sums.adjusted_icc.raw == pytest.approx(from_visits.adjusted_icc.raw, rel=1e-9)
    assert from_sums.variance.location_raw == pytest.approx(from_visits.variance.location_raw, rel=1e-9)
    assert from_sums.variance.auditor_raw == pytest.approx(from_visits.variance.auditor_raw, rel=1e-9)
    assert from_sums.fit.residual_ss == pytest.approx(from_visits.fit.residual_ss, rel=1e-9)
    assert from_sums.auditor_offset == pytest.approx(from_visits.auditor_offset, rel=1e-9)
    assert np.isnan(from_sums.fit.location_effect[30:]).all()


def test_residual_ss_from_cells_equals_residuals_of_the_fitted_visits():
    scores, locations, auditors = visits(seed=5, n_visits=120, n_locations=10, n_auditors=4)
    result = consistency_from_cells(cells_from_visits(scores, locations, auditors))
    residuals = scores - result.fit.fitted(locations, auditors)
    assert result.fit.residual_ss == pytest.approx(residuals @ residuals, rel=1e-12)


def test_location_figures_from_cells_equal_the_figures_from_visits():
    scores, locations, auditors = visits(seed=8)
    direct = location_statistics(scores, locations, 30)
    pooled = location_statistics_from_summary(cells_from_sums(*sql_like_sums(scores, locations, auditors), 30, 7)
                                              .by_location())
    assert pooled.mean == pytest.approx(direct.mean, rel=1e-12)
    assert pooled.sd == pytest.approx(direct.sd, rel=1e-9)
    assert pooled.chain_sd == pytest.approx(direct.chain_sd, rel=1e-12)
    assert pooled.funnel_band.tolist() == direct.funnel_band.tolist()


def test_nan_scores_and_empty_cells_are_left_out():
    cells = cells_from_visits([70.0, np.nan, 80.0], [0, 1, 0], [0, 0, 1], n_locations=3, n_auditors=2)
    assert cells.n_visits == 2
    assert sorted(zip(cells.location_index.tolist(), cells.auditor_index.tolist())) == [(0, 0), (0, 1)]
    summed = cells_from_sums([0, 1], [0, 0], [2, 0], [150.0, None], [11300.0, None])
    assert summed.n_visits == 2 and summed.by_location().count.tolist() == [2, 0]
    assert summed.by_location().sd[0] == pytest.approx(np.std([70, 80], ddof=1))


def test_a_pair_given_twice_is_refused_with_a_clear_message():
    with pytest.raises(StatsInputError, match="pair must appear once"):
        cells_from_sums([0, 0], [1, 1], [1, 1], [70.0, 80.0], [4900.0, 6400.0])
    with pytest.raises(StatsInputError, match="auditor_index holds the code 3"):
        cells_from_sums([0], [3], [1], [70.0], [4900.0], n_auditors=2)
