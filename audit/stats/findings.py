"""Plain-language findings drawn from the statistics.

Each :class:`Finding` carries a machine-readable ``code`` (the web layer translates by code),
``params`` with the figures and location/item codes the text needs (plain Python values,
JSON-ready) and an English ``message`` for logs, the CLI and as the translation source.
``severity`` is ``"warning"`` for something to act on or to read the figures with caution,
``"info"`` otherwise. Labels (location names, item texts) are optional; without them the
message says "location #3".
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .consistency import ChainConsistency
from .funnel import ABOVE_998, BELOW_998
from .items import ItemStats
from .locations import LOW_DATA_VISITS, LocationStats
from .periods import PeriodChange
from .repeat_failures import RepeatFailures

LOW_DATA_LOCATIONS = "low_data_locations"
LOCATIONS_BELOW_998 = "locations_below_998"
LOCATIONS_ABOVE_998 = "locations_above_998"
AUDITORS_EXPLAIN_MORE = "auditors_explain_more_than_locations"
#: Fewer visits than this make a variance split into auditors and locations noise: 9 visits
#: once "showed" auditors explaining 24 % and told head office to compare their scoring.
MIN_SPLIT_VISITS = 20
#: The F-test of auditor effects (:func:`audit.stats.consistency.auditor_effect_p_value`) must
#: reject "auditors score alike" at this level before the auditors are said to differ more.
AUDITOR_TEST_LEVEL = 0.05
DESIGN_NOT_CONNECTED = "design_not_connected"
CONSISTENCY_NOT_ESTIMABLE = "consistency_not_estimable"
LEAST_CONSISTENT_ITEM = "least_consistent_item"
LEAST_CONSISTENT_SECTION = "least_consistent_section"
REPEAT_FAILURES = "repeat_failures"
SIGNIFICANT_DECLINES = "significant_declines"
SIGNIFICANT_IMPROVEMENTS = "significant_improvements"
CHECKLIST_VERSIONS_DIFFER = "checklist_versions_differ"
WARNING, INFO = "warning", "info"
_LISTED = 5  # names spelled out in a message before "and N more"


@dataclass(frozen=True)
class Finding:
    """One statement about the data: ``code`` + ``params`` for machines, ``message`` for people."""

    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)
    severity: str = INFO


def location_findings(stats: LocationStats, location_labels: Sequence[str] | None = None) -> list[Finding]:
    """Low-data locations and locations beyond the 99.8% funnel limits."""
    found = []
    low = np.flatnonzero(stats.low_data)
    if low.size:
        found.append(Finding(
            LOW_DATA_LOCATIONS,
            f"{_count(low.size, 'location has', 'locations have')} fewer than {LOW_DATA_VISITS} visits; "
            f"read their figures with caution: {_names(low, location_labels, 'location')}.",
            {"count": int(low.size), "locations": low.tolist(), "min_visits": LOW_DATA_VISITS},
            WARNING,
        ))
    for band, code, side, severity in ((BELOW_998, LOCATIONS_BELOW_998, "below", WARNING),
                                       (ABOVE_998, LOCATIONS_ABOVE_998, "above", INFO)):
        codes = stats.locations_in_band(band)
        if codes.size:
            found.append(Finding(
                code,
                f"{_count(codes.size, 'location is', 'locations are')} {side} the 99.8% control limit of the "
                f"chain, which chance alone would hardly explain: {_names(codes, location_labels, 'location')}.",
                {"count": int(codes.size), "locations": codes.tolist()},
                severity,
            ))
    return found


def consistency_findings(consistency: ChainConsistency) -> list[Finding]:
    """Design connectivity, auditors vs locations, and whether consistency is estimable at all."""
    found = []
    design = consistency.design
    if not design.connected and consistency.n_visits >= MIN_SPLIT_VISITS:  # too few: no split to make anyway
        found.append(Finding(
            DESIGN_NOT_CONNECTED,
            f"The visits fall into {design.n_components} groups of locations and auditors that never "
            "overlap, so auditor leniency cannot be separated from location quality between these "
            "groups. Let some auditors visit locations in more than one group.",
            {"n_components": design.n_components},
            WARNING,
        ))
    variance = consistency.variance
    if not np.isfinite(consistency.icc1.value):
        found.append(Finding(
            CONSISTENCY_NOT_ESTIMABLE,
            "There are too few visits to measure consistency: at least two locations with data and "
            "one location with two visits are needed.",
            {"n_visits": consistency.n_visits},
            WARNING,
        ))
    # Only where the split means something: auditors and locations overlap, enough visits, and
    # auditors who differ beyond chance (not one auditor's one visit).
    if (variance.auditors_explain_more and design.connected and consistency.n_visits >= MIN_SPLIT_VISITS
            and consistency.auditor_p_value < AUDITOR_TEST_LEVEL):
        found.append(Finding(
            AUDITORS_EXPLAIN_MORE,
            f"Splitting the score variance into auditors, locations and single visits, auditors account for "
            f"{variance.auditor_share:.0%}, locations for {variance.location_share:.0%} and visit-to-visit variation "
            f"for {variance.residual_share:.0%} (locations {consistency.adjusted_icc.value:.0%} of what is left "
            f"without auditors): auditors differ more than locations. "
            "Compare auditors' scoring before ranking locations.",
            {"auditor_share": variance.auditor_share, "location_share": variance.location_share,
             "auditor_variance": variance.auditor, "location_variance": variance.location,
             "auditor_p_value": consistency.auditor_p_value},
            WARNING,
        ))
    return found


def item_findings(stats: ItemStats, labels: Sequence[str] | None = None, kind: str = "item") -> list[Finding]:
    """The least consistent item (or section, ``kind="section"``): the largest noise-corrected
    spread of the location means (``spread_sd``), so a rarely answered question does not top
    the list on sampling noise alone. Nothing when no item varies beyond noise."""
    # Five visits once made a question "100 % between branches": a spread needs answers to rest on.
    spread = np.where((stats.n_locations >= 2) & (stats.n_answers >= MIN_SPLIT_VISITS), stats.spread_sd, np.nan)
    if not np.any(spread > 0):
        return []
    worst = int(np.nanargmax(spread))
    code = LEAST_CONSISTENT_SECTION if kind == "section" else LEAST_CONSISTENT_ITEM
    return [Finding(
        code,
        f"The least consistent {kind} across locations is {_name(worst, labels, kind)}: the locations' true means "
        f"spread by {spread[worst]:.1f} points (sampling noise removed) around a chain mean of "
        f"{stats.mean_score[worst]:.1f}; {stats.location_share[worst]:.0%} of its answer variance lies between "
        "locations.",
        {kind: worst, "spread_sd": float(spread[worst]), "location_share": float(stats.location_share[worst]),
         "cv": float(stats.cv[worst]), "between_location_sd": float(stats.between_location_sd[worst]),
         "mean_score": float(stats.mean_score[worst])},
        INFO,
    )]


def repeat_failure_findings(repeat: RepeatFailures, item_labels: Sequence[str] | None = None,
                            location_labels: Sequence[str] | None = None) -> list[Finding]:
    """How many (item, location) pairs failed repeatedly in the locations' last visits."""
    pairs = repeat.flagged_pairs()
    if not pairs:
        return []
    listed = ", ".join(f"{_name(item, item_labels, 'item')} at {_name(location, location_labels, 'location')}"
                       for item, location in pairs[:_LISTED])
    more = f" and {len(pairs) - _LISTED} more" if len(pairs) > _LISTED else ""
    return [Finding(
        REPEAT_FAILURES,
        f"{_count(len(pairs), 'item was', 'items were')} failed at least {repeat.min_failures} times in a "
        f"location's last {repeat.last_n} visits: {listed}{more}.",
        {"count": len(pairs), "pairs": [list(pair) for pair in pairs], "last_n": repeat.last_n,
         "min_failures": repeat.min_failures},
        WARNING,
    )]


