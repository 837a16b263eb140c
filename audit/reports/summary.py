"""The executive summary: plain sentences drawn from :func:`chain_statistics`, in the user's language.

Pure: a statistics dict in, a list of translated strings out (no database, no request). The
overview, the ends of the ranking and the auditors' leniency are worded here; each finding code
of :mod:`audit.stats.findings` has its sentence function in :mod:`.finding_sentences`, and
:data:`ORDER` says which comes first. Numbers are formatted by Babel for the current locale
(the caller sets it, e.g. with ``force_locale``).
"""
from __future__ import annotations

import math

from flask_babel import gettext as _

from ..stats import LOW_DATA_VISITS
from ..stats import findings as codes
from ..stats.findings import AUDITOR_TEST_LEVEL, MIN_SPLIT_VISITS
from .finding_sentences import FINDING_SENTENCES
from .wording import count, interval, location_label, narrowed, number, plural, share

LENIENCY_POINTS = 5.0  # an auditor this many points from the average auditor is worth a sentence
LENIENT_LISTED = 3
#: A person is named as lenient or strict on at least this many visits: one visit that scored 0
#: for a critical failure made "Auditor X scores 71.2 points below the average auditor (1 visit)".
NAMED_AUDITOR_VISITS = 5
#: The share between branches rests on the branches visited twice or more: fewer of them than
#: this, or fewer than :data:`MIN_SPLIT_VISITS` visits at them, make it a guess (83 % "between
#: branches" from 4 branches of 2 visits each, among 76 visited once).
FEW_REPEATED_BRANCHES = 3


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


