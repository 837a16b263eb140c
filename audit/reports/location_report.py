"""The location report: one branch over a period against the chain.

Every figure comes from :func:`audit.services.chain_stats.chain_statistics`, called twice for
the same period and checklist: once for the branch alone (``location_code``) and once for the
whole chain, so the numbers are exactly those of the chain report and ``audit stats``.
The same context feeds the PDF (``reports/location.html``) and the page
``/office/locations/<code>`` (``office/location.html``).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import Location, Region, User, Visit
from ..services.chain_records import ranked
from ..services.chain_stats import StatsError, StatsFilter, chain_statistics
from ..services.checklists import current_version
from ..stats import LOW_DATA_VISITS
from ..stats.findings import CHECKLIST_VERSIONS_DIFFER
from . import charts, line_charts
from .common import ReportError
from .pdf import render_pdf
from ..services.actions import location_actions
from .periods import format_locale, month_index, months_up_to
from .finding_sentences import checklist_versions_differ
from ..times import local_today
from ..web.i18n import short_datetime

DEFAULT_MONTHS = 3
EXTREME_ITEMS = 5  # strongest and weakest items shown
MIN_ITEM_ANSWERS = 3  # answers an item needs in the period to rank among them

FUNNEL_NAMES = {
    "above_998": _l("far above the chain"), "above_95": _l("above the chain"),
    "inside": _l("not clearly different from the chain"), "below_95": _l("below the chain"),
    "below_998": _l("far below the chain"), "no_data": _l("no data"),
}


def default_period(since: date | None, until: date | None, today: date | None = None) -> tuple[date, date]:
    """``until`` defaults to today, ``since`` to three calendar months before ``until`` (+1 day)."""
    until = until or today or local_today()
    since = since or months_up_to(until, DEFAULT_MONTHS)
    return since, until


def location_report_context(code: str, since: date | None, until: date | None, checklist: str,
                            lang: str) -> dict:
    """Everything the location report shows, as plain values; :class:`ReportError` when it cannot be made."""
    location = db.session.execute(
        select(Location.id, Location.code, Location.name, Location.city, Location.address, Location.format,
               Region.name.label("region"))
        .outerjoin(Region, Location.region_id == Region.id).where(Location.code == code)
    ).one_or_none()
    if location is None:
        raise ReportError(f"no location with code '{code}'")
    since, until = default_period(since, until)
    if until < since:
        raise ReportError("the period ends before it starts")
    try:
        own = chain_statistics(StatsFilter(checklist, since, until, location_code=location.code), lang)
        chain = chain_statistics(StatsFilter(checklist, since, until), lang)
    except StatsError as exc:
        raise ReportError(str(exc)) from exc
    with force_locale(format_locale(lang)):
        return _context(location, own, chain, checklist, since, until, lang)


def location_report_pdf(code: str, since: date | None, until: date | None, checklist: str, lang: str,
                        show_auditor: bool = True) -> bytes:
    """The location report as PDF bytes (``show_auditor`` False: without who made each visit),
    with the branch's corrective actions: those still open and those done lately."""
    context = location_report_context(code, since, until, checklist, lang)
    actions = location_actions(context["location"]["code"], local_today(), lang)
    return render_pdf("reports/location.html", {**context, "show_auditor": show_auditor, "actions": actions}, lang)


