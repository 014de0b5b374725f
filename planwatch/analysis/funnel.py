"""Comparison between areas: rates per 1,000 with Poisson funnel-plot limits.

In: per area, a count and a population.
Out: :class:`~planwatch.analysis.results.FunnelResult` — the overall rate, each area's
rate, z-score and whether it lies outside the 95% and 99.8% limits, the limits as
curves for a chart, and (optionally) the over-dispersion adjustment.

Method: Spiegelhalter (2005), "Funnel plots for comparing institutional performance",
*Statistics in Medicine* 24:1185-1202. Exact Poisson limits with the interpolation of
his Appendix A.1.1; over-dispersion by the additive random-effects model of his §3.2
(phi from 10% winsorised z-scores; tau² by the DerSimonian-Laird moment formula).
The adjustment is applied when asked for, and also whenever every area lies outside the
exact 99.8% limits: by chance 0.2% would, so limits that leave out every area describe
none of them, and a claim that one force is "below the range expected" would only
restate that forces differ. :func:`limits_name` says which limits a result used.
Methodology §7.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

# scipy.special's compiled ufuncs from dist (without scipy.special's slow __init__)
from planwatch.analysis.dist import normal_quantile, special
from planwatch.analysis.results import FunnelPoint, FunnelResult
from planwatch.errors import AnalysisError, Location

PER_THOUSAND = 1000.0
#: Two-sided levels of the inner and outer limits (Spiegelhalter 2005: "2 and 3 sigma").
LEVEL_95 = 0.95
LEVEL_998 = 0.998
#: Share of z-scores pulled in at each end before estimating over-dispersion (Spiegelhalter 2005, §3.2).
WINSOR_FRACTION = 0.10
#: Points on each limit curve drawn for a chart.
CURVE_POINTS = 60
METHOD_EXACT = "funnel_poisson"
METHOD_OVERDISPERSED = "funnel_poisson_overdispersed"
LIMITS_NAMES = {
    METHOD_EXACT: "exact Poisson limits",
    METHOD_OVERDISPERSED: "limits widened for over-dispersion between forces "
    "(Spiegelhalter's additive random-effects method)",
}


def limits_name(result: FunnelResult) -> str:
    """Which control limits a funnel result used, in words for a reader."""
    return LIMITS_NAMES.get(result.method, result.method)


def _check(areas: Sequence[tuple[str, float, float]]) -> None:
    if len(areas) < 2:
        raise AnalysisError(
            f"a funnel comparison needs at least two areas; got {len(areas)}",
            expected="two or more areas",
        )
    for name, count, population in areas:
        if not (population > 0 and math.isfinite(population)):
            raise AnalysisError(
                f"area '{name}' has population {population}",
                location=Location(field=name),
                expected="a population above 0",
            )
        if not (count >= 0 and math.isfinite(count)):
            raise AnalysisError(
                f"area '{name}' has count {count}",
                location=Location(field=name),
                expected="a count of 0 or more",
            )


def poisson_quantile(prob: float, expected: np.ndarray) -> np.ndarray:
    """The smallest whole count r with P(X <= r) >= ``prob`` for X ~ Poisson(expected),
    for 0 < prob < 1 and expected > 0: what ``scipy.stats.poisson.ppf`` gives, from
    ``scipy.special`` alone (the inverse of the Poisson distribution function in the
    count, rounded up, then one lower if that already reaches ``prob``), so that
    importing the analysis does not import ``scipy.stats`` (about half a second).
    Tested against ``scipy.stats.poisson.ppf`` (tests/analysis/test_poisson_quantile.py)."""
    upper = np.ceil(special.pdtrik(prob, expected))
    lower = np.maximum(upper - 1.0, 0.0)
    quantile: np.ndarray = np.where(special.pdtr(lower, expected) >= prob, lower, upper)
    return quantile


def poisson_limit(expected: np.ndarray, prob: float) -> np.ndarray:
    """Count at cumulative probability ``prob`` for Poisson(expected), interpolated
    between whole numbers (Spiegelhalter 2005, Appendix A.1.1)."""
    r = poisson_quantile(prob, expected)
    f_r = special.pdtr(r, expected)
    f_before = np.where(r > 0, special.pdtr(r - 1, expected), 0.0)
    span = f_r - f_before
    alpha = np.where(span > 0, (f_r - prob) / np.where(span > 0, span, 1.0), 0.0)
    limit: np.ndarray = np.maximum(r - alpha, 0.0)
    return limit


def _tail_outside(count: float, expected: float, level: float) -> tuple[bool, bool]:
    """(above, below) the exact two-sided ``level`` limits."""
    tail = (1.0 - level) / 2.0
    upper = float(poisson_limit(np.array([expected]), 1.0 - tail)[0])
    lower = float(poisson_limit(np.array([expected]), tail)[0])
    return count > upper, count < lower


def _tau2(z: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Over-dispersion phi (mean squared winsorised z) and additive tau² (0 if phi is
    small enough for chance: I·phi <= I - 1)."""
    lo, hi = np.quantile(z, [WINSOR_FRACTION, 1.0 - WINSOR_FRACTION])
    zw = np.clip(z, lo, hi)
    n = z.shape[0]
    phi = float(np.mean(zw**2))
    if n * phi <= n - 1:
        return phi, 0.0
    denom = float(weights.sum() - (weights**2).sum() / weights.sum())
    return phi, (n * phi - (n - 1)) / denom


