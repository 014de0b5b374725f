"""Small, fast model fitters in numpy: Poisson and negative binomial GLMs (log link,
IRLS) and least squares with Newey-West (HAC) standard errors.

In: a design matrix ``X`` (rows = periods with data) and a response ``y`` — or, for
the batch fitters, a matrix ``Y`` holding many series that share one design.
Out: a frozen :class:`ModelFit` (or :class:`BatchFit`) with coefficients, their
covariance, fitted means and the Pearson statistic.

Validated against statsmodels in ``tests/analysis/test_glm.py``. Used instead of
statsmodels because the engine fits thousands of short series: the batch fitters run
one IRLS over every series with the same design at once (methodology §2.5,
docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from planwatch.errors import AnalysisError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Family = Literal["poisson", "negative_binomial", "gaussian"]

#: IRLS stops when no coefficient moves by more than this (relative to the largest).
IRLS_TOLERANCE = 1e-9
#: IRLS gives up after this many iterations (statsmodels default: 100).
IRLS_MAX_ITER = 100
#: Newton steps per alpha update, and the tolerance on alpha.
NB_NEWTON_STEPS = 50
NB_ALPHA_TOLERANCE = 1e-10
#: Cap on the linear predictor so exp() cannot overflow.
MAX_LINEAR_PREDICTOR = 700.0
#: Times a step that raises the deviance is halved back towards the last coefficients
#: (step halving, as R's ``glm.fit`` does when the deviance is not finite or diverges).
MAX_STEP_HALVINGS = 30


@dataclass(frozen=True)
class ModelFit:
    family: Family
    beta: FloatArray
    cov: FloatArray
    mu: FloatArray
    pearson_chi2: float
    deviance: float
    df_resid: int
    converged: bool
    nb_alpha: float | None = None  # NB2 variance mu + alpha mu^2
    scale: float = 1.0

    @property
    def se(self) -> FloatArray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def dispersion(self) -> float:
        """Pearson chi-squared / residual df (about 1 for data that are Poisson)."""
        return self.pearson_chi2 / self.df_resid if self.df_resid > 0 else float("nan")


@dataclass(frozen=True)
class BatchFit:
    """Fits of many series on one design: row b of every array is series b."""

    family: Family
    beta: FloatArray  # (B, k)
    cov: FloatArray  # (B, k, k)
    mu: FloatArray  # (B, n)
    pearson_chi2: FloatArray  # (B,)
    deviance: FloatArray  # (B,)
    df_resid: int
    converged: BoolArray  # (B,)
    nb_alpha: FloatArray  # (B,), zeros for Poisson

    @property
    def se(self) -> FloatArray:
        diag: FloatArray = np.sqrt(np.clip(np.diagonal(self.cov, axis1=1, axis2=2), 0.0, None))
        return diag

    @property
    def dispersion(self) -> FloatArray:
        ratio: FloatArray = self.pearson_chi2 / self.df_resid
        return ratio

    def row(self, b: int) -> ModelFit:
        alpha = float(self.nb_alpha[b]) if self.family == "negative_binomial" else None
        return ModelFit(
            self.family,
            self.beta[b],
            self.cov[b],
            self.mu[b],
            float(self.pearson_chi2[b]),
            float(self.deviance[b]),
            self.df_resid,
            bool(self.converged[b]),
            alpha,
        )


def _check(X: FloatArray, Y: FloatArray) -> None:
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[1]:
        raise AnalysisError(
            f"design {X.shape} and response {Y.shape} do not match",
            expected="one row of the design per observation",
        )
    if X.shape[0] <= X.shape[1]:
        raise AnalysisError(
            f"{X.shape[0]} observations cannot fit {X.shape[1]} parameters",
            expected="more observations than parameters",
        )
    if not np.isfinite(Y).all():
        raise AnalysisError(
            "the response has missing or infinite values", expected="finite numbers"
        )


def _moment_alpha(Y: FloatArray, mu: FloatArray, df: int, start: FloatArray) -> FloatArray:
    """Solve sum (y-mu)^2 / (mu + a mu^2) = df for a >= 0, series by series (Breslow
    1984), by Newton's method: the left side is convex and decreasing in a."""
    r2 = (Y - mu) ** 2
    over = (r2 / mu).sum(axis=1) > df
    a = np.where(over, np.maximum(start, 0.0), 0.0)
    mu2 = mu * mu
    for _ in range(NB_NEWTON_STEPS):
        inv_v = 1.0 / (mu + a[:, None] * mu2)
        q = r2 * inv_v
        f = q.sum(axis=1) - df
        fp = -(q * mu2 * inv_v).sum(axis=1)
        a_new = np.where(over, np.maximum(a - f / np.where(fp < 0, fp, -1.0), 0.0), 0.0)
        done = bool(np.all(np.abs(a_new - a) <= NB_ALPHA_TOLERANCE * (a + NB_ALPHA_TOLERANCE)))
        a = a_new
        if done:
            break
    return a