def _context(location, own: dict, chain: dict, checklist: str, since: date, until: date, lang: str) -> dict:
    record = own["locations"][0] if own["locations"] else None
    chain_record = next((r for r in chain["locations"] if r["code"] == location.code), None)
    sections = _sections(own["sections"], chain["sections"], location.code)
    items = _items(own["items"], chain["items"], location.code)
    compared = [i for i in items if i["difference"] is not None]
    # A single answer far from the chain is chance, not a strength: rank items answered often enough.
    compared = [i for i in compared if i["answers"] >= MIN_ITEM_ANSWERS] or compared
    scored = sorted(compared, key=lambda i: (i["difference"], i["id"]))
    # Below the chain to be among the weakest, above it to be among the strongest: with ten
    # questions the two lists split them all, and "strongest" showed 67 against the chain's 82.
    weakest = [i for i in scored if i["difference"] < 0][:EXTREME_ITEMS]
    strongest = [i for i in reversed(scored) if i["difference"] > 0][:EXTREME_ITEMS]
    by_id = {i["id"]: i for i in items}
    repeat = [{**by_id.get(r["item"], {"id": r["item"], "text": r["item"], "section": None}),
               "failures": r["failures"], "of": r["of"]} for r in own["repeat_failures"]]
    trend = _trend(own["trend"], chain["trend"], since, until)
    title = _checklist_title(checklist, lang)
    return {
        "location": {"code": location.code, "name": location.name, "city": location.city,
                     "address": location.address, "format": location.format, "region": location.region},
        "checklist": {"key": checklist, "title": title},
        "period": {"since": since, "until": until, "since_text": format_date(since, "medium"),
                   "until_text": format_date(until, "medium")},
        "summary": {
            "visits": own["visits"], "mean": record["mean"] if record else None,
            # The interval of the chain's statistics, as on the dashboard: with the branch alone, the
            # "usual spread within a branch" would be this branch's own few visits (0–92 beside 28–61).
            "ci_low": (chain_record or record or {}).get("ci_low"),
            "ci_high": (chain_record or record or {}).get("ci_high"),
            "sd": record["sd_within"] if record else None, "low_data": record["low_data"] if record else False,
            "chain_mean": chain["chain"]["mean"] if chain["chain"] else None, "chain_visits": chain["visits"],
            "chain_locations": len(chain["locations"]), "rank": chain_record["rank"] if chain_record else None,
            "ranked_locations": len(ranked(chain["locations"])), "low_data_visits": LOW_DATA_VISITS,
            "branches_ever": _branches_ever(checklist),
            "percentile": chain_record["percentile"] if chain_record else None,
            "funnel": str(FUNNEL_NAMES.get(chain_record["funnel"], "")) if chain_record else "",
            "funnel_band": chain_record["funnel"] if chain_record else None,
        },
        "trend": trend,
        "trend_chart": line_charts.legend_line_chart(
            [t["label"] for t in trend],
            {location.code: [t["mean"] for t in trend], _("Chain"): [t["chain_mean"] for t in trend]},
            label=_("Mean score by month"), height=170,
            positions=[month_index(t["month"]) for t in trend], join_within=1) if trend else None,
        "sections": sections,
        "sections_chart": charts.compared_bars(
            [(s["text"], s["mean"], s["chain_mean"]) for s in sections],
            label=_("Sections against the chain"), own=location.code, reference=_("Chain average"),
        ) if sections else None,
        "repeat_failures": repeat,
        "strongest": strongest,
        "weakest": weakest,
        "visits": _visits(location.code, checklist, since, until),
        "filters": [{"label": _("Location"), "value": f"{location.code} {location.name}"},
                    {"label": _("Checklist"), "value": title},
                    {"label": _("Period"), "value": f"{format_date(since, 'medium')} – {format_date(until, 'medium')}"},
                    ],
        "generated": format_date(local_today(), "long"),
        # The branch's own visits scored against versions that score differently (the dashboard's warning).
        "versions_note": " ".join(checklist_versions_differ({}, own)) if CHECKLIST_VERSIONS_DIFFER in {
            f["code"] for f in (own.get("consistency") or {}).get("findings", [])} else "",
    }


def _sections(own: list[dict], chain: list[dict], code: str) -> list[dict]:
    mine = {s["id"]: s for s in own}
    rows = []
    for s in chain:  # checklist order; sections the branch never had stay, without a value
        m = mine.get(s["id"])
        mean = m["mean"] if m else None
        rows.append({"id": s["id"], "text": s["text"], "mean": mean, "answers": m["answers"] if m else 0,
                     "chain_mean": s["mean"], "difference": _difference(mean, s["mean"]), "band": _band(s, code)})
    return rows


