"""Plain-language findings, and a simulated chain where the truth is known."""
from __future__ import annotations

import numpy as np
import pytest

from audit.stats import (
    chain_consistency, collect_findings, compare_periods, consistency_findings, item_findings, item_statistics,
    location_findings, location_statistics, repeat_failures, summarise_groups,
)
from audit.stats.findings import (
    AUDITORS_EXPLAIN_MORE, CONSISTENCY_NOT_ESTIMABLE, DESIGN_NOT_CONNECTED, LEAST_CONSISTENT_ITEM,
    LEAST_CONSISTENT_SECTION, LOCATIONS_ABOVE_998, LOCATIONS_BELOW_998, LOW_DATA_LOCATIONS, REPEAT_FAILURES,
    SIGNIFICANT_DECLINES, WARNING,
)


def simulated_chain(location_sd: float, auditor_sd: float, seed: int = 20240601):
    """60 locations × 8 auditors, 10 visits per location by auditors drawn at random."""
    rng = np.random.default_rng(seed)
    locations = np.repeat(np.arange(60), 10)
    auditors = rng.integers(0, 8, len(locations))
    true_locations = rng.normal(0, location_sd, 60)
    true_auditors = rng.normal(0, auditor_sd, 8)
    scores = 75 + true_locations[locations] + true_auditors[auditors] + rng.normal(0, 5, len(locations))
    return scores, locations, auditors, true_auditors


def codes(findings):
    return [finding.code for finding in findings]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_simulated_auditor_leniency_is_recovered_and_reported(seed):
    scores, locations, auditors, true_auditors = simulated_chain(location_sd=2, auditor_sd=10, seed=seed)
    result = chain_consistency(scores, locations, auditors)
    assert result.design.connected
    assert np.corrcoef(result.auditor_offset, true_auditors)[0, 1] > 0.9
    assert result.variance.auditor > result.variance.location
    # Removing auditors reveals that little of the remaining variance lies between locations.
    assert result.adjusted_icc.value < 0.5
    assert AUDITORS_EXPLAIN_MORE in codes(consistency_findings(result))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_auditor_finding_when_locations_differ_more(seed):
    scores, locations, auditors, true_auditors = simulated_chain(location_sd=10, auditor_sd=2, seed=seed)
    result = chain_consistency(scores, locations, auditors)
    # Offsets are still recovered, less sharply: true auditor SD 2 vs a standard error of about
    # 5/√75 = 0.6 per offset (over 300 seeds the correlation stayed above 0.7).
    assert np.corrcoef(result.auditor_offset, true_auditors)[0, 1] > 0.6
    assert result.variance.location > result.variance.auditor
    assert result.adjusted_icc.value > 0.6
    assert AUDITORS_EXPLAIN_MORE not in codes(consistency_findings(result))


def test_design_that_cannot_separate_auditors_is_reported():
    # Auditors 0–1 only visit locations 0–1, auditor 2 only locations 2–3 (three rounds of visits).
    scores, locations, auditors = [70, 60, 80, 72, 50, 55, 58, 61], [0, 0, 1, 1, 2, 3, 3, 2], [0, 1, 0, 1, 2, 2, 2, 2]
    result = chain_consistency([s + k for k in (0, 3, -2) for s in scores], locations * 3, auditors * 3)
    found = consistency_findings(result)
    assert DESIGN_NOT_CONNECTED in codes(found)
    finding = found[codes(found).index(DESIGN_NOT_CONNECTED)]
    assert finding.params == {"n_components": 2} and finding.severity == WARNING
    assert "never overlap" in finding.message


def test_a_chain_s_first_few_visits_are_no_design_problem():
    """Two visits by two auditors at two branches never overlap either: with fewer visits than
    any split of auditors and branches needs, there is no alarm about it."""
    result = chain_consistency([70, 60, 80, 72, 50, 55, 58, 61], [0, 0, 1, 1, 2, 3, 3, 2], [0, 1, 0, 1, 2, 2, 2, 2])
    assert not result.design.connected
    assert DESIGN_NOT_CONNECTED not in codes(consistency_findings(result))


def test_too_little_data_for_consistency():
    found = consistency_findings(chain_consistency([70.0, 80.0], [0, 1], [0, 0]))
    assert CONSISTENCY_NOT_ESTIMABLE in codes(found)


def test_locations_beyond_the_998_limits_and_low_data():
    rng = np.random.default_rng(8)
    scores = np.concatenate([rng.normal(75, 6, 300), [30.0] * 8, [99.0] * 30, [70.0]])
    locations = np.concatenate([np.arange(300) % 30, [30] * 8, [31] * 30, [32]])
    labels = [f"Branch {i}" for i in range(33)]
    found = location_findings(location_statistics(scores, locations), labels)
    by_code = {finding.code: finding for finding in found}
    assert by_code[LOCATIONS_BELOW_998].params == {"count": 1, "locations": [30]}
    assert "1 location is below the 99.8% control limit" in by_code[LOCATIONS_BELOW_998].message
    assert "Branch 30" in by_code[LOCATIONS_BELOW_998].message
    assert by_code[LOCATIONS_ABOVE_998].params["locations"] == [31]
    assert by_code[LOW_DATA_LOCATIONS].params["locations"] == [32]


