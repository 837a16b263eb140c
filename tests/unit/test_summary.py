"""The executive summary: one sentence function per finding code, on hand-made statistics."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from audit import create_app
from audit.reports import summary


@pytest.fixture(scope="module")
def babel_app(tmp_path_factory):
    """An app for Babel's locale only; no database is touched."""
    path = tmp_path_factory.mktemp("instance")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                       "INSTANCE_PATH": str(path)})


def location(code: str, region: str, mean: float, funnel: str = "inside", visits: int = 8, **extra) -> dict:
    return {"code": code, "name": f"Branch {code}", "region": region, "mean": mean, "visits": visits,
            "ci_low": mean - 5, "ci_high": mean + 5, "funnel": funnel, "low_data": visits < 3, **extra}


def statistics(findings: list[dict], **extra) -> dict:
    locations = [location("N-1", "North", 91.0), location("N-2", "North", 80.0),
                 location("N-3", "North", 52.0, "below_998"), location("S-1", "South", 49.5, "below_998", visits=2)]
    complaint = {"id": "complaint", "text": "Complaint handling", "outliers": [
        {"location": code, "band": "below_998", "mean": 20.0, "answers": 5} for code in ("N-1", "N-2", "N-3", "S-1")]
        + [{"location": "N-2", "band": "above_95", "mean": 99.0, "answers": 5}]}
    return {
        "visits": 40, "chain": {"mean": 72.25, "sd": 15.0, "locations": 4}, "locations": locations,
        "sections": [{"id": "greeting", "text": "Greeting", "outliers": []}, complaint],
        "items": [{"id": "smile", "text": "Did they smile?", "outliers": []}],
        "repeat_failures": [{"location": "N-1", "item": "smile", "failures": 2, "of": 3},
                            {"location": "S-1", "item": "smile", "failures": 3, "of": 3}],
        "consistency": {"icc_location": 0.2, "icc_location_adjusted": 0.25, "findings": findings,
                        "auditor_p_value": 0.001,
                        "auditors": [{"name": "Ana Lenient", "offset": 20.04, "visits": 60},
                                     {"name": "Bo Average", "offset": 1.0, "visits": 50},
                                     {"name": "Cy Strict", "offset": -6.0, "visits": 30},
                                     {"name": "Di Onevisit", "offset": 18.7, "visits": 1}],
                        "variance": {"location": 40.0, "auditor": 10.0, "residual": 100.0}},
        **extra,
    }


def finding(code: str, **params) -> dict:
    return {"code": code, "params": params, "message": "", "severity": "warning"}


def sentences(app, stats: dict, lang: str = "en") -> list[str]:
    """The sentences as read (without the invisible word joiners that keep intervals on one line)."""
    with app.test_request_context(), force_locale(lang):
        return [s.replace("\u2060", "") for s in summary.executive_summary(stats)]


def test_each_finding_becomes_a_sentence_with_names_and_regions(babel_app):
    stats = statistics([
        finding("auditors_explain_more_than_locations", auditor_share=0.3, location_share=0.1),
        finding("design_not_connected", n_components=2),
        finding("locations_below_998", count=2, locations=[2, 3]),
        finding("least_consistent_section", section=1, cv=0.4, between_location_sd=20.0, mean_score=60.0,
                spread_sd=17.5, location_share=0.25),
        finding("repeat_failures", count=2, pairs=[[0, 0], [0, 3]], last_n=3, min_failures=2),
        finding("low_data_locations", count=1, locations=[3], min_visits=3),
    ])
    text = sentences(babel_app, stats)
    # 72.25 rounds half up, as Excel shows it (half to even printed 72.2 beside Excel's 72.3)
    assert text[0] == "40 approved visits at 4 branches; the chain scores 72.3 of 100 on average."
    # S-1 has too few visits to be named, and the sentence says so (the ranking beside it ends with S-1)
    assert text[2].startswith("Among the branches with at least 3 visits: the best branch is Branch N-1 (N-1) with "
                              "91.0 (95% interval 86.0–96.0, 8 visits). The lowest is Branch N-3 (N-3) with 52.0")
    assert ("the auditors account for 30%, the branches for 10% and visit-to-visit variation for 60% "
            "(the branches' 10% of all is 14% of what is left without the auditors): "
            "the auditors differ more than the branches") in text[3]
    assert "2 groups of branches and auditors that never overlap" in text[4]
    assert text[5] == ("Auditor Ana Lenient scores 20.0 points above the average auditor (60 visits); "
                       "branches this auditor visits look better than they are.")
    assert text[6].startswith("Auditor Cy Strict scores 6.0 points below the average auditor (30 visits)")
    assert "Bo Average" not in " ".join(text)  # within 5 points of the average
    # 18.7 points from one visit is within chance (2 × residual SD 10 / √1 = 20 points)
    assert "Di Onevisit" not in " ".join(text)
    assert text[7] == ("2 branches are below the 99.8% control limit of the chain, which chance alone would hardly "
                       "explain: Branch S-1 (S-1) and Branch N-3 (N-3).")  # lowest first
    assert text[8] == ("“Complaint handling” is the least consistent section: 4 branches are below the 99.8% limit, "
                       "3 of them in North. Its branches' true means spread by 17.5 points around a chain mean of 60.0, "
                       "the noise of few visits removed; 25% of the variation in its answers lies between branches.")
    assert "most often “Did they smile?” (2 branches)" in text[9]
    assert text[10].startswith("1 branch has fewer than 3 visits; read its figures with caution: Branch S-1 (S-1).")


