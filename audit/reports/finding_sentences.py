"""One function per finding code of :mod:`audit.stats.findings`: ``(params, stats) -> sentences``.

Each reads the finding's ``params`` for the figures and the statistics' location, section and
item records for the names, so every name is spelled as in the rest of the report and every
text is in the language the statistics were gathered in. :mod:`.summary` puts them in order.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from flask_babel import gettext as _

from ..stats import findings as codes
from ..web.numbers import percent
from .wording import count, day, location_label, names, narrowed, number, plural, share

def auditors_explain_more(params: dict, stats: dict) -> list[str]:
    # The three parts of one split of the variance (they add up to 100%), named as such: beside the
    # share "between branches" of the sentence before, which counts no auditor effect, a bare
    # "branches 12%" read as a third, contradicting figure ("19 %" above, "14 %" here). The sentence
    # also gives the branches' share of what the auditors leave, which is that figure: σ²_loc /
    # (σ²_loc + σ²_visit) = location share / (1 − auditor share).
    rest = max(0.0, 1.0 - params["auditor_share"] - params["location_share"])
    left = 1.0 - params["auditor_share"]
    of_rest = params["location_share"] / left if left > 0 else 0.0
    return [_("Splitting all the differences between visit scores into auditors, branches and single visits, "
              "the auditors account for %(auditors)s, the branches for %(branches)s and visit-to-visit "
              "variation for %(rest)s (the branches' %(branches)s of all is %(of_rest)s of what is left without "
              "the auditors): the auditors differ more than the branches, so compare their scoring before "
              "ranking branches.",
              auditors=share(params["auditor_share"]), branches=share(params["location_share"]), rest=share(rest),
              of_rest=share(of_rest))]


def design_not_connected(params: dict, stats: dict) -> list[str]:
    return [plural(
        "The visits fall into %(num)s group of branches and auditors that never overlap, so the auditors' "
        "strictness cannot be told apart from the branches' quality between these groups; let some "
        "auditors visit branches in more than one group.",
        "The visits fall into %(num)s groups of branches and auditors that never overlap, so the auditors' "
        "strictness cannot be told apart from the branches' quality between these groups; let some "
        "auditors visit branches in more than one group.", params["n_components"])]


def consistency_not_estimable(params: dict, stats: dict) -> list[str]:
    return [_("There are too few visits to measure consistency: at least two branches with visits and one "
              "branch with two visits are needed.")]


def low_data_locations(params: dict, stats: dict) -> list[str]:
    low = [r for r in stats["locations"] if r["low_data"]]
    return [plural(
        "%(num)s branch has fewer than %(min)s visits; read its figures with caution: %(names)s.",
        "%(num)s branches have fewer than %(min)s visits; read their figures with caution: %(names)s.",
        len(low), min=params["min_visits"], names=names([location_label(r) for r in low]))]


def _in_band(stats: dict, band: str) -> list[dict]:
    return [r for r in stats["locations"] if r["funnel"] == band]


def locations_below_998(params: dict, stats: dict) -> list[str]:
    found = sorted(_in_band(stats, "below_998"), key=lambda r: r["mean"])
    if narrowed(stats):
        return [plural(
            "%(num)s branch is below the 99.8%% control limit of the chosen visits, which chance alone would "
            "hardly explain: %(names)s.",
            "%(num)s branches are below the 99.8%% control limit of the chosen visits, which chance alone would "
            "hardly explain: %(names)s.", len(found), names=names([location_label(r) for r in found]))]
    return [plural(
        "%(num)s branch is below the 99.8%% control limit of the chain, which chance alone would hardly "
        "explain: %(names)s.",
        "%(num)s branches are below the 99.8%% control limit of the chain, which chance alone would hardly "
        "explain: %(names)s.", len(found), names=names([location_label(r) for r in found]))]


def locations_above_998(params: dict, stats: dict) -> list[str]:
    found = sorted(_in_band(stats, "above_998"), key=lambda r: -r["mean"])
    if narrowed(stats):
        return [plural(
            "%(num)s branch is above the 99.8%% control limit of the chosen visits: %(names)s.",
            "%(num)s branches are above the 99.8%% control limit of the chosen visits: %(names)s.",
            len(found), names=names([location_label(r) for r in found]))]
    return [plural(
        "%(num)s branch is above the 99.8%% control limit of the chain: %(names)s.",
        "%(num)s branches are above the 99.8%% control limit of the chain: %(names)s.",
        len(found), names=names([location_label(r) for r in found]))]


def _changed(stats: dict, declined: bool) -> list[dict]:
    found = [r for r in stats["locations"] if r.get("change") and r["change"]["significant"]
             and r["change"]["difference"] is not None and (r["change"]["difference"] < 0) == declined]
    return sorted(found, key=lambda r: r["change"]["difference"] * (1 if declined else -1))


def _with_difference(record: dict) -> str:
    difference = record["change"]["difference"]
    return f"{location_label(record)} {'+' if difference > 0 else '−'}{number(abs(difference))}"


def significant_declines(params: dict, stats: dict) -> list[str]:
    found = _changed(stats, declined=True)
    return [plural(
        "%(num)s branch scores significantly worse than in the previous period of the same length: %(names)s.",
        "%(num)s branches score significantly worse than in the previous period of the same length: %(names)s.",
        len(found), names=names([_with_difference(r) for r in found]))]


def significant_improvements(params: dict, stats: dict) -> list[str]:
    found = _changed(stats, declined=False)
    return [plural(
        "%(num)s branch scores significantly better than in the previous period of the same length: %(names)s.",
        "%(num)s branches score significantly better than in the previous period of the same length: "
        "%(names)s.", len(found), names=names([_with_difference(r) for r in found]))]


def repeat_failures(params: dict, stats: dict) -> list[str]:
    pairs = stats.get("repeat_failures") or []
    if not pairs:
        return []
    ranked = Counter(p["item"] for p in pairs).most_common(2)
    item, branches = ranked[0]
    if branches < 2 or (len(ranked) > 1 and ranked[1][1] == branches):  # no question stands out
        return [plural(
            "In %(num)s case a question was failed at least %(min)s times in a branch's last %(last)s visits.",
            "In %(num)s cases a question was failed at least %(min)s times in a branch's last %(last)s visits.",
            len(pairs), min=params["min_failures"], last=params["last_n"])]
    text = next((i["text"] for i in stats["items"] if i["id"] == item), item)
    return [plural(
        "In %(num)s case a question was failed at least %(min)s times in a branch's last %(last)s visits; "
        "most often “%(item)s” (%(count)s branches).",
        "In %(num)s cases a question was failed at least %(min)s times in a branch's last %(last)s visits; "
        "most often “%(item)s” (%(count)s branches).",
        len(pairs), min=params["min_failures"], last=params["last_n"], item=text, count=count(branches))]


def _below_limits(part: dict) -> tuple[float | None, list[dict]]:
    """The part's outlier branches below its 99.8% limits (else below its 95% limits), with the limit."""
    for band, limit in (("below_998", 0.998), ("below_95", 0.95)):
        below = [o for o in part["outliers"] if o["band"] == band]
        if below:
            return limit, below
    return None, []


