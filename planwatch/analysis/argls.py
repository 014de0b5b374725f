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

Testing. The trend is judged by :func:`likelihood_ratio` (REML-based, Welham &
Thompson 1997) against :func:`critical_value`: shipped for complete seasonal designs
(``trend_critical.txt``, made by ``scripts/trend_critical.py``), simulated once at first
use otherwise (:func:`simulate_critical`, a maximised Monte Carlo test).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: AR(1) coefficients searched (0 to 0.85 by 0.05).
RHO_GRID = np.round(np.arange(0.0, 0.851, 0.05), 2)
#: Share of the error variance that is independent noise: 0 (a pure AR(1), as a series
#: of tens of thousands a period is), 0.1, then 0.2 to 1 by 0.2.
LAMBDA_GRID = np.array([0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0])


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
    rho, lam = np.meshgrid(RHO_GRID[1:], LAMBDA_GRID[:-1], indexing="ij")
    # independent errors once (rho = 0, or lambda = 1: the same matrix)
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
        out[start : start + _CHUNK] = np.einsum("bgn,bn->bg", DP, chunk)
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
#: for the nuisance parameter", *JASA* 89:1012-1016). It describes the series
#: (``effective_periods``, the rank check's correction); the test itself is the
#: likelihood ratio below.
REGION = 1.0
#: Rows per block in the quadratic forms (bounds memory: block x grid x n floats).
_CHUNK = 512


@lru_cache(maxsize=256)
def _null_tables(positions: bytes, design: bytes, k: int, time_column: int) -> _Tables:
    """The tables of the model without the trend term (season effects only)."""
    n = len(positions) // 8
    X = np.frombuffer(design, dtype=np.float64).reshape(n, k)
    X0 = np.ascontiguousarray(np.delete(X, time_column, axis=1))
    return _tables(positions, X0.tobytes(), k - 1, 0, False)


def likelihood_ratio(
    positions: FloatArray, X: FloatArray, time_column: int, D: FloatArray, Z: FloatArray
) -> FloatArray:
    """The trend's REML-based likelihood ratio for every row (Welham, S. J. & Thompson,
    R. (1997) "Likelihood ratio tests for fixed model terms using residual maximum
    likelihood", *JRSS B* 59:701-714): the likelihood of the season-only model's error
    contrasts with the trend free against with it 0, each maximised over the
    (rho, lambda) grid with sigma^2 profiled out. ``D`` holds any
    vectors whose residuals from ``X`` are the series' (e.g. the GLM's log-scale
    residuals), ``Z`` the same plus the trend (the working response less any season
    effects), one row per series."""
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    full = _tables(pos.tobytes(), Xc.tobytes(), Xc.shape[1], time_column, False)
    null = _null_tables(pos.tobytes(), Xc.tobytes(), Xc.shape[1], time_column)
    return _lr(full, null, D, Z, Xc.shape[0] - Xc.shape[1])


def _lr(full: _Tables, null: _Tables, D: FloatArray, Z: FloatArray, df: int) -> FloatArray:
    q1 = np.maximum(_quadratic_forms(full, D), 1e-300)
    q0 = np.maximum(_quadratic_forms(null, Z), 1e-300)
    # both on the season-only model's n - k + 1 error contrasts (Welham & Thompson 1997),
    # so the ratio does not depend on the series' scale
    l1 = -0.5 * ((df + 1) * np.log(q1) + null.logdet[None, :])
    l0 = -0.5 * ((df + 1) * np.log(q0) + null.logdet[None, :])
    out: FloatArray = 2.0 * (l1.max(axis=1) - l0.max(axis=1))
    return out


#: True (rho, lambda) at which the null distribution of the likelihood ratio is
#: simulated; the critical value is the largest of their (1 - alpha) quantiles. The
#: largest quantile is at the top of the AR range the size is held for (0.8 a period:
#: beyond it 29 quarters cannot tell a wander from a random walk) with little counting
#: noise: measured over rho 0 to 0.8 and lambda 0 to 1 (``python
#: scripts/trend_critical.py --check``, methodology §2.6), so other points need no draws.
SIZE_RHO = np.array([0.8])
SIZE_LAMBDA = np.array([0.0, 0.15, 0.3])
#: Null draws at each point when a design's critical value is simulated at first use
#: (a design with gaps or missing seasons), for the shipped table, and the seed of both.
FIRST_USE_DRAWS = 2000
#: The quantile taken is the (1 - SIZE_MARGIN * alpha) one: the simulation holds the
#: size at exactly alpha for Gaussian errors on the log scale, and real counts add the
#: GLM's own estimation and Monte Carlo error (measured at AR 0.8 without the margin:
#: 5.8-6.0% of 400 series at 1,000-15,000 a period), so a tenth of alpha is kept back.
SIZE_MARGIN = 0.9
TABLE_DRAWS = 4000
CALIBRATION_SEED = 20_240_401