def test_declines_name_the_branches_and_their_change(babel_app):
    stats = statistics([finding("significant_declines", count=1, locations=[1], alpha=0.05)])
    stats["locations"][1]["change"] = {"difference": -12.34, "p_value": 0.01, "significant": True}
    stats["locations"][0]["change"] = {"difference": 3.0, "p_value": 0.5, "significant": False}
    assert ("1 branch scores significantly worse than in the previous period of the same length: "
            "Branch N-2 (N-2) −12.3.") in sentences(babel_app, stats)


def test_numbers_follow_the_language_and_long_lists_are_cut(babel_app):
    stats = statistics([finding("locations_below_998", count=7, locations=[])])
    stats["locations"] = [location(f"B-{n}", "North", 40.0 + n, "below_998") for n in range(7)]
    stats["chain"]["locations"] = 7
    text = sentences(babel_app, stats, "lt")
    assert "72,3" in text[0]
    assert "Branch B-0 (B-0), Branch B-1 (B-1), Branch B-2 (B-2), Branch B-3 (B-3), Branch B-4 (B-4) ir dar 2" \
        in " ".join(text)  # "and 2 more" in Lithuanian


def test_no_visits(babel_app):
    assert sentences(babel_app, {"visits": 0, "chain": None}) == ["No approved visits match these filters."]


@pytest.mark.parametrize("lang, visits, auditor", [("en", "60,113", "(1,157 "), ("lt", "60\xa0113", "(1\xa0157 "),
                                                   ("ru", "60\xa0113", "(1\xa0157 ")])
def test_large_counts_are_grouped_as_the_language_writes_them(babel_app, lang, visits, auditor):
    stats = statistics([])
    stats["visits"] = 60113
    stats["consistency"]["auditors"][0]["visits"] = 1157
    text = sentences(babel_app, stats, lang)
    assert visits in text[0] and "60113" not in text[0]
    assert auditor in text[3]  # Ana Lenient's sentence, with the plural form that follows 1157


@pytest.mark.parametrize("lang, shown", [("en", "60,113 · 7"), ("lv", "60\xa0113 · 7"), ("ru", "60\xa0113 · 7")])
def test_templates_print_counts_with_the_same_grouping(babel_app, lang, shown):
    """The dashboard and the PDFs print visit counts with the ``count`` filter."""
    from flask import render_template_string

    with babel_app.test_request_context(), force_locale(lang):
        assert render_template_string("{{ 60113|count }} · {{ 7|count }}") == shown


def test_a_region_or_scenario_filter_makes_the_sentences_speak_of_the_chosen_visits(babel_app):
    """Under a region filter the mean and the control limits are the region's: "the chain scores"
    and "the control limit of the chain" were read as the whole chain's."""
    stats = statistics([finding("locations_below_998", count=2, locations=[2, 3]),
                        finding("least_consistent_section", section=1, cv=0.4, between_location_sd=20.0,
                                mean_score=60.0, spread_sd=17.5, location_share=0.25)],
                       filters={"region": "North", "since": None})
    text = sentences(babel_app, stats)
    assert text[0].startswith("40 approved visits at 4 branches; these visits score 72.3 of 100 on average. "
                              "The mean and the control limits below are those of the chosen visits")
    assert any(s.startswith("2 branches are below the 99.8% control limit of the chosen visits") for s in text)
    assert "of the chain" not in " ".join(text) and "chain mean" not in " ".join(text)
    period_only = sentences(babel_app, statistics([], filters={"since": "2026-09-01", "region": None}))
    assert "the chain scores 72.3" in period_only[0]


def test_repeat_failures_name_a_question_only_when_one_stands_out(babel_app):
    tied = statistics([finding("repeat_failures", count=2, pairs=[], last_n=3, min_failures=2)])
    tied["repeat_failures"] = [{"location": "N-1", "item": "smile", "failures": 2, "of": 3},
                               {"location": "S-1", "item": "greet", "failures": 3, "of": 3}]
    text = " ".join(sentences(babel_app, tied))
    assert "In 2 cases a question was failed at least 2 times in a branch's last 3 visits." in text
    assert "most often" not in text


