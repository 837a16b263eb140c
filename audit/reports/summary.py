"""The executive summary: plain sentences drawn from :func:`chain_statistics`, in the user's language.

Pure: a statistics dict in, a list of translated strings out (no database, no request). Each
finding code of :mod:`audit.stats.findings` has one function here; it reads the finding's
``params`` for the figures and the statistics' location, section and item records for the
names, so every name is spelled as in the rest of the report and every text is in the
language the statistics were gathered in. Numbers are formatted by Babel for the current
locale (the caller sets it, e.g. with ``force_locale``).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date

from babel.lists import format_list
from flask_babel import format_date, get_locale, get_translations
from flask_babel import gettext as _

from ..stats import LOW_DATA_VISITS
from ..stats import findings as codes
from ..stats.findings import MIN_SPLIT_VISITS
from ..web.numbers import decimal_text, percent

LISTED = 5  # names spelled out before "and N more"
LENIENCY_POINTS = 5.0  # an auditor this many points from the average auditor is worth a sentence
LENIENT_LISTED = 3
#: A person is named as lenient or strict on at least this many visits: one visit that scored 0
#: for a critical failure made "Auditor X scores 71.2 points below the average auditor (1 visit)".
NAMED_AUDITOR_VISITS = 5
#: The share between branches rests on the branches visited twice or more: fewer of them than
#: this, or fewer than :data:`MIN_SPLIT_VISITS` visits at them, make it a guess (83 % "between
#: branches" from 4 branches of 2 visits each, among 76 visited once).
FEW_REPEATED_BRANCHES = 3
#: Filters that choose some branches or visits (a period alone keeps the whole chain).
NARROWING_FILTERS = ("region", "location_format", "scenario", "location_code")


def number(value: float | None) -> str:
    """A score or a count of points, one decimal, formatted for the current locale."""
    return decimal_text(value)


def count(value: int) -> str:
    """A whole number with the locale's digit grouping: 60,113 in English, 60 113 in Lithuanian."""
    return decimal_text(value, "#,##0")


def _plural(singular: str, plural: str, num: int, **variables) -> str:
    """``ngettext`` with ``%(num)s`` printed as :func:`count` (the plural form still follows ``num``)."""
    return get_translations().ngettext(singular, plural, num) % {**variables, "num": count(num)}


def day(iso: str) -> str:
    """A day of the statistics (ISO text) as the locale writes it: 15 Aug 2026, 2026-08-15 …"""
    return format_date(date.fromisoformat(iso), "medium")


def share(value: float | None) -> str:
    return percent(value)


def names(labels: Sequence[str]) -> str:
    """"A, B and C" in the current language; more than :data:`LISTED` end with "and N more"."""
    labels = list(labels)
    if len(labels) <= LISTED:
        return format_list(labels, locale=get_locale()) if labels else ""
    return _plural("%(names)s and %(num)s more", "%(names)s and %(num)s more",
                    len(labels) - LISTED, names=", ".join(labels[:LISTED]))


def location_label(record: dict) -> str:
    return f"{record['name']} ({record['code']})"


def executive_summary(stats: dict) -> list[str]:
    """The summary sentences for ``stats`` (the dict of ``chain_statistics``), most important first."""
    if not stats.get("visits") or not stats.get("chain"):
        return [_("No approved visits match these filters.")]
    sentences = overview(stats) + best_and_worst(stats)
    by_code = {f["code"]: f for f in (stats.get("consistency") or {}).get("findings", [])}
    for code in ORDER:
        if code == LENIENT_AUDITORS:
            sentences += lenient_auditors(stats)
        elif code in by_code:
            sentences += FINDING_SENTENCES[code](by_code[code]["params"], stats)
    return sentences


def narrowed(stats: dict) -> bool:
    """Whether a filter other than the period chose some of the chain's branches or visits: the
    mean and the control limits are then those of the chosen visits, not the chain's."""
    return any((stats.get("filters") or {}).get(k) for k in NARROWING_FILTERS)


