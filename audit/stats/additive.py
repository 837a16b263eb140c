"""The additive model score = μ + location_j + auditor_a + error, fitted by least squares.

How it is fitted, and why. The least-squares normal equations of the two-factor model are

    D_L α + N β = r_L          (one row per location)
    Nᵀ α + D_A β = r_A          (one row per auditor)

with N the location × auditor table of visit counts, D the diagonal visit counts and r the
score totals. The location block is diagonal, so it can be eliminated exactly ("absorbed",
as SAS PROC GLM ABSORB and fixed-effects econometrics do):

    (D_A − Nᵀ D_L⁻¹ N) β = r_A − Nᵀ D_L⁻¹ r_L,     α = D_L⁻¹ (r_L − N β).

Only a small dense system remains, one row per level of the smaller factor (50 × 50 for 50
auditors); everything else is ``bincount`` over the (location, auditor) cells of
:mod:`audit.stats.cells` and one sparse product. The solve
is exact (no iterations, no convergence test), stays fast for 100,000 visits, and is
insensitive to how weakly auditors overlap, where back-fitting (alternating means) converges
slowly. The reduced matrix is singular by one per connected part of the design; ``lstsq``
returns a solution and the effects are then centred (below), which fixes the free constants.

Centring. Auditor offsets (leniency: + = scores higher than average) have visit-weighted
mean 0 within each connected part of the design (:mod:`audit.stats.design`); with a
connected design that is the whole chain. Location effects have visit-weighted mean 0, so
μ is the chain mean of the visits and μ + location_j is the location's mean as if scored by
an average auditor.
"""
from __future__ import annotations

from dataclasses import dataclass

from typing import TYPE_CHECKING

import numpy as np

from ._arrays import readonly
from .cells import Cells, cells_from_visits
from .design import DesignConnectivity, connectivity_from_counts

if TYPE_CHECKING:
    from scipy import sparse


@dataclass(frozen=True, eq=False)
class AdditiveFit:
    """The fitted additive model; per-level arrays are NaN for levels without visits."""

    grand_mean: float
    location_effect: np.ndarray
    #: Leniency of each auditor in score points (visit-weighted mean 0 per design component).
    auditor_offset: np.ndarray
    location_visits: np.ndarray
    auditor_visits: np.ndarray
    residual_ss: float
    residual_df: int
    design: DesignConnectivity

    @property
    def residual_variance(self) -> float:
        """Mean squared error SSE / (N − rank); NaN without residual degrees of freedom."""
        return self.residual_ss / self.residual_df if self.residual_df > 0 else float("nan")

    @property
    def adjusted_location_mean(self) -> np.ndarray:
        """Each location's mean as if every visit had been scored by an average auditor."""
        return self.grand_mean + self.location_effect

    def fitted(self, location_index, auditor_index) -> np.ndarray:
        """Model prediction μ + location + auditor for each (location, auditor) code pair."""
        location_index = np.asarray(location_index)
        auditor_index = np.asarray(auditor_index)
        return self.grand_mean + self.location_effect[location_index] + self.auditor_offset[auditor_index]


def fit_additive_model(scores, location_index, auditor_index, n_locations: int | None = None,
                       n_auditors: int | None = None) -> AdditiveFit:
    """Least-squares fit of score = μ + location + auditor (see the module docstring)."""
    return fit_cells(cells_from_visits(scores, location_index, auditor_index, n_locations, n_auditors))


def fit_cells(cells: Cells) -> AdditiveFit:
    """:func:`fit_additive_model` on visits summarised per (location, auditor) cell."""
    loc, aud = cells.location_index, cells.auditor_index
    counts = cell_count_table(cells)
    design = connectivity_from_counts(counts)
    n_loc = np.bincount(loc, weights=cells.count, minlength=cells.n_locations).astype(np.int64)
    n_aud = np.bincount(aud, weights=cells.count, minlength=cells.n_auditors).astype(np.int64)
    sum_loc = np.bincount(loc, weights=cells.total, minlength=cells.n_locations)
    sum_aud = np.bincount(aud, weights=cells.total, minlength=cells.n_auditors)
    n_visits = cells.n_visits
    if n_visits == 0:
        nan_loc, nan_aud = np.full(cells.n_locations, np.nan), np.full(cells.n_auditors, np.nan)
        return AdditiveFit(float("nan"), readonly(nan_loc), readonly(nan_aud), readonly(n_loc),
                           readonly(n_aud), float("nan"), 0, design)

    # Absorb the factor with more levels; solve the dense system for the other one.
    if cells.n_locations >= cells.n_auditors:
        alpha, beta = _absorb_and_solve(counts, n_loc, sum_loc, n_aud, sum_aud)
    else:
        beta, alpha = _absorb_and_solve(counts.T.tocsr(), n_aud, sum_aud, n_loc, sum_loc)

    # Centre the auditor offsets within each design component; locations take up the shift.
    component_loc, component_aud = design.location_component, design.auditor_component
    active_aud, active_loc = n_aud > 0, n_loc > 0
    shift = (np.bincount(component_aud[active_aud], weights=(n_aud * beta)[active_aud], minlength=design.n_components)
             / np.bincount(component_aud[active_aud], weights=n_aud[active_aud], minlength=design.n_components))
    beta = np.where(active_aud, beta - shift[np.maximum(component_aud, 0)], np.nan)
    alpha = np.where(active_loc, alpha + shift[np.maximum(component_loc, 0)], np.nan)
    grand_mean = float(np.sum((n_loc * alpha)[active_loc]) / n_visits)
    alpha = alpha - grand_mean

    # The fit is constant within a cell: SSE = within-cell SS + n · (cell mean − fitted)².
    misfit = cells.mean - grand_mean - alpha[loc] - beta[aud]
    rank = int(active_loc.sum()) + int(active_aud.sum()) - design.n_components
    return AdditiveFit(
        grand_mean=grand_mean,
        location_effect=readonly(alpha),
        auditor_offset=readonly(beta),
        location_visits=readonly(n_loc),
        auditor_visits=readonly(n_aud),
        residual_ss=float(cells.within_ss.sum() + np.sum(cells.count * misfit * misfit)),
        residual_df=int(n_visits - rank),
        design=design,
    )


def cell_count_table(cells: Cells) -> sparse.csr_matrix:
    """Sparse (location × auditor) table of visit counts."""
    from scipy import sparse  # on first use: see audit/stats/__init__.py
    return sparse.coo_matrix((cells.count.astype(float), (cells.location_index, cells.auditor_index)),
                             shape=(cells.n_locations, cells.n_auditors)).tocsr()


def _absorb_and_solve(counts: sparse.csr_matrix, n_big: np.ndarray, sum_big: np.ndarray,
                      n_small: np.ndarray, sum_small: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Effects of the absorbed (rows of ``counts``) and the solved (columns) factor."""
    from scipy import sparse  # on first use: see audit/stats/__init__.py
    inverse = np.divide(1.0, n_big, out=np.zeros(len(n_big)), where=n_big > 0)
    # Nᵀ D⁻¹ N, a small dense (columns × columns) matrix.
    cross = (counts.T @ (sparse.diags(inverse) @ counts)).toarray()
    reduced = np.diag(n_small.astype(float)) - cross
    rhs = sum_small - counts.T @ (inverse * sum_big)
    small = np.linalg.lstsq(reduced, rhs, rcond=None)[0]
    big = inverse * (sum_big - counts @ small)
    return big, small