def simulate_critical(
    positions: FloatArray,
    X: FloatArray,
    time_column: int,
    alpha: float,
    draws: int,
    points: tuple[FloatArray, FloatArray] = (SIZE_RHO, SIZE_LAMBDA),
) -> float:
    """Critical value of the trend's likelihood ratio for one design: a parametric
    bootstrap under the AR(1)+noise null at every point of :data:`SIZE_RHO` x
    :data:`SIZE_LAMBDA`, each draw fitted exactly as a real series is, and the largest
    (1 - SIZE_MARGIN * alpha) quantile over the points kept — a maximised Monte Carlo test over the
    nuisance parameters (Dufour, J.-M. (2006) "Monte Carlo tests with nuisance
    parameters: a general approach to finite-sample inference and nonstandard
    asymptotics", *J. Econometrics* 133:443-477). The statistic is invariant to the
    season effects and to sigma, so its null distribution depends on (rho, lambda)
    alone and one number serves every series with the design."""
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    n, k = Xc.shape
    full = _tables(pos.tobytes(), Xc.tobytes(), k, time_column, False)
    null = _null_tables(pos.tobytes(), Xc.tobytes(), k, time_column)
    rng = np.random.default_rng(CALIBRATION_SEED)
    Zs = rng.standard_normal((draws, n))
    worst = 0.0
    for rho in points[0]:
        for lam in points[1]:
            E = Zs @ np.linalg.cholesky(error_covariance(pos, float(rho), float(lam))).T
            lr = _lr(full, null, E, E, n - k)
            worst = max(worst, float(np.quantile(lr, 1.0 - SIZE_MARGIN * alpha)))
    return worst


@lru_cache(maxsize=256)
def _first_use_critical(
    positions: bytes, design: bytes, k: int, time_column: int, alpha: float
) -> float:
    pos = np.frombuffer(positions, dtype=np.float64)
    X = np.frombuffer(design, dtype=np.float64).reshape(pos.shape[0], k)
    return simulate_critical(pos, X, time_column, alpha, FIRST_USE_DRAWS)


#: The shipped critical values: complete series (every period from the first to the last,
#: every season present, season effects in the model) at alpha = 0.05, by periods a
#: year and number of periods. Made by ``python scripts/trend_critical.py``.
TABLE_FILE = Path(__file__).with_name("trend_critical.txt")
TABLE_ALPHA = 0.05


@lru_cache(maxsize=1)
def shipped_table() -> dict[tuple[int, int], float]:
    """``(periods a year, periods) -> critical value`` from :data:`TABLE_FILE`."""
    table: dict[tuple[int, int], float] = {}
    for line in TABLE_FILE.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        ppy, n, value = line.split()
        table[(int(ppy), int(n))] = float(value)
    return table


def critical_value(
    positions: FloatArray,
    X: FloatArray,
    time_column: int,
    *,
    alpha: float,
    complete: tuple[int, int] | None = None,
) -> float:
    """The likelihood ratio's critical value for the design: from the shipped table when
    the caller says the design is a complete seasonal one (``complete`` = (periods a
    year, periods)) at the table's alpha, else simulated once at first use."""
    if complete is not None and alpha == TABLE_ALPHA:
        shipped = shipped_table().get(complete)
        if shipped is not None:
            return shipped
    pos = np.ascontiguousarray(positions, dtype=np.float64)
    Xc = np.ascontiguousarray(X, dtype=np.float64)
    return _first_use_critical(pos.tobytes(), Xc.tobytes(), Xc.shape[1], time_column, alpha)


@dataclass(frozen=True)
class ARTrendTest:
    """The trend test for many series sharing a design (row b = series b)."""

    fit: ARGLSBatch
    lr: FloatArray  # restricted likelihood ratio of the trend
    critical: float  # the likelihood ratio's critical value (one for the design)
    se_independent: FloatArray  # GLS (= OLS) standard error if periods were independent
    alpha: float


def ar_trend_test(
    positions: FloatArray,
    X: FloatArray,
    D: FloatArray,
    time_column: int,
    slope: FloatArray,
    *,
    alpha: float,
    complete: tuple[int, int] | None = None,
) -> ARTrendTest:
    """The trend test planwatch uses: the restricted likelihood ratio of the trend under
    AR(1)+noise errors against its simulated critical value, for every row of ``D``
    (residuals on the fitted scale, from a fit whose trend slope is ``slope``), with the
    REML fit of the error model (the GLM's slope is kept: ``slope_shift`` is 0)."""
    fit = fit_ar_gls_batch(positions, X, D, time_column)
    fit = dataclasses.replace(fit, slope_shift=np.zeros_like(fit.slope_shift))
    Z = D + slope[:, None] * np.asarray(X, dtype=np.float64)[:, time_column][None, :]
    lr = likelihood_ratio(positions, X, time_column, D, Z)
    critical = critical_value(positions, X, time_column, alpha=alpha, complete=complete)
    t = tables_for(positions, X, time_column)
    white = int(np.flatnonzero(t.lam == 1.0)[0])
    q_white = np.maximum(_quadratic_forms(t, D)[:, white], 0.0)
    se_white = np.sqrt(q_white / fit.df * t.cxx[white])
    return ARTrendTest(fit, lr, critical, se_white, alpha)


def error_covariance(positions: FloatArray, rho: float, lam: float) -> FloatArray:
    """The (unscaled) error correlation ``(1 - lambda) R(rho) + lambda I``."""
    pos = np.asarray(positions, dtype=np.float64)
    lags = np.abs(pos[:, None] - pos[None, :])
    V: FloatArray = (1.0 - lam) * rho**lags + lam * np.eye(pos.shape[0])
    return V
