"""What the question page shows, built from one :func:`question_statistics` dict: every figure
formatted here (one decimal, percentages and dates for the current locale), the charts as SVG,
the same wording as the dashboard (:mod:`.chain_view`). Plain values only."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _

from ..stats.findings import AUDITOR_TEST_LEVEL, MIN_SPLIT_VISITS
from ..web.i18n import short_datetime
from ..web.numbers import percent
from . import charts, line_charts
from ..services.chain_stats import REPEAT_WINDOW
from ..times import local_today
from .chain_view import BAND_ORDER, BAND_SYMBOLS, band_text, partial_months
from .periods import month_index
from .wording import signed, count, interval, number, share


def question_view(q: dict) -> dict:
    """Everything the page prints for question statistics ``q`` (which must have answers)."""
    branches = [_branch(b) for b in q["branches"]]
    below = [b for b in q["branches"] if b["funnel"].startswith("below")]
    above = [b for b in q["branches"] if b["funnel"].startswith("above")]
    return {
        "summary": {
            "answers": q["answers"], "mean": number(q["mean"]), "pass_rate": percent(q["pass_rate"]),
            "spread": number(q["spread_sd"]), "share": share(q["location_share"]), "share_value": q["location_share"],
            "locations": q["locations"], "below": len(below), "above": len(above),
            "repeat": sum(1 for b in q["branches"] if b["repeat"]),
        },
        "branches": branches,
        "funnel_shares_dots": bool(q.get("funnel_curve")) and charts.funnel_shares_dots(
            [{**b, "visits": b["answers"]} for b in q["branches"]], q["funnel_curve"]),
        "funnel_chart": (charts.funnel_plot([{**b, "visits": b["answers"]} for b in q["branches"]], q["funnel_curve"],
                                            label=_("Funnel plot: branch mean on this question against its number "
                                                    "of answers"), axis_label=_("Answers"))
                         if q.get("funnel_curve") and len(q["branches"]) > 1 else None),
        "bands": [{"symbol": BAND_SYMBOLS[b], "text": band_text(b)}
                  for b in ("above_998", "above_95", "inside", "below_95", "below_998")],
        "regions": [{"name": r["name"] or _("No region"), "branches": r["branches"], "answers": r["answers"],
                     "mean": number(r["mean"]), "pass_rate": percent(r["pass_rate"])} for r in q["regions"]],
        "auditors": _auditors(q["auditors"], q["answers"]),
        "trend": _trend(q["trend"], q.get("filters") or {}),
        "failures": _failures(q["failures"]),
    }


def _branch(b: dict) -> dict:
    return {"code": b["code"], "name": b["name"], "region": b["region"] or "", "answers": b["answers"],
            "mean": number(b["mean"]), "mean_value": b["mean"],
            "passed": _("%(passed)s of %(answers)s", passed=count(round(b["pass_rate"] * b["answers"])),
                        answers=count(b["answers"])),
            "interval": interval(b["ci_low"], b["ci_high"]) or "–",
            "band": b["funnel"], "band_symbol": BAND_SYMBOLS.get(b["funnel"], ""), "band_text": band_text(b["funnel"]),
            "band_order": BAND_ORDER.get(b["funnel"], -1),
            "pass_rate_value": b["pass_rate"],
            # Failed of answered in the branch's last visits (a visit whose scenario skips the
            # question gives no answer: "2 of 2" can be two of the last three visits).
            "repeat": (_("%(failures)s failed of %(of)s answered in the last %(visits)s visits",
                         failures=b["repeat"]["failures"], of=b["repeat"]["of"], visits=REPEAT_WINDOW)
                       if b["repeat"] else ""),
            "repeat_value": (b["repeat"]["failures"] / b["repeat"]["of"]) if b["repeat"] else 0}


def _auditors(record: dict, answers: int) -> dict:
    """Offsets on this question, when there are enough answers to estimate them (as the dashboard)."""
    too_few = answers < MIN_SPLIT_VISITS
    auditors = [] if too_few else record["auditors"]
    shown = [a for a in auditors if a["offset"] is not None]
    return {
        "too_few": too_few, "min_answers": MIN_SPLIT_VISITS,
        "connected": too_few or record.get("design_connected", True),
        # Two auditors at least: one alone has nobody to differ from.
        "within_chance": (sum(a["offset"] is not None for a in auditors) >= 2
                          and (record.get("auditor_p_value") is None or record["auditor_p_value"] >= AUDITOR_TEST_LEVEL)),
        "chart": charts.offsets_chart([(a["name"], a["offset"], a["visits"]) for a in shown],
                                      label=_("Auditor offsets on this question in points")) if shown else None,
        "rows": [{"id": a.get("id"), "name": a["name"], "answers": a["visits"], "mean": number(a["mean"]),
                  "pass_rate": percent(a["pass_rate"]),
                  "offset": signed(a["offset"])}
                 for a in auditors],
    }


def _trend(trend: list[dict], filters: dict) -> dict | None:
    """Monthly figures; a month the period covers only in part is marked "*", as on the dashboard."""
    if not trend:
        return None
    partial = partial_months(filters, local_today())
    labels = [format_date(date(int(t["month"][:4]), int(t["month"][5:]), 1), "LLL yyyy")
              + ("*" if t["month"] in partial else "") for t in trend]
    return {
        "chart": line_charts.legend_line_chart(labels, {_("Mean on this question"): [t["mean"] for t in trend]},
                                               label=_("Trend by month"),
                                               positions=[month_index(t["month"]) for t in trend], join_within=1),
        "rows": [{"month": label, "answers": t["answers"], "mean": number(t["mean"]),
                  "pass_rate": percent(t["pass_rate"])} for label, t in zip(labels, trend)],
        "partial": any(t["month"] in partial for t in trend),
    }


def _failures(failures: dict) -> dict:
    return {"count": failures["count"], "with_comment": failures["with_comment"],
            "latest": [{**f, "when": short_datetime(datetime.fromisoformat(f["visited_at"]).replace(tzinfo=None))}
                       for f in failures["latest"]]}
