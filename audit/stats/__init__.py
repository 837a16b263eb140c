"""Consistency statistics of a chain's audit scores, on plain numpy arrays (no Flask, no DB).

The database layer aggregates approved visits in SQL and hands over arrays of integer codes
(location, auditor, item, section: 0 … k − 1) and scores. Visit and section scores are on
0–100, item scores on 0–1 (reported × 100); NaN marks a score that does not count.

Modules by topic:

* :mod:`.groups` — per-group count/mean/SS (also from SQL sums), one-way ANOVA;
* :mod:`.locations` — per-location mean, CI, SD, rank, z-score, funnel band, shrunk mean;
* :mod:`.funnel` — funnel-plot limits, classification and curve;
* :mod:`.shrinkage` — empirical-Bayes means;
* :mod:`.periods` — change against a previous period (Welch t-test);
* :mod:`.items` — per item / section: mean, pass rate, spread between locations, funnel;
* :mod:`.repeat_failures` — items failed repeatedly in a location's last visits;
* :mod:`.cells` — visits summarised per (location, auditor), from arrays or SQL sums;
* :mod:`.design`, :mod:`.additive`, :mod:`.consistency` — ICC(1), auditor-adjusted ICC,
  auditor leniency and variance components;
* :mod:`.findings` — plain-language findings with codes for translation.

scipy is imported inside the functions that use it, not at module level: loading it takes
most of a second, and every ``audit`` command and web process imports this package through
the blueprints, most of them without computing a statistic.
"""
from __future__ import annotations

from ._arrays import StatsInputError
from .additive import AdditiveFit, fit_additive_model, fit_cells
from .cells import Cells, cells_from_sums, cells_from_visits
from .consistency import (
    ChainConsistency, IccEstimate, VarianceComponents, chain_consistency, consistency_from_cells, icc_from_anova,
    location_icc, variance_components,
)
from .design import DesignConnectivity, design_connectivity
from .findings import (
    Finding, collect_findings, consistency_findings, item_findings, location_findings, period_findings,
    repeat_failure_findings,
)
from .funnel import (
    ABOVE_95, ABOVE_998, BELOW_95, BELOW_998, FUNNEL_BANDS, INSIDE, NO_DATA, Z_95, Z_998, FunnelLimits,
    classify_funnel, funnel_curve, funnel_limits,
)
from .groups import GroupSummary, OneWayAnova, one_way_anova, summarise_groups
from .items import ItemStats, SectionStats, item_statistics, section_statistics, statistics_from_cells
from .locations import (
    LOW_DATA_VISITS, LocationStats, location_statistics, location_statistics_from_summary,
    mean_confidence_interval, percentile_ranks,
)
from .periods import PeriodChange, compare_periods
from .repeat_failures import RepeatFailures, repeat_failures, repeat_failures_from_counts
from .shrinkage import ShrunkMeans, between_location_variance, shrink_location_means

__all__ = [
    "ABOVE_95", "ABOVE_998", "BELOW_95", "BELOW_998", "FUNNEL_BANDS", "INSIDE", "LOW_DATA_VISITS", "NO_DATA",
    "Z_95", "Z_998",
    "AdditiveFit", "Cells", "ChainConsistency", "DesignConnectivity", "Finding", "FunnelLimits", "GroupSummary",
    "IccEstimate", "ItemStats", "LocationStats", "OneWayAnova", "PeriodChange", "RepeatFailures",
    "SectionStats", "ShrunkMeans", "StatsInputError", "VarianceComponents",
    "between_location_variance", "cells_from_sums", "cells_from_visits", "chain_consistency", "classify_funnel",
    "collect_findings", "compare_periods", "consistency_findings", "consistency_from_cells", "design_connectivity",
    "fit_additive_model", "fit_cells", "funnel_curve",
    "funnel_limits", "icc_from_anova", "item_findings", "item_statistics", "location_findings",
    "location_icc", "location_statistics", "location_statistics_from_summary", "mean_confidence_interval",
    "one_way_anova", "percentile_ranks", "period_findings", "repeat_failure_findings", "repeat_failures",
    "repeat_failures_from_counts",
    "section_statistics", "statistics_from_cells", "shrink_location_means", "summarise_groups", "variance_components",
]
