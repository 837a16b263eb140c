"""Per-location figures checked by hand and against scipy: summaries, CI, ranks, z, periods."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from audit.stats import (
    GroupSummary, StatsInputError, compare_periods, location_statistics, location_statistics_from_summary,
    percentile_ranks, summarise_groups,
)

# Four locations; location 3 has no visit, the NaN visit (nothing applied) is left out.
#   location 0: 70, 80, 90  → n 3, mean 80, SD 10
#   location 1: 60          → n 1, mean 60, SD —
#   location 2: 50, 70      → n 2, mean 60, SD √200 = 14.142
# Chain: 70 80 90 60 50 70 → mean 420/6 = 70; deviations 0 10 20 −10 −20 0 → SS 1000, SD √200.
SCORES = np.array([70, 80, 90, 60, 50, 70, np.nan])
LOCATIONS = np.array([0, 0, 0, 1, 2, 2, 1])


@pytest.fixture
def stats():
    return location_statistics(SCORES, LOCATIONS, n_locations=4)


def test_counts_means_and_sd(stats):
    assert stats.n_visits.tolist() == [3, 1, 2, 0]
    assert stats.mean[:3] == pytest.approx([80, 60, 60])
    assert math.isnan(stats.mean[3])
    assert stats.sd[0] == pytest.approx(10)
    assert math.isnan(stats.sd[1]) and math.isnan(stats.sd[3])  # SD needs 2 visits
    assert stats.sd[2] == pytest.approx(np.std([50, 70], ddof=1))
    assert stats.chain_mean == pytest.approx(70)
    assert stats.chain_sd == pytest.approx(math.sqrt(200))


def test_confidence_interval_uses_the_chain_s_within_location_spread(stats):
    """Within-location sums of squares 200 (80: 70, 80, 90) and 200 (50, 70) over 6 − 3 = 3
    degrees of freedom: s_w² = 400 / 3, t(0.975, 3) = 3.182446."""
    s_w = math.sqrt(400 / 3)
    for location, (n, mean) in {0: (3, 80), 1: (1, 60), 2: (2, 60)}.items():
        low, high = scipy_stats.t.interval(0.95, 3, loc=mean, scale=s_w / math.sqrt(n))
        assert (stats.ci_low[location], stats.ci_high[location]) == pytest.approx((low, high))
    # By hand: 3.182446 · 11.547 / √3 = 21.216 → 58.784 … 101.216.
    assert stats.ci_low[0] == pytest.approx(58.784, abs=1e-3)
    # One visit has an interval too (the chain's spread, not its own): 60 ± 36.75.
    assert stats.ci_high[1] - stats.ci_low[1] == pytest.approx(2 * 3.182446 * s_w, abs=1e-3)
    assert math.isnan(stats.ci_low[3])  # no visits


def test_two_equal_visits_do_not_make_a_zero_width_interval():
    """A branch visited twice, 100 both times, was "100.0–100.0" (its own SD is 0)."""
    figures = location_statistics([100.0, 100.0, 60.0, 80.0, 70.0, 90.0], [0, 0, 1, 1, 2, 2], 3)
    assert figures.ci_high[0] - figures.ci_low[0] > 20


def test_without_any_spread_within_branches_there_is_no_interval():
    figures = location_statistics([80.0, 60.0], [0, 1], 2)  # no branch with two visits
    assert math.isnan(figures.ci_low[0]) and math.isnan(figures.ci_high[1])
    # Only identical repeats: the spread within branches is 0, which is no estimate of it either
    # (every interval was mean ± 0, one-visit branches included).
    figures = location_statistics([100.0, 100.0, 70.0, 85.0, 90.0], [0, 0, 1, 2, 3], 4)
    assert all(math.isnan(v) for v in figures.ci_low)



def test_z_scores_against_the_chain(stats):
    # (mean − 70) / (√200 / √n): 10/8.165 = 1.2247; −10/14.142 = −0.7071; −10/10 = −1.
    assert stats.z_score[:3] == pytest.approx([1.2247449, -0.7071068, -1.0])
    assert math.isnan(stats.z_score[3])


def test_percentile_ranks_beat_share_of_other_locations(stats):
    # Means 80, 60, 60: 80 beats both others → 100; the 60s beat nobody, tie each other → 25.
    assert stats.percentile_rank[:3] == pytest.approx([100, 25, 25])
    assert math.isnan(stats.percentile_rank[3])
    means = np.array([3.0, 1.0, 4.0, 1.0, 5.0, np.nan, 9.0, 2.0])
    finite = np.isfinite(means)
    expected = 100 * (scipy_stats.rankdata(means[finite]) - 1) / (finite.sum() - 1)
    assert percentile_ranks(means)[finite] == pytest.approx(expected)
    assert math.isnan(percentile_ranks([50.0])[0])  # one location: nothing to rank against


def test_low_data_flag_below_three_visits(stats):
    assert stats.low_data.tolist() == [False, True, True, True]


def test_records_are_plain_values_with_none_for_nan(stats):
    rows = stats.records()
    assert len(rows) == 4
    assert rows[3]["ci_low"] is None and rows[1]["sd"] is None
    assert rows[3]["mean"] is None and rows[3]["funnel_band"] == "no_data"
    assert isinstance(rows[0]["n_visits"], int) and isinstance(rows[0]["mean"], float)
    assert isinstance(rows[0]["low_data"], bool)


def test_results_are_read_only(stats):
    with pytest.raises(ValueError):
        stats.mean[0] = 0


def test_summary_from_sql_sums_matches_raw_scores():
    rng = np.random.default_rng(3)
    scores = rng.uniform(40, 100, 200)
    locations = rng.integers(0, 12, 200)
    raw = summarise_groups(scores, locations, 13)
    count = np.bincount(locations, minlength=13)
    total = np.bincount(locations, weights=scores, minlength=13)
    squares = np.bincount(locations, weights=scores ** 2, minlength=13)
    from_sums = GroupSummary.from_sums(count, total, squares)
    assert from_sums.count.tolist() == raw.count.tolist()
    assert from_sums.mean[:12] == pytest.approx(raw.mean[:12])
    assert from_sums.within_ss == pytest.approx(raw.within_ss)
    assert from_sums.total_sd == pytest.approx(np.std(scores, ddof=1))
    moments = GroupSummary.from_moments(raw.count, raw.mean, raw.sd)
    assert moments.within_ss == pytest.approx(raw.within_ss)
    direct = location_statistics(scores, locations, 13)
    via_sums = location_statistics_from_summary(from_sums)
    assert via_sums.z_score[:12] == pytest.approx(direct.z_score[:12])
    assert via_sums.shrunk_mean[:12] == pytest.approx(direct.shrunk_mean[:12])


def test_period_change_is_welch_t_test():
    rng = np.random.default_rng(7)
    now = {0: rng.normal(80, 5, 6), 1: rng.normal(70, 8, 4), 2: [75.0], 3: rng.normal(60, 5, 5)}
    before = {0: rng.normal(70, 9, 5), 1: rng.normal(71, 3, 7), 2: [60.0, 65.0, 70.0], 3: []}

    def summary(period):
        scores = np.concatenate([np.asarray(v, float) for v in period.values()])
        codes = np.concatenate([[k] * len(v) for k, v in period.items()]).astype(int)
        return summarise_groups(scores, codes, 4)

    change = compare_periods(summary(now), summary(before))
    for location in (0, 1):
        expected = scipy_stats.ttest_ind(now[location], before[location], equal_var=False)
        assert change.t_statistic[location] == pytest.approx(expected.statistic)
        assert change.p_value[location] == pytest.approx(expected.pvalue)
        assert change.difference[location] == pytest.approx(np.mean(now[location]) - np.mean(before[location]))
    assert change.tested.tolist() == [True, True, False, False]
    assert change.difference[2] == pytest.approx(75 - 65)  # a difference, but one visit now: no test
    assert math.isnan(change.difference[3])  # no visits before
    rows = change.records()
    assert rows[2]["significant"] is None and rows[3]["significant"] is None
    assert rows[0]["significant"] is bool(change.significant[0])
    # Two locations tested: Benjamini–Hochberg by hand — the larger p stays, the smaller is
    # doubled unless the larger is smaller still.
    p = [scipy_stats.ttest_ind(now[k], before[k], equal_var=False).pvalue for k in (0, 1)]
    low, high = sorted(p)
    by_hand = {low: min(2 * low, high), high: high}
    for location in (0, 1):
        assert change.q_value[location] == pytest.approx(by_hand[p[location]])
        assert change.significant[location] == (by_hand[p[location]] <= 0.05)


def test_a_chain_of_unchanged_branches_announces_no_change_however_many_it_tests():
    """300 branches with the same true score in both periods: testing each at p < 0.05 named
    about 15 of them as changed; the false discovery rate names none (or almost none)."""
    rng = np.random.default_rng(11)
    branches = 300
    codes = np.repeat(np.arange(branches), 4)

    def period():
        return summarise_groups(rng.normal(75, 10, codes.size), codes, branches)

    change = compare_periods(period(), period())
    assert change.tested.all()
    assert (change.p_value < 0.05).sum() >= 5  # what the uncorrected test would have said
    assert change.significant.sum() <= 1


def test_bad_input_gets_a_message_naming_the_argument():
    with pytest.raises(StatsInputError, match="lengths differ"):
        location_statistics([1.0, 2.0], [0])
    with pytest.raises(StatsInputError, match="location_index.*negative"):
        location_statistics([1.0], [-1])
    with pytest.raises(StatsInputError, match="integer codes"):
        location_statistics([1.0], [0.5])
    with pytest.raises(StatsInputError, match="location_index holds the code 5 but n_locations is 2"):
        location_statistics([1.0], [5], n_locations=2)
    with pytest.raises(StatsInputError, match="same locations"):
        compare_periods(summarise_groups([1.0], [0], 1), summarise_groups([1.0], [0], 2))