def period_findings(change: PeriodChange, location_labels: Sequence[str] | None = None) -> list[Finding]:
    """Locations significantly worse (or better) than in the previous period."""
    found = []
    for codes, code, word, severity in ((change.declined, SIGNIFICANT_DECLINES, "worse", WARNING),
                                        (change.improved, SIGNIFICANT_IMPROVEMENTS, "better", INFO)):
        if codes.size:
            found.append(Finding(
                code,
                f"{_count(codes.size, 'location scores', 'locations score')} significantly {word} than in the "
                f"previous period (Welch t-test, false discovery rate {change.alpha:g} over the "
                f"{int(change.tested.sum())} locations tested): {_names(codes, location_labels, 'location')}.",
                {"count": int(codes.size), "locations": codes.tolist(), "alpha": change.alpha},
                severity,
            ))
    return found


def collect_findings(*, locations: LocationStats | None = None, consistency: ChainConsistency | None = None,
                     items: ItemStats | None = None, sections: ItemStats | None = None,
                     repeat: RepeatFailures | None = None, period_change: PeriodChange | None = None,
                     location_labels: Sequence[str] | None = None, item_labels: Sequence[str] | None = None,
                     section_labels: Sequence[str] | None = None,
                     versions: Sequence[tuple[int, int, bool]] = ()) -> list[Finding]:
    """All findings for the results given, warnings first. ``versions``: per checklist version
    of the visits, oldest first, ``(number, visits, scores differently from the one before)``."""
    found: list[Finding] = version_findings(versions)
    if consistency is not None:
        found += consistency_findings(consistency)
    if locations is not None:
        found += location_findings(locations, location_labels)
    if period_change is not None:
        found += period_findings(period_change, location_labels)
    if repeat is not None:
        found += repeat_failure_findings(repeat, item_labels, location_labels)
    if sections is not None:
        found += item_findings(sections, section_labels, kind="section")
    if items is not None:
        found += item_findings(items, item_labels, kind="item")
    return sorted(found, key=lambda finding: finding.severity != WARNING)


def version_findings(versions: Sequence[tuple[int, int, bool]]) -> list[Finding]:
    """A warning when the visits were scored against checklist versions that score differently."""
    changed = [number for number, _visits, differs in versions if differs]
    if not changed:
        return []
    listed = "; ".join(f"version {number}: {visits} visits" for number, visits, _ in versions)
    return [Finding(
        CHECKLIST_VERSIONS_DIFFER,
        f"The visits were scored against {len(versions)} versions of the checklist ({listed}) that score "
        f"differently; differences between periods or branches may come from the checklist.",
        {"versions": [number for number, _, _ in versions], "visits": [int(v) for _, v, _ in versions],
         "changed_in": changed},
        WARNING,
    )]


def _name(code: int, labels: Sequence[str] | None, kind: str) -> str:
    return str(labels[code]) if labels is not None else f"{kind} #{code}"


def _names(codes: np.ndarray, labels: Sequence[str] | None, kind: str) -> str:
    names = [_name(int(code), labels, kind) for code in codes[:_LISTED]]
    more = f" and {len(codes) - _LISTED} more" if len(codes) > _LISTED else ""
    return ", ".join(names) + more


def _count(n: int, singular: str, plural: str) -> str:
    return f"1 {singular}" if n == 1 else f"{n} {plural}"
