"""What the head-office dashboard and the chain PDF show, built from one :func:`chain_statistics` dict.

Both call :func:`chain_view` on the same statistics, so a number reads the same on the page
and in the PDF: every figure is formatted here (Babel, one decimal, the current locale) and
the templates print the strings. Only the amount of detail differs (``ViewSizes``). Plain
values only: dicts, lists, strings, numbers and ``Markup`` SVG.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..services.chain_records import ranked_or_all
from ..stats import LOW_DATA_VISITS
from ..stats.findings import AUDITOR_TEST_LEVEL, MIN_SPLIT_VISITS
from ..times import local_today
from ..web.numbers import percent
from . import charts, heat_maps, line_charts
from .periods import month_index
from .ranking_listing import listing_blocks
from .summary import executive_summary, icc_in_words
from .wording import signed, interval, narrowed, number, plural, share

#: Funnel bands: a symbol, so that nothing depends on colour (words from :func:`band_text`).
# "–" for a branch within the limits: a blank column in the PDF read as missing data.
BAND_SYMBOLS = {"above_998": "▲▲", "above_95": "▲", "inside": "–", "below_95": "▼", "below_998": "▼▼", "no_data": ""}


#: Funnel bands from worst to best, for sorting a table by them.
BAND_ORDER = {"below_998": 0, "below_95": 1, "inside": 2, "above_95": 3, "above_998": 4}


def band_text(band: str) -> str:
    """A funnel band in words, the limit formatted for the current locale."""
    limit = {"998": 0.998, "95": 0.95}.get(band.rpartition("_")[2])
    if band.startswith("above") and limit:
        return _("above the %(limit)s limit", limit=percent(limit, 1))
    if band.startswith("below") and limit:
        return _("below the %(limit)s limit", limit=percent(limit, 1))
    return _("no data") if band == "no_data" else _("within the limits")


@dataclass(frozen=True)
class ViewSizes:
    """How much detail to show (the PDF is concise, the dashboard can fold things away)."""

    chart_all_up_to: int = 30  # ranking chart of every branch up to this many, else the two ends
    chart_ends: int = 15  # rows at each end of the ranking chart
    heat_all_up_to: int = 20  # heat map of every branch up to this many, else regions + the lowest
    heat_lowest: int = 25  # the same on the dashboard and in the PDF (they showed 20 and 25)
    heat_label_chars: int = 40  # branch labels of the heat maps ("code name") cut to this many characters
    heat_everything: bool = True  # the dashboard folds a heat map of all branches into <details>
    heat_screen: bool = True  # heat maps drawn at the size a tablet shows them, their sections scrolling
    items: int = 10  # most inconsistent items
    outliers_shown: int = 10  # outlier branches named per item and side, the most extreme first
    compact_ranking_from: int = 41  # the PDF lists the ranking in monospaced columns from this many branches
    compact_columns: int = 3
    compact_rows: int = 56  # rows of one multi-column block (one A4 page, under a heading)


DASHBOARD = ViewSizes()
PDF = ViewSizes(heat_everything=False, heat_screen=False, heat_label_chars=28, outliers_shown=6)


def chain_view(stats: dict, sizes: ViewSizes = DASHBOARD) -> dict:
    """Everything both outputs print for ``stats`` (which must have visits)."""
    chain, consistency = stats["chain"], stats["consistency"] or {}
    ranking = _ranking(stats["locations"])
    by_code = {r["code"]: r for r in ranking}
    return {
        "summary": {
            "visits": stats["visits"], "locations": chain["locations"], "mean": number(chain["mean"]),
            "sd": number(chain["sd"]), "icc_location": share(consistency.get("icc_location")),
            "icc_location_adjusted": share(consistency.get("icc_location_adjusted")),
            "icc_words": icc_in_words(consistency) if consistency.get("icc_location") is not None else "",
            "mean_label": _("mean of the chosen visits (0–100)") if narrowed(stats) else _("chain mean (0–100)"),
        },
        "sentences": executive_summary(stats),
        "ranking": ranking,
        "ranking_note": _unranked_note(ranking),
        "shrunk_flat": _shrunk_flat(stats["locations"]),
        "ranking_has_change": any(r.get("change") is not None for r in stats["locations"]),
        "ranking_blocks": (listing_blocks(ranking, sizes.compact_columns, sizes.compact_rows)
                           if len(ranking) >= sizes.compact_ranking_from else []),
        "ranking_charts": _ranking_charts(stats, sizes),
        "heat": _heat(stats, ranking, sizes),
        "funnel_chart": (charts.funnel_plot(stats["locations"], stats["funnel_curve"],
                                            label=_("Funnel plot: branch mean against its number of visits"),
                                            axis_label=_("Visits"))
                         if stats.get("funnel_curve") else None),
        "funnel_limits_shown": _limits_inside(stats.get("funnel_curve")),
        "funnel_shares_dots": bool(stats.get("funnel_curve"))
                              and charts.funnel_shares_dots(stats["locations"], stats["funnel_curve"]),
        "questions": _inconsistent_items(stats["items"], by_code, sizes.items, sizes.outliers_shown),
        "questions_few_answers": sum(1 for i in stats["items"] if i["spread_sd"] and i["locations"] >= 2
                                     and i["answers"] < MIN_SPLIT_VISITS),
        "min_answers": MIN_SPLIT_VISITS,
        "auditors": _auditors(consistency, stats["visits"]),
        "trend": _trend(stats["trend"], narrowed=narrowed(stats), filters=stats.get("filters") or {},
                        versions=stats.get("checklist_versions") or []),
        "regions": [{"name": r["name"] or _("No region"), "filter": r["name"], "locations": r["locations"],
                     "visits": r["visits"], "mean": number(r["mean"])} for r in stats["regions"]],
        "bands": [{"symbol": BAND_SYMBOLS[b], "text": band_text(b)}
                  for b in ("above_998", "above_95", "inside", "below_95", "below_998")],
    }


def _shrunk_flat(locations: list[dict]) -> bool:
    """Every branch's shrunk mean is the chain mean: no spread between branches beyond chance (a
    column of one number read as a fault)."""
    shrunk = {round(r["shrunk"], 1) for r in locations if r["shrunk"] is not None}
    return len(locations) > 1 and len(shrunk) == 1


def _limits_inside(curve: dict | None) -> bool:
    """Whether any 95 % funnel limit falls inside the 0–100 scale (else the chart draws none:
    with one or two visits per branch they lie beyond it)."""
    if not curve:
        return False
    return any(v is not None and 0 < v < 100 for key in ("lower_95", "upper_95") for v in curve.get(key, []))


def _ranking(locations: list[dict]) -> list[dict]:
    rows = []
    for record in locations:
        rows.append({
            "rank": record["rank"], "code": record["code"], "name": record["name"], "region": record["region"] or "",
            "visits": record["visits"], "mean": number(record["mean"]), "mean_value": record["mean"],
            "interval": interval(record["ci_low"], record["ci_high"]) or "–", "shrunk": number(record["shrunk"]),
            "band": record["funnel"], "band_symbol": BAND_SYMBOLS.get(record["funnel"], ""),
            "band_text": band_text(record["funnel"]), "low_data": record["low_data"],
            "band_order": BAND_ORDER.get(record["funnel"], -1),
            **_change(record.get("change")),
        })
    return rows


def _unranked_note(ranking: list[dict]) -> str:
    """Why the branches at the end of the ranking have no rank (none when all are ranked)."""
    unranked = sum(1 for r in ranking if not r["rank"])
    if not unranked:
        return ""
    if unranked == len(ranking):
        return _("No branch has %(min)s visits or more: none is ranked, and the list is by mean only.",
                 min=LOW_DATA_VISITS)
    return plural("%(num)s branch has fewer than %(min)s visits: it is not ranked and comes after the ranked ones.",
                  "%(num)s branches have fewer than %(min)s visits: they are not ranked and come after the ranked "
                  "ones.", unranked, min=LOW_DATA_VISITS)


def _change(change: dict | None) -> dict:
    """Against the period of the same length before (with a period chosen): the difference as
    shown, its value to sort by, and whether it is significant (Benjamini–Hochberg, 5 %)."""
    difference = (change or {}).get("difference")
    if difference is None:
        return {"change": "–" if change is not None else None, "change_value": None, "change_significant": False}
    return {"change": ("+" if difference > 0 else "") + number(difference), "change_value": difference,
            "change_significant": bool(change["significant"])}


def _ranking_charts(stats: dict, sizes: ViewSizes) -> list[dict]:
    locations, mean = stats["locations"], stats["chain"]["mean"]
    if len(locations) <= sizes.chart_all_up_to:
        return [{"title": "", "svg": charts.ranking_chart(locations, mean, label=_("Ranking of branches"))}]
    ends = sizes.chart_ends
    ranked = ranked_or_all(locations)
    if len(ranked) <= 2 * ends:  # the two ends would be the same branches (12 of 40 ranked: twice the 12)
        return [{"title": plural("The %(num)s ranked branch", "The %(num)s ranked branches", len(ranked)),
                 "svg": charts.ranking_chart(ranked, mean, label=_("Ranking of branches"))}]
    return [
        {"title": _("The %(num)d highest branches", num=ends),
         "svg": charts.ranking_chart(ranked[:ends], mean, label=_("The highest branches"))},
        {"title": _("The %(num)d lowest branches", num=ends),
         "svg": charts.ranking_chart(ranked[-ends:], mean, label=_("The lowest branches"))},
    ]


def _heat(stats: dict, ranking: list[dict], sizes: ViewSizes) -> dict | None:
    """Branches × sections (all, or the lowest ones plus regions × sections when there are many)."""
    matrix = stats.get("section_matrix")
    if not matrix:
        return None
    titles = matrix["section_titles"]
    values = dict(zip(matrix["locations"], matrix["values"]))
    chars = sizes.heat_label_chars
    language = get_locale().language if get_locale() else None

    def branches(rows: list[dict], label: str, label_px: float | None = None) -> Markup:
        return heat_maps.labelled_heat_map([f"{r['code']} {r['name']}" for r in rows], titles,
                                           [values[r["code"]] for r in rows], label=label, chars=chars,
                                           label_px=label_px, language=language, screen=sizes.heat_screen)

    # The dashboard gives the same numbers as a table to sort and to read aloud (a screen reader
    # hears a picture's name only); the PDF has no room for it.
    table = {"titles": titles, "rows": [
        {"code": r["code"], "name": r["name"], "region": r["region"],
         "cells": [{"text": number(v), "value": "" if v is None else v} for v in values[r["code"]]]}
        for r in ranking]} if sizes.heat_everything else None
    if len(ranking) <= sizes.heat_all_up_to:
        return {"regions": None, "lowest": None, "lowest_count": 0,
                "all": branches(ranking, _("Branches × sections")), "table": table}
    lowest = list(reversed(ranked_or_all(ranking)))[:sizes.heat_lowest]
    regions = [r for r in stats["regions"] if r["sections"]]
    region_names = [r["name"] or _("No region") for r in regions]
    # One label column for both maps, so that they share a scale.
    label_px = heat_maps.heat_label_px([f"{r['code']} {r['name']}" for r in lowest] + region_names, chars)
    return {
        "regions": heat_maps.labelled_heat_map(region_names, titles,
                                               [[r["sections"].get(s) for s in matrix["sections"]] for r in regions],
                                               label=_("Regions × sections"), chars=chars, label_px=label_px,
                                               language=language, screen=sizes.heat_screen),
        "lowest": branches(lowest, _("The lowest branches × sections"), label_px),
        "lowest_count": len(lowest),
        "all": branches(ranking, _("Branches × sections")) if sizes.heat_everything else None,
        "table": table,
    }


def _inconsistent_items(items: list[dict], by_code: dict, limit: int, shown: int) -> list[dict]:
    """The ``limit`` items whose branches truly differ most (noise-corrected spread), with outlier
    branches. Only items with :data:`MIN_SPLIT_VISITS` answers or more, as the executive summary's
    "least consistent question" (:func:`audit.stats.findings.item_findings`): the summary named one
    question and the table above it another, answered in 8 visits."""
    ranked = sorted((i for i in items if i["spread_sd"] and i["locations"] >= 2 and i["answers"] >= MIN_SPLIT_VISITS),
                    key=lambda i: -i["spread_sd"])

    def outliers(item: dict, side: str) -> list[dict]:
        found = [o for o in item["outliers"] if o["band"].startswith(side)]
        found.sort(key=lambda o: o["mean"] if side == "below" else -o["mean"])
        return [{"code": o["location"], "name": by_code.get(o["location"], {}).get("name", ""),
                 "mean": number(o["mean"]), "answers": o["answers"],
                 "band_symbol": BAND_SYMBOLS.get(o["band"], "")} for o in found]

    result = []
    for item in ranked[:limit]:
        below, above = outliers(item, "below"), outliers(item, "above")
        # With many visits per branch the limits are tight and most branches can lie outside;
        # name the most extreme few and count the rest, so the report stays readable.
        result.append({"id": item["id"], "text": item["text"], "mean": number(item["mean"]),
                       "spread": number(item["spread_sd"]), "share": share(item["location_share"]),
                       "sd_between": number(item["sd_between"]),
                       "answers": item["answers"], "below": below[:shown], "below_more": max(0, len(below) - shown),
                       "above": above[:shown], "above_more": max(0, len(above) - shown),
                       "below_rest": below[shown:], "above_rest": above[shown:]})  # the dashboard unfolds them
    return result


def _auditors(consistency: dict, visits: int) -> dict:
    """Auditor offsets, when there are enough visits to estimate them (else a note says so:
    offsets of 0.0 from two visits each were read as findings)."""
    codes = {f["code"] for f in consistency.get("findings", [])}
    too_few = visits < MIN_SPLIT_VISITS
    auditors = [] if too_few else consistency.get("auditors") or []
    return {
        "too_few": too_few, "min_visits": MIN_SPLIT_VISITS,
        "chart": charts.offsets_chart([(a["name"], a["offset"], a["visits"]) for a in auditors
                                       if a["offset"] is not None],
                                      label=_("Auditor offsets in points"))
                 if any(a["offset"] is not None for a in auditors) else None,
        "rows": [{"id": a.get("id"), "name": a["name"], "visits": a["visits"],
                  "offset": signed(a["offset"])}
                 for a in auditors],
        # Two visits by two auditors at two branches "never overlap" too: say it only where the
        # split could be made at all (it was a red alarm on a chain's first two visits).
        "connected": too_few or consistency.get("design_connected", True),
        "auditors_explain_more": "auditors_explain_more_than_locations" in codes,
        # Two auditors always have mirror offsets: say when their differences are within chance.
        # Two auditors at least: one alone has nobody to differ from.
        "within_chance": (sum(a["offset"] is not None for a in auditors) >= 2
                          and (consistency.get("auditor_p_value") is None
                               or consistency["auditor_p_value"] >= AUDITOR_TEST_LEVEL)),
        "variance": {k: number(v) for k, v in (consistency.get("variance") or {}).items()},
    }


def _trend(trend: list[dict], narrowed: bool = False, filters: dict | None = None,
           today: date | None = None, versions: list[dict] = ()) -> dict | None:
    """Monthly means; named "chain mean" only when no filter narrows the chain (a region's line
    called "chain mean" was read as the whole chain's). Points stand at their calendar month and
    a month without visits breaks the line (imported audits with gaps looked evenly spaced).
    A month the period covers only in part, or that is not over yet, is marked with an asterisk
    and a note: December's 3 visits of its first day read as a 10-point fall after November's 164.
    Where a newer checklist version came into use (its first visit) a dotted line says "v3": a
    step in the line may be the checklist's, not the service's."""
    if not trend:
        return None
    partial = partial_months(filters or {}, today or local_today())
    labels = [format_date(date(int(t["month"][:4]), int(t["month"][5:]), 1), "LLL yyyy")
              + ("*" if t["month"] in partial else "") for t in trend]
    name = _("Mean of the chosen visits") if narrowed else _("Chain mean")
    positions = [month_index(t["month"]) for t in trend]
    # A version that began in the first or last month's outer half is drawn at that month's point
    # (the plot ends there).
    low, high = min(positions), max(positions)
    marks = [(min(max(where, low), high), _("v%(number)s", number=v["number"])) for v in versions[1:]
             if low - 0.5 <= (where := _month_position(v["first"])) < high + 0.5]
    return {
        "chart": line_charts.legend_line_chart(labels, {name: [t["mean"] for t in trend]}, label=_("Trend by month"),
                                               positions=positions, join_within=1, marks=marks),
        "rows": [{"month": label, "visits": t["visits"], "mean": number(t["mean"])} for label, t in zip(labels, trend)],
        "partial": any(t["month"] in partial for t in trend),
        "versions_note": _("A dotted line marks the day a newer version of the checklist came into use "
                           "(v2: version 2): a step there may come from the checklist, not from the service.")
        if marks else "",
    }


def _month_position(day: str) -> float:
    """Where a day ("YYYY-MM-DD") falls on the trend's month axis: a month's point stands at its
    index, so the month runs from index − 0.5 (its 1st) to index + 0.5."""
    when = date.fromisoformat(day)
    return month_index(day[:7]) - 0.5 + (when.day - 1) / calendar.monthrange(when.year, when.month)[1]


def partial_months(filters: dict, today: date) -> set[str]:
    """The months ("YYYY-MM") at the ends of the period that it covers only in part: the month of
    ``since`` unless it starts on the 1st, and the month of ``until`` (or today) unless it ends
    on the month's last day."""
    partial = set()
    since = filters.get("since")
    if since and date.fromisoformat(since).day != 1:
        partial.add(since[:7])
    until = date.fromisoformat(filters["until"]) if filters.get("until") else today
    if (until + timedelta(days=1)).day != 1:
        partial.add(until.strftime("%Y-%m"))
    return partial