def _main_region(below: list[dict], stats: dict) -> tuple[str | None, int]:
    """The region holding most of ``below`` (when at least two of them share it)."""
    region_of = {r["code"]: r["region"] for r in stats["locations"]}
    regions = Counter(region_of.get(o["location"]) for o in below if region_of.get(o["location"]))
    if not regions:
        return None, 0
    region, in_region = regions.most_common(1)[0]
    return (region, in_region) if in_region >= 2 else (None, 0)


def _least_consistent(part: dict, stats: dict, params: dict, is_section: bool) -> list[str]:
    limit, below = _below_limits(part)
    region, in_region = _main_region(below, stats)
    values = {"title": part["text"], "limit": percent(limit or 0, 1), "in_region": in_region,
              "region": region}
    if is_section:
        if region:
            first = plural(
                "“%(title)s” is the least consistent section: %(num)s branch is below the %(limit)s limit, "
                "%(in_region)s of them in %(region)s.",
                "“%(title)s” is the least consistent section: %(num)s branches are below the %(limit)s limit, "
                "%(in_region)s of them in %(region)s.", len(below), **values)
        elif below:
            first = plural(
                "“%(title)s” is the least consistent section: %(num)s branch is below the %(limit)s limit.",
                "“%(title)s” is the least consistent section: %(num)s branches are below the %(limit)s limit.",
                len(below), **values)
        else:
            first = _("“%(title)s” is the least consistent section.", title=part["text"])
    elif region:
        first = plural(
            "“%(title)s” is the least consistent question: %(num)s branch is below the %(limit)s limit, "
            "%(in_region)s of them in %(region)s.",
            "“%(title)s” is the least consistent question: %(num)s branches are below the %(limit)s limit, "
            "%(in_region)s of them in %(region)s.", len(below), **values)
    elif below:
        first = plural(
            "“%(title)s” is the least consistent question: %(num)s branch is below the %(limit)s limit.",
            "“%(title)s” is the least consistent question: %(num)s branches are below the %(limit)s limit.",
            len(below), **values)
    else:
        first = _("“%(title)s” is the least consistent question.", title=part["text"])
    figures = {"sd": number(params["spread_sd"]), "mean": number(params["mean_score"]),
               "share": share(params["location_share"])}
    if narrowed(stats):
        second = _("Its branches' true means spread by %(sd)s points around a mean of %(mean)s over the chosen "
                   "visits, the noise of few visits removed; %(share)s of the variation in its answers lies "
                   "between branches.", **figures)
    else:
        second = _("Its branches' true means spread by %(sd)s points around a chain mean of %(mean)s, the noise of "
                   "few visits removed; %(share)s of the variation in its answers lies between branches.", **figures)
    return [f"{first} {second}"]


