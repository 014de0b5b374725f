"""Long-term trend of a series, from its start or from the last comparability break.

In: a :class:`~planwatch.measures.series.MeasureSeries`, whether its values are
counts, and the plan events that concern it.
Out: :class:`~planwatch.analysis.results.TrendResult` — direction, % a year with
its confidence interval, p-value, strength band, ``low_counts``, the deseasonalised
trend line with its confidence band, and the Mann-Kendall robust check.

Counts: Poisson GLM, log link, linear time + season dummies; negative binomial
(NB2, moment estimate of alpha) when the Pearson test shows over-dispersion.
Other measures: least squares. Either way, significance is the restricted likelihood
ratio of the trend under AR(1)+noise errors (:mod:`planwatch.analysis.argls`), judged
against a critical value simulated for the design.
Gaps are left out of the fit, never filled in. Methodology §2.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from planwatch.analysis.argls import ARTrendTest, ar_trend_test, error_covariance
from planwatch.analysis.autocorr import lag1_autocorrelation
from planwatch.analysis.constants import (
    ALPHA,
    DISPERSION_TEST_LEVEL,
    FLAT_PCT_PER_YEAR,
    MIN_CYCLES_FOR_TREND,
    MIN_RESIDUAL_DF,
    PERIODS_PER_YEAR,
    PLAUSIBLE_TREND_PCT_PER_YEAR,
    POWER_FOR_DETECTABLE,
    STRENGTH_EDGES_PCT_PER_YEAR,
)
from planwatch.analysis.design import Design, FloatArray, trend_design
from planwatch.analysis.dist import (
    chi2_upper_quantile,
    normal_quantile,
    normal_two_sided_p,
    t_quantile,
    t_two_sided_p,
)
from planwatch.analysis.glm import (
    ModelFit,
    fit_negative_binomial_batch,
    fit_ols,
    fit_poisson_batch,
)
from planwatch.analysis.mannkendall import mann_kendall_batch, seasonal_mann_kendall_batch
from planwatch.analysis.results import (
    Direction,
    MannKendallResult,
    StepResult,
    Strength,
    TrendResult,
)
from planwatch.analysis.spc import HIGH_AUTOCORRELATION
from planwatch.errors import AnalysisError, Location
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Quarter
from planwatch.plan.models import Event


def season(period: Month | Quarter) -> int:
    """0-based season: quarter of the financial year, or month of it (April = 0)."""
    if isinstance(period, Quarter):
        return period.q - 1
    return (period.month - 4) % 12


def strength_of(pct_per_year: float | None) -> Strength:
    """Plain-words band for the size of a trend (methodology §2.3)."""
    if pct_per_year is None or abs(pct_per_year) < FLAT_PCT_PER_YEAR:
        return "none"
    size = abs(pct_per_year)
    very_slight, slight, moderate = STRENGTH_EDGES_PCT_PER_YEAR
    if size < very_slight:
        return "very slight"
    if size < slight:
        return "slight"
    if size < moderate:
        return "moderate"
    return "strong"


def direction_of(pct_per_year: float | None) -> Direction:
    if pct_per_year is None or abs(pct_per_year) < FLAT_PCT_PER_YEAR:
        return "flat"
    return "up" if pct_per_year > 0 else "down"


def window_start(series: MeasureSeries, events: Sequence[Event]) -> tuple[int, tuple[str, ...]]:
    """Index of the first period after the last comparability break inside the series,
    and the caveat saying so. A break dated inside a period starts the fit at the next one."""
    start = 0
    caveats: tuple[str, ...] = ()
    for event in sorted(events, key=lambda e: e.date):
        if not event.breaks_comparability:
            continue
        for i, period in enumerate(series.periods):
            if i > 0 and period.start >= event.date:
                if i > start:
                    start = i
                    caveats = (
                        f"Trend fitted from {period.label}: {event.label} ({event.date.isoformat()}) "
                        "broke comparability, so earlier periods are not used.",
                    )
                break
    return start, caveats


@dataclass(frozen=True)
class _Window:
    positions: np.ndarray
    values: FloatArray
    seasons: np.ndarray
    start: int
    caveats: tuple[str, ...]


def _window(series: MeasureSeries, events: Sequence[Event], count: bool) -> _Window:
    start, caveats = window_start(series, events)
    rows = [(i, p, v) for i, p, v in series.usable() if i >= start]
    bad = [(p, v) for _, p, v in rows if not math.isfinite(v) or (count and v < 0)]
    if bad:
        period, value = bad[0]
        raise AnalysisError(
            f"{series.measure_id}: {period.label} has {value}, which cannot be "
            + ("a count" if count else "analysed"),
            location=Location(field=f"{series.measure_id} {period.label}"),
            expected="a count of 0 or more" if count else "a finite number (a gap is None)",
        )
    positions = np.array([i for i, _, _ in rows], dtype=np.int64)
    values = np.array([v for _, _, v in rows], dtype=np.float64)
    seasons = np.array([season(p) for _, p, _ in rows], dtype=np.int64)
    return _Window(positions, values, seasons, start, caveats)


def _insufficient(series: MeasureSeries, w: _Window, count: bool, reason: str) -> TrendResult:
    labels = series.labels
    return TrendResult(
        method="insufficient_data",
        first_label=labels[w.start] if labels else "",
        last_label=labels[-1] if labels else "",
        n_periods=int(w.values.shape[0]),
        direction="flat",
        pct_per_year=None,
        ci_low=None,
        ci_high=None,
        p_value=None,
        significant=False,
        strength="none",
        low_counts=count,
        dispersion=None,
        caveats=(*w.caveats, reason),
        fit_start_index=w.start,
    )


def _drop_empty_seasons(w: _Window) -> tuple[_Window, tuple[str, ...]]:
    """Seasons with no counts at all push their dummy to minus infinity; leaving their
    rows out gives the same slope (their fitted means are 0 in the limit)."""
    # sorted(set(...)), not np.unique: numpy 2.4's unique imports numpy.ma (40 ms) on first use
    empty = [s for s in sorted(set(w.seasons.tolist())) if w.values[w.seasons == s].sum() == 0]
    if not empty:
        return w, ()
    keep = ~np.isin(w.seasons, empty)
    return (
        _Window(w.positions[keep], w.values[keep], w.seasons[keep], w.start, w.caveats),
        ("Seasons with no counts in any year were left out of the trend fit.",),
    )


def robust_checks(
    X: FloatArray, periods_per_year: int, seasonal: bool, alpha: float
) -> list[MannKendallResult | None]:
    """Seasonal Mann-Kendall when seasonal, plain Mann-Kendall otherwise, for each row
    of ``X`` (NaN = gap); ``None`` where a row is too short."""
    if seasonal:
        return seasonal_mann_kendall_batch(X, periods_per_year, alpha=alpha)
    return mann_kendall_batch(X, alpha=alpha, periods_per_year=periods_per_year)


def _agrees(mk: MannKendallResult | None, significant: bool, slope: float) -> bool | None:
    """Whether the robust check reaches the same verdict: both significant in the same
    direction, or both not significant. ``None`` when there is no check."""
    if mk is None:
        return None
    if mk.significant != significant:
        return False
    return not significant or (mk.s > 0) == (slope > 0)


def _line(
    design: Design, fit: ModelFit, positions: FloatArray, crit: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    rows = design.line_rows(positions)
    eta = rows @ fit.beta
    sd = np.sqrt(np.einsum("ij,jk,ik->i", rows, fit.cov, rows))
    return eta, eta - crit * sd, eta + crit * sd


def fit_trend(
    series: MeasureSeries,
    *,
    count: bool,
    events: Sequence[Event] = (),
    alpha: float = ALPHA,
    seasonal: bool = True,
) -> TrendResult:
    """The long-term trend of one series (see the module docstring)."""
    return fit_trends((series,), count=count, events=events, alpha=alpha, seasonal=seasonal)[0]


@dataclass(frozen=True)
class _Job:
    series: MeasureSeries
    window: _Window
    fit_window: _Window
    extra: tuple[str, ...]
    event: tuple[int, str] | None = None  # fit row and label of a plan event to test a step at


def _prepare(series: MeasureSeries, events: Sequence[Event], count: bool) -> _Job | TrendResult:
    ppy = PERIODS_PER_YEAR[series.frequency]
    w = _window(series, events, count)
    if w.values.shape[0] < MIN_CYCLES_FOR_TREND * ppy:
        reason = f"Too few periods for a trend: at least {MIN_CYCLES_FOR_TREND * ppy} are needed."
        return _insufficient(series, w, count, reason)
    if count and w.values.sum() == 0:
        return _insufficient(
            series, w, count, "No counts at all in the period, so there is no trend to fit."
        )
    fitw, extra = _drop_empty_seasons(w) if count else (w, ())
    return _Job(series, w, fitw, extra, _event_row(series, fitw, events, ppy))


def _event_row(
    series: MeasureSeries, w: _Window, events: Sequence[Event], ppy: int
) -> tuple[int, str] | None:
    """Fit row of the first period starting on or after the latest plan event that does
    not break comparability, when at least a year of data lies on each side."""
    found: tuple[int, str] | None = None
    n = w.positions.shape[0]
    for event in sorted(events, key=lambda e: e.date):
        if event.breaks_comparability:
            continue
        for row, i in enumerate(w.positions):
            if series.periods[int(i)].start >= event.date:
                if ppy <= row <= n - ppy:
                    found = (row, event.label)
                break
    return found


def _window_matrix(jobs: Sequence[_Job]) -> FloatArray:
    """Each job's values from its window start to the series end (NaN for gaps and held-out values)."""
    job = jobs[0]
    width = len(job.series.periods) - job.window.start
    X = np.full((len(jobs), width), np.nan)
    for b, j in enumerate(jobs):
        X[b, j.window.positions - j.window.start] = j.window.values
    return X


