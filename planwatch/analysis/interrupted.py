"""Interrupted time series: did a plan event change the level or the slope?

In: a :class:`~planwatch.measures.series.MeasureSeries`, whether it holds counts, and
one :class:`~planwatch.plan.models.Event`.
Out: :class:`~planwatch.analysis.results.InterruptedResult` — the step (immediate
change, %) with its interval and p-value, the change in slope (% a year) and whether
either is significant.

Method: segmented regression (Wagner et al. 2002, *J Clin Pharm Ther* 27:299-309;
Bernal, Cummins & Gasparrini 2017, *Int J Epidemiol* 46:348-355): log-linear Poisson
GLM for counts (negative binomial when over-dispersed, quasi-likelihood t inference,
as for trends), least squares
with Newey-West errors otherwise; time, season dummies, a step at the first period
starting on or after the event, and time since then. Run only when a measure's
``analyses`` names ``interrupted``. Methodology §8.
"""

from __future__ import annotations

import math

import numpy as np

from planwatch.analysis.constants import (
    ALPHA,
    DISPERSION_TEST_LEVEL,
    MIN_CYCLES_FOR_TREND,
    MIN_RESIDUAL_DF,
    PERIODS_PER_YEAR,
)
from planwatch.analysis.design import trend_design
from planwatch.analysis.dist import (
    chi2_upper_quantile,
    t_quantile,
    t_two_sided_p,
)
from planwatch.analysis.glm import fit_negative_binomial, fit_ols_hac, fit_poisson
from planwatch.analysis.results import InterruptedResult
from planwatch.analysis.trend import quasi_scaled, season
from planwatch.measures.series import MeasureSeries
from planwatch.plan.models import Event

#: Fewest periods with data on each side of the event (one seasonal cycle).
MIN_CYCLES_EACH_SIDE = 1


def event_index(series: MeasureSeries, event: Event) -> int | None:
    """Index of the first period starting on or after the event (the first "after" period)."""
    for i, period in enumerate(series.periods):
        if period.start >= event.date:
            return i
    return None


def interrupted(
    series: MeasureSeries, event: Event, *, count: bool, alpha: float = ALPHA
) -> InterruptedResult | None:
    """Segmented regression at ``event``; ``None`` when there is too little data either side.
    ``significant`` uses a Bonferroni split of alpha over the two tests (step, slope)."""
    ppy = PERIODS_PER_YEAR[series.frequency]
    cut = event_index(series, event)
    rows = series.usable()
    if cut is None or not rows:
        return None
    pos = np.array([i for i, _, _ in rows], dtype=np.int64)
    y = np.array([v for _, _, v in rows], dtype=np.float64)
    after = pos >= cut
    if (
        min(int(after.sum()), int((~after).sum())) < MIN_CYCLES_EACH_SIDE * ppy
        or len(y) < MIN_CYCLES_FOR_TREND * ppy
    ):
        return None
    seasons = np.array([season(p) for _, p, _ in rows], dtype=np.int64)
    base = trend_design(pos, seasons, ppy)
    step = after.astype(np.float64)
    since = np.where(after, (pos - cut) / ppy, 0.0)
    X = np.column_stack([base.X, step, since])
    df = X.shape[0] - X.shape[1]
    if df < MIN_RESIDUAL_DF or (count and y.sum() == 0):
        return None
    k_step, k_slope = X.shape[1] - 2, X.shape[1] - 1
    if count:
        fit = fit_poisson(X, y)
        if fit.dispersion > chi2_upper_quantile(DISPERSION_TEST_LEVEL, df) / df:
            fit = fit_negative_binomial(X, y)
        method = (
            "segmented_poisson_glm"
            if fit.family == "poisson"
            else "segmented_negative_binomial_glm"
        )
        fit = quasi_scaled(fit)
        crit = t_quantile(1.0 - alpha / 2.0, df)
        se = fit.se
        p_step = t_two_sided_p(fit.beta[k_step] / se[k_step], df)
        p_slope = t_two_sided_p(fit.beta[k_slope] / se[k_slope], df)
        b, s = float(fit.beta[k_step]), float(se[k_step])
        step_pct = 100.0 * math.expm1(b)
        step_ci = (100.0 * math.expm1(b - crit * s), 100.0 * math.expm1(b + crit * s))
        slope_pct = 100.0 * math.expm1(float(fit.beta[k_slope]))
    else:
        fit = fit_ols_hac(X, y)
        crit = t_quantile(1.0 - alpha / 2.0, df)
        se = fit.se
        p_step = t_two_sided_p(fit.beta[k_step] / se[k_step], df)
        p_slope = t_two_sided_p(fit.beta[k_slope] / se[k_slope], df)
        method = "segmented_ols"
        level = float(np.mean(fit.mu[~after]))
        scale = 100.0 / abs(level) if level != 0 else math.nan
        b, s = float(fit.beta[k_step]), float(se[k_step])
        step_pct = b * scale
        step_ci = ((b - crit * s) * scale, (b + crit * s) * scale)
        slope_pct = float(fit.beta[k_slope]) * scale
    return InterruptedResult(
        method=method,
        event_label=event.label,
        event_date=event.date,
        step_pct=step_pct,
        step_ci=step_ci,
        step_p=p_step,
        slope_change_pct_per_year=slope_pct,
        slope_p=p_slope,
        significant=min(p_step, p_slope) < alpha / 2.0,
    )