def _weighted_gram(X: FloatArray, w: FloatArray) -> FloatArray:
    """X' diag(w_b) X for every row b of ``w``: shape (B, k, k)."""
    gram: FloatArray = (X.T[None, :, :] * w[:, None, :]) @ X
    return gram


def _solve(A: FloatArray, b: FloatArray) -> FloatArray:
    try:
        x: FloatArray = np.asarray(np.linalg.solve(A, b[..., None])[..., 0], dtype=np.float64)
    except np.linalg.LinAlgError:  # a singular system: least-squares answer instead
        x = np.einsum("bkl,bl->bk", np.linalg.pinv(A), b).astype(np.float64)
    return x


def _irls_batch(
    X: FloatArray, Y: FloatArray, offset: FloatArray, alpha: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray, FloatArray]:
    """IRLS for log-link GLMs with variance mu + a*mu^2, all series at once. With
    ``alpha`` None, a is re-estimated (moment method) after every step; a = 0 is Poisson."""
    B, n = Y.shape
    df = n - X.shape[1]
    estimate = alpha is None
    a = np.zeros(B) if alpha is None else alpha
    mu = (Y + Y.mean(axis=1, keepdims=True)) / 2.0 + 1e-8
    eta = np.log(mu)
    beta = np.zeros((B, X.shape[1]))
    converged = np.zeros(B, dtype=bool)
    for iteration in range(IRLS_MAX_ITER):
        deviance = _deviance(Y, mu, a)  # at this step's alpha, which the step keeps
        w = mu / (1.0 + a[:, None] * mu)
        z = eta - offset + (Y - mu) / mu
        xtwx = _weighted_gram(X, w)
        beta_new = _solve(xtwx, (w * z) @ X)
        eta = np.minimum(beta_new @ X.T + offset, MAX_LINEAR_PREDICTOR)
        mu = np.exp(eta)
        if iteration:  # the first step starts from the data, not from coefficients
            beta_new, eta, mu = _halved(X, Y, offset, a, beta, beta_new, deviance)
        a_old = a
        if estimate:
            a = _moment_alpha(Y, mu, df, a)
        step = np.abs(beta_new - beta).max(axis=1)
        beta = beta_new
        converged = (step <= IRLS_TOLERANCE * (1.0 + np.abs(beta).max(axis=1))) & (
            np.abs(a - a_old) <= NB_ALPHA_TOLERANCE * (1.0 + a)
        )
        if converged.all():
            break
    w = mu / (1.0 + a[:, None] * mu)
    cov: FloatArray = np.asarray(np.linalg.pinv(_weighted_gram(X, w)), dtype=np.float64)
    return beta, cov, mu, converged, a


