"""The power frontier of a trend test that must hold its size whatever the wander: an
upper bound on the power of every such test, and the power of planwatch's likelihood
ratio on the same errors (methodology §2.6, issue 11). Shared by
``benchmarks/sim_inference.py --frontier`` and ``tests/analysis/test_power_bound.py``.

Model: on the log scale a series is ``y = X beta + s e`` with ``e ~ N(0, V(rho, lam))``,
``V = (1 - lam) R(rho) + lam I`` (the AR(1)+noise errors of §2.6) and ``X`` the trend
and season design. planwatch's test, like any test that does not depend on the level,
the season effects or the scale, sees the data only through the maximal invariant
``u = K'y / |K'y|`` (``K`` an orthonormal basis of the contrasts orthogonal to the
season-only design, ``m`` columns). With ``C = K'VK``, ``A = u'C^-1 u``:

- no trend: the density of ``u`` is ``|C|^-1/2 A^(-m/2)`` (the angular central Gaussian
  distribution; Tyler, D. E. (1987) "Statistical analysis for the angular central
  Gaussian distribution on the sphere", *Biometrika* 74:579-589), up to a constant;
- a trend of ``+delta`` or ``-delta`` (in units of ``s``, equally likely; ``mu = K' x_t
  delta``, ``B = u'C^-1 mu``, ``D = mu'C^-1 mu``): the same times
  ``exp(-D/2) 1F1(m/2; 1/2; B^2 / (2A))`` (integrating the radius out; the odd terms
  cancel between the two signs).

The bound (Elliott, G., Müller, U. K. & Watson, M. W. (2015) "Nearly optimal tests when
a nuisance parameter is present under the null hypothesis", *Econometrica* 83:771-811,
Lemma 1): for any weights ``Lambda`` over the null points, the Neyman-Pearson test of
the alternative against the ``Lambda``-mixture of the nulls, at ``Lambda``-average size
``alpha``, has at least the power of every test whose size is at most ``alpha`` at each
null point. ``Lambda`` is chosen by their iteration (raise the weight of a null point
whose rejection rate is above ``alpha``), which makes the bound nearly tight; any
``Lambda`` gives a valid bound. It is a bound for the Gaussian log-scale model with the
alternative's (rho, lambda) and size known exactly: no real test reaches it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import hyp1f1, ndtr

from planwatch.analysis.argls import (
    error_covariance,
    fit_ar_gls_batch,
    likelihood_ratio,
    simulate_critical,
)
from planwatch.analysis.design import trend_design
from planwatch.analysis.dist import normal_quantile

FloatArray = NDArray[np.float64]

#: AR coefficients and noise shares of the null points (independent errors once).
NULL_RHO = (0.2, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8)
NULL_LAMBDA = (0.0, 0.15, 0.3, 0.6)
#: Steps of the weight iteration and its gain (EMW 2015, appendix: a few hundred suffice).
ITERATIONS = 400
GAIN = 2.0
#: Wander and counting noise of the simulated counts (tests/analysis/simulate.py):
#: marginal variance of the log-level, and the Poisson variance on the log scale 1/level.
WANDER_VARIANCE = 0.08**2


@dataclass(frozen=True)
class Alternative:
    """A trend of ``pct`` % a year with AR ``rho``, at ``level`` counts a period (Poisson
    noise on the log scale, variance 1/level, added to the wander)."""

    rho: float
    level: float
    pct: float

    @property
    def lam(self) -> float:
        noise = 1.0 / self.level
        return 1.0 if self.rho == 0 else noise / (WANDER_VARIANCE + noise)

    @property
    def delta(self) -> float:
        """The slope (log a year) in units of the error sd."""
        return math.log1p(self.pct / 100.0) / math.sqrt(WANDER_VARIANCE + 1.0 / self.level)


@dataclass(frozen=True)
class Frontier:
    bound: float  # no test holding its size at every null point has more power
    feasible: float  # power of the test the iteration ends with
    feasible_size: float  # its largest size over the null points
    oracle: float  # GLS with the true covariance known (a z test)


class _Invariant:
    def __init__(self, n: int, ppy: int) -> None:
        self.pos = np.arange(n, dtype=np.float64)
        design = trend_design(np.arange(n), np.arange(n) % ppy, ppy)
        self.X = design.X
        self.tc = design.time_column
        X0 = np.delete(design.X, design.time_column, axis=1)
        Q, _ = np.linalg.qr(X0, mode="complete")
        self.K = Q[:, X0.shape[1] :]
        self.m = self.K.shape[1]

    def cov(self, rho: float, lam: float) -> tuple[FloatArray, float]:
        C = self.K.T @ error_covariance(self.pos, rho, lam) @ self.K
        return np.linalg.inv(C), float(np.linalg.slogdet(C)[1])

    def draw(self, rng: np.random.Generator, rho: float, lam: float, B: int, delta: float = 0.0):
        L = np.linalg.cholesky(error_covariance(self.pos, rho, lam))
        y = rng.standard_normal((B, self.pos.shape[0])) @ L.T
        y = y + delta * np.where(rng.random(B) < 0.5, 1.0, -1.0)[:, None] * self.X[:, self.tc]
        return y

    def u(self, y: FloatArray) -> FloatArray:
        v = y @ self.K
        out: FloatArray = v / np.linalg.norm(v, axis=1, keepdims=True)
        return out

    def log_null(self, U: FloatArray, W: FloatArray, logdet: float) -> FloatArray:
        A = np.einsum("bi,bi->b", U @ W, U)
        out: FloatArray = -0.5 * logdet - 0.5 * self.m * np.log(A)
        return out

    def log_alternative(self, U: FloatArray, alt: Alternative) -> FloatArray:
        W, logdet = self.cov(alt.rho, alt.lam)
        mu = alt.delta * (self.K.T @ self.X[:, self.tc])
        UW = U @ W
        A = np.einsum("bi,bi->b", UW, U)
        B = UW @ mu
        D = float(mu @ W @ mu)
        z = B * B / (2.0 * A)
        a, b = 0.5 * self.m, 0.5
        with np.errstate(over="ignore"):
            f = hyp1f1(a, b, z)
        # past overflow, 1F1(a; b; z) ~ Gamma(b) / Gamma(a) e^z z^(a - b) (DLMF 13.7.2)
        tail = math.lgamma(b) - math.lgamma(a) + z + (a - b) * np.log(np.maximum(z, 1e-300))
        log_f = np.where(np.isfinite(f), np.log(np.maximum(f, 1e-300)), tail)
        out: FloatArray = -0.5 * logdet - 0.5 * self.m * np.log(A) - 0.5 * D + log_f
        return out


def null_points(hold: float) -> list[tuple[float, float]]:
    """The null (rho, lambda) the size is held at: every AR coefficient up to ``hold``."""
    return [(0.0, 1.0)] + [(r, lam) for r in NULL_RHO if r <= hold + 1e-9 for lam in NULL_LAMBDA]


def frontier(
    n: int,
    ppy: int,
    alt: Alternative,
    *,
    hold: float = 0.8,
    draws: int = 4000,
    alpha: float = 0.05,
    seed: int = 3,
) -> Frontier:
    """The power bound at ``alt`` for tests whose size is at most ``alpha`` at every null
    point with AR up to ``hold``, by Monte Carlo with ``draws`` series a point."""
    inv = _Invariant(n, ppy)
    rng = np.random.default_rng(seed)
    points = null_points(hold)
    covs = [inv.cov(r, lam) for r, lam in points]

    def logs(y: FloatArray) -> tuple[FloatArray, FloatArray]:
        U = inv.u(y)
        nulls = np.stack([inv.log_null(U, W, ld) for W, ld in covs], axis=1)
        return inv.log_alternative(U, alt), nulls

    under_null = [logs(inv.draw(rng, r, lam, draws)) for r, lam in points]
    la_alt, ln_alt = logs(inv.draw(rng, alt.rho, alt.lam, draws, alt.delta))
    # the test rejects when f_alt > sum_j exp(w_j) f_j, i.e. sum_j exp(w_j) E_ij < 1 with
    # E_ij = f_j / f_alt of draw i: one matrix-vector product a step
    E_null = np.concatenate([_ratios(la, ln) for la, ln in under_null])
    E_alt = _ratios(la_alt, ln_alt)
    group = np.repeat(np.arange(len(points)), draws)

    def rates(weights: FloatArray) -> FloatArray:
        reject = E_null @ np.exp(weights) < 1.0
        out: FloatArray = np.bincount(group, weights=reject, minlength=len(points)) / draws
        return out

    weights = np.zeros(len(points))
    for _ in range(ITERATIONS):
        weights = np.clip(weights + GAIN * (rates(weights) - alpha) / alpha, -200.0, 200.0)
    feasible = float(np.mean(E_alt @ np.exp(weights) < 1.0))
    # the Neyman-Pearson test against the mixture, at mixture-average size alpha: reject
    # when sum_j exp(w_j) E_ij < k, k chosen on the pooled null draws
    share = np.exp(weights - weights.max())
    share /= share.sum()
    stat = E_null @ np.exp(weights)
    order = np.argsort(stat)
    mass = np.cumsum(share[group[order]] / draws)
    k = stat[order][np.searchsorted(mass, alpha, side="right")]
    bound = float(np.mean(E_alt @ np.exp(weights) < k))
    worst = float(rates(weights).max())
    # the feasible test's own power can exceed the Monte Carlo bound by chance: keep the larger
    return Frontier(max(bound, feasible), feasible, worst, oracle_power(inv, alt, alpha))


@dataclass(frozen=True)
class WeightedPower:
    """A nearly optimal test for an average of alternatives (EMW 2015), on fresh draws."""

    worst_size: float  # over the null points of null_points(0.8)
    power: tuple[tuple[Alternative, float, float], ...]  # (alternative, its power, the LR's)


def weighted_average_power_test(
    n: int,
    ppy: int,
    tuned: tuple[Alternative, ...],
    checked: tuple[Alternative, ...],
    critical: float,
    *,
    draws: int = 3000,
    alpha: float = 0.05,
) -> WeightedPower:
    """The test that rejects when the average density of the ``tuned`` alternatives beats
    the least favourable mixture of the nulls (AR up to 0.8), weights found by EMW's
    iteration on one set of draws and its size and power (against the likelihood ratio
    with ``critical``) measured on fresh ones."""
    inv = _Invariant(n, ppy)
    points = null_points(0.8)
    covs = [inv.cov(r, lam) for r, lam in points]

    def ratios(y: FloatArray) -> FloatArray:
        U = inv.u(y)
        nulls = np.stack([inv.log_null(U, W, ld) for W, ld in covs], axis=1)
        la = np.stack([inv.log_alternative(U, a) for a in tuned], axis=1)
        top = la.max(axis=1)
        return _ratios(top + np.log(np.exp(la - top[:, None]).mean(axis=1)), nulls)

    rng = np.random.default_rng(9)
    E = np.concatenate([ratios(inv.draw(rng, r, lam, draws)) for r, lam in points])
    group = np.repeat(np.arange(len(points)), draws)
    weights = np.zeros(len(points))
    for _ in range(ITERATIONS):
        rp = np.bincount(group, weights=E @ np.exp(weights) < 1.0, minlength=len(points))
        weights = np.clip(weights + GAIN * (rp / draws - alpha) / alpha, -200.0, 200.0)
    fresh = np.random.default_rng(10)
    sizes = [
        float(np.mean(ratios(inv.draw(fresh, r, lam, draws)) @ np.exp(weights) < 1.0))
        for r, lam in points
    ]
    power = []
    for a in checked:
        y = inv.draw(fresh, a.rho, a.lam, draws, a.delta)
        wap = float(np.mean(ratios(y) @ np.exp(weights) < 1.0))
        lr = float(np.mean(likelihood_ratio(inv.pos, inv.X, inv.tc, y, y) > critical))
        power.append((a, wap, lr))
    return WeightedPower(max(sizes), tuple(power))


def _ratios(la: FloatArray, ln: FloatArray) -> FloatArray:
    """``f_j / f_alt`` for every draw (row) and null point (column), clipped to floats."""
    out: FloatArray = np.exp(np.clip(ln - la[:, None], -700.0, 700.0))
    return out


def oracle_power(inv: _Invariant, alt: Alternative, alpha: float) -> float:
    """Two-sided z test of the GLS slope with the true covariance (in units of s)."""
    Vi = np.linalg.inv(error_covariance(inv.pos, alt.rho, alt.lam))
    se = math.sqrt(float(np.linalg.inv(inv.X.T @ Vi @ inv.X)[inv.tc, inv.tc]))
    z = normal_quantile(1.0 - alpha / 2.0)
    shift = alt.delta / se
    return float(ndtr(shift - z) + ndtr(-shift - z))


def lr_power(
    n: int,
    ppy: int,
    alt: Alternative,
    critical: float,
    *,
    draws: int = 4000,
    seed: int = 4,
) -> float:
    """Share of Gaussian log-scale series with the alternative's trend and errors whose
    likelihood ratio (planwatch's statistic, ``argls.likelihood_ratio``) exceeds
    ``critical``."""
    inv = _Invariant(n, ppy)
    rng = np.random.default_rng(seed)
    y = inv.draw(rng, alt.rho, alt.lam, draws, alt.delta)
    lr = likelihood_ratio(inv.pos, inv.X, inv.tc, y, y)
    return float(np.mean(lr > critical))


def lr_size(
    n: int, ppy: int, rho: float, lam: float, critical: float, *, draws: int = 4000, seed: int = 5
) -> float:
    """Share of trend-free Gaussian series with AR(1)+noise errors (rho, lam) whose
    likelihood ratio exceeds ``critical``."""
    inv = _Invariant(n, ppy)
    rng = np.random.default_rng(seed)
    y = inv.draw(rng, rho, lam, draws)
    lr = likelihood_ratio(inv.pos, inv.X, inv.tc, y, y)
    return float(np.mean(lr > critical))


@dataclass(frozen=True)
class Conditional:
    """A critical value that depends on an estimated AR coefficient: c(rho_hat) = the
    likelihood ratio's 95.5% point at true AR min(rho_hat + shift, 0.8) (largest over
    lambda 0, 0.15, 0.3), with rho_hat the REML estimate of the trend model
    (``full``) or of the season-only model."""

    full: bool
    shift: float
    worst_size: float  # over the null points (AR 0 to 0.8, lambda 0 to 0.6)
    power: float  # at the alternative


#: True AR coefficients at which the conditional critical values are simulated.
CONDITIONAL_RHO = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def conditional_candidates(
    n: int, ppy: int, alt: Alternative, shifts: tuple[float, ...], *, draws: int = 4000
) -> tuple[float, float, list[Conditional]]:
    """The fixed critical value's worst size and power, then each c(rho_hat) candidate's,
    on Gaussian log-scale series (size over AR 0 to 0.8 and lambda 0 to 0.6)."""
    inv = _Invariant(n, ppy)
    rng = np.random.default_rng(6)
    X0 = np.ascontiguousarray(np.delete(inv.X, inv.tc, axis=1))

    def stats(y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        lr = likelihood_ratio(inv.pos, inv.X, inv.tc, y, y)
        full = fit_ar_gls_batch(inv.pos, inv.X, y, inv.tc).rho
        null = fit_ar_gls_batch(inv.pos, X0, y, 0).rho
        return lr, full, null

    nulls = {
        (r, lam): stats(inv.draw(rng, r, lam, draws))
        for r in CONDITIONAL_RHO
        for lam in NULL_LAMBDA
    }
    q = np.maximum.accumulate(
        [
            max(float(np.quantile(nulls[(r, lam)][0], 0.955)) for lam in NULL_LAMBDA[:3])
            for r in CONDITIONAL_RHO
        ]
    )
    under_alt = stats(inv.draw(rng, alt.rho, alt.lam, draws, alt.delta))
    fixed = float(q[-1])
    fixed_size = max(float(np.mean(v[0] > fixed)) for v in nulls.values())
    fixed_power = float(np.mean(under_alt[0] > fixed))
    out = []
    for full in (True, False):
        for shift in shifts:
            size = max(
                float(np.mean(_conditional_reject(v, q, full, shift))) for v in nulls.values()
            )
            power = float(np.mean(_conditional_reject(under_alt, q, full, shift)))
            out.append(Conditional(full, shift, size, power))
    return fixed_size, fixed_power, out


def _conditional_reject(
    v: tuple[FloatArray, FloatArray, FloatArray], q: FloatArray, full: bool, shift: float
) -> FloatArray:
    rho = v[1] if full else v[2]
    c = np.interp(np.minimum(rho + shift, 0.8), CONDITIONAL_RHO, q)
    out: FloatArray = v[0] > c
    return out


def critical_holding_to(n: int, ppy: int, hold: float, draws: int = 4000) -> float:
    """The likelihood ratio's critical value if the size were held only up to AR
    ``hold`` (simulated as the shipped one is, at the top of that range)."""
    inv = _Invariant(n, ppy)
    points = (np.array([hold]), np.array([0.0, 0.15, 0.3]))
    return simulate_critical(inv.pos, inv.X, inv.tc, 0.05, draws, points)