def test_no_branch_is_named_best_from_single_visits(babel_app):
    stats = statistics([], locations=[location("S-1", "North", 100.0, visits=1),
                                      location("S-2", "North", 60.0, visits=2),
                                      location("S-3", "South", 0.0, visits=1)])
    text = " ".join(sentences(babel_app, stats))
    assert "No branch is named best or lowest: fewer than two branches have at least 3 visits." in text
    assert "best branch" not in text and "S-1" not in text


def test_a_share_between_branches_from_few_repeated_visits_is_read_with_caution(babel_app):
    few = statistics([], locations=[location(f"F-{n}", "North", 50.0 + n, visits=2 if n < 4 else 1)
                                    for n in range(76)])
    text = " ".join(sentences(babel_app, few))
    assert "but only 4 branches have two visits or more: too few to say how consistent" in text
    many = statistics([], locations=[location(f"M-{n}", "North", 50.0 + n, visits=5) for n in range(4)])
    assert "too few to say" not in " ".join(sentences(babel_app, many))


def test_no_branch_is_crowned_when_all_are_within_the_limits(babel_app):
    """Three salons, all inside the funnel: "the best branch is …" named noise."""
    stats = statistics([], locations=[location("R-1", "Rīga", 85.9, visits=8), location("R-2", "Rīga", 71.0, visits=8),
                                      location("J-1", "Jūrmala", 63.8, visits=8)])
    text = " ".join(sentences(babel_app, stats))
    assert ("No branch differs from the chain by more than chance (all are within the 95% limits), so none is "
            "named best or lowest; their means range from 63.8 to 85.9.") in text
    assert "best branch is" not in text


def test_the_branch_share_without_auditors_is_the_same_figure_in_both_sentences(babel_app):
    """The overview's "19 % of what is left once the auditors' strictness is taken out" stood beside
    "the branches for 15 %" of the three-way split: both are right (the split divides by all the
    variance, auditors included), and the split now also gives the first figure, so they agree."""
    # σ² location 43.0, auditor 83.9, residual 187.2 (the demo chain's whole period)
    location, auditor, residual = 43.0, 83.9, 187.2
    total = location + auditor + residual
    stats = statistics([finding("auditors_explain_more_than_locations", auditor_share=auditor / total,
                                location_share=location / total)])
    stats["consistency"].update(icc_location=0.23, icc_location_adjusted=location / (location + residual))
    text = sentences(babel_app, stats)
    assert "23% of the differences between visit scores lie between branches (19% of what is left" in text[1]
    split = next(t for t in text if t.startswith("Splitting all the differences"))
    assert "the branches for 14%" in split and "is 19% of what is left without the auditors" in split
    assert "составляют 19\xa0% того, что остаётся без аудиторов" in " ".join(sentences(babel_app, stats, "ru"))


def test_an_adjusted_share_of_zero_is_said_in_words_beside_a_branch_beyond_the_limits(babel_app):
    """"6 % … (0 % of what is left once the auditors' strictness is taken out)" beside a branch below the
    99.8 % limit read as "no differences between branches": the sentence says what the 0 % means, and
    that the limits compare the scores as given."""
    stats = statistics([finding("locations_below_998", count=2, locations=[2, 3])])
    stats["consistency"].update(icc_location=0.06, icc_location_adjusted=0.0)
    text = sentences(babel_app, stats)
    assert text[1] == ("6% of the differences between visit scores lie between branches. Once the auditors' "
                       "different strictness is taken out, the branches taken together differ no more than chance "
                       "makes in these visits (0% of what is left lies between branches). The control limits compare "
                       "each branch's scores as they were given, auditors included, so a single branch can still lie "
                       "beyond them.")
    assert any("below the 99.8% control limit" in t for t in text)
    for lang in ("ru", "lt", "lv"):
        translated = sentences(babel_app, stats, lang)[1]
        assert "Once the auditors" not in translated and ("0\xa0%" in translated or "0%" in translated)


def test_no_auditor_is_named_lenient_when_the_auditors_differ_within_chance(babel_app):
    """The leniency card said "no auditor is shown to score more strictly or more leniently than the
    others" (p ≥ 0.05) while the summary said "Auditor X scores 23.9 points above the average
    auditor; branches this auditor visits look better than they are"."""
    stats = statistics([])
    for p_value in (0.08, None):
        stats["consistency"]["auditor_p_value"] = p_value
        assert not any("average auditor" in t for t in sentences(babel_app, stats))
    stats["consistency"]["auditor_p_value"] = 0.01
    assert any(t.startswith("Auditor Ana Lenient scores 20.0 points above") for t in sentences(babel_app, stats))