def _halved(
    X: FloatArray,
    Y: FloatArray,
    offset: FloatArray,
    a: FloatArray,
    beta: FloatArray,
    beta_new: FloatArray,
    deviance: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The step from ``beta`` to ``beta_new``, halved for each series whose deviance it
    raises (or makes not finite) until it does not: IRLS on a series with no finite
    estimate (a fall to all zeros) then heads off towards it, and is not converged, rather
    than jumping to a fit far worse than where it was."""
    eta = np.minimum(beta_new @ X.T + offset, MAX_LINEAR_PREDICTOR)
    mu = np.exp(eta)
    for _ in range(MAX_STEP_HALVINGS):
        worse = ~(_deviance(Y, mu, a) <= deviance * (1.0 + IRLS_TOLERANCE) + IRLS_TOLERANCE)
        if not worse.any():
            break
        beta_new = np.where(worse[:, None], (beta + beta_new) / 2.0, beta_new)
        eta = np.minimum(beta_new @ X.T + offset, MAX_LINEAR_PREDICTOR)
        mu = np.exp(eta)
    return beta_new, eta, mu


def _deviance(Y: FloatArray, mu: FloatArray, a: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        ylogy = np.where(Y > 0, Y * np.log(np.where(Y > 0, Y, 1.0) / mu), 0.0)
        poisson = 2.0 * (ylogy - (Y - mu)).sum(axis=1)
        safe = np.where(a > 0, a, 1.0)[:, None]
        nb_term = (Y + 1.0 / safe) * np.log((1.0 + safe * Y) / (1.0 + safe * mu))
        nb = 2.0 * (ylogy - nb_term).sum(axis=1)
    result: FloatArray = np.where(a > 0, nb, poisson)
    return result


def _pearson(Y: FloatArray, mu: FloatArray, a: FloatArray) -> FloatArray:
    # a fit that ran away (mu at exp(MAX_LINEAR_PREDICTOR)) gives inf, as its deviance
    # does, and is not converged: its row is not used
    with np.errstate(over="ignore", invalid="ignore"):
        result: FloatArray = ((Y - mu) ** 2 / (mu + a[:, None] * mu**2)).sum(axis=1)
    return result


def _offset(offset: FloatArray | None, n: int) -> FloatArray:
    return np.zeros(n) if offset is None else offset


def fit_poisson_batch(X: FloatArray, Y: FloatArray, offset: FloatArray | None = None) -> BatchFit:
    """Poisson GLM, log link (McCullagh & Nelder 1989, ch. 6), for every row of ``Y``."""
    _check(X, Y)
    if (Y < 0).any():
        raise AnalysisError("counts cannot be negative", expected="counts of 0 or more")
    beta, cov, mu, ok, a = _irls_batch(X, Y, _offset(offset, X.shape[0]), np.zeros(Y.shape[0]))
    df = X.shape[0] - X.shape[1]
    return BatchFit("poisson", beta, cov, mu, _pearson(Y, mu, a), _deviance(Y, mu, a), df, ok, a)


def fit_negative_binomial_batch(
    X: FloatArray,
    Y: FloatArray,
    offset: FloatArray | None = None,
    *,
    alpha: FloatArray | None = None,
) -> BatchFit:
    """NB2 GLM, log link, for every row of ``Y``: ``alpha`` fixed, or estimated by the
    moment (Pearson) method of Breslow (1984) together with the fit."""
    _check(X, Y)
    beta, cov, mu, ok, a = _irls_batch(X, Y, _offset(offset, X.shape[0]), alpha)
    df = X.shape[0] - X.shape[1]
    return BatchFit(
        "negative_binomial", beta, cov, mu, _pearson(Y, mu, a), _deviance(Y, mu, a), df, ok, a
    )


def fit_poisson(X: FloatArray, y: FloatArray, offset: FloatArray | None = None) -> ModelFit:
    """One series: :func:`fit_poisson_batch` with a single row."""
    return fit_poisson_batch(X, y[None, :], offset).row(0)


def fit_negative_binomial(
    X: FloatArray, y: FloatArray, offset: FloatArray | None = None, *, alpha: float | None = None
) -> ModelFit:
    """One series: :func:`fit_negative_binomial_batch` with a single row."""
    fixed = None if alpha is None else np.array([alpha])
    return fit_negative_binomial_batch(X, y[None, :], offset, alpha=fixed).row(0)


def newey_west_lags(n: int) -> int:
    """Bandwidth floor(4 (n/100)^(2/9)) (Newey & West 1994)."""
    return int(4.0 * (n / 100.0) ** (2.0 / 9.0))  # int() floors a positive number


def fit_ols(X: FloatArray, y: FloatArray) -> ModelFit:
    """Least squares with the classical covariance s^2 (X'X)^-1, s^2 = RSS / (n - k)
    (statsmodels ``OLS(y, X).fit()``)."""
    _check(X, y[None, :])
    n, k = X.shape
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    mu = X @ beta
    u = y - mu
    rss = float(u @ u)
    scale = rss / (n - k)
    return ModelFit("gaussian", beta, xtx_inv * scale, mu, rss, rss, n - k, True, None, scale)


def fit_ols_hac(X: FloatArray, y: FloatArray, *, maxlags: int | None = None) -> ModelFit:
    """Least squares with Newey-West (1987) HAC covariance, Bartlett kernel, times the
    small-sample factor n/(n-k) (statsmodels ``cov_type='HAC'`` with ``use_correction=True``)."""
    _check(X, y[None, :])
    n, k = X.shape
    lags = newey_west_lags(n) if maxlags is None else maxlags
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    mu = X @ beta
    u = y - mu
    xu = X * u[:, None]
    s = xu.T @ xu
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1.0)
        g = xu[lag:].T @ xu[:-lag]
        s += weight * (g + g.T)
    cov = xtx_inv @ s @ xtx_inv * (n / (n - k))
    rss = float(u @ u)
    return ModelFit("gaussian", beta, cov, mu, rss, rss, n - k, True, None, rss / (n - k))
