"""Funnel plots: control limits around the chain mean that narrow as visits accumulate.

A location with n visits is compared with ``chain mean ± z · σ / √n``, where σ is the SD of
single visit scores across the chain (``ddof=1``). z = 1.959964 gives the 95% limits and
z = 3.090232 the 99.8% limits (two-sided; Spiegelhalter's usual pair). Under "every location
is the same", about 1 location in 20 falls outside the 95% limits by chance and 1 in 500
outside the 99.8% limits, whatever its number of visits. That is why the funnel, not a
league table, says which locations really differ.

A mean lying exactly on a limit counts as inside: only strictly beyond a limit is "above" or
"below". The same functions serve item scores (0–100, σ = SD of the item's answers); for
yes/no items that σ is √(p(1−p)) up to the factor √(N/(N−1)), i.e. the normal approximation
of the binomial.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import StatsInputError, readonly

Z_95 = 1.959964
Z_998 = 3.090232

ABOVE_998 = "above_998"
ABOVE_95 = "above_95"
INSIDE = "inside"
BELOW_95 = "below_95"
BELOW_998 = "below_998"
#: No visits, or the chain has no spread to compare with (fewer than 2 visits overall).
NO_DATA = "no_data"
FUNNEL_BANDS = (ABOVE_998, ABOVE_95, INSIDE, BELOW_95, BELOW_998, NO_DATA)


@dataclass(frozen=True, eq=False)
class FunnelLimits:
    """The four control limits for each number of visits ``n`` (NaN where n = 0)."""

    n: np.ndarray
    centre: float
    lower_998: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    upper_998: np.ndarray


def funnel_limits(chain_mean: float, sigma: float, n) -> FunnelLimits:
    """Limits ``chain_mean ± z · sigma / √n`` for each ``n`` (any shape)."""
    n = np.asarray(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        standard_error = np.where(n > 0, sigma / np.sqrt(np.where(n > 0, n, 1)), np.nan)
    return FunnelLimits(
        n=readonly(n),
        centre=float(chain_mean),
        lower_998=readonly(chain_mean - Z_998 * standard_error),
        lower_95=readonly(chain_mean - Z_95 * standard_error),
        upper_95=readonly(chain_mean + Z_95 * standard_error),
        upper_998=readonly(chain_mean + Z_998 * standard_error),
    )


def classify_funnel(means, n, chain_mean, sigma) -> np.ndarray:
    """The funnel band of each mean (one of :data:`FUNNEL_BANDS`), as an array of strings.

    ``means`` and ``n`` broadcast together; ``chain_mean`` and ``sigma`` may be scalars or
    arrays that broadcast with them (one chain mean per item, for example).
    """
    means = np.asarray(means, dtype=np.float64)
    n = np.asarray(n)
    chain_mean = np.asarray(chain_mean, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        standard_error = sigma / np.sqrt(np.where(n > 0, n, np.nan))
    unknown = ~np.isfinite(means - chain_mean) | ~np.isfinite(standard_error) | (n <= 0)
    # Compare with the limits computed exactly as funnel_limits shows them, so a mean drawn on
    # a limit is classified as on it (inside), not one rounding error either side.
    with np.errstate(invalid="ignore"):
        bands = np.select(
            [unknown, means > chain_mean + Z_998 * standard_error, means > chain_mean + Z_95 * standard_error,
             means < chain_mean - Z_998 * standard_error, means < chain_mean - Z_95 * standard_error],
            [NO_DATA, ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
            default=INSIDE,
        )
    return readonly(bands)


def classify_binomial(passes, n, rate) -> np.ndarray:
    """The funnel band of each count of ``passes`` out of ``n`` yes/no answers against the chain's
    pass ``rate``, by the exact binomial tails instead of the normal approximation: below the 95%
    limits when P(X ≤ passes) < 2.5%, below the 99.8% limits when it is < 0.1%, and the same above
    with P(X ≥ passes). With few answers the normal limits flag what chance makes often: two "no"
    at a chain rate of 2/3 fell below its 95% limit, though chance gives them 1 time in 9.
    ``rate`` broadcasts (one per item); a rate of exactly 0 or 1 leaves nothing to test (inside).
    """
    from scipy.stats import binom  # scipy stays out of start-up

    passes = np.asarray(passes, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    rate = np.broadcast_to(np.asarray(rate, dtype=np.float64), np.broadcast(passes, n).shape)
    with np.errstate(invalid="ignore"):
        low_tail = binom.cdf(passes, n, rate)
        high_tail = binom.sf(passes - 1, n, rate)
    unknown = (n <= 0) | ~np.isfinite(rate)
    degenerate = (rate <= 0) | (rate >= 1)
    bands = np.select(
        [unknown, degenerate, high_tail < (1 - 0.998) / 2, high_tail < (1 - 0.95) / 2,
         low_tail < (1 - 0.998) / 2, low_tail < (1 - 0.95) / 2],
        [NO_DATA, INSIDE, ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
        default=INSIDE,
    )
    return readonly(bands)


def funnel_curve(chain_mean: float, sigma: float, max_n: int,
                 bounds: tuple[float, float] | None = (0.0, 100.0)) -> FunnelLimits:
    """Limits for n = 1 … ``max_n``, for drawing the funnel.

    Limits are clipped to ``bounds`` (scores cannot leave 0–100); pass ``None`` to keep the
    raw normal-approximation values. Classification never uses the clipped values.
    """
    if max_n < 1:
        raise StatsInputError(f"max_n must be at least 1 to draw a funnel, got {max_n}")
    limits = funnel_limits(chain_mean, sigma, np.arange(1, int(max_n) + 1))
    if bounds is None:
        return limits
    low, high = bounds
    return FunnelLimits(
        n=limits.n,
        centre=limits.centre,
        lower_998=readonly(np.clip(limits.lower_998, low, high)),
        lower_95=readonly(np.clip(limits.lower_95, low, high)),
        upper_95=readonly(np.clip(limits.upper_95, low, high)),
        upper_998=readonly(np.clip(limits.upper_998, low, high)),
    )


def binomial_funnel_curve(rate: float, max_n: int) -> FunnelLimits:
    """The limits :func:`classify_binomial` applies, for n = 1 … ``max_n``, on 0–100: at each n
    the lowest and the highest pass rate that is still inside each band. A yes/no question's dot
    lies beyond a drawn limit exactly when it is classified beyond it (the normal curve of
    :func:`funnel_curve` put dots inside its lines that the exact test calls below)."""
    from scipy.stats import binom  # scipy stays out of start-up

    if max_n < 1:
        raise StatsInputError(f"max_n must be at least 1 to draw a funnel, got {max_n}")
    n = np.arange(1, int(max_n) + 1)
    limits = {}
    for key, level in (("95", 0.95), ("998", 0.998)):
        tail = (1 - level) / 2
        if rate <= 0 or rate >= 1:
            lower, upper = np.zeros(len(n)), np.full(len(n), float("nan"))
            upper[:] = n
        else:
            # The fewest passes with P(X ≤ k) ≥ tail, and the most with P(X ≥ k) ≥ tail: the
            # quantile functions give them for every n at once (ppf: the least k with cdf ≥ q;
            # isf: the least k with P(X > k) ≤ q, so k + 1 is still inside when that is = q).
            lower = binom.ppf(tail, n, rate)
            upper = binom.isf(tail, n, rate)
            upper = np.where(binom.sf(upper, n, rate) >= tail, upper + 1, upper)
            # Both conditions must hold: at a tiny n a count can fail the other side's test.
            lower = np.where(binom.sf(lower - 1, n, rate) >= tail, lower, n + 1)
        limits[f"lower_{key}"] = readonly(np.minimum(lower, n) * 100.0 / n)
        limits[f"upper_{key}"] = readonly(np.maximum(upper, 0) * 100.0 / n)
    return FunnelLimits(n=readonly(n), centre=float(rate) * 100.0, **limits)