def overview(stats: dict) -> list[str]:
    chain = stats["chain"]
    consistency = stats.get("consistency") or {}
    if narrowed(stats):
        sentences = [_plural(
            "%(visits)s approved visits at %(num)s branch; these visits score %(mean)s of 100 on average. The "
            "mean and the control limits below are those of the chosen visits, not of the whole chain.",
            "%(visits)s approved visits at %(num)s branches; these visits score %(mean)s of 100 on average. The "
            "mean and the control limits below are those of the chosen visits, not of the whole chain.",
            chain["locations"], visits=count(stats["visits"]), mean=number(chain["mean"]))]
    else:
        sentences = [_plural(
            "%(visits)s approved visits at %(num)s branch; the chain scores %(mean)s of 100 on average.",
            "%(visits)s approved visits at %(num)s branches; the chain scores %(mean)s of 100 on average.",
            chain["locations"], visits=count(stats["visits"]), mean=number(chain["mean"]))]
    if consistency.get("icc_location") is not None:
        repeated = [r["visits"] for r in stats["locations"] if r["visits"] >= 2]
        if len(repeated) < FEW_REPEATED_BRANCHES or sum(repeated) < MIN_SPLIT_VISITS:
            sentences.append(_plural(
                "%(share)s of the differences between visit scores lie between branches, but only %(num)s branch "
                "has two visits or more: too few to say how consistent the branches are; read the figure with "
                "caution.",
                "%(share)s of the differences between visit scores lie between branches, but only %(num)s branches "
                "have two visits or more: too few to say how consistent the branches are; read the figure with "
                "caution.", len(repeated), share=share(consistency["icc_location"])))
        else:
            sentences.append(icc_in_words(consistency))
    return sentences


def icc_in_words(consistency: dict) -> str:
    """What the ICC means, in plain words. The adjusted share is of what is left once auditor
    effects are removed (its denominator has no auditor part), which the sentence says: the
    three-way split of the auditor sentence divides by everything, so its branch share is smaller."""
    location, adjusted = consistency.get("icc_location"), consistency.get("icc_location_adjusted")
    if adjusted is None:
        return _("%(share)s of the differences between visit scores lie between branches; the rest is "
                 "variation from visit to visit within the same branch.", share=share(location))
    return _("%(share)s of the differences between visit scores lie between branches (%(adjusted)s of what "
             "is left once the auditors' different strictness is taken out); the rest is variation from visit "
             "to visit within the same branch.", share=share(location), adjusted=share(adjusted))


def interval(low: float | None, high: float | None) -> str | None:
    """A 95% interval, clipped to the 0–100 scale the scores live on (None when there is none)."""
    if low is None or high is None:
        return None
    return f"{number(max(low, 0.0))}–{number(min(high, 100.0))}"


def best_and_worst(stats: dict) -> list[str]:
    """The ends of the ranking, among branches with enough visits when there are such — and
    then saying so, since the ranking beside the sentence ends with branches of fewer visits."""
    ranked = [r for r in stats["locations"] if r["mean"] is not None]
    enough = [r for r in ranked if not r["low_data"]]
    if len(ranked) >= 2 and len(enough) < 2:  # one visit of 100 is not "the best branch"
        return [_("No branch is named best or lowest: fewer than two branches have at least %(min)s visits.",
                  min=LOW_DATA_VISITS)]
    if len(ranked) >= 2 and all(r["funnel"] in ("inside", "no_data") for r in ranked):
        # Three salons within the limits: "the best branch" and "the lowest" were noise, named.
        means = [r["mean"] for r in (enough if len(enough) >= 2 else ranked)]
        return [_("No branch differs from the chain by more than chance (all are within the 95%% limits), so none "
                  "is named best or lowest; their means range from %(low)s to %(high)s.",
                  low=number(min(means)), high=number(max(means)))]
    among_enough = len(enough) >= 2 and len(enough) < len(ranked)
    ranked = enough if len(enough) >= 2 else ranked
    if len(ranked) < 2:
        return []
    best, worst = ranked[0], ranked[-1]
    sentence = f"{_end_of_ranking(best, best=True)} {_end_of_ranking(worst, best=False)}"
    if among_enough:  # the sentence goes on after the colon: "…: the best branch is …" (no capital)
        sentence = _("Among the branches with at least %(min)s visits: %(ends)s", min=LOW_DATA_VISITS,
                     ends=sentence[:1].lower() + sentence[1:])
    return [sentence]


