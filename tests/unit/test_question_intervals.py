"""The question page's intervals and funnel limits: Wilson against scipy and a hand-worked case,
and the drawn binomial limits against the exact classification of every possible count."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from audit.stats.funnel import binomial_funnel_curve, classify_binomial
from audit.stats.proportions import score_interval, wilson_interval


def test_wilson_interval_of_8_of_10_as_worked_by_hand():
    # p = 0.8, z² = 3.8416: centre (0.8 + 0.19208) / 1.38416, half 1.96 / 1.38416 · √(0.016 + 0.009604).
    low, high = wilson_interval([8], [10])
    assert low[0] == pytest.approx(0.4902, abs=5e-5) and high[0] == pytest.approx(0.9433, abs=5e-5)


@pytest.mark.parametrize("passes,n", [(0, 1), (0, 5), (5, 5), (1, 6), (17, 40), (99, 100)])
def test_wilson_interval_agrees_with_scipy(passes, n):
    low, high = wilson_interval([passes], [n])
    expected = scipy_stats.binomtest(passes, n).proportion_ci(0.95, method="wilson")
    assert (low[0], high[0]) == (pytest.approx(expected.low, abs=1e-6), pytest.approx(expected.high, abs=1e-6))


def test_no_answers_have_no_interval_and_one_scale_answer_has_none_either():
    low, high = wilson_interval([0], [0])
    assert np.isnan(low[0]) and np.isnan(high[0])
    low, high = score_interval([1], [75.0], [5625.0], [1], yes_no=False)
    assert np.isnan(low[0]) and np.isnan(high[0])


@pytest.mark.parametrize("rate", [0.001, 0.3, 0.5, 0.75, 0.97, 0.999])
def test_binomial_limits_are_where_the_classification_changes(rate):
    curve = binomial_funnel_curve(rate, 60)
    for n in range(1, 61):
        passes = np.arange(n + 1)
        bands = classify_binomial(passes, np.full(n + 1, n), rate)
        shown = passes * 100.0 / n
        for limit, side, beyond in (("lower_95", "below", ("below_95", "below_998")),
                                    ("upper_95", "above", ("above_95", "above_998")),
                                    ("lower_998", "below", ("below_998",)), ("upper_998", "above", ("above_998",))):
            line = getattr(curve, limit)[n - 1]
            outside = shown < line if side == "below" else shown > line
            assert list(outside) == [band in beyond for band in bands], (rate, n, limit)


def test_a_rate_of_0_or_1_leaves_everything_inside():
    for rate in (0.0, 1.0):
        curve = binomial_funnel_curve(rate, 5)
        assert list(curve.lower_998) == [0.0] * 5 and list(curve.upper_998) == [100.0] * 5
