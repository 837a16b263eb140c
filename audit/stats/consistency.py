"""How consistent is the chain? Intraclass correlations and variance components.

ICC(1), the share of visit-score variance that lies between locations, comes from the
one-way random-effects ANOVA (unbalanced data allowed):

    ICC(1) = (MSB − MSW) / (MSB + (n₀ − 1) · MSW),   n₀ = (N − Σ n_j² / N) / (k − 1),

which is Shrout & Fleiss ICC(1,1) for balanced data. A high ICC means locations really
differ (inconsistent chain); near 0 means visit-to-visit noise dominates.

Part of what looks like location differences may be auditors: a lenient auditor who
happens to visit some branches lifts them. The auditor-adjusted figure removes that with the
additive model of :mod:`audit.stats.additive` and Henderson's method III (the ANOVA
method of moments for unbalanced data, fitting each factor after the other):

    σ²_loc = (R(loc | auditor) − df_loc · MSE) / (N − Σ_a Σ_j n_ja² / n_a)
    σ²_aud = (R(auditor | loc) − df_aud · MSE) / (N − Σ_j Σ_a n_ja² / n_j)

where R(· | ·) is the drop in residual sum of squares when the factor is added last, df its
rank gain and MSE the additive model's residual variance. The denominators are the traces
tr(Zᵀ(I − P)Z) that make the estimators unbiased. With auditors left out these formulas give
back exactly the one-way estimator above; for a balanced, fully crossed design σ²_loc =
(MS_rows − MS_error) / k_auditors, so the adjusted ICC = σ²_loc / (σ²_loc + MSE) equals
Shrout & Fleiss ICC(3,1).

"Variance explained" compares these variance components (σ²_aud vs σ²_loc), not the spread
of fitted effects: fitted effects of locations with few visits are mostly noise, which would
make locations look more different than they are. Negative estimates are clipped to 0; the
raw values are kept beside them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .additive import AdditiveFit, cell_count_table, fit_cells
from .cells import Cells, cells_from_visits
from .design import DesignConnectivity
from .groups import OneWayAnova, one_way_anova, summarise_groups


@dataclass(frozen=True)
class IccEstimate:
    """An intraclass correlation: ``value`` clipped at 0 and the unclipped ``raw`` estimate."""

    value: float
    raw: float


@dataclass(frozen=True)
class VarianceComponents:
    """Variance of true location effects, of auditor effects and of single visits (residual).

    ``location`` and ``auditor`` are clipped at 0; NaN when not estimable (e.g. one auditor).
    """

    location: float
    auditor: float
    residual: float
    location_raw: float
    auditor_raw: float

    @property
    def total(self) -> float:
        """Sum of the estimable components."""
        return float(np.nansum([self.location, self.auditor, self.residual]))

    @property
    def location_share(self) -> float:
        return self._share(self.location)

    @property
    def auditor_share(self) -> float:
        return self._share(self.auditor)

    @property
    def residual_share(self) -> float:
        return self._share(self.residual)

    @property
    def auditors_explain_more(self) -> bool:
        """True when auditor differences explain more variance than location differences."""
        return bool(np.isfinite(self.auditor) and np.isfinite(self.location) and self.auditor > self.location)

    def _share(self, component: float) -> float:
        total = self.total
        return component / total if total > 0 and np.isfinite(component) else float("nan")


@dataclass(frozen=True, eq=False)
class ChainConsistency:
    """Everything about chain consistency from one set of visits."""

    n_visits: int
    anova: OneWayAnova
    #: ICC(1): share of variance between locations, auditors not removed.
    icc1: IccEstimate
    #: The same share after removing auditor effects (ICC(3,1) when balanced and crossed).
    adjusted_icc: IccEstimate
    variance: VarianceComponents
    fit: AdditiveFit
    #: p-value of the F-test for auditor effects after location effects, over the visits of
    #: auditors with at least :data:`MIN_TESTED_AUDITOR_VISITS` visits (NaN when not testable).
    auditor_p_value: float = float("nan")

    @property
    def design(self) -> DesignConnectivity:
        return self.fit.design

    @property
    def auditor_offset(self) -> np.ndarray:
        return self.fit.auditor_offset

    @property
    def auditor_visits(self) -> np.ndarray:
        return self.fit.auditor_visits


def icc_from_anova(anova: OneWayAnova) -> IccEstimate:
    """ICC(1) = (MSB − MSW) / (MSB + (n₀ − 1) MSW) from a one-way ANOVA; NaN if undefined."""
    denominator = anova.ms_between + (anova.n0 - 1) * anova.ms_within
    if not np.isfinite(denominator) or denominator <= 0:
        return IccEstimate(float("nan"), float("nan"))
    raw = (anova.ms_between - anova.ms_within) / denominator
    return IccEstimate(max(0.0, raw), raw)


def location_icc(scores, location_index, n_locations: int | None = None) -> IccEstimate:
    """ICC(1) of visit scores grouped by location (NaN scores left out)."""
    return icc_from_anova(one_way_anova(summarise_groups(scores, location_index, n_locations)))


def variance_components(scores, location_index, auditor_index, n_locations: int | None = None,
                        n_auditors: int | None = None) -> VarianceComponents:
    """Location, auditor and residual variance by Henderson's method III (module docstring)."""
    cells = cells_from_visits(scores, location_index, auditor_index, n_locations, n_auditors)
    return _variance_components(cells, fit_cells(cells))