def fit_trends(
    series_list: Sequence[MeasureSeries],
    *,
    count: bool,
    events: Sequence[Event] = (),
    alpha: float = ALPHA,
    seasonal: bool = True,
) -> tuple[TrendResult, ...]:
    """Trends of many series at once: series whose fits share a design (same periods
    with data) are fitted together in one batched IRLS. Same results as one by one."""
    results: list[TrendResult | None] = [None] * len(series_list)
    groups: dict[tuple[object, ...], list[tuple[int, _Job]]] = {}
    for k, series in enumerate(series_list):
        job = _prepare(series, events, count)
        if isinstance(job, TrendResult):
            results[k] = job
            continue
        fw = job.fit_window
        key = (
            series.frequency,
            len(series.periods),
            job.window.start,
            fw.positions.tobytes(),
            fw.seasons.tobytes(),
        )
        groups.setdefault(key, []).append((k, job))
    for members in groups.values():
        jobs = [job for _, job in members]
        for (k, _), result in zip(members, _fit_group(jobs, count, alpha, seasonal), strict=True):
            results[k] = result
    return tuple(r for r in results if r is not None)


def _fit_group(
    jobs: Sequence[_Job], count: bool, alpha: float, seasonal: bool
) -> list[TrendResult]:
    first = jobs[0]
    ppy = PERIODS_PER_YEAR[first.series.frequency]
    fw = first.fit_window
    design = trend_design(fw.positions, fw.seasons, ppy, seasonal=seasonal)
    df = design.X.shape[0] - design.X.shape[1]
    if df < MIN_RESIDUAL_DF:
        reason = "Too few periods for a trend once seasons are allowed for."
        return [_insufficient(j.series, j.window, count, reason) for j in jobs]
    checks = robust_checks(_window_matrix(jobs), ppy, seasonal, alpha)
    all_positions = np.arange(first.window.start, len(first.series.periods), dtype=np.float64)
    positions = fw.positions.astype(np.float64)
    Y = np.stack([j.fit_window.values for j in jobs])
    complete = _complete(fw, ppy, seasonal)
    if not count:
        ols = [fit_ols(design.X, y) for y in Y]
        residuals = Y - np.stack([f.mu for f in ols])
        slopes = np.array([f.beta[design.time_column] for f in ols])
        test = ar_trend_test(
            positions,
            design.X,
            residuals,
            design.time_column,
            slopes,
            alpha=alpha,
            complete=complete,
        )
        return [
            _gaussian_trend(
                j,
                design,
                ols[b],
                _Autocorrelation.of(test, b, residuals[b], design, j),
                all_positions,
                mk,
                alpha,
            )
            for b, (j, mk) in enumerate(zip(jobs, checks, strict=True))
        ]
    poisson = fit_poisson_batch(design.X, Y)
    threshold = chi2_upper_quantile(DISPERSION_TEST_LEVEL, df) / df
    dispersion = poisson.dispersion
    over = np.flatnonzero(dispersion > threshold)
    nb = fit_negative_binomial_batch(design.X, Y[over]) if over.size else None
    nb_row = {int(b): r for r, b in enumerate(over)}
    fits = [
        nb.row(nb_row[b]) if nb is not None and b in nb_row else poisson.row(b)
        for b in range(len(jobs))
    ]
    MU = np.stack([f.mu for f in fits])
    slopes = np.array([f.beta[design.time_column] for f in fits])
    test = ar_trend_test(
        positions,
        design.X,
        (Y - MU) / MU,
        design.time_column,
        slopes,
        alpha=alpha,
        complete=complete,
    )
    out: list[TrendResult] = []
    poisson_se = poisson.se[:, design.time_column]
    acs = [
        _Autocorrelation.of(
            test, b, _pearson(Y[b], MU[b], fits[b]), design, job, (Y[b] - MU[b]) / MU[b]
        )
        for b, job in enumerate(jobs)
    ]
    scans = _shift_scans(jobs, design, [f.beta for f in fits], acs)
    for b, (job, mk) in enumerate(zip(jobs, checks, strict=True)):
        fitting = _CountFit(fits[b], float(dispersion[b]), threshold, float(poisson_se[b]))
        out.append(_count_trend(job, design, fitting, acs[b], all_positions, mk, alpha, scans[b]))
    return out


