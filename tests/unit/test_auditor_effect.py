"""Auditors are said to differ more than branches only when they differ beyond chance: the
F-test of auditor effects after locations (checked against numpy's lstsq on a dummy design),
over auditors with at least 3 visits — one auditor's one visit that scored 0 for a critical
failure once made the finding on its own. And nobody is named as lenient on fewer than 5 visits."""
from __future__ import annotations

import numpy as np
import pytest
from flask_babel import force_locale
from scipy import stats as scipy_stats

from audit import create_app
from audit.reports import summary
from audit.stats import chain_consistency, collect_findings
from audit.stats.consistency import auditor_effect_p_value
from audit.stats.cells import cells_from_visits


@pytest.fixture(scope="module")
def babel_app(tmp_path_factory):
    """An app for Babel's locale only; no database is touched."""
    path = tmp_path_factory.mktemp("instance")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
                       "INSTANCE_PATH": str(path)})


def _sse(columns: list[np.ndarray], scores: np.ndarray) -> tuple[float, int]:
    design = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(design, scores, rcond=None)
    residual = scores - design @ coef
    return float(residual @ residual), int(np.linalg.matrix_rank(design))


def _dummies(codes: np.ndarray) -> list[np.ndarray]:
    return [(codes == c).astype(float) for c in np.unique(codes)]


def test_the_p_value_is_the_f_test_of_the_dummy_models():
    rng = np.random.default_rng(5)
    locations = rng.integers(0, 8, 120)
    auditors = rng.integers(0, 5, 120)
    scores = 70 + 4 * locations - 3 * auditors + rng.normal(0, 9, 120)
    sse_locations, rank_locations = _sse(_dummies(locations), scores)
    sse_both, rank_both = _sse(_dummies(locations) + _dummies(auditors)[1:], scores)
    df, df_residual = rank_both - rank_locations, len(scores) - rank_both
    expected = scipy_stats.f.sf((sse_locations - sse_both) / df / (sse_both / df_residual), df, df_residual)
    cells = cells_from_visits(scores, locations, auditors)
    assert auditor_effect_p_value(cells) == pytest.approx(expected, rel=1e-9)


def _thin_chain(rng) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """36 visits at 6 branches by 4 auditors who score alike, plus a fifth auditor's single
    visit that scored 0 (a critical failure)."""
    locations = np.tile(np.arange(6), 6)
    auditors = rng.integers(0, 4, 36)
    scores = np.clip(65 + rng.normal(0, 15, 36), 0, 100)
    return (np.append(scores, 0.0), np.append(locations, 2), np.append(auditors, 4))


def test_one_visit_of_one_auditor_does_not_make_the_auditors_differ():
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(40):
        scores, locations, auditors = _thin_chain(rng)
        result = chain_consistency(scores, locations, auditors)
        codes = {f.code for f in collect_findings(consistency=result)}
        hits += "auditors_explain_more_than_locations" in codes
    # Auditors who score alike: the test at 5 % says so in about 1 chain in 20, whatever the lone visit.
    assert hits <= 5


def test_auditors_who_really_differ_are_still_found():
    rng = np.random.default_rng(3)
    locations = np.tile(np.arange(10), 12)
    auditors = np.repeat(np.arange(6), 20)
    rng.shuffle(auditors)
    leniency = np.array([-15.0, -8.0, 0.0, 4.0, 9.0, 14.0])
    scores = 70 + rng.normal(0, 3, 10)[locations] + leniency[auditors] + rng.normal(0, 8, 120)
    result = chain_consistency(scores, locations, auditors)
    assert result.auditor_p_value < 1e-6
    codes = {f.code for f in collect_findings(consistency=result)}
    assert "auditors_explain_more_than_locations" in codes


def test_an_auditor_is_named_as_strict_only_on_five_visits(babel_app):
    stats = {
        "visits": 60, "filters": {}, "locations": [],
        "chain": {"mean": 70.0, "sd": 15.0, "locations": 6},
        "consistency": {"icc_location": None, "findings": [], "variance": {"residual": 100.0},
                        "auditor_p_value": 0.001,  # the auditors differ beyond chance: they are named
                        "auditors": [{"name": "One Visit", "offset": -71.2, "visits": 1},
                                     {"name": "Four Visits", "offset": -30.0, "visits": 4},
                                     {"name": "Five Visits", "offset": -20.0, "visits": 5}]},
    }
    with babel_app.test_request_context(), force_locale("en"):
        text = " ".join(summary.executive_summary(stats))
    assert "Five Visits scores 20.0 points below" in text
    assert "One Visit" not in text and "Four Visits" not in text
