"""Trend slope that allows for a wandering level: generalised least squares on the log
scale with AR(1)-plus-noise errors, fitted by restricted maximum likelihood (REML).

In: the design of a trend fit (rows = periods with data, at their true positions on the
series axis), and for each series its residuals on the log scale from the count GLM,
``d_t = (y_t - mu_t) / mu_t`` (the IRLS working residual).
Out: :class:`ARGLSBatch` — per series the REML estimates of the AR(1) coefficient and
of the share of the error variance that is period-to-period noise, the GLS correction
to the GLM slope, its standard error and the residual degrees of freedom.

Model. On the log scale a count series is ``log mu_t = X beta + x_t`` with ``x_t`` the
level's wander plus the counting noise. Crime counts swing in long waves (AR(1) with a
coefficient near 0.8 at quarterly resolution, issue 11) and small counts add Poisson
noise that is independent from period to period, so the errors are

    Var(d) = sigma^2 [ (1 - lambda) R(rho) + lambda I ]

with ``R(rho)`` the AR(1) correlation ``rho^|i-j|`` at the true positions (gaps keep
their width) — the "AR(1) plus white noise" model, an ARMA(1,1) with positive
moving-average root (Box, G. E. P. & Jenkins, G. M. (1976) *Time Series Analysis:
Forecasting and Control*, rev. ed., §4.3; for counts, the latent-process model of
Zeger, S. L. (1988) "A regression model for time series of counts", *Biometrika*
75:621-629). ``lambda = 1`` is plain (over-dispersed) counting noise; ``lambda = 0``
is a pure AR(1).

Fitting. ``(rho, lambda)`` maximise the restricted likelihood (Patterson, H. D. &
Thompson, R. (1971) "Recovery of inter-block information when block sizes are
unequal", *Biometrika* 58:545-554; Harville, D. A. (1977) *JASA* 72:320-338) with
``sigma^2`` profiled out:

    l_R(rho, lambda) = -1/2 [ (n - k) log(d' P d) + log|V| + log|X' V^-1 X| ]
    P = V^-1 - V^-1 X (X' V^-1 X)^-1 X' V^-1

over a fixed grid (:data:`RHO_GRID` x :data:`LAMBDA_GRID`). REML rather than maximum
likelihood because it removes most of the downward bias of the AR coefficient in
short trend regressions (Cheang, W.-K. & Reinsel, G. C. (2000) "Bias reduction of
autoregressive estimates in time series regression model through restricted maximum
likelihood", *JASA* 95:1173-1184). Since ``P X = 0``, ``d' P d`` is the same for the
residuals as for the working response, and the GLS slope is the GLM slope plus the
GLS fit of the residuals. Everything that depends only on the design is computed once
per design and grid point (cached); the per-series work is one quadratic form per grid
point, so thousands of series cost milliseconds.

The negative half of the AR range is left out: a series is never treated as more
informative than independent periods would be.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: AR(1) coefficients searched (0 to 0.95 by 0.05).
RHO_GRID = np.round(np.arange(0.0, 0.851, 0.05), 2)
#: Share of the error variance that is independent noise (0.2 to 1 by 0.2).
LAMBDA_GRID = np.round(np.arange(0.2, 1.001, 0.2), 1)


@dataclass(frozen=True)
class _Tables:
    rho: FloatArray  # (G,)
    lam: FloatArray  # (G,)
    P: FloatArray  # (n, G * n): P_g side by side, for one matrix product
    gls_row: FloatArray  # (G, n): time row of (X'V^-1X)^-1 X'V^-1 (GLS) or of X^+ (OLS)
    cxx: FloatArray  # (G,): variance factor of that slope under V_g
    logdet: FloatArray  # (G,): log|V| + log|X'V^-1X|


@dataclass(frozen=True)
class ARGLSBatch:
    """REML AR(1)+noise GLS fits of many series sharing a design (row b = series b)."""

    rho: FloatArray  # AR(1) coefficient of the level's wander
    lam: FloatArray  # share of the error variance that is independent noise
    slope_shift: FloatArray  # GLS slope minus the starting (GLM) slope
    se: FloatArray  # standard error of the slope: the largest over the plausible set
    sigma2: FloatArray  # REML error variance (log scale)
    df: int  # n - k
    grid_index: IntArray  # chosen grid point
    se_point: FloatArray  # standard error at the REML estimate itself


def _grid(ar_only: bool) -> tuple[FloatArray, FloatArray]:
    if ar_only:
        return RHO_GRID.copy(), np.zeros(RHO_GRID.shape[0])
    rho, lam = np.meshgrid(RHO_GRID, LAMBDA_GRID[:-1], indexing="ij")
    # lambda = 1 (white noise) once: rho does not matter there
    return (
        np.append(rho.ravel(), 0.0),
        np.append(lam.ravel(), 1.0),
    )


@lru_cache(maxsize=256)
def _tables(
    positions: bytes, design: bytes, k: int, time_column: int, ar_only: bool, gls: bool = False
) -> _Tables:
    pos = np.frombuffer(positions, dtype=np.float64)
    n = pos.shape[0]
    X = np.frombuffer(design, dtype=np.float64).reshape(n, k)
    rho, lam = _grid(ar_only)
    lags = np.abs(pos[:, None] - pos[None, :])
    R = rho[:, None, None] ** lags[None, :, :]
    V = (1.0 - lam)[:, None, None] * R + lam[:, None, None] * np.eye(n)[None, :, :]
    L = np.linalg.cholesky(V)
    logdet_v = 2.0 * np.log(np.diagonal(L, axis1=1, axis2=2)).sum(axis=1)
    Vinv = np.linalg.inv(V)
    VinvX = Vinv @ X  # (G, n, k)
    XtVX = np.einsum("nk,gnl->gkl", X, VinvX)
    XtVX_inv = np.linalg.inv(XtVX)
    _, logdet_x = np.linalg.slogdet(XtVX)
    H = np.einsum("gnk,gkl->gnl", VinvX, XtVX_inv)  # V^-1 X (X'V^-1X)^-1
    P = Vinv - np.einsum("gnk,gmk->gnm", H, VinvX)
    if gls:
        gls_row = H[:, :, time_column]
        cxx = XtVX_inv[:, time_column, time_column]
    else:  # least squares slope, its variance under each V (a sandwich)
        a = np.linalg.pinv(X)[time_column]
        gls_row = np.broadcast_to(a, (rho.shape[0], n)).copy()
        cxx = np.einsum("n,gnm,m->g", a, V, a)
    P_side = np.ascontiguousarray(P.transpose(1, 0, 2).reshape(n, -1))
    return _Tables(rho, lam, P_side, gls_row, cxx, logdet_v + logdet_x)


def tables_for(
    positions: FloatArray,
    X: FloatArray,
    time_column: int,
    *,
    ar_only: bool = False,
    gls: bool = False,
) -> _Tables:
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    return _tables(pos.tobytes(), Xc.tobytes(), Xc.shape[1], time_column, ar_only, gls)


def fit_ar_gls_batch(
    positions: FloatArray,
    X: FloatArray,
    D: FloatArray,
    time_column: int,
    *,
    ar_only: bool = False,
    gls: bool = False,
) -> ARGLSBatch:
    """REML fits for every row of ``D`` (log-scale residuals, one column per row of
    ``X``). ``ar_only`` fixes lambda = 0 (a pure AR(1), as statsmodels' GLSAR, but
    fitted by REML). ``se`` is the largest GLS standard error over the plausible
    (rho, lambda) (see :data:`REGION`)."""
    t = tables_for(positions, X, time_column, ar_only=ar_only, gls=gls)
    n, k = X.shape
    df = n - k
    g, sigma2, shift, se = _reml(t, D, df)
    se_point = np.sqrt(sigma2 * t.cxx[g])
    return ARGLSBatch(t.rho[g], t.lam[g], shift, se, sigma2, df, g, se_point)


def _quadratic_forms(t: _Tables, D: FloatArray) -> FloatArray:
    """``d_b' P_g d_b`` for every row b and grid point g, as one matrix product."""
    n = t.P.shape[0]
    G = t.rho.shape[0]
    out = np.empty((D.shape[0], G))
    for start in range(0, D.shape[0], _CHUNK):
        chunk = D[start : start + _CHUNK]
        DP = (chunk @ t.P).reshape(-1, G, n)
        out[start : start + _CHUNK] = (DP @ chunk[:, :, None])[:, :, 0]
    return out