def chain_consistency(scores, location_index, auditor_index, n_locations: int | None = None,
                      n_auditors: int | None = None) -> ChainConsistency:
    """ICC(1), auditor-adjusted ICC, variance components, auditor offsets and design check.

    One row per approved visit: score on 0–100 (NaN rows are left out), location code,
    auditor code.
    """
    return consistency_from_cells(cells_from_visits(scores, location_index, auditor_index, n_locations, n_auditors))


def consistency_from_cells(cells: Cells) -> ChainConsistency:
    """:func:`chain_consistency` from visits summarised per (location, auditor) cell."""
    fit = fit_cells(cells)
    anova = one_way_anova(cells.by_location())
    variance = _variance_components(cells, fit)
    return ChainConsistency(
        n_visits=cells.n_visits,
        anova=anova,
        icc1=icc_from_anova(anova),
        adjusted_icc=_ratio_estimate(variance.location, variance.location_raw, variance.residual),
        variance=variance,
        fit=fit,
        auditor_p_value=auditor_effect_p_value(cells),
    )


#: An auditor needs this many visits to enter the test of auditor effects: the offset of an
#: auditor seen once is that one visit's deviation, and one visit that scored 0 for a critical
#: failure made "the auditors differ more than the branches" on its own (36 visits, p = 0.01;
#: 0.06 without it).
MIN_TESTED_AUDITOR_VISITS = 3


def auditor_effect_p_value(cells: Cells, min_visits: int = MIN_TESTED_AUDITOR_VISITS) -> float:
    """Do auditors differ beyond chance, once the locations are accounted for? The F-test of
    the additive model against the locations-only model, F = (R(auditor | location) / df) /
    MSE, over the visits of auditors with at least ``min_visits`` visits; NaN when the data
    leave no auditor degree of freedom or no residual one."""
    visits = np.bincount(cells.auditor_index, weights=cells.count, minlength=cells.n_auditors)
    keep = visits[cells.auditor_index] >= min_visits
    tested = Cells(cells.location_index[keep], cells.auditor_index[keep], cells.count[keep], cells.total[keep],
                   cells.within_ss[keep], cells.n_locations, cells.n_auditors)
    if tested.n_visits == 0:
        return float("nan")
    fit = fit_cells(tested)
    df = int((fit.auditor_visits > 0).sum()) - fit.design.n_components
    mse = fit.residual_variance
    if df <= 0 or fit.residual_df <= 0 or not mse > 0:
        return float("nan")
    reduction = float(tested.by_location().within_ss.sum()) - fit.residual_ss
    from scipy.stats import f as f_distribution  # scipy stays out of start-up

    return float(f_distribution.sf(max(reduction, 0.0) / df / mse, df, fit.residual_df))


def _variance_components(cells: Cells, fit: AdditiveFit) -> VarianceComponents:
    n = cells.n_visits
    mse = fit.residual_variance
    counts = cell_count_table(cells)
    squares = counts.multiply(counts)
    n_loc, n_aud = fit.location_visits, fit.auditor_visits
    with np.errstate(invalid="ignore", divide="ignore"):
        per_auditor = np.asarray(squares.sum(axis=0)).ravel()
        per_location = np.asarray(squares.sum(axis=1)).ravel()
        location_trace = n - float(np.sum(per_auditor[n_aud > 0] / n_aud[n_aud > 0]))
        auditor_trace = n - float(np.sum(per_location[n_loc > 0] / n_loc[n_loc > 0]))
    # Residual SS of the one-factor models; their excess over the full model is R(factor | other).
    sse_auditors_only = float(cells.by_auditor().within_ss.sum())
    sse_locations_only = float(cells.by_location().within_ss.sum())
    components = fit.design.n_components
    location_raw = _method_three(sse_auditors_only - fit.residual_ss, int((n_loc > 0).sum()) - components,
                                 location_trace, mse)
    auditor_raw = _method_three(sse_locations_only - fit.residual_ss, int((n_aud > 0).sum()) - components,
                                auditor_trace, mse)
    return VarianceComponents(
        location=_clip(location_raw), auditor=_clip(auditor_raw), residual=mse,
        location_raw=location_raw, auditor_raw=auditor_raw,
    )


def _method_three(reduction: float, df: int, trace: float, mse: float) -> float:
    if df <= 0 or not trace > 0 or not np.isfinite(mse):
        return float("nan")
    return (reduction - df * mse) / trace


def _clip(value: float) -> float:
    return max(0.0, value) if np.isfinite(value) else float("nan")


def _ratio_estimate(component: float, component_raw: float, residual: float) -> IccEstimate:
    """component / (component + residual), clipped and raw."""
    def ratio(numerator: float) -> float:
        denominator = numerator + residual
        return numerator / denominator if np.isfinite(denominator) and denominator > 0 else float("nan")
    return IccEstimate(ratio(component), ratio(component_raw))
