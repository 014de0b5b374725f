"""Seeded generator of realistic crime count series, shared by the simulation tests and
``benchmarks/sim_inference.py``.

A series is seasonal counts around a log-level that wanders as a stationary AR(1)
process (marginal sd :data:`LOG_SD` = 0.08, as measured on the Home Office table; see
issue 11), with Poisson or negative binomial noise on top:

    log mu_t = log(level) + log(season_t) + trend * t / ppy + step * [t >= cut] + x_t
    x_t = ar * x_(t-1) + e_t,  e_t ~ N(0, LOG_SD^2 (1 - ar^2)),  x_0 ~ N(0, LOG_SD^2)
    y_t ~ Poisson(mu_t)   or   NB2 with mean mu_t and shape ``nb_shape``

Gaps (``NaN``) can be punched at random positions (the same ones in every series of a
run). Everything comes from one
``numpy.random.Generator`` seeded by the caller, so results are reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Quarter, month_range, quarter_range

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Marginal sd of the log-level (issue 11: residual swings of real PRC series).
LOG_SD = 0.08
#: Season factors, quarter (Q1..Q4 of the financial year) and month (April first).
QUARTER_SEASON = np.array([1.0, 1.15, 1.05, 0.8])
MONTH_SEASON = np.array([1.0, 1.05, 1.1, 1.12, 1.08, 1.0, 0.98, 0.95, 0.85, 0.93, 0.9, 1.04])
FIRST_QUARTER = Quarter(2016, 1)
FIRST_MONTH = Month(2018, 4)


@dataclass(frozen=True)
class Config:
    """One simulation setting."""

    frequency: str = "quarter"  # "quarter" | "month"
    n_periods: int = 29
    ar: float = 0.0
    level: float = 100.0
    pct_per_year: float = 0.0
    step_pct: float = 0.0  # a level shift at the middle of the series
    nb_shape: float | None = None  # None: Poisson
    gaps: int = 0  # periods set to NaN at random (never the first or last)
    log_sd: float = LOG_SD

    @property
    def periods_per_year(self) -> int:
        return 4 if self.frequency == "quarter" else 12

    @property
    def step_index(self) -> int:
        return self.n_periods // 2


def latent_ar1(rng: np.random.Generator, reps: int, n: int, ar: float, sd: float) -> FloatArray:
    """Stationary AR(1) paths with marginal sd ``sd``: shape (reps, n)."""
    x = np.empty((reps, n))
    x[:, 0] = rng.normal(0.0, sd, size=reps)
    innovation = sd * math.sqrt(1.0 - ar * ar)
    e = rng.normal(0.0, innovation, size=(reps, n))
    for t in range(1, n):
        x[:, t] = ar * x[:, t - 1] + e[:, t]
    return x


def mean_path(config: Config) -> FloatArray:
    """The expected level without the AR(1) wander: season, trend and step."""
    i = np.arange(config.n_periods)
    ppy = config.periods_per_year
    season = QUARTER_SEASON if ppy == 4 else MONTH_SEASON
    log_mu = (
        math.log(config.level)
        + np.log(season[i % ppy])
        + math.log1p(config.pct_per_year / 100.0) * i / ppy
        + math.log1p(config.step_pct / 100.0) * (i >= config.step_index)
    )
    result: FloatArray = np.exp(log_mu)
    return result


def simulate_counts(config: Config, reps: int, seed: int) -> tuple[FloatArray, FloatArray]:
    """``reps`` series of ``config``: the counts (NaN for gaps) and the true means."""
    rng = np.random.default_rng(seed)
    x = latent_ar1(rng, reps, config.n_periods, config.ar, config.log_sd)
    mu = mean_path(config)[None, :] * np.exp(x)
    if config.nb_shape is None:
        y = rng.poisson(mu).astype(np.float64)
    else:
        k = config.nb_shape
        y = rng.negative_binomial(k, k / (k + mu)).astype(np.float64)
    if config.gaps:
        y[:, gap_positions(config, seed)] = np.nan
    return y, mu


def gap_positions(config: Config, seed: int) -> IntArray:
    """The periods left empty in every series of a run (the same ones, so the run shares
    one design, as real tables with a missing quarter do)."""
    rng = np.random.default_rng(seed + 7_919)
    chosen = rng.choice(np.arange(1, config.n_periods - 1), size=config.gaps, replace=False)
    result: IntArray = np.sort(chosen).astype(np.int64)
    return result


def as_series(counts: FloatArray, frequency: str, measure_id: str = "sim") -> list[MeasureSeries]:
    """Rows of ``counts`` (NaN = gap) as MeasureSeries starting 2016/17 Q1 or April 2018."""
    n = counts.shape[1]
    periods: Sequence[Quarter] | Sequence[Month]
    if frequency == "quarter":
        periods = quarter_range(FIRST_QUARTER, FIRST_QUARTER.shift(n - 1))
    else:
        periods = month_range(FIRST_MONTH, FIRST_MONTH.shift(n - 1))
    return [
        MeasureSeries(
            measure_id,
            frequency,  # type: ignore[arg-type]
            tuple(periods),
            tuple(None if math.isnan(v) else float(v) for v in row),
        )
        for row in counts
    ]


def wilson_upper(successes: int, n: int, z: float = 1.959963984540054) -> float:
    """Upper end of the Wilson 95% interval for a simulated rate."""
    if n == 0:
        return 1.0
    p = successes / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre + half) / (1 + z * z / n)


#: Marginal sd of the wander of a proportion on the logit scale (about 3.5 points at 40%).
LOGIT_SD = 0.15


def simulate_percentages(
    config: Config, reps: int, seed: int, sample: int, base: float = 0.4
) -> FloatArray:
    """``reps`` series of a percentage from a survey or records of ``sample`` cases a
    period: the true share is ``base`` times the season, trend and step of ``config``
    (:func:`mean_path` divided by its level) with an AR(1) wander of marginal sd
    :data:`LOGIT_SD` on the logit scale; each period's value is 100 x a binomial share.
    ``config.level``, ``nb_shape`` and ``log_sd`` are not used."""
    rng = np.random.default_rng(seed)
    x = latent_ar1(rng, reps, config.n_periods, config.ar, LOGIT_SD)
    share = np.clip(base * mean_path(config) / config.level, 1e-6, 1 - 1e-6)
    logit = np.log(share / (1 - share))[None, :] + x
    p = 1.0 / (1.0 + np.exp(-logit))
    y = 100.0 * rng.binomial(sample, p).astype(np.float64) / sample
    if config.gaps:
        y[:, gap_positions(config, seed)] = np.nan
    return y