def _complete(w: _Window, ppy: int, seasonal: bool) -> tuple[int, int] | None:
    """(periods a year, periods) when the fit's design is a complete seasonal one (every
    period from the first to the last, every season present): its critical value is then
    in the shipped table, whatever season the series starts in (the model's column space
    is the same)."""
    n = int(w.positions.shape[0])
    contiguous = n > 0 and int(w.positions[-1] - w.positions[0]) + 1 == n
    if seasonal and contiguous and len(set(w.seasons.tolist())) == ppy:
        return ppy, n
    return None


def _pearson(y: FloatArray, mu: FloatArray, fit: ModelFit) -> FloatArray:
    a = fit.nb_alpha or 0.0
    out: FloatArray = (y - mu) / np.sqrt(mu + a * mu * mu)
    return out


@dataclass(frozen=True)
class _Autocorrelation:
    """One series' share of the batched AR(1)+noise test."""

    se: float  # sandwich standard error, largest over the plausible error models
    lr: float  # restricted likelihood ratio of the trend
    critical: float  # its critical value
    rho: float  # REML AR(1) coefficient
    lam: float
    se_independent: float
    se_point: float  # at the REML estimate (for the rank-based check's variance correction)
    residual_lag1: float | None
    d: FloatArray  # residuals on the fitted scale (log scale for counts)

    @staticmethod
    def of(
        test: ARTrendTest,
        b: int,
        standardised: FloatArray,
        design: Design,
        job: _Job,
        d: FloatArray | None = None,
    ) -> _Autocorrelation:
        """``standardised``: the residuals whose lag-1 autocorrelation is reported
        (Pearson residuals for counts); ``d``: the residuals the error model was fitted
        to (default the same)."""
        w = job.fit_window
        axis = np.full(int(w.positions.max() - job.window.start + 1), np.nan)
        axis[w.positions - job.window.start] = standardised
        r1 = lag1_autocorrelation(axis, design.X)
        return _Autocorrelation(
            se=float(test.fit.se[b]),
            lr=float(test.lr[b]),
            critical=test.critical,
            rho=float(test.fit.rho[b]),
            lam=float(test.fit.lam[b]),
            se_independent=float(test.se_independent[b]),
            se_point=float(test.fit.se_point[b]),
            residual_lag1=r1 if math.isfinite(r1) else None,
            d=standardised if d is None else d,
        )

    def inference(self, slope: float, independent_se: float, t_crit: float) -> tuple[float, float]:
        """Standard error and critical value of ``slope`` such that ``|slope / se| > crit``
        exactly when the likelihood ratio exceeds its critical value: the test-based
        standard error ``|slope| / sqrt(LR)`` (Miettinen, O. S. (1976) "Estimability and
        estimation in case-referent studies", *Am. J. Epidemiol.* 103:226-235), so the
        interval ``slope +- crit * se`` excludes 0 exactly when the test rejects. It is
        capped at the sandwich standard error where that keeps the verdict (so a flat
        slope still gets a finite band) and never below the independent-periods
        quasi-likelihood test's (``independent_se`` with the t quantile ``t_crit``)."""
        crit = math.sqrt(max(self.critical, 1e-12))
        root = math.sqrt(max(self.lr, 0.0))
        size = abs(slope)
        se = size / root if root > 0 else math.inf
        se = min(se, max(self.se, size / crit * (1.0 + 1e-9)))
        return max(se, independent_se * t_crit / crit), crit


