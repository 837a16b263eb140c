"""What the auditor page shows, built from one :func:`auditor_statistics` dict: figures formatted
for the current locale, worded as the dashboard words leniency. Plain values only."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ..stats.findings import MIN_SPLIT_VISITS
from ..web.i18n import short_datetime
from .wording import number, signed


def auditor_view(a: dict) -> dict:
    """Everything the page prints for auditor statistics ``a`` (which must have visits)."""
    scores = a["visit_scores"]
    # As the dashboard: no leniency from fewer than MIN_SPLIT_VISITS visits in all.
    offset = a["offset"] if a["chain_visits"] >= MIN_SPLIT_VISITS else None
    return {
        "summary": {"visits": a["visits"], "branches": a["branches"], "regions": a["regions"],
                    "offset": signed(offset), "auditors": a["auditors"]},
        "min_visits": MIN_SPLIT_VISITS,
        "offset_missing": (None if offset is not None
                           else "few" if a["chain_visits"] < MIN_SPLIT_VISITS else "alone"),
        # Leniency is against the average auditor over the whole choice (one very lenient auditor
        # elsewhere moves it), the comparison against the others at these branches: their signs
        # can differ, which reads as a contradiction unless it is said.
        "signs_differ": (offset is not None and scores["difference"] is not None
                         and round(offset, 1) * round(scores["difference"], 1) < 0),
        # Of the same sign, the two still differ ("+20.5 leniency" beside "differ by +24.6 points"):
        # two figures that read as one measured twice, unless each is named.
        "figures_differ": (offset is not None and scores["difference"] is not None
                           and round(offset, 1) * round(scores["difference"], 1) >= 0
                           and signed(offset) != signed(scores["difference"])),
        "visit_scores": _comparison(scores),
        "questions": [{"id": i["id"], "text": i["text"], **_comparison(i)} for i in a["items"]],
        "differing": sum(1 for i in a["items"] if i["significant"]),
        "compared_any": any(i["difference"] is not None for i in a["items"]),
        "latest": [{"visit": v["visit"], "code": v["code"], "name": v["name"], "region": v["region"] or "",
                    "when": short_datetime(datetime.fromisoformat(v["visited_at"]).replace(tzinfo=None)),
                    "score": number(v["score"]), "critical_failed": v["critical_failed"]} for v in a["latest"]],
    }


def _comparison(c: dict) -> dict:
    """The auditor against the others at the same branches, with a 95 % interval of the difference."""
    from scipy import stats as scipy_stats  # on first use: see audit/stats/__init__.py

    interval = "–"
    # No spread at all around the difference (every answer the same): no interval, not "0.0 to 0.0".
    if c["difference"] is not None and c["standard_error"] and c["df"] > 0:
        half = float(scipy_stats.t.ppf(0.975, c["df"])) * c["standard_error"]
        # A difference of scores on 0–100 lies within ±100.
        interval = _("%(low)s to %(high)s", low=signed(max(c["difference"] - half, -100.0)),
                     high=signed(min(c["difference"] + half, 100.0)))
    return {"own": number(c["own_mean"]), "others": number(c["other_mean"]), "own_value": c["own_mean"],
            "others_value": c["other_mean"], "difference": signed(c["difference"]),
            "difference_value": c["difference"], "interval": interval, "branches": c["branches"],
            "own_answers": c["own_answers"], "other_answers": c["other_answers"], "significant": c["significant"],
            "compared": c["difference"] is not None}
