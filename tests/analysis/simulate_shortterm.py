"""Seeded series for the short-term, SPC and survey simulations (issue 11).

Counts come from the shared generator :mod:`tests.analysis.simulate` (seasonal counts
around a log-level that follows a stationary AR(1), marginal sd 0.08, Poisson or
negative binomial noise). What is added here:

* :func:`stepped_counts` — the same series with a level shift where the latest 12
  months begin (the change the short-term tests are there to see);
* :func:`short_term_changes` — the four comparisons the engine makes for a count
  measure (previous period, same period last year, rolling 12 vs previous 12, and
  against a named baseline), through the real functions of
  :mod:`planwatch.analysis.shortterm`;
* :func:`rolling_survey` — quarterly survey answers pooled into 12-month rolling
  results, as a force's public-confidence survey is published.
"""

from __future__ import annotations

import math

import numpy as np

from planwatch.analysis.results import ChangeResult
from planwatch.analysis.shortterm import (
    WindowCache,
    count_model,
    latest_window,
    period_change,
    window_change,
)
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Rolling12
from tests.analysis.simulate import (
    Config,
    FloatArray,
    IntArray,
    latent_ar1,
    mean_path,
    simulate_counts,
)

#: Levels a period (counts) the size tests cover: a small district's offence group to
#: a large force's all-crime total (issue 11: "levels from 5 to 15,000 a period").
LEVELS = (5.0, 100.0, 1000.0, 15000.0)
#: Negative binomial shape of the over-dispersed runs (the value
#: benchmarks/sim_inference.py uses: 7% extra-Poisson noise a period).
NB_SHAPE = 200.0
#: The named baseline: the 12 months to March 2020 (a pre-pandemic year, as plans name).
BASELINE = Rolling12(Month(2020, 3))
#: The four comparisons, in the order :func:`short_term_changes` returns them.
KINDS = ("previous_period", "same_period_last_year", "rolling12_previous", "baseline")


def latest_year_start(config: Config) -> int:
    """Index of the first period of the latest 12 months."""
    return config.n_periods - config.periods_per_year


def stepped_counts(
    config: Config, reps: int, seed: int, step_pct: float, at: int | None = None
) -> FloatArray:
    """Counts of ``config`` with the level multiplied by ``1 + step_pct/100`` from index
    ``at`` (default: the start of the latest 12 months) on."""
    if step_pct == 0.0:
        return simulate_counts(config, reps, seed)[0]
    rng = np.random.default_rng(seed)
    x = latent_ar1(rng, reps, config.n_periods, config.ar, config.log_sd)
    start = latest_year_start(config) if at is None else at
    step = np.where(np.arange(config.n_periods) >= start, math.log1p(step_pct / 100.0), 0.0)
    mu = mean_path(config)[None, :] * np.exp(x + step[None, :])
    if config.nb_shape is None:
        y: FloatArray = rng.poisson(mu).astype(np.float64)
    else:
        k = config.nb_shape
        y = rng.negative_binomial(k, k / (k + mu)).astype(np.float64)
    return y


def short_term_changes(series: MeasureSeries) -> dict[str, ChangeResult | None]:
    """The engine's four count comparisons for one series, by kind."""
    model = count_model(series)
    cache = WindowCache(series)
    ppy = 4 if series.frequency == "quarter" else 12
    window = latest_window(series)
    assert window is not None
    return {
        "previous_period": period_change(series, 1, count=True, model=model),
        "same_period_last_year": period_change(series, ppy, count=True, model=model),
        "rolling12_previous": window_change(
            series,
            window,
            window.previous,
            "rolling12_previous",
            count=True,
            cache=cache,
            model=model,
        ),
        "baseline": window_change(
            series, window, BASELINE, "baseline", count=True, cache=cache, model=model
        ),
    }


def rolling_survey(
    rng: np.random.Generator,
    reps: int,
    n_quarters: int,
    per_quarter: int,
    p: float | FloatArray,
    window: int = 4,
) -> tuple[IntArray, IntArray]:
    """``reps`` rolling results: successes and respondents of the ``window`` quarters to
    each quarter (shape ``(reps, n_quarters - window + 1)``). Each quarter asks its own
    ``per_quarter`` respondents (Binomial), so neighbouring results share
    ``window - 1`` quarters of them. ``p`` may vary by quarter."""
    probs = np.broadcast_to(np.asarray(p, dtype=np.float64), (n_quarters,))
    yes = rng.binomial(per_quarter, probs[None, :], size=(reps, n_quarters))
    kernel = np.ones(window, dtype=np.int64)
    successes = np.array([np.convolve(row, kernel, mode="valid") for row in yes])
    asked = np.full_like(successes, per_quarter * window)
    return successes.astype(np.int64), asked.astype(np.int64)