@dataclass(frozen=True)
class _CountFit:
    fit: ModelFit
    dispersion: float
    threshold: float
    poisson_se: float


def quasi_scaled(fit: ModelFit) -> ModelFit:
    """The fit with its covariance scaled by max(1, Pearson chi2 / df): quasi-likelihood
    inference (Wedderburn 1974; McCullagh & Nelder 1989, §9.2), used with t(df) intervals
    so that a small sample's leftover over-dispersion cannot make a trend look significant."""
    scale = max(1.0, fit.dispersion) if fit.df_resid > 0 else 1.0
    return dataclasses.replace(fit, cov=fit.cov * scale, scale=scale)


@dataclass(frozen=True)
class _Verdict:
    """The AR(1)+noise test's verdict on one series' slope (methodology §2.6), the same
    for counts and for other measures."""

    slope: float
    se: float  # test-based standard error (see _Autocorrelation.inference)
    crit: float  # its critical value, sqrt(c)
    p: float
    line: tuple[FloatArray, FloatArray, FloatArray]  # trend line and band, fitted scale
    effective: float  # effective number of independent periods
    check: MannKendallResult | None  # the rank check, its variance corrected

    @staticmethod
    def of(
        design: Design,
        fit: ModelFit,
        ac: _Autocorrelation,
        all_positions: FloatArray,
        mk: MannKendallResult | None,
        alpha: float,
        n: int,
    ) -> _Verdict:
        """The p-value is that of t(df) at ``|t| * t_crit / c``, so that it is below alpha
        exactly when ``|t| > c``; the line's band uses the fit's covariance widened to the
        test's standard error."""
        df = fit.df_resid
        tc = design.time_column
        t_crit = t_quantile(1.0 - alpha / 2.0, df)
        b = float(fit.beta[tc])
        # never more precise than independent periods would allow (the fit's own standard
        # error: quasi-likelihood for counts, §2.2): a series that happens to fit almost
        # exactly does not get a vanishing interval
        model_se = float(fit.se[tc])
        se, crit = ac.inference(b, model_se, t_crit)
        p = t_two_sided_p(abs(b / se) * t_crit / crit, df) if se > 0 else 1.0
        cov = fit.cov * max(1.0, (se / model_se) ** 2 if model_se > 0 else 1.0)
        cov[tc, :] = 0.0
        cov[:, tc] = 0.0
        cov[tc, tc] = se * se
        line = _line(design, dataclasses.replace(fit, cov=cov), all_positions, crit)
        inflation = (ac.se / ac.se_independent) ** 2 if ac.se_independent > 0 else 1.0
        effective = min(float(n), n / inflation) if inflation > 0 else float(n)
        point = (ac.se_point / ac.se_independent) ** 2 if ac.se_independent > 0 else 1.0
        check = _adjusted_check(mk, max(point, 1.0), alpha)
        return _Verdict(b, se, crit, p, line, effective, check)