def overview(stats: dict) -> list[str]:
    chain = stats["chain"]
    consistency = stats.get("consistency") or {}
    if narrowed(stats):
        sentences = [plural(
            "%(visits)s approved visits at %(num)s branch; these visits score %(mean)s of 100 on average. The "
            "mean and the control limits below are those of the chosen visits, not of the whole chain.",
            "%(visits)s approved visits at %(num)s branches; these visits score %(mean)s of 100 on average. The "
            "mean and the control limits below are those of the chosen visits, not of the whole chain.",
            chain["locations"], visits=count(stats["visits"]), mean=number(chain["mean"]))]
    else:
        sentences = [plural(
            "%(visits)s approved visits at %(num)s branch; the chain scores %(mean)s of 100 on average.",
            "%(visits)s approved visits at %(num)s branches; the chain scores %(mean)s of 100 on average.",
            chain["locations"], visits=count(stats["visits"]), mean=number(chain["mean"]))]
    if consistency.get("icc_location") is not None:
        repeated = [r["visits"] for r in stats["locations"] if r["visits"] >= 2]
        if len(repeated) < FEW_REPEATED_BRANCHES or sum(repeated) < MIN_SPLIT_VISITS:
            sentences.append(plural(
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
    three-way split of the auditor sentence divides by everything, so its branch share is smaller
    (that sentence gives this share too, so the two agree).

    An adjusted share of 0 % (the estimate is clipped at 0 when the branches, auditors taken out,
    differ less than chance makes) printed as "0 % of what is left" beside a branch below the
    99.8 % limit read as "no differences between branches": the sentence then says what the 0 %
    means and that the control limits compare the scores as given, auditors included."""
    location, adjusted = consistency.get("icc_location"), consistency.get("icc_location_adjusted")
    if adjusted is None:
        return _("%(share)s of the differences between visit scores lie between branches; the rest is "
                 "variation from visit to visit within the same branch.", share=share(location))
    if share(adjusted) == share(0.0):
        return _("%(share)s of the differences between visit scores lie between branches. Once the auditors' "
                 "different strictness is taken out, the branches taken together differ no more than chance makes "
                 "in these visits (%(adjusted)s of what is left lies between branches). The control limits compare "
                 "each branch's scores as they were given, auditors included, so a single branch can still lie "
                 "beyond them.", share=share(location), adjusted=share(adjusted))
    return _("%(share)s of the differences between visit scores lie between branches (%(adjusted)s of what "
             "is left once the auditors' different strictness is taken out); the rest is variation from visit "
             "to visit within the same branch.", share=share(location), adjusted=share(adjusted))


def best_and_worst(stats: dict) -> list[str]:
    """The ends of the ranking, among branches with enough visits when there are such — and
    then saying so, since the ranking beside the sentence lists branches of fewer visits after
    the ranked ones."""
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
        return plural("The best branch is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visit).",
                        "The best branch is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visits).",
                        record["visits"], **values)
    if best:
        return plural("The best branch is %(name)s with %(mean)s (%(num)s visit).",
                        "The best branch is %(name)s with %(mean)s (%(num)s visits).", record["visits"], **values)
    if values["interval"]:
        return plural("The lowest is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visit).",
                        "The lowest is %(name)s with %(mean)s (95%% interval %(interval)s, %(num)s visits).",
                        record["visits"], **values)
    return plural("The lowest is %(name)s with %(mean)s (%(num)s visit).",
                    "The lowest is %(name)s with %(mean)s (%(num)s visits).", record["visits"], **values)


def lenient_auditors(stats: dict) -> list[str]:
    """Auditors who score clearly above or below the average auditor (auditor leniency): on at
    least :data:`NAMED_AUDITOR_VISITS` visits, by at least :data:`LENIENCY_POINTS`, and by more
    than chance allows for their number of visits
    (twice the residual SD / √visits: one visit 18 points above the rest says little)."""
    consistency = stats.get("consistency") or {}
    if (stats.get("visits") or 0) < MIN_SPLIT_VISITS:
        return []  # the dashboard says leniency cannot be estimated yet
    p_value = consistency.get("auditor_p_value")
    if p_value is None or p_value >= AUDITOR_TEST_LEVEL:
        # The leniency card then says the auditors' differences are within chance ("no auditor is
        # shown to score more strictly or more leniently"): naming one as lenient contradicted it.
        return []
    residual = (consistency.get("variance") or {}).get("residual")
    auditors = [a for a in consistency.get("auditors", [])
                if a["offset"] is not None and abs(a["offset"]) >= LENIENCY_POINTS
                and a["visits"] >= NAMED_AUDITOR_VISITS
                and (residual is None or abs(a["offset"]) > 2 * math.sqrt(residual / a["visits"]))]
    auditors.sort(key=lambda a: -abs(a["offset"]))
    sentences = []
    for auditor in auditors[:LENIENT_LISTED]:
        if auditor["offset"] > 0:
            text = plural(
                "Auditor %(name)s scores %(points)s points above the average auditor (%(num)s visit); "
                "branches this auditor visits look better than they are.",
                "Auditor %(name)s scores %(points)s points above the average auditor (%(num)s visits); "
                "branches this auditor visits look better than they are.",
                auditor["visits"], name=auditor["name"], points=number(auditor["offset"]))
        else:
            text = plural(
                "Auditor %(name)s scores %(points)s points below the average auditor (%(num)s visit); "
                "branches this auditor visits look worse than they are.",
                "Auditor %(name)s scores %(points)s points below the average auditor (%(num)s visits); "
                "branches this auditor visits look worse than they are.",
                auditor["visits"], name=auditor["name"], points=number(-auditor["offset"]))
        sentences.append(text)
    return sentences


LENIENT_AUDITORS = "lenient_auditors"  # not a finding code: the auditors' offsets, after the variance finding
#: The order of the summary: what head office acts on first.
ORDER = (codes.CHECKLIST_VERSIONS_DIFFER, codes.CONSISTENCY_NOT_ESTIMABLE, codes.AUDITORS_EXPLAIN_MORE, codes.DESIGN_NOT_CONNECTED, LENIENT_AUDITORS,
         codes.LOCATIONS_BELOW_998, codes.LOCATIONS_ABOVE_998, codes.SIGNIFICANT_DECLINES,
         codes.SIGNIFICANT_IMPROVEMENTS, codes.LEAST_CONSISTENT_SECTION, codes.LEAST_CONSISTENT_ITEM,
         codes.REPEAT_FAILURES, codes.LOW_DATA_LOCATIONS)
