"""Per-item and per-section figures and repeat failures, worked by hand; NaN answers excluded."""
from __future__ import annotations

import math

import numpy as np
import pytest

from audit.stats import (
    BELOW_998, INSIDE, StatsInputError, item_statistics, repeat_failures, section_statistics,
)

nan = np.nan
# (item, location, score). Item 0: location 0 → 1, 0, N/A; location 1 → 1, 1; location 2 → 0.
# Item 1: location 0 → 0.75, 0.25; location 1 → N/A, N/A; location 2 → 0.5.
ROWS = [(0, 0, 1), (0, 0, 0), (0, 0, nan), (0, 1, 1), (0, 1, 1), (0, 2, 0),
        (1, 0, 0.75), (1, 0, 0.25), (1, 1, nan), (1, 1, nan), (1, 2, 0.5)]
ITEMS, LOCATIONS, SCORES = (np.array(column) for column in zip(*ROWS))


@pytest.fixture
def items():
    return item_statistics(SCORES, ITEMS.astype(int), LOCATIONS.astype(int))


def test_chain_mean_and_pass_rate_exclude_na(items):
    # Item 0: answers 1 0 1 1 0 → mean 0.6 → 60; passed 3 of 5 → 0.6.
    # Item 1: answers 0.75 0.25 0.5 → mean 0.5 → 50; ≥ 0.5: 0.75 and 0.5 → 2/3.
    assert items.n_answers.tolist() == [5, 3]
    assert items.mean_score == pytest.approx([60, 50])
    assert items.pass_rate == pytest.approx([0.6, 2 / 3])
    # Item 0 answers ×100: 100 0 100 100 0, deviations from 60: 40 −60 40 40 −60 → SS 12000, /4 → SD 54.77.
    assert items.answer_sd[0] == pytest.approx(math.sqrt(3000))


def test_between_location_spread_uses_locations_with_answers(items):
    # Item 0 location means 50, 100, 0 → SD (ddof 1) √((0 + 2500 + 2500)/2) = 50; CV 50/60.
    # Item 1: location 1 only N/A → left out; means 50 and 50 → SD 0, CV 0.
    assert items.n_locations.tolist() == [3, 2]
    assert items.location_n.tolist() == [[2, 2, 1], [2, 0, 1]]
    assert items.location_mean[0] == pytest.approx([50, 100, 0])
    assert math.isnan(items.location_mean[1, 1])
    assert items.between_location_sd == pytest.approx([50, 0])
    assert items.cv == pytest.approx([50 / 60, 0])
    assert items.location_band[1, 1] == "no_data"


def test_cv_is_nan_when_the_mean_is_zero():
    stats = item_statistics([0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1])
    assert stats.between_location_sd[0] == 0
    assert math.isnan(stats.cv[0])
    assert math.isnan(item_statistics([1.0], [0], [0]).between_location_sd[0])  # one location: no SD


def test_item_funnel_flags_the_location_that_always_fails():
    # 19 locations pass 9 of 10 times, location 19 fails all 10: chain p = 171/200 = 0.855.
    locations = np.repeat(np.arange(20), 10)
    scores = np.tile([1.0] * 9 + [0.0], 20)
    scores[locations == 19] = 0.0
    stats = item_statistics(scores, np.zeros(200, int), locations)
    sigma = np.std(scores * 100, ddof=1)  # √(0.855 · 0.145 · 200/199) · 100 = 35.30
    assert stats.answer_sd[0] == pytest.approx(sigma)
    lower_998 = 85.5 - 3.090232 * sigma / math.sqrt(10)  # 85.5 − 34.49 = 51.0
    assert lower_998 == pytest.approx(51.0, abs=0.05)
    assert stats.location_band[0, 19] == BELOW_998
    assert set(stats.location_band[0, :19].tolist()) == {INSIDE}
    assert stats.deviating_locations(0)["below_998"].tolist() == [19]
    assert stats.pairs_in_band(BELOW_998).tolist() == [[0, 19]]


def test_sections_use_the_0_100_scale_and_pass_at_50():
    # Section 0: location 0 → 80, 40; location 1 → 50, N/A. Mean (80+40+50)/3 = 56.67; passes 80, 50 → 2/3.
    stats = section_statistics([80, 40, 50, nan], [0, 0, 0, 0], [0, 0, 1, 1])
    assert stats.mean_score[0] == pytest.approx(170 / 3)
    assert stats.pass_rate[0] == pytest.approx(2 / 3)
    assert stats.location_mean[0] == pytest.approx([60, 50])
    assert stats.between_location_sd[0] == pytest.approx(np.std([60, 50], ddof=1))


def test_scale_mistakes_are_caught():
    with pytest.raises(StatsInputError, match="section_statistics"):
        item_statistics([57.0], [0], [0])
    with pytest.raises(StatsInputError, match=r"\[0, 100\]"):
        section_statistics([157.0], [0], [0])


def test_records_per_item(items):
    rows = items.records()
    assert rows[1] == {"item": 1, "n_answers": 3, "mean_score": pytest.approx(50), "pass_rate": pytest.approx(2 / 3),
                       "answer_sd": pytest.approx(25), "n_locations": 2, "between_location_sd": 0.0, "cv": 0.0,
                       "spread_sd": 0.0, "location_share": 0.0}