def _result(
    job: _Job,
    v: _Verdict,
    ac: _Autocorrelation,
    *,
    method: str,
    pct: float | None,
    ci: tuple[float | None, float | None],
    significant: bool,
    fitted: tuple[FloatArray, FloatArray, FloatArray],
    notes: tuple[str, ...] = (),
) -> TrendResult:
    """The fields every trend result shares: ``fitted`` is the line and band on the
    measure's scale, ``notes`` the caveats of the fit itself."""
    w = job.window
    n = int(w.values.shape[0])
    return TrendResult(
        method=method,
        first_label=job.series.periods[w.start].label,
        last_label=job.series.periods[-1].label,
        n_periods=n,
        direction=direction_of(pct),
        pct_per_year=pct,
        ci_low=ci[0],
        ci_high=ci[1],
        p_value=v.p,
        significant=significant,
        strength=strength_of(pct),
        low_counts=False,
        dispersion=None,
        fitted=tuple(float(x) for x in fitted[0]),
        band_low=tuple(float(x) for x in fitted[1]),
        band_high=tuple(float(x) for x in fitted[2]),
        mann_kendall=v.check,
        agrees_with_robust_check=_agrees(v.check, significant, v.slope),
        caveats=(
            *w.caveats,
            *notes,
            *_swings(significant, ac, v.effective, n),
            *_disagreement(v.check, significant, v.slope),
        ),
        fit_start_index=w.start,
        slope_per_year=v.slope,
        slope_ci_low=v.slope - v.crit * v.se,
        slope_ci_high=v.slope + v.crit * v.se,
        inference=INFERENCE,
        residual_autocorrelation=ac.residual_lag1,
        ar_coefficient=ac.rho,
        noise_share=ac.lam,
        effective_periods=v.effective,
        critical_value=v.crit,
    )