def _end_of_ranking(record: dict, best: bool) -> str:
    # A word joiner after the dash: no line break inside "65.5–84.1" (a break there read as two figures).
    values = {"name": location_label(record), "mean": number(record["mean"]),
              "interval": (interval(record["ci_low"], record["ci_high"]) or "").replace("–", "–\u2060")}
    if best and values["interval"]:
        return _plural("The best branch is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visit).",
                        "The best branch is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visits).",
                        record["visits"], **values)
    if best:
        return _plural("The best branch is %(name)s with %(mean)s (%(num)s visit).",
                        "The best branch is %(name)s with %(mean)s (%(num)s visits).", record["visits"], **values)
    if values["interval"]:
        return _plural("The lowest is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visit).",
                        "The lowest is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visits).",
                        record["visits"], **values)
    return _plural("The lowest is %(name)s with %(mean)s (%(num)s visit).",
                    "The lowest is %(name)s with %(mean)s (%(num)s visits).", record["visits"], **values)


def lenient_auditors(stats: dict) -> list[str]:
    """Auditors who score clearly above or below the average auditor (auditor leniency): on at
    least :data:`NAMED_AUDITOR_VISITS` visits, by at least :data:`LENIENCY_POINTS`, and by more
    than chance allows for their number of visits
    (twice the residual SD / √visits: one visit 18 points above the rest says little)."""
    consistency = stats.get("consistency") or {}
    if (stats.get("visits") or 0) < MIN_SPLIT_VISITS:
        return []  # the dashboard says leniency cannot be estimated yet
    residual = (consistency.get("variance") or {}).get("residual")
    auditors = [a for a in consistency.get("auditors", [])
                if a["offset"] is not None and abs(a["offset"]) >= LENIENCY_POINTS
                and a["visits"] >= NAMED_AUDITOR_VISITS
                and (residual is None or abs(a["offset"]) > 2 * math.sqrt(residual / a["visits"]))]
    auditors.sort(key=lambda a: -abs(a["offset"]))
    sentences = []
    for auditor in auditors[:LENIENT_LISTED]:
        if auditor["offset"] > 0:
            text = _plural(
                "Auditor %(name)s scores %(points)s points above the average auditor (%(num)s visit); "
                "branches this auditor visits look better than they are.",
                "Auditor %(name)s scores %(points)s points above the average auditor (%(num)s visits); "
                "branches this auditor visits look better than they are.",
                auditor["visits"], name=auditor["name"], points=number(auditor["offset"]))
        else:
            text = _plural(
                "Auditor %(name)s scores %(points)s points below the average auditor (%(num)s visit); "
                "branches this auditor visits look worse than they are.",
                "Auditor %(name)s scores %(points)s points below the average auditor (%(num)s visits); "
                "branches this auditor visits look worse than they are.",
                auditor["visits"], name=auditor["name"], points=number(-auditor["offset"]))
        sentences.append(text)
    return sentences


# --- one function per finding code: (params, stats) -> sentences ---------------------------------

def auditors_explain_more(params: dict, stats: dict) -> list[str]:
    # The three parts of one split of the variance (they add up to 100%), named as such: beside the
    # share "between branches" of the sentence before, which counts no auditor effect, a bare
    # "branches 12%" read as a third, contradicting figure.
    rest = max(0.0, 1.0 - params["auditor_share"] - params["location_share"])
    return [_("Splitting the differences between visit scores into auditors, branches and single visits, "
              "the auditors account for %(auditors)s, the branches for %(branches)s and visit-to-visit "
              "variation for %(rest)s: the auditors differ more than the branches, so compare their scoring "
              "before ranking branches.",
              auditors=share(params["auditor_share"]), branches=share(params["location_share"]), rest=share(rest))]