def least_consistent_section(params: dict, stats: dict) -> list[str]:
    return _least_consistent(stats["sections"][params["section"]], stats, params, is_section=True)


def least_consistent_item(params: dict, stats: dict) -> list[str]:
    return _least_consistent(stats["items"][params["item"]], stats, params, is_section=False)


def checklist_versions_differ(params: dict, stats: dict) -> list[str]:
    versions = stats.get("checklist_versions") or []
    listed = [plural("version %(number)s: %(num)s visit", "version %(number)s: %(num)s visits", v["visits"],
                      number=v["number"]) for v in versions]
    newest = versions[-1] if versions else None
    sentence = plural(
        "The visits were scored against %(num)s version of the checklist (%(versions)s), and questions, "
        "weights or scoring changed between them: differences between periods, or between branches visited "
        "mostly under one version, may come from the checklist rather than from the service.",
        "The visits were scored against %(num)s versions of the checklist (%(versions)s), and questions, "
        "weights or scoring changed between them: differences between periods, or between branches visited "
        "mostly under one version, may come from the checklist rather than from the service.",
        len(versions), versions="; ".join(listed))
    if newest is not None:
        sentence += " " + _("To compare like for like, choose a period from %(date)s, when version %(number)s "
                            "was first used.", date=day(newest["first"]), number=newest["number"])
    return [sentence]


FINDING_SENTENCES: dict[str, Callable[[dict, dict], list[str]]] = {
    codes.AUDITORS_EXPLAIN_MORE: auditors_explain_more,
    codes.DESIGN_NOT_CONNECTED: design_not_connected,
    codes.CONSISTENCY_NOT_ESTIMABLE: consistency_not_estimable,
    codes.LOCATIONS_BELOW_998: locations_below_998,
    codes.LOCATIONS_ABOVE_998: locations_above_998,
    codes.SIGNIFICANT_DECLINES: significant_declines,
    codes.SIGNIFICANT_IMPROVEMENTS: significant_improvements,
    codes.LEAST_CONSISTENT_SECTION: least_consistent_section,
    codes.LEAST_CONSISTENT_ITEM: least_consistent_item,
    codes.REPEAT_FAILURES: repeat_failures,
    codes.LOW_DATA_LOCATIONS: low_data_locations,
    codes.CHECKLIST_VERSIONS_DIFFER: checklist_versions_differ,
}