def _items(own: list[dict], chain: list[dict], code: str) -> list[dict]:
    theirs = {i["id"]: i for i in chain}
    rows = []
    for i in own:
        c = theirs.get(i["id"], {})
        rows.append({"id": i["id"], "text": i["text"], "section": i["section"], "mean": i["mean"],
                     "pass_rate": i["pass_rate"], "answers": i["answers"], "chain_mean": c.get("mean"),
                     "chain_pass_rate": c.get("pass_rate"), "difference": _difference(i["mean"], c.get("mean")),
                     "band": _band(c, code)})
    return rows


def _band(part: dict, code: str) -> str | None:
    """The funnel band of the branch on this question or section, when it lies beyond the chain's
    limits for its number of answers ("below_95" …); None inside them. The tables colour only
    such differences: by its sign alone a difference of one point was red."""
    return next((o["band"] for o in part.get("outliers", []) if o["location"] == code), None)


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def _trend(own: list[dict], chain: list[dict], since: date, until: date) -> list[dict]:
    """Month by month, the branch beside the chain. A month the period only touches (it starts on
    31 August, say) is left out at either end when the branch had no visit in it: "Aug 2026:
    0 visits" would read as a month without visits."""
    mine = {t["month"]: t for t in own}
    rows = []
    for t in chain:  # the chain has every month the branch has
        year, month = (int(x) for x in t["month"].split("-"))
        m = mine.get(t["month"])
        rows.append({"month": t["month"], "label": format_date(date(year, month, 1), "LLL yyyy"),
                     "visits": m["visits"] if m else 0, "mean": m["mean"] if m else None,
                     "chain_visits": t["visits"], "chain_mean": t["mean"]})
    partial = {since.strftime("%Y-%m")} if since.day > 1 else set()
    if (until + timedelta(days=1)).day != 1:
        partial.add(until.strftime("%Y-%m"))
    while rows and rows[0]["month"] in partial and not rows[0]["visits"]:
        rows.pop(0)
    while rows and rows[-1]["month"] in partial and not rows[-1]["visits"]:
        rows.pop()
    for row in rows:  # marked as on the dashboard: one visit of a month's first day is not its mean
        row["partial"] = row["month"] in partial
        row["label"] += "*" if row["partial"] else ""
    return rows


def _branches_ever(checklist: str) -> int:
    """Branches with an approved visit of ``checklist`` at any time: when the period holds fewer,
    its "rank 1 / 1" and "1 visit" come from the period being short, and the report says so
    (after an import of old audits, the default last 3 months of an old day held one visit)."""
    return db.session.scalar(
        select(func.count(func.distinct(Visit.location_id))).where(*StatsFilter(checklist).conditions())) or 0


def _visits(code: str, checklist: str, since: date, until: date) -> list[dict]:
    """The period's approved visits of the branch (exactly those counted above), newest first."""
    rows = db.session.execute(
        select(Visit.id, Visit.visited_at, Visit.score, Visit.critical_failed, Visit.scenario,
               User.name.label("auditor"))
        .join(User, Visit.auditor_id == User.id)
        .where(*StatsFilter(checklist, since, until, location_code=code).conditions())
        .order_by(Visit.visited_at.desc(), Visit.id.desc())
    ).all()
    return [{"id": r.id, "visited_at": r.visited_at, "visited_text": short_datetime(r.visited_at),
             "score": r.score, "critical_failed": r.critical_failed, "scenario": r.scenario,
             "auditor": r.auditor} for r in rows]


def _checklist_title(key: str, lang: str) -> str:
    version = current_version(key)
    return version.parsed.title.get(lang) if version else key