def design_not_connected(params: dict, stats: dict) -> list[str]:
    return [_plural(
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
    return [_plural(
        "%(num)s branch has fewer than %(min)s visits; read its figures with caution: %(names)s.",
        "%(num)s branches have fewer than %(min)s visits; read their figures with caution: %(names)s.",
        len(low), min=params["min_visits"], names=names([location_label(r) for r in low]))]


def _in_band(stats: dict, band: str) -> list[dict]:
    return [r for r in stats["locations"] if r["funnel"] == band]


def locations_below_998(params: dict, stats: dict) -> list[str]:
    found = sorted(_in_band(stats, "below_998"), key=lambda r: r["mean"])
    if narrowed(stats):
        return [_plural(
            "%(num)s branch is below the 99.8%% control limit of the chosen visits, which chance alone would "
            "hardly explain: %(names)s.",
            "%(num)s branches are below the 99.8%% control limit of the chosen visits, which chance alone would "
            "hardly explain: %(names)s.", len(found), names=names([location_label(r) for r in found]))]
    return [_plural(
        "%(num)s branch is below the 99.8%% control limit of the chain, which chance alone would hardly "
        "explain: %(names)s.",
        "%(num)s branches are below the 99.8%% control limit of the chain, which chance alone would hardly "
        "explain: %(names)s.", len(found), names=names([location_label(r) for r in found]))]


def locations_above_998(params: dict, stats: dict) -> list[str]:
    found = sorted(_in_band(stats, "above_998"), key=lambda r: -r["mean"])
    if narrowed(stats):
        return [_plural(
            "%(num)s branch is above the 99.8%% control limit of the chosen visits: %(names)s.",
            "%(num)s branches are above the 99.8%% control limit of the chosen visits: %(names)s.",
            len(found), names=names([location_label(r) for r in found]))]
    return [_plural(
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
    return [_plural(
        "%(num)s branch scores significantly worse than in the previous period of the same length: %(names)s.",
        "%(num)s branches score significantly worse than in the previous period of the same length: %(names)s.",
        len(found), names=names([_with_difference(r) for r in found]))]


def significant_improvements(params: dict, stats: dict) -> list[str]:
    found = _changed(stats, declined=False)
    return [_plural(
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
        return [_plural(
            "In %(num)s case a question was failed at least %(min)s times in a branch's last %(last)s visits.",
            "In %(num)s cases a question was failed at least %(min)s times in a branch's last %(last)s visits.",
            len(pairs), min=params["min_failures"], last=params["last_n"])]
    text = next((i["text"] for i in stats["items"] if i["id"] == item), item)
    return [_plural(
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
            first = _plural(
                "“%(title)s” is the least consistent section: %(num)s branch is below the %(limit)s limit, "
                "%(in_region)s of them in %(region)s.",
                "“%(title)s” is the least consistent section: %(num)s branches are below the %(limit)s limit, "
                "%(in_region)s of them in %(region)s.", len(below), **values)
        elif below:
            first = _plural(
                "“%(title)s” is the least consistent section: %(num)s branch is below the %(limit)s limit.",
                "“%(title)s” is the least consistent section: %(num)s branches are below the %(limit)s limit.",
                len(below), **values)
        else:
            first = _("“%(title)s” is the least consistent section.", title=part["text"])
    elif region:
        first = _plural(
            "“%(title)s” is the least consistent question: %(num)s branch is below the %(limit)s limit, "
            "%(in_region)s of them in %(region)s.",
            "“%(title)s” is the least consistent question: %(num)s branches are below the %(limit)s limit, "
            "%(in_region)s of them in %(region)s.", len(below), **values)
    elif below:
        first = _plural(
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
    listed = [_plural("version %(number)s: %(num)s visit", "version %(number)s: %(num)s visits", v["visits"],
                      number=v["number"]) for v in versions]
    newest = versions[-1] if versions else None
    sentence = _plural(
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


LENIENT_AUDITORS = "lenient_auditors"  # not a finding code: the auditors' offsets, after the variance finding
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
#: The order of the summary: what head office acts on first.
ORDER = (codes.CHECKLIST_VERSIONS_DIFFER, codes.CONSISTENCY_NOT_ESTIMABLE, codes.AUDITORS_EXPLAIN_MORE, codes.DESIGN_NOT_CONNECTED, LENIENT_AUDITORS,
         codes.LOCATIONS_BELOW_998, codes.LOCATIONS_ABOVE_998, codes.SIGNIFICANT_DECLINES,
         codes.SIGNIFICANT_IMPROVEMENTS, codes.LEAST_CONSISTENT_SECTION, codes.LEAST_CONSISTENT_ITEM,
         codes.REPEAT_FAILURES, codes.LOW_DATA_LOCATIONS)
