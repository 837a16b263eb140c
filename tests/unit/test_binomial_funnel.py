"""Yes/no questions are judged against the chain by the exact binomial tails: two "no" answers
where the chain passes 2 in 3 are chance (1 time in 9), not a branch below the 95 % limits."""
from __future__ import annotations

import numpy as np
from scipy import stats as scipy_stats

from audit.stats import item_statistics
from audit.stats.funnel import classify_binomial


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