def _count_trend(
    job: _Job,
    design: Design,
    fitting: _CountFit,
    ac: _Autocorrelation,
    all_positions: FloatArray,
    mk: MannKendallResult | None,
    alpha: float,
    scan: _Scan | None,
) -> TrendResult:
    """The GLM slope, judged by the AR(1)+noise likelihood ratio (methodology §2.6) with
    its test-based standard error and critical value in place of the t quantile.
    Always that test: a dispersion at or below 1 does not rule out a slow wander, which
    the trend and season terms absorb (measured: 38% false trends at AR 0.8)."""
    fit = quasi_scaled(fitting.fit)
    v = _Verdict.of(design, fit, ac, all_positions, mk, alpha, int(job.window.values.shape[0]))
    b, se, crit = v.slope, v.se, v.crit
    z_power = normal_quantile(POWER_FOR_DETECTABLE)
    z_crit = normal_quantile(1.0 - alpha / 2.0)
    counting = 100.0 * math.expm1((z_crit + z_power) * fitting.poisson_se)
    unsettled: tuple[str, ...] = ()
    if not fit.converged:
        unsettled = ("The model fit did not settle, so no trend is claimed.",)
    significant = v.p < alpha and fit.converged
    eta, lo, hi = v.line
    result = _result(
        job,
        v,
        ac,
        method="poisson_glm" if fit.family == "poisson" else "negative_binomial_glm",
        pct=100.0 * math.expm1(b),
        ci=(100.0 * math.expm1(b - crit * se), 100.0 * math.expm1(b + crit * se)),
        significant=significant,
        fitted=(np.exp(eta), np.exp(lo), np.exp(hi)),
        notes=(*job.extra, *unsettled),
    )
    return dataclasses.replace(
        result,
        low_counts=counting > PLAUSIBLE_TREND_PCT_PER_YEAR,
        dispersion=fitting.dispersion,
        detectable_pct_per_year=100.0 * math.expm1((crit + z_power) * se),
        dispersion_threshold=fitting.threshold,
        nb_alpha=fit.nb_alpha,
        step=None if scan is None else _step(job, design, fit, ac, crit, alpha, scan),
    )


#: Name of the significance method for counts (``TrendResult.inference``).
INFERENCE = "ar1_noise_reml_lr"
#: Below this share of its periods a series "moves in long swings" (methodology §2.6).
SWING_SHARE = 0.5
#: The swings are named with their autocorrelation only from this fitted AR coefficient:
#: the level the SPC step calls high (analysis.spc.HIGH_AUTOCORRELATION, methodology §5.1).
SWINGS_SAID_FROM = HIGH_AUTOCORRELATION


def _swings(significant: bool, ac: _Autocorrelation, effective: float, n: int) -> tuple[str, ...]:
    """Said of a significant trend only: when it is not significant, the key point's
    sentence itself gives the swings as the reason."""
    if effective >= SWING_SHARE * n or not significant:
        return ()
    k = max(1, round(effective))
    ones = "independent one" if k == 1 else "independent ones"
    if ac.rho >= SWINGS_SAID_FROM:
        return (
            f"The series moves in long swings (autocorrelation {ac.rho:.2f} from one "
            f"period to the next), so its {n} periods carry about as much information as "
            f"{k} {ones}; the test allows for this.",
        )
    # The fitted coefficient is small, but the test keeps the largest standard error of the
    # error models the data cannot rule out (argls): say that, not a swing it did not find.
    return (
        f"The test allows for long swings that {n} periods are too few to rule out, "
        f"treating them as worth about {k} independent "
        f"{'period' if k == 1 else 'periods'}.",
    )