def test_least_consistent_item_by_noise_corrected_spread():
    # Item 0 is the same everywhere; item 1 passes at location 0 and fails at location 1
    # (10 answers at each: 20 per item, the least a spread is judged on).
    scores = [1] * 30 + [0] * 10
    stats = item_statistics(scores, [0] * 20 + [1] * 20, [0] * 10 + [1] * 10 + [0] * 10 + [1] * 10)
    found = item_findings(stats, ["Greeting", "Offers help"])
    assert codes(found) == [LEAST_CONSISTENT_ITEM]
    assert found[0].params["item"] == 1
    # Item 1: MSB = 10·50² + 10·50² = 50000 (df 1), MSW = 0, n₀ = 10 → σ²_between = 5000.
    assert found[0].params["spread_sd"] == pytest.approx(np.sqrt(5000))
    assert found[0].params["location_share"] == pytest.approx(1.0)
    assert found[0].params["cv"] == pytest.approx(np.std([100, 0], ddof=1) / 50)
    assert "Offers help" in found[0].message
    assert codes(item_findings(stats, kind="section")) == [LEAST_CONSISTENT_SECTION]


def test_a_rarely_answered_question_does_not_top_the_list_on_noise():
    rng = np.random.default_rng(7)
    # "Greeting": 2,000 answers at 20 locations whose true pass rates really differ (SD 15 points).
    often_locations = rng.integers(0, 20, 2000)
    true_rate = np.clip(0.7 + rng.normal(0, 0.15, 20), 0, 1)
    often = (rng.random(2000) < true_rate[often_locations]).astype(float)
    # "Complaint follow-up": 40 answers, the same 60 % everywhere – its location means differ by chance.
    rare_locations = rng.integers(0, 20, 40)
    rare = (rng.random(40) < 0.6).astype(float)
    stats = item_statistics(np.r_[often, rare], np.r_[np.zeros(2000, int), np.ones(40, int)],
                            np.r_[often_locations, rare_locations])
    assert stats.between_location_sd[1] > stats.between_location_sd[0]  # the descriptive SD is fooled
    assert stats.spread_sd[0] > stats.spread_sd[1]
    assert stats.spread_sd[0] == pytest.approx(100 * np.std(true_rate, ddof=1), rel=0.25)
    found = item_findings(stats, ["Greeting", "Complaint follow-up"])
    assert found[0].params["item"] == 0 and "Greeting" in found[0].message


def test_no_least_consistent_item_from_a_handful_of_answers():
    """Five visits made a question "the least consistent, 100 % between branches"."""
    stats = item_statistics([1, 1, 0, 0, 1], [0] * 5, [0, 0, 1, 1, 2])
    assert stats.spread_sd[0] > 0 and item_findings(stats) == []


def test_no_least_consistent_item_when_nothing_varies_beyond_noise():
    stats = item_statistics([1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 1, 1])  # both locations 50 %
    assert stats.spread_sd[0] == 0
    assert item_findings(stats) == []


def test_collect_findings_puts_warnings_first():
    scores, locations, auditors, _ = simulated_chain(location_sd=2, auditor_sd=10)
    consistency = chain_consistency(scores, locations, auditors)
    items = item_statistics([1, 1, 0, 0.25] * 5, [0] * 20, [0, 0, 1, 1] * 5)
    repeat = repeat_failures([0, 0, 1], [0, 0, 0], [0, 0, 0], [1, 2, 3], [1, 2, 3])
    now = summarise_groups([40, 42, 41], [0, 0, 0], 1)
    before = summarise_groups([80, 82, 81], [0, 0, 0], 1)
    found = collect_findings(consistency=consistency, items=items, repeat=repeat,
                             period_change=compare_periods(now, before), location_labels=["Centre"])
    assert {AUDITORS_EXPLAIN_MORE, REPEAT_FAILURES, SIGNIFICANT_DECLINES, LEAST_CONSISTENT_ITEM} <= set(codes(found))
    severities = [finding.severity for finding in found]
    assert severities == sorted(severities, key=lambda severity: severity != WARNING)
    decline = next(finding for finding in found if finding.code == SIGNIFICANT_DECLINES)
    assert "Centre" in decline.message and decline.params["locations"] == [0]
    repeat_finding = next(finding for finding in found if finding.code == REPEAT_FAILURES)
    assert repeat_finding.params["pairs"] == [[0, 0]]


def test_no_auditor_split_is_claimed_from_a_handful_of_visits_or_a_disconnected_design():
    """Nine visits once "showed" auditors explaining 24 % of the variance; a design whose auditors
    never meet cannot separate them at all."""
    scores, locations, auditors, _ = simulated_chain(location_sd=2, auditor_sd=10)
    few = chain_consistency(scores[:12], locations[:12], auditors[:12])
    assert few.n_visits < 20 and AUDITORS_EXPLAIN_MORE not in codes(consistency_findings(few))
    apart = chain_consistency([70, 60, 80, 72, 50, 55, 58, 61] * 4, [0, 0, 1, 1, 2, 3, 3, 2] * 4,
                              [0, 1, 0, 1, 2, 2, 2, 2] * 4)
    assert not apart.design.connected
    assert AUDITORS_EXPLAIN_MORE not in codes(consistency_findings(apart))
