"""Lag-1 autocorrelation of residuals, corrected for small samples, and the effective
number of independent periods it implies.

In: residuals on the series axis (one value per period, ``NaN`` for a gap; gaps are
never filled in and no pair is formed across one), optionally the design matrix the
residuals came from (one row per period with a value).
Out: floats.

Why a correction. The plain estimate ``r1 = sum e_t e_(t+1) / sum e_t^2`` is biased
towards zero (and below it) in short series, and more so for residuals of a
regression, which are forced to sum to zero season by season and to have no linear
trend. For an AR(1) process with unknown mean the bias of ``r1`` is about
``-(1 + 4 rho) / n`` (Marriott, F. H. C. & Pope, J. A. (1954) "Bias in the estimation
of autocorrelations", *Biometrika* 41:390-402; Kendall, M. G. (1954) "Note on bias in
the estimation of autocorrelation", *Biometrika* 41:403-404); at 29 quarters with a
trend and season effects an observed 0.5 means a true coefficient near 0.75.

:func:`lag1_autocorrelation` removes the bias for the actual design: it finds the
``rho`` whose expected ``r1`` equals the observed one (a mean-unbiased estimate),
the expectation computed exactly for residuals ``e = M u`` of least squares on ``X``
(``M = I - X (X'X)^-1 X'``) with ``u`` a Gaussian AR(1) process of coefficient ``rho``
at the periods' true positions (so gaps keep their width):

    E[r1 | rho]  =  E[ e'Ae / e'e ]

(``A`` the symmetric lag-1 pair matrix), by the integral of Magnus (1986) for the mean
of a ratio of quadratic forms (see :func:`_expected_r1_table`). This is the
mean-bias correction of Marriott & Pope made exact for the design instead of to
order 1/n. The answer is clipped to
[:data:`RHO_MIN`, :data:`RHO_MAX`]. With no design, the residuals are taken to be
deviations from their mean (``X`` a column of ones).

:func:`effective_n` is the number of independent periods that would give the mean the
same variance: ``n / (1 + 2 sum_(k=1)^(n-1) (1 - k/n) rho^k)`` (Bayley, G. V. &
Hammersley, J. M. (1946) "The effective number of independent observations in an
autocorrelated time series", *Suppl. J. R. Stat. Soc.* 8:184-197), about
``n (1 - rho) / (1 + rho)`` for long series. Negative ``rho`` is treated as 0 (no
credit is taken for it), so the answer is never more than ``n``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

#: Bounds of a corrected coefficient. Above 0.95 an AR(1) of 29 or 63 periods cannot be
#: told from a random walk, and the inversion of E[r1 | rho] becomes unstable.
RHO_MIN = -0.95
RHO_MAX = 0.95
#: Fewest adjacent pairs (both periods with a value) for a lag-1 estimate.
MIN_PAIRS = 3
#: Grid of rho on which E[r1 | rho] is tabulated for the inversion (step 0.025;
#: linear interpolation between points).
_GRID = np.linspace(RHO_MIN, RHO_MAX, 77)


def _as_array(values: ArrayLike) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        array = array.reshape(-1)
    return array


def raw_lag1(residuals: ArrayLike) -> float:
    """The plain estimate ``sum e_t e_(t+1) / sum e_t^2`` over the periods with a value
    (pairs only where both neighbours have one). ``NaN`` when fewer than
    :data:`MIN_PAIRS` pairs exist or the residuals are all 0. The residuals are used
    as given (not re-centred)."""
    e = _as_array(residuals)
    present = np.isfinite(e)
    pairs = present[1:] & present[:-1]
    if int(pairs.sum()) < MIN_PAIRS:
        return math.nan
    total = float(np.sum(e[present] ** 2))
    if total <= 0.0:
        return math.nan
    cross = float(np.sum((e[1:] * e[:-1])[pairs]))
    return cross / total


def ar1_correlation(positions: ArrayLike, rho: float) -> FloatArray:
    """AR(1) correlation matrix ``rho^|i - j|`` at the given period positions."""
    lags = _lags(_as_array(positions).tobytes())
    if rho == 0.0:
        identity: FloatArray = (lags == 0).astype(np.float64)
        return identity
    if rho > 0.0:  # sign(rho)^lag is exactly 1: the same numbers, one power fewer
        positive: FloatArray = np.asarray(np.abs(rho) ** lags, dtype=np.float64)
        return positive
    corr: FloatArray = np.asarray(np.sign(rho) ** lags * np.abs(rho) ** lags, dtype=np.float64)
    return corr


#: Position sets whose lag matrices are kept (a run's series share a few axes).
LAGS_KEPT = 64


@lru_cache(maxsize=LAGS_KEPT)
def _lags(positions: bytes) -> FloatArray:
    """``|i - j|`` between the positions (read-only: it is shared)."""
    pos = np.frombuffer(positions, dtype=np.float64)
    lags: FloatArray = np.abs(pos[:, None] - pos[None, :])
    lags.setflags(write=False)
    return lags


#: Log-spaced points for the integral behind the exact mean of r1 (Magnus 1986).
_LOG_T = np.linspace(-25.0, 12.0, 600)


@lru_cache(maxsize=512)
def _expected_r1_table(positions: bytes, design: bytes, k: int) -> FloatArray:
    """E[r1 | rho] on :data:`_GRID`, exactly (not by simulation).

    With ``M = Q Q'`` (``Q`` an orthonormal basis of the residual space) the residuals'
    ``e'Ae / e'e`` is ``w'Bw / w'w`` for ``w = Q'u ~ N(0, V)``, ``V = Q' S_rho Q``,
    ``B = Q'AQ``. Writing ``V = P L P'``, the mean of that ratio is

        integral_0^inf  prod_i (1 + 2 t l_i)^(-1/2)  sum_i c_ii / (1 + 2 t l_i)  dt

    with ``c_ii`` the diagonal of ``L^(1/2) P'BP L^(1/2)`` (Magnus, J. R. (1986) "The
    exact moments of a ratio of quadratic forms in normal variables", *Annales
    d'Economie et de Statistique* 4:95-109), integrated with the trapezium rule in
    log t."""
    pos = np.frombuffer(positions, dtype=np.float64)
    n = pos.shape[0]
    X = np.frombuffer(design, dtype=np.float64).reshape(n, k)
    q, _ = np.linalg.qr(X, mode="complete")
    Q = q[:, np.linalg.matrix_rank(X) :]
    lags = np.abs(pos[:, None] - pos[None, :])
    B = Q.T @ np.where(lags == 1.0, 0.5, 0.0) @ Q
    t = np.exp(_LOG_T)
    table = np.empty(_GRID.shape[0])
    for g, rho in enumerate(_GRID):
        S = np.sign(rho) ** lags * np.abs(rho) ** lags
        lam, P = np.linalg.eigh(Q.T @ S @ Q)
        lam = np.clip(lam, 0.0, None)
        c = np.einsum("ji,jk,ki->i", P, B, P) * lam
        d = 1.0 + 2.0 * t[:, None] * lam[None, :]
        f = np.exp(-0.5 * np.log(d).sum(axis=1)) * (c[None, :] / d).sum(axis=1) * t
        table[g] = float(np.trapezoid(f, _LOG_T))
    # E[r1 | rho] rises with rho; guard the inversion against rounding wiggles
    result: FloatArray = np.maximum.accumulate(table)
    return result


def expected_raw_lag1(rho: float, positions: ArrayLike, design: ArrayLike | None = None) -> float:
    """Exact E[r1 | rho] for least-squares residuals on ``design`` (rows = the
    periods at ``positions``; default a column of ones). Tabulated on a grid of rho."""
    pos, X = _prepared(positions, design)
    table = _expected_r1_table(pos.tobytes(), X.tobytes(), X.shape[1])
    return float(np.interp(rho, _GRID, table))


def _prepared(positions: ArrayLike, design: ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    pos = np.ascontiguousarray(_as_array(positions))
    if design is None:
        X = np.ones((pos.shape[0], 1))
    else:
        X = np.ascontiguousarray(np.asarray(design, dtype=np.float64))
        if X.ndim != 2 or X.shape[0] != pos.shape[0]:
            raise ValueError(f"design {X.shape} needs one row for each of {pos.shape[0]} periods")
    return pos, X


def correct_lag1(r1: float, positions: ArrayLike, design: ArrayLike | None = None) -> float:
    """The rho whose exact expected ``r1`` (see the module docstring) equals the
    observed ``r1``, clipped to [RHO_MIN, RHO_MAX]; ``NaN`` stays ``NaN``."""
    if not math.isfinite(r1):
        return math.nan
    pos, X = _prepared(positions, design)
    table = _expected_r1_table(pos.tobytes(), X.tobytes(), X.shape[1])
    if r1 <= table[0]:
        return RHO_MIN
    if r1 >= table[-1]:
        return RHO_MAX
    # first grid point where the (non-decreasing) table reaches r1, then interpolate
    return float(np.interp(r1, table, _GRID))


def lag1_autocorrelation(
    residuals: Sequence[float] | ArrayLike, design: ArrayLike | None = None
) -> float:
    """Small-sample-corrected lag-1 autocorrelation of ``residuals``.

    ``residuals`` has one value per period on the series axis, ``NaN`` for a gap.
    ``design`` is the matrix the residuals came from, one row per period with a value
    (default: a column of ones, i.e. residuals are deviations from a mean). The plain
    ``r1`` (:func:`raw_lag1`) is corrected by :func:`correct_lag1`. Returns ``NaN`` when
    fewer than :data:`MIN_PAIRS` adjacent pairs have values or all residuals are 0.
    """
    e = _as_array(residuals)
    present = np.isfinite(e)
    r1 = raw_lag1(e)
    if not math.isfinite(r1):
        return math.nan
    positions = np.flatnonzero(present).astype(np.float64)
    return correct_lag1(r1, positions, design)


def effective_n(n: float, rho: float) -> float:
    """Effective number of independent periods among ``n`` AR(1) periods of
    coefficient ``rho``, for the variance of their mean (Bayley & Hammersley 1946):
    ``n / (1 + 2 sum_(k=1)^(n-1) (1 - k/n) rho^k)``. ``rho <= 0`` or ``NaN`` gives ``n``;
    the answer lies in [1, n]."""
    if n <= 1 or not math.isfinite(rho) or rho <= 0.0:
        return float(n)
    rho = min(rho, RHO_MAX)
    m = math.ceil(n)
    k = np.arange(1, m, dtype=np.float64)
    inflation = 1.0 + 2.0 * float(np.sum((1.0 - k / n) * rho**k))
    return float(min(max(n / inflation, 1.0), n))