def _adjusted_check(
    mk: MannKendallResult | None, inflation: float, alpha: float
) -> MannKendallResult | None:
    """The Mann-Kendall check with var(S) multiplied by the variance inflation of the
    trend's slope under the fitted AR(1)+noise model (the modified test of Hamed, K. H.
    & Rao, A. R. (1998) "A modified Mann-Kendall trend test for autocorrelated data",
    *J. Hydrology* 204:182-196, with the inflation from the REML estimate)."""
    if mk is None or inflation <= 1.0:
        return mk
    z = mk.z / math.sqrt(inflation)
    p = normal_two_sided_p(z)
    return dataclasses.replace(mk, z=z, p_value=p, significant=p < alpha)


@dataclass(frozen=True)
class _Scan:
    """One series' level-shift scan (:func:`_shift_scans`): the GLS residual quadratic
    form of the steady trend and its slope's unscaled variance, and of the best shift its
    form, fit row, coefficients and their unscaled covariance."""

    q_trend: float
    c_trend: float
    q: float
    row: int
    beta: FloatArray
    C: FloatArray
    candidates: int


def _candidates(job: _Job, design: Design) -> tuple[int, ...] | None:
    """Fit rows a level shift may start at: a year or more from either end, or the
    plan's event alone (``None``: too few periods for the scan)."""
    ppy = design.periods_per_year
    n, k = design.X.shape
    rows = tuple(range(ppy, n - ppy + 1))
    if not rows or n - k < MIN_RESIDUAL_DF:
        return None
    return rows if job.event is None else (job.event[0],)


#: Series per block of the level-shift scan (bounds memory: block x shifts x k x n floats).
_SCAN_CHUNK = 64


def _shift_scans(
    jobs: Sequence[_Job],
    design: Design,
    betas: Sequence[FloatArray],
    acs: Sequence[_Autocorrelation],
) -> list[_Scan | None]:
    """The level-shift scan of every series of a group at once (they share the design):
    each series' GLS fits of the steady trend and of every candidate shift under its own
    fitted error model, in stacks of matrix products. Each slice is the same BLAS and
    LAPACK call, on the same numbers, as one series' fit alone, so the results are the
    same to the last bit."""
    X = design.X
    tc = design.time_column
    base = np.delete(X, tc, axis=1)
    pos = jobs[0].fit_window.positions.astype(np.float64)
    scans: list[_Scan | None] = [None] * len(jobs)
    by_candidates: dict[tuple[int, ...], list[int]] = {}
    for b, job in enumerate(jobs):
        rows = _candidates(job, design)
        if rows is not None:
            by_candidates.setdefault(rows, []).append(b)
    for rows, members in by_candidates.items():
        shifted = _shifted(base, rows)
        for start in range(0, len(members), _SCAN_CHUNK):
            chunk = members[start : start + _SCAN_CHUNK]
            V = np.stack([error_covariance(pos, acs[b].rho, acs[b].lam) for b in chunk])
            Vi: FloatArray = np.asarray(np.linalg.inv(V), dtype=np.float64)
            # the working response of each GLM
            z = np.stack([X @ betas[b] + acs[b].d for b in chunk])
            q_trend, C_trend = _gls_forms(X, Vi, z)
            q, C, beta = _gls_forms(shifted[None], Vi[:, None], z[:, None, :], with_beta=True)
            for j, b in enumerate(chunk):
                forms = q[j].tolist()
                best = 0
                for i, form in enumerate(forms):
                    if form < forms[best]:
                        best = i
                scans[b] = _Scan(
                    float(q_trend[j]),
                    float(C_trend[j, tc, tc]),
                    forms[best],
                    rows[best],
                    beta[j, best],
                    C[j, best],
                    len(rows),
                )
    return scans


def _shifted(base: FloatArray, rows: Sequence[int]) -> FloatArray:
    """The design without its trend, with a step from each of ``rows`` on: one matrix each."""
    m, (n, k) = len(rows), base.shape
    X = np.empty((m, n, k + 1))
    X[:, :, :k] = base
    X[:, :, k] = np.arange(n)[None, :] >= np.asarray(rows)[:, None]
    return X


