"""An auditor against the others at the same branches: the estimate and its standard error are
those of an ordinary least-squares fit with a dummy per branch and one for the auditor (numpy),
and the p-value that of its t-test."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from audit.stats.calibration import same_branch_difference


def _answers(rng, branches: int):
    """Per answer: branch, whether this auditor gave it, score (yes/no as 0/100 or a scale)."""
    rows = []
    for b in range(branches):
        for own in (True, False):
            k = rng.integers(0 if b % 4 == 3 else 1, 6)  # every fourth branch may lack one side
            rows += [(b, own, float(v)) for v in rng.choice([0, 25, 50, 75, 100], size=k)]
    return np.array(rows, dtype=float)


def _sums(rows, branches: int, own: bool):
    chosen = rows[rows[:, 1] == own]
    b = chosen[:, 0].astype(int)
    return (np.bincount(b, minlength=branches), np.bincount(b, chosen[:, 2], branches),
            np.bincount(b, chosen[:, 2] ** 2, branches))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_difference_is_the_least_squares_auditor_effect_with_its_standard_error(seed):
    rng = np.random.default_rng(seed)
    branches = 9
    rows = _answers(rng, branches)
    present = sorted(set(rows[:, 0].astype(int)))
    design = np.column_stack([(rows[:, 0] == b).astype(float) for b in present] + [rows[:, 1]])
    coef, residual, rank, _ = np.linalg.lstsq(design, rows[:, 2], rcond=None)
    df = len(rows) - rank
    sigma2 = float(residual[0]) / df
    se = np.sqrt(sigma2 * np.linalg.inv(design.T @ design)[-1, -1])
    p = 2 * scipy_stats.t.sf(abs(coef[-1] / se), df)

    result = same_branch_difference(*_sums(rows, branches, True), *_sums(rows, branches, False))
    assert result.difference[0] == pytest.approx(coef[-1])
    assert result.standard_error[0] == pytest.approx(se)
    assert result.p_value[0] == pytest.approx(p)
    assert result.degrees_of_freedom[0] == df


def test_a_worked_example_with_one_branch_per_side_count():
    # Branch 0: own 100, 100 vs others 0, 100 (gap 50, weight 1); branch 1: own 0 vs others 100,
    # 100, 100 (gap −100, weight 3/4). d = (50 − 75) / 1.75.
    own = ([2, 1], [200, 0], [20_000, 0])
    other = ([2, 3], [100, 300], [10_000, 30_000])
    result = same_branch_difference(*own, *other)
    assert result.difference[0] == pytest.approx(-25 / 1.75)
    assert result.branches[0] == 2 and result.own_answers[0] == 3 and result.other_answers[0] == 5


def test_no_shared_branch_gives_no_difference():
    result = same_branch_difference([[3, 0]], [[300, 0]], [[30_000, 0]], [[0, 4]], [[0, 200]], [[0, 20_000]])
    assert np.isnan(result.difference[0]) and np.isnan(result.p_value[0]) and result.branches[0] == 0
    assert result.own_answers[0] == 0 and result.other_answers[0] == 0  # nothing compared


def test_counts_and_means_are_those_of_the_branches_compared():
    # Branch 1 has only the auditor's answers: it is not compared, nor counted beside the difference.
    result = same_branch_difference([[2, 5]], [[200, 0]], [[20_000, 0]], [[2, 0]], [[100, 0]], [[10_000, 0]])
    assert result.branches[0] == 1 and result.own_answers[0] == 2 and result.other_answers[0] == 2
    assert result.own_mean[0] == 100 and result.other_mean[0] == 50 and result.difference[0] == 50


def test_benjamini_hochberg_over_the_questions():
    own_n, other_n = np.full((5, 4), 10.0), np.full((5, 4), 30.0)
    own_mean = np.array([[50.0] * 4, [52] * 4, [80] * 4, [49] * 4, [51] * 4])
    sd = 20.0
    own = (own_n, own_n * own_mean, own_n * (own_mean ** 2 + sd ** 2 * (own_n - 1) / own_n))
    other = (other_n, other_n * 50.0, other_n * (50.0 ** 2 + sd ** 2 * (other_n - 1) / other_n))
    result = same_branch_difference(*own, *other)
    expected = scipy_stats.false_discovery_control(result.p_value, method="bh")
    assert list(result.q_value) == pytest.approx(list(expected))
    assert list(result.significant) == [False, False, True, False, False]