def funnel(
    areas: Sequence[tuple[str, float, float]], *, overdispersion: bool = False
) -> FunnelResult:
    """Each area's rate against the overall rate, with exact Poisson limits (or, with
    ``overdispersion`` or when the exact limits leave out every area, normal limits
    widened by the random-effects tau²)."""
    result = _funnel(areas, overdispersion=overdispersion)
    if not overdispersion and all(p.outside_998 for p in result.points):
        return _funnel(areas, overdispersion=True)
    return result


def _funnel(areas: Sequence[tuple[str, float, float]], *, overdispersion: bool) -> FunnelResult:
    _check(areas)
    counts = np.array([c for _, c, _ in areas], dtype=np.float64)
    pops = np.array([p for _, _, p in areas], dtype=np.float64)
    p0 = float(counts.sum() / pops.sum())
    if p0 <= 0:
        raise AnalysisError(
            "no events in any area, so there is nothing to compare", expected="at least one event"
        )
    expected = p0 * pops
    rate = counts / pops
    s2 = p0 / pops
    z = (rate - p0) / np.sqrt(s2)
    phi: float | None = None
    tau2: float | None = None
    if overdispersion:
        phi, tau2 = _tau2(z, 1.0 / s2)
        z = (rate - p0) / np.sqrt(s2 + tau2)
    points = tuple(
        _point(name, counts[i], pops[i], expected[i], z[i], overdispersion)
        for i, (name, _, _) in enumerate(areas)
    )
    grid = np.geomspace(pops.min() / 2.0, pops.max() * 2.0, CURVE_POINTS)
    curves = {level: _curve(grid, p0, level, tau2) for level in (LEVEL_95, LEVEL_998)}
    return FunnelResult(
        method=METHOD_OVERDISPERSED if overdispersion else METHOD_EXACT,
        overall_rate_per_1000=p0 * PER_THOUSAND,
        points=points,
        overdispersion=phi,
        tau2=tau2,
        curve_population=tuple(float(g) for g in grid),
        lower_95=curves[LEVEL_95][0],
        upper_95=curves[LEVEL_95][1],
        lower_998=curves[LEVEL_998][0],
        upper_998=curves[LEVEL_998][1],
    )


def _point(
    name: str, count: float, population: float, expected: float, z: float, normal: bool
) -> FunnelPoint:
    if normal:
        out95 = abs(z) > normal_quantile(1.0 - (1.0 - LEVEL_95) / 2.0)
        out998 = abs(z) > normal_quantile(1.0 - (1.0 - LEVEL_998) / 2.0)
    else:
        high95, low95 = _tail_outside(count, expected, LEVEL_95)
        high998, low998 = _tail_outside(count, expected, LEVEL_998)
        out95, out998 = high95 or low95, high998 or low998
    side: Literal["high", "low", "within"] = (
        "within" if not out95 else ("high" if count > expected else "low")
    )
    return FunnelPoint(
        name,
        float(count),
        float(population),
        float(PER_THOUSAND * count / population),
        float(z),
        bool(out95),
        bool(out998),
        side,
    )


def _curve(
    grid: np.ndarray, p0: float, level: float, tau2: float | None
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    tail = (1.0 - level) / 2.0
    if tau2 is None:
        low = poisson_limit(p0 * grid, tail) / grid
        high = poisson_limit(p0 * grid, 1.0 - tail) / grid
    else:
        half = normal_quantile(1.0 - tail) * np.sqrt(p0 / grid + tau2)
        low, high = np.maximum(p0 - half, 0.0), p0 + half
    return tuple(float(v) for v in PER_THOUSAND * low), tuple(float(v) for v in PER_THOUSAND * high)