# Repeat failures with the default window of the last 3 visits, 2 failures to flag.
# Rows: (visit id, order, location, item, score).
REPEAT_ROWS = [
    # Location 0, visits 1–4 at t = 1…4; window = visits 2, 3, 4.
    (1, 1, 0, 0, 0), (2, 2, 0, 0, 1), (3, 3, 0, 0, 0), (4, 4, 0, 0, 0),        # item 0: fails 2 (v3, v4) → flag
    (1, 1, 0, 1, 0), (2, 2, 0, 1, 0), (3, 3, 0, 1, 1), (4, 4, 0, 1, 1),        # item 1: v1 out of window → 1
    (2, 2, 0, 2, 0), (3, 3, 0, 2, nan), (4, 4, 0, 2, 0.25),                     # item 2: N/A in v3, fails 2 → flag
    # Location 1: v8 at t = 0 (oldest), v5 and v6 both at t = 1 (tie), v7 at t = 2.
    (8, 0, 1, 0, 0), (5, 1, 1, 0, 0), (6, 1, 1, 0, 0), (7, 2, 1, 0, 1),        # item 0: v5, v6 fail → flag
    (8, 0, 1, 1, 0), (5, 1, 1, 1, 0), (6, 1, 1, 1, 1), (7, 2, 1, 1, 1),        # item 1: only v5 in window → 1
    # Location 2: four visits at the same time; ties broken by id → window v10, v11, v12.
    (9, 5, 2, 0, 0), (10, 5, 2, 0, 0), (11, 5, 2, 0, 1), (12, 5, 2, 0, 1),     # item 0: 1 failure
    # Location 3: the newest visit has only an N/A row but still counts as a visit.
    (13, 1, 3, 0, 0), (14, 2, 3, 0, 0), (15, 3, 3, 0, 1), (16, 4, 3, 0, nan),  # window v14–v16 → 1 failure
]


def test_repeat_failures_in_the_last_three_visits():
    visit, order, location, item, score = (np.array(column) for column in zip(*REPEAT_ROWS))
    result = repeat_failures(score, item.astype(int), location.astype(int), visit, order)
    assert result.failures.tolist() == [
        # location: 0  1  2  3
        [2, 2, 1, 1],  # item 0
        [1, 1, 0, 0],  # item 1
        [2, 0, 0, 0],  # item 2
    ]
    assert result.answers[2, 0] == 2  # N/A in visit 3 is not an answer
    assert result.flagged_pairs() == [(0, 0), (0, 1), (2, 0)]


def test_repeat_failures_window_and_threshold_are_parameters():
    visit, order, location, item, score = (np.array(column) for column in zip(*REPEAT_ROWS))
    wide = repeat_failures(score, item.astype(int), location.astype(int), visit, order, last_n=4)
    assert wide.failures[1, 0] == 2 and wide.flagged[1, 0]  # visit 1 now inside the window
    strict = repeat_failures(score, item.astype(int), location.astype(int), visit, order, min_failures=3)
    assert strict.flagged_pairs() == []


def test_a_visit_with_two_locations_is_rejected():
    with pytest.raises(StatsInputError, match="two different location"):
        repeat_failures([0, 0], [0, 1], [0, 1], [7, 7], [1, 1])


def test_noise_corrected_spread_against_a_hand_worked_anova():
    # One item, three locations: 100 100 0 | 100 0 0 | 0 0 0 (×100). Means 66.7, 33.3, 0; grand 33.3.
    # SSB = 3·(33.3² + 0 + 33.3²) = 6666.7 (df 2) → MSB 3333.3.
    # SSW = 2·(33.3²)+66.7² + 66.7²+2·33.3² + 0 = 13333.3 (df 6) → MSW 2222.2. Balanced: n₀ = 3.
    # σ²_between = (3333.3 − 2222.2)/3 = 370.4 → spread 19.25; share 370.4/(370.4 + 2222.2) = 0.1429.
    stats = item_statistics([1, 1, 0, 1, 0, 0, 0, 0, 0], [0] * 9, [0, 0, 0, 1, 1, 1, 2, 2, 2])
    assert stats.spread_sd[0] == pytest.approx(math.sqrt(10000 / 27))
    assert stats.location_share[0] == pytest.approx(1 / 7)
    assert stats.between_location_sd[0] == pytest.approx(100 / 3)  # the descriptive SD is larger


def test_repeat_failures_from_counts_equal_the_figures_from_single_answers():
    from audit.stats import repeat_failures_from_counts

    # Location 0's last 3 visits are 12, 13, 14 (visit 11 is older); item 0 failed in 12 and 14.
    scores = [0, 0, 1, 0, 1, 0.25, 1]
    items = [0, 0, 0, 0, 1, 1, 1]
    locations = [0, 0, 0, 0, 0, 0, 1]
    visits = [11, 12, 13, 14, 12, 13, 20]
    order = [1, 2, 3, 4, 2, 3, 1]
    direct = repeat_failures(scores, items, locations, visits, order, last_n=3)
    counted = repeat_failures_from_counts(direct.failures, direct.answers, last_n=3)
    assert direct.failures.tolist() == [[2, 0], [1, 0]] and direct.answers.tolist() == [[3, 0], [2, 1]]
    assert counted.flagged_pairs() == direct.flagged_pairs() == [(0, 0)]
    with pytest.raises(StatsInputError, match="between 0 and the number of answers"):
        repeat_failures_from_counts([[3]], [[2]])
