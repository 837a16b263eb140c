"""Yes/no questions are judged against the chain by the exact binomial tails: two "no" answers
where the chain passes 2 in 3 are chance (1 time in 9), not a branch below the 95 % limits."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from audit.stats import item_statistics
from audit.stats.funnel import BELOW_95, INSIDE, binomial_funnel_curve, classify_binomial


def test_bands_follow_the_exact_tails():
    rate = 2 / 3
    cases = {(0, 2): "inside", (0, 3): "inside", (0, 4): "below_95", (0, 10): "below_998", (2, 2): "inside",
             (12, 12): "above_95", (20, 20): "above_998"}
    for (passes, n), band in cases.items():
        assert classify_binomial(passes, n, rate).item() == band, (passes, n)
        low = scipy_stats.binom.cdf(passes, n, rate)
        high = scipy_stats.binom.sf(passes - 1, n, rate)
        expected = ("below_998" if low < 0.001 else "below_95" if low < 0.025 else
                    "above_998" if high < 0.001 else "above_95" if high < 0.025 else "inside")
        assert band == expected
    assert classify_binomial(0, 0, rate).item() == "no_data"
    assert classify_binomial(3, 5, 1.0).item() == "inside"  # nothing to compare with


def test_a_yes_no_question_with_two_failures_is_not_an_outlier():
    # 104 branches: 100 pass 3 of 4 answers, four answered twice and failed both times (chain
    # rate 0.735; chance gives two failures 7 times in 100).
    scores, items, locations = [], [], []
    for branch in range(104):
        answers = [0.0, 0.0] if branch < 4 else [1.0, 1.0, 1.0, 0.0]
        scores += answers
        items += [0] * len(answers)
        locations += [branch] * len(answers)
    result = item_statistics(np.array(scores), np.array(items), np.array(locations))
    assert set(result.location_band[0, :4]) == {"inside"}  # the normal approximation said below_95


def test_scale_questions_keep_the_normal_limits():
    rng = np.random.default_rng(2)
    scores = np.round(rng.uniform(0, 1, 300), 2)
    scores[:5] = 0.05  # one branch far below on a 0–1 scale question
    locations = np.repeat(np.arange(60), 5)
    result = item_statistics(scores, np.zeros(300, int), locations)
    assert result.location_band[0, 0] == "below_998"


def test_the_lower_limits_at_five_answers_of_a_question_asked_only_sometimes():
    """The complaint follow-up of the demo chain (asked only when the scenario is a complaint): a
    chain pass rate of 59.9 %, at most 5 answers at a branch. A review read its lower limits at n = 5
    (20 % for 95 %, 0 % for 99.8 %) as odd; by hand they are the exact binomial ones the dots are
    classified by: P(0 of 5) = 0.401⁵ = 1.04 % < 2.5 % (below the 95 % limit, but not below 0.1 %),
    P(≤ 1 of 5) = 8.8 % (inside). The normal approximation would put them at 16.9 % and −9.6 %."""
    rate, n = 0.599, 5
    p_none = (1 - rate) ** n
    p_one = n * rate * (1 - rate) ** (n - 1)
    assert 0.001 < p_none < 0.025 < p_none + p_one
    curve = binomial_funnel_curve(rate, 5)
    assert curve.lower_95[4] == pytest.approx(20.0) and curve.lower_998[4] == pytest.approx(0.0)
    assert list(classify_binomial([0, 1], [5, 5], rate)) == [BELOW_95, INSIDE]
    # With 4 answers none is already below: P(0 of 4) = 0.401⁴ = 2.6 % ≥ 2.5 %.
    assert curve.lower_95[3] == pytest.approx(0.0) and classify_binomial(0, 4, rate) == INSIDE