def _reml(
    t: _Tables, D: FloatArray, df: int
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """REML grid point, sigma^2, GLS slope shift and (plausible-set) standard error."""
    q = np.maximum(_quadratic_forms(t, D), 1e-300)  # (B, G)
    loglik = -0.5 * (df * np.log(q) + t.logdet[None, :])
    g = np.argmax(loglik, axis=1).astype(np.int64)
    rows = np.arange(D.shape[0])
    sigma2 = q[rows, g] / df
    shift = np.einsum("bn,bn->b", t.gls_row[g], D)
    se_all = np.sqrt(q / df * t.cxx[None, :])  # (B, G)
    plausible = loglik >= loglik[rows, g][:, None] - REGION
    se = np.where(plausible, se_all, 0.0).max(axis=1)
    return g, sigma2, shift, se


#: Drop in log restricted likelihood that bounds the set of plausible (rho, lambda):
#: the standard error used is the largest over that set, so a series whose AR
#: coefficient is estimated too low by chance is not taken at its luckiest value (in the
#: spirit of Berger, R. L. & Boos, D. D. (1994) "P values maximized over a confidence set
#: for the nuisance parameter", *JASA* 89:1012-1016).
REGION = 1.0
#: Rows per block in the quadratic forms (bounds memory: block x grid x n floats).
_CHUNK = 512
#: Points of (rho, lambda) at which the null distribution of the GLS t statistic is
#: simulated (parametric bootstrap), and the draws at each (common random numbers).
CALIBRATION_RHO = np.array([0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85])
CALIBRATION_LAMBDA = np.array([0.0, 0.3, 0.6, 1.0])
CALIBRATION_DRAWS = 500
CALIBRATION_SEED = 20_240_401
#: The size is held at alpha for true AR(1) coefficients up to this (the issue's range:
#: quarterly 0.8; beyond it a 29-quarter series cannot be told from a random walk).
SIZE_RHO_LIMIT = 0.8
#: Smallest factor on the bootstrap critical values (below 1 the bootstrap is trusted
#: to be conservative by at most this much).
KAPPA_MIN = 0.9


@dataclass(frozen=True)
class _Calibration:
    abs_t: FloatArray  # (I, J, N) sorted |t| of the null draws at each point
    median_rho: FloatArray  # (I, J) median REML rho at each point
    level: FloatArray  # (I, J) nominal level of the quantile looked up at each point
    kappa: float  # factor on the critical values that holds the size at every point


def _weights(values: FloatArray, grid: FloatArray) -> tuple[IntArray, FloatArray]:
    v = np.clip(values, grid[0], grid[-1])
    i = np.clip(np.searchsorted(grid, v, side="right") - 1, 0, len(grid) - 2).astype(np.int64)
    f: FloatArray = (v - grid[i]) / (grid[i + 1] - grid[i])
    return i, f


def _bilinear(
    table: FloatArray, i: IntArray, fi: FloatArray, j: IntArray, fj: FloatArray
) -> FloatArray:
    out: FloatArray = (
        table[i, j] * (1 - fi) * (1 - fj)
        + table[i + 1, j] * fi * (1 - fj)
        + table[i, j + 1] * (1 - fi) * fj
        + table[i + 1, j + 1] * fi * fj
    )
    return out


def _quantiles(abs_t: FloatArray, i: IntArray, j: IntArray, level: FloatArray) -> FloatArray:
    """(1 - level/2) quantile of the sorted draws at points (i, j), by interpolation."""
    N = abs_t.shape[2]
    x = np.clip(1.0 - level / 2.0, 0.0, 1.0) * (N - 1)
    lo = np.floor(x).astype(np.int64)
    hi = np.minimum(lo + 1, N - 1)
    f = x - lo
    out: FloatArray = abs_t[i, j, lo] * (1 - f) + abs_t[i, j, hi] * f
    return out


def _lambda_axis(ar_only: bool) -> FloatArray:
    return np.array([0.0, 1.0]) if ar_only else CALIBRATION_LAMBDA


def _median_unbiased(
    cal: _Calibration, rho: FloatArray, lam: FloatArray, ar_only: bool
) -> FloatArray:
    """The true rho whose median REML estimate, at the series' lambda, is ``rho``."""
    j, fj = _weights(np.zeros_like(lam) if ar_only else lam, _lambda_axis(ar_only))
    columns = cal.median_rho[:, j].T * (1 - fj)[:, None] + cal.median_rho[:, j + 1].T * fj[:, None]
    m = columns.shape[1]
    below = np.clip((columns <= rho[:, None]).sum(axis=1) - 1, 0, m - 2)
    rows = np.arange(rho.shape[0])
    lo, hi = columns[rows, below], columns[rows, below + 1]
    f = np.clip((rho - lo) / np.maximum(hi - lo, 1e-12), 0.0, 1.0)
    out: FloatArray = CALIBRATION_RHO[below] + f * (
        CALIBRATION_RHO[below + 1] - CALIBRATION_RHO[below]
    )
    return out


def _critical(cal: _Calibration, rho_mu: FloatArray, lam: FloatArray, ar_only: bool) -> FloatArray:
    """Critical value at median-unbiased ``rho_mu`` and ``lam``: the bootstrap quantile
    at the adjusted level, interpolated between the four nearest calibration points."""
    j, fj = _weights(np.zeros_like(lam) if ar_only else lam, _lambda_axis(ar_only))
    i, fi = _weights(rho_mu, CALIBRATION_RHO)
    level = _bilinear(cal.level, i, fi, j, fj)
    q = np.stack(
        [
            _quantiles(cal.abs_t, i + di, j + dj, level)
            for di, dj in ((0, 0), (1, 0), (0, 1), (1, 1))
        ]
    )
    w = np.stack([(1 - fi) * (1 - fj), fi * (1 - fj), (1 - fi) * fj, fi * fj])
    out: FloatArray = cal.kappa * (q * w).sum(axis=0)
    return out


@lru_cache(maxsize=256)
def _calibration(
    positions: bytes,
    design: bytes,
    k: int,
    time_column: int,
    ar_only: bool,
    alpha: float,
    gls: bool = False,
) -> _Calibration:
    """Null distribution of the REML GLS t statistic at each calibration point, with
    (rho, lambda) re-estimated in every draw: a parametric bootstrap, done once per
    design. The statistic is invariant to beta and sigma, so its null distribution
    depends on (rho, lambda) alone and one table serves every series with the design.

    The plain bootstrap (critical value at the estimate) still rejects too often when
    rho is high, because the estimate is then usually too low. So the critical values
    are multiplied by the smallest factor ``kappa`` that holds the rejection rate of the
    whole procedure — estimate (rho, lambda), look up the critical value there — at
    ``alpha`` at every calibration point with rho up to :data:`SIZE_RHO_LIMIT`: a
    maximised Monte Carlo test over the nuisance parameters (Dufour, n_lam.-M. (2006)
    "Monte Carlo tests with nuisance parameters: a general approach to finite-sample
    inference and nonstandard asymptotics", *n_lam. Econometrics* 133:443-477)."""
    pos = np.frombuffer(positions, dtype=np.float64)
    n = pos.shape[0]
    t = _tables(positions, design, k, time_column, ar_only, gls)
    rng = np.random.default_rng(CALIBRATION_SEED)
    Z = rng.standard_normal((CALIBRATION_DRAWS, n))
    lags = np.abs(pos[:, None] - pos[None, :])
    lam_axis = _lambda_axis(ar_only)
    n_rho, n_lam = CALIBRATION_RHO.shape[0], lam_axis.shape[0]
    abs_t = np.empty((n_rho, n_lam, CALIBRATION_DRAWS))
    est_rho = np.empty((n_rho, n_lam, CALIBRATION_DRAWS))
    est_lam = np.empty((n_rho, n_lam, CALIBRATION_DRAWS))
    for i, rho in enumerate(CALIBRATION_RHO):
        for j, lam in enumerate(lam_axis):
            V = (1.0 - lam) * rho**lags + lam * np.eye(n)
            E = Z @ np.linalg.cholesky(V).T
            g, _, shift, se = _reml(t, E, n - k)
            abs_t[i, j] = np.abs(shift / se)
            est_rho[i, j] = t.rho[g]
            est_lam[i, j] = t.lam[g]
    median = np.median(est_rho, axis=2)
    median = np.maximum.accumulate(median, axis=0)  # rises with the true rho
    median = median + 1e-9 * np.arange(n_rho)[:, None]  # strictly, for the inversion
    cal = _Calibration(np.sort(abs_t, axis=2), median, np.full((n_rho, n_lam), alpha), 1.0)
    flat_lam = est_lam.reshape(-1)
    flat_mu = _median_unbiased(cal, est_rho.reshape(-1), flat_lam, ar_only)
    crit = _critical(cal, flat_mu, flat_lam, ar_only).reshape(n_rho, n_lam, -1)
    ratio = np.sort((abs_t / crit)[CALIBRATION_RHO <= SIZE_RHO_LIMIT], axis=-1)
    # the smallest factor that holds the rejection rate at alpha at every point
    N = ratio.shape[-1]
    allowed = math.floor(alpha * N)
    kappa = float(np.max(ratio[..., N - 1 - allowed]))
    return _Calibration(cal.abs_t, cal.median_rho, cal.level, max(kappa, KAPPA_MIN))


def _design_calibration(
    positions: FloatArray,
    X: FloatArray,
    time_column: int,
    level: float,
    ar_only: bool,
    gls: bool,
) -> _Calibration:
    """The (cached) calibration of one design: arrays made contiguous and hashable."""
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    return _calibration(
        pos.tobytes(), Xc.tobytes(), Xc.shape[1], time_column, ar_only, float(level), gls
    )


def critical_values(
    positions: FloatArray,
    X: FloatArray,
    time_column: int,
    rho: FloatArray,
    lam: FloatArray,
    *,
    level: float,
    ar_only: bool = False,
    gls: bool = False,
) -> FloatArray:
    """Calibrated critical value of |t| for each fitted (rho, lambda) (see
    :func:`_calibration`)."""
    cal = _design_calibration(positions, X, time_column, level, ar_only, gls)
    return _critical(cal, _median_unbiased(cal, rho, lam, ar_only), lam, ar_only)


def calibrated_rho(
    positions: FloatArray,
    X: FloatArray,
    time_column: int,
    rho: FloatArray,
    lam: FloatArray,
    *,
    level: float,
    ar_only: bool = False,
    gls: bool = False,
) -> FloatArray:
    """Median-unbiased AR(1) coefficient for each fitted (rho, lambda): the true rho
    whose median REML estimate, at the series' lambda, is the estimate found (the
    median-unbiased estimator of Andrews, D. W. K. (1993) "Exactly median-unbiased
    estimation of first order autoregressive / unit root models", *Econometrica*
    61:139-165, here from the calibration draws). At most the largest calibration
    point."""
    cal = _design_calibration(positions, X, time_column, level, ar_only, gls)
    return _median_unbiased(cal, rho, lam, ar_only)


@dataclass(frozen=True)
class ARTrendTest:
    """The calibrated trend test for many series sharing a design (row b = series b)."""

    fit: ARGLSBatch
    critical: FloatArray  # calibrated critical value of |slope / se|
    rho_median_unbiased: FloatArray
    se_independent: FloatArray  # GLS (= OLS) standard error if periods were independent
    alpha: float


def ar_trend_test(
    positions: FloatArray, X: FloatArray, D: FloatArray, time_column: int, *, alpha: float
) -> ARTrendTest:
    """The trend test planwatch uses for counts: the GLM's own slope (``slope_shift`` is
    0), its standard error under the REML AR(1)+noise errors (a sandwich, the largest
    over the plausible set), the calibrated critical value, and the median-unbiased AR
    coefficient, for every row of ``D`` (see the module docstring)."""
    fit = fit_ar_gls_batch(positions, X, D, time_column)
    fit = dataclasses.replace(fit, slope_shift=np.zeros_like(fit.slope_shift))
    critical = critical_values(positions, X, time_column, fit.rho, fit.lam, level=alpha)
    rho_mu = calibrated_rho(positions, X, time_column, fit.rho, fit.lam, level=alpha)
    t = tables_for(positions, X, time_column)
    white = int(np.flatnonzero(t.lam == 1.0)[0])
    q_white = np.maximum(_quadratic_forms(t, D)[:, white], 0.0)
    se_white = np.sqrt(q_white / fit.df * t.cxx[white])
    return ARTrendTest(fit, critical, rho_mu, se_white, alpha)


def error_covariance(positions: FloatArray, rho: float, lam: float) -> FloatArray:
    """The (unscaled) error correlation ``(1 - lambda) R(rho) + lambda I``."""
    pos = np.asarray(positions, dtype=np.float64)
    lags = np.abs(pos[:, None] - pos[None, :])
    V: FloatArray = (1.0 - lam) * rho**lags + lam * np.eye(pos.shape[0])
    return V