def _gls_forms(
    X: FloatArray, Vi: FloatArray, z: FloatArray, *, with_beta: bool = False
) -> tuple[FloatArray, ...]:
    """GLS of ``z`` on ``X`` under the inverse correlations ``Vi``, broadcast over the
    leading axes: the residual quadratic form ``r' Vi r`` and the unscaled covariance
    ``(X' Vi X)^-1`` (and the coefficients with ``with_beta``)."""
    XtVi = np.swapaxes(X, -1, -2) @ Vi
    C: FloatArray = np.asarray(np.linalg.inv(XtVi @ X), dtype=np.float64)
    beta = (C @ (XtVi @ z[..., None]))[..., 0]
    r = z - (X @ beta[..., None])[..., 0]
    q = (r[..., None, :] @ Vi @ r[..., None])[..., 0, 0]
    return (q, C, beta) if with_beta else (q, C)


def _step(
    job: _Job,
    design: Design,
    fit: ModelFit,
    ac: _Autocorrelation,
    crit: float,
    alpha: float,
    scan: _Scan,
) -> StepResult:
    """The best single level shift (no trend) under the series' fitted error model
    (:func:`_shift_scans`), compared with the steady trend (methodology §2.8)."""
    n, k = design.X.shape
    df = n - k
    # the trend test's standard error is the largest over the plausible error models;
    # the step's is widened in the same proportion
    se_here = math.sqrt(scan.q_trend / df * scan.c_trend)
    widen = max(1.0, ac.se / se_here) if se_here > 0 else 1.0
    size = float(scan.beta[-1])
    se = widen * math.sqrt(scan.q / df * float(scan.C[-1, -1]))
    t_crit = t_quantile(1.0 - alpha / 2.0, df)
    p_one = t_two_sided_p(abs(size / se) * t_crit / crit, df) if se > 0 else 1.0
    m = scan.candidates
    p = min(1.0, m * p_one)
    # interval at the Bonferroni level, so it excludes 0 exactly when p < alpha
    c_m = crit * t_quantile(1.0 - alpha / (2.0 * m), df) / t_crit
    index = int(job.fit_window.positions[scan.row])
    return StepResult(
        index=index,
        label=job.series.periods[index].label,
        pct=100.0 * math.expm1(size),
        ci_low=100.0 * math.expm1(size - c_m * se),
        ci_high=100.0 * math.expm1(size + c_m * se),
        p_value=p,
        significant=p < alpha and fit.converged,
        better_than_trend=scan.q < scan.q_trend,
        candidates=m,
        event_label=None if job.event is None else job.event[1],
    )


def _disagreement(mk: MannKendallResult | None, significant: bool, slope: float) -> tuple[str, ...]:
    """One caveat, worded from the trend's own verdict, when the robust check differs."""
    if _agrees(mk, significant, slope) is not False or mk is None:
        return ()
    check = "seasonal Mann-Kendall" if mk.seasonal else "Mann-Kendall"
    if significant and mk.significant:
        return (
            f"A rank-based check ({check} test) points the other way (p = {mk.p_value:.3f}), "
            "so the trend should be read with care.",
        )
    if significant:
        return (
            f"A rank-based check ({check} test) does not confirm it (p = {mk.p_value:.3f}), "
            "so the trend should be read with care.",
        )
    return (
        f"A rank-based check ({check} test) would call it significant (p = {mk.p_value:.3f}); "
        "the regression test, which allows for the swings, does not.",
    )


def _gaussian_trend(
    job: _Job,
    design: Design,
    fit: ModelFit,
    ac: _Autocorrelation,
    all_positions: FloatArray,
    mk: MannKendallResult | None,
    alpha: float,
) -> TrendResult:
    """Least-squares slope on the measure's own scale, judged by the same AR(1)+noise
    likelihood ratio as counts (methodology §2.7)."""
    v = _Verdict.of(design, fit, ac, all_positions, mk, alpha, int(job.window.values.shape[0]))
    b, se, crit = v.slope, v.se, v.crit
    level = float(design.line_rows(np.array([design.centre]))[0] @ fit.beta)
    relative = 100.0 / abs(level) if level != 0 else None
    return _result(
        job,
        v,
        ac,
        method="gaussian_glm",
        pct=None if relative is None else b * relative,
        ci=(None, None)
        if relative is None
        else ((b - crit * se) * relative, (b + crit * se) * relative),
        significant=v.p < alpha,
        fitted=v.line,
    )
