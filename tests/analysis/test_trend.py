"""Long-term trend: hand-worked cases, agreement with statsmodels, breaks, gaps, bands."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from planwatch.analysis.trend import fit_trend, fit_trends, strength_of
from planwatch.errors import AnalysisError
from planwatch.periods import Month, Quarter
from planwatch.plan.models import Event

from .helpers import monthly, quarterly

SEASON = np.array([1.0, 1.15, 1.05, 0.8])


def _design(positions: np.ndarray, first_season: int = 0) -> np.ndarray:
    """Intercept, years since the centre of the data, quarter dummies (first present = reference)."""
    t = (positions - positions.mean()) / 4
    s = (positions + first_season) % 4
    return np.column_stack([np.ones_like(t), t] + [(s == k).astype(float) for k in (1, 2, 3)])


def test_exact_exponential_growth_is_recovered() -> None:
    # 8% a year exactly, with a seasonal pattern: log(mu) is linear in years, so the
    # Poisson fit returns beta = log(1.08) and the trend is +8.0% a year ("moderate").
    n = 24
    values = [500 * 1.08 ** (i / 4) * SEASON[i % 4] for i in range(n)]
    r = fit_trend(quarterly(values), count=True)
    assert r.method == "poisson_glm"
    assert r.pct_per_year == pytest.approx(8.0, abs=1e-6)
    assert r.direction == "up" and r.strength == "moderate" and r.significant
    assert r.ci_low is not None and r.ci_high is not None and r.ci_low < 8.0 < r.ci_high
    # the deseasonalised line grows by 8% every 4 quarters
    assert r.fitted[4] / r.fitted[0] == pytest.approx(1.08, rel=1e-9)
    assert len(r.fitted) == len(r.band_low) == len(r.band_high) == n
    assert all(lo <= f <= hi for lo, f, hi in zip(r.band_low, r.fitted, r.band_high, strict=True))


@pytest.fixture(scope="module")
def noisy() -> list[float]:
    rng = np.random.default_rng(3)
    i = np.arange(29)
    return [float(v) for v in rng.poisson(60 * np.exp(-0.04 * i / 4) * SEASON[i % 4])]


def test_poisson_trend_matches_statsmodels(noisy: list[float]) -> None:
    r = fit_trend(quarterly(noisy), count=True)
    assert r.method == "poisson_glm"  # generated as Poisson: no over-dispersion found
    y = np.array(noisy)
    ref = sm.GLM(y, _design(np.arange(29.0)), family=sm.families.Poisson()).fit(tol=1e-12)
    assert r.slope_per_year == pytest.approx(ref.params[1], rel=1e-7)
    assert r.dispersion == pytest.approx(ref.pearson_chi2 / ref.df_resid, rel=1e-8)
    # quasi-likelihood standard error: SE x sqrt(max(1, chi2/df)); since issue 11 its t
    # interval is the narrowest allowed, and significance is a likelihood ratio that
    # allows for a wandering level (methodology §2.6): p is t(24) at |b / se| * t_crit / c
    scale = max(1.0, ref.pearson_chi2 / ref.df_resid)
    quasi_se = ref.bse[1] * math.sqrt(scale)
    assert r.critical_value is not None and r.slope_ci_low is not None
    se = (ref.params[1] - r.slope_ci_low) / r.critical_value
    t_crit = stats.t.ppf(0.975, 24)
    # the interval is never narrower than the quasi-likelihood t interval
    assert se * r.critical_value >= quasi_se * t_crit * (1 - 1e-9)
    expected = 2 * stats.t.sf(abs(ref.params[1] / se) * t_crit / r.critical_value, 24)
    assert r.p_value == pytest.approx(expected, rel=1e-6)
    assert r.ci_low == pytest.approx(100 * math.expm1(ref.params[1] - r.critical_value * se))
    assert r.ci_high == pytest.approx(100 * math.expm1(ref.params[1] + r.critical_value * se))


def test_overdispersed_counts_switch_to_negative_binomial() -> None:
    rng = np.random.default_rng(5)
    i = np.arange(32)
    mu = 400 * np.exp(0.05 * i / 4) * SEASON[i % 4]
    y = rng.negative_binomial(15, 15 / (15 + mu)).astype(float)
    r = fit_trend(quarterly(list(y)), count=True)
    assert r.dispersion is not None and r.dispersion_threshold is not None
    assert (
        r.dispersion > r.dispersion_threshold
    )  # Pearson test: chi2/df above chi2(27) 95% point / 27
    assert r.method == "negative_binomial_glm" and r.nb_alpha is not None and r.nb_alpha > 0
    ref = sm.GLM(
        y, _design(i.astype(float)), family=sm.families.NegativeBinomial(alpha=r.nb_alpha)
    ).fit(tol=1e-12)
    assert r.slope_per_year == pytest.approx(ref.params[1], rel=1e-6)
    # over-dispersed: significance allows for a wandering level (methodology §2.6): the
    # p-value is t(27) at |b / se| * t_crit / c, with se and c from the AR(1)+noise model
    assert r.inference == "ar1_noise_reml_lr"
    assert r.critical_value is not None and r.slope_ci_high is not None
    se = (r.slope_ci_high - ref.params[1]) / r.critical_value
    t_crit = stats.t.ppf(0.975, 27)
    expected = 2 * stats.t.sf(abs(ref.params[1] / se) * t_crit / r.critical_value, 27)
    assert r.p_value == pytest.approx(expected, rel=1e-6)
    assert r.significant == (r.p_value < 0.05) == (abs(ref.params[1] / se) > r.critical_value)


@pytest.mark.parametrize(
    ("pct", "band"),
    [
        (0.2, "none"),
        (-1.5, "very slight"),
        (2.0, "slight"),
        (-4.99, "slight"),
        (5.0, "moderate"),
        (12.0, "strong"),
        (None, "none"),
    ],
)
def test_strength_bands(pct: float | None, band: str) -> None:
    assert strength_of(pct) == band


def test_low_counts_are_flagged() -> None:
    # about 5 a quarter over 3 years: the smallest trend detectable with 80% power is far
    # above 10% a year, so low_counts is set; 1,000 a quarter is not low.
    few = fit_trend(quarterly([5, 6, 4, 5, 7, 3, 5, 6, 4, 5, 6, 5]), count=True)
    assert (
        few.low_counts
        and few.detectable_pct_per_year is not None
        and few.detectable_pct_per_year > 10
    )
    many = fit_trend(
        quarterly([1000, 1040, 980, 1010, 1003, 990, 1020, 1001, 985, 1012, 1007, 995]), count=True
    )
    assert not many.low_counts


def test_comparability_break_starts_the_fit_after_it() -> None:
    values = [100.0] * 8 + [200.0 * 1.05 ** (i / 4) for i in range(16)]
    event = Event(date=date(2018, 4, 1), label="Recording rules changed", breaks_comparability=True)
    r = fit_trend(quarterly(values), count=True, events=[event])
    assert r.first_label == "2018/19 Q1" and r.fit_start_index == 8
    assert r.n_periods == 16 and len(r.fitted) == 16
    assert r.pct_per_year == pytest.approx(5.0, abs=1e-6)
    assert any("Recording rules changed" in c and "2018/19 Q1" in c for c in r.caveats)
    # a break dated inside a quarter starts the fit at the next quarter
    mid = Event(date=date(2018, 5, 15), label="Mid-quarter change", breaks_comparability=True)
    assert fit_trend(quarterly(values), count=True, events=[mid]).first_label == "2018/19 Q2"
    # an event that does not break comparability changes nothing
    plain = Event(date=date(2018, 4, 1), label="Launch")
    assert fit_trend(quarterly(values), count=True, events=[plain]).fit_start_index == 0


def test_gaps_and_held_out_values_are_left_out_not_filled(noisy: list[float]) -> None:
    values: list[float | None] = list(noisy)
    values[5] = None
    series = quarterly(values, suspect=(9,))
    r = fit_trend(series, count=True)
    keep = np.array([i for i in range(29) if i not in (5, 9)], dtype=float)
    y = np.array([noisy[int(i)] for i in keep])
    ref = sm.GLM(y, _design(keep), family=sm.families.Poisson()).fit(tol=1e-12)
    assert r.n_periods == 27
    assert r.slope_per_year == pytest.approx(ref.params[1], rel=1e-7)
    assert len(r.fitted) == 29  # the trend line is drawn across the gap


def test_negative_count_names_the_period() -> None:
    values = [5.0] * 12
    values[3] = -1
    with pytest.raises(AnalysisError, match="2016/17 Q4"):
        fit_trend(quarterly(values), count=True)


def test_too_little_data_says_so() -> None:
    short = fit_trend(quarterly([5, 6, 7, 8, 9, 10]), count=True)
    assert (
        short.method == "insufficient_data" and not short.significant and short.pct_per_year is None
    )
    zeros = fit_trend(quarterly([0] * 12), count=True)
    assert zeros.method == "insufficient_data"


def test_gaussian_trend_slope_is_ols_and_its_test_allows_for_a_wander() -> None:
    rng = np.random.default_rng(8)
    i = np.arange(20)
    y = 70 + 0.8 * i / 4 + rng.normal(0, 1.0, 20) + np.array([0.5, -0.5, 0.2, -0.2])[i % 4]
    r = fit_trend(quarterly(list(y), unit="percent"), count=False)
    ref = sm.OLS(y, _design(i.astype(float))).fit()
    assert r.method == "gaussian_glm" and r.inference == "ar1_noise_reml_lr"
    assert r.slope_per_year == pytest.approx(ref.params[1], rel=1e-9)
    # % a year is the slope relative to the level of the line at the middle of the data
    assert r.pct_per_year == pytest.approx(100 * ref.params[1] / ref.params[0] * 1, rel=0.02)
    # never more generous than the plain least-squares t test (the floor of the test)
    assert r.p_value is not None and r.p_value >= ref.pvalues[1] * (1 - 1e-9)
    assert r.significant == (r.p_value < 0.05)


def test_monthly_series_uses_month_dummies() -> None:
    season = 1 + 0.2 * np.sin(np.arange(12) / 12 * 2 * np.pi)
    values = [300 * 0.97 ** (i / 12) * season[i % 12] for i in range(36)]
    r = fit_trend(monthly(values, first=Month(2020, 4)), count=True)
    assert r.pct_per_year == pytest.approx(-3.0, abs=1e-6)
    assert r.mann_kendall is not None and r.mann_kendall.seasonal


def test_batch_gives_the_same_as_one_by_one(noisy: list[float]) -> None:
    series = [
        quarterly(noisy),
        quarterly([v * 3 for v in noisy]),
        quarterly(noisy[:12]),
        quarterly([0] * 12),
    ]
    batch = fit_trends(series, count=True)
    for s, b in zip(series, batch, strict=True):
        one = fit_trend(s, count=True)
        assert b.method == one.method
        if one.pct_per_year is not None:
            assert b.pct_per_year == pytest.approx(one.pct_per_year, rel=1e-8)


def test_robust_check_is_reported(noisy: list[float]) -> None:
    r = fit_trend(quarterly(noisy, first=Quarter(2016, 1)), count=True)
    assert r.mann_kendall is not None and r.mann_kendall.method == "seasonal_mann_kendall"
    assert r.agrees_with_robust_check == (r.mann_kendall.significant == r.significant)


def test_non_finite_values_are_named() -> None:
    with pytest.raises(AnalysisError, match="2016/17 Q2 has nan"):
        fit_trend(quarterly([50.0, float("nan")] + [50.0] * 10, unit="percent"), count=False)


def test_the_level_shift_scan_in_one_stack_equals_one_gls_fit_per_shift() -> None:
    # the batched scan (trend._shifted, trend._gls_forms: every series and every candidate
    # shift in one stack) against each shift of each series fitted alone by statsmodels' GLS
    from planwatch.analysis.argls import error_covariance
    from planwatch.analysis.trend import _gls_forms, _shifted

    rng = np.random.default_rng(5)
    n = 28
    t = np.arange(n, dtype=np.float64)
    base = np.column_stack([np.ones(n)] + [((t % 4) == q).astype(float) for q in (1, 2, 3)])
    z = np.stack([3.0 + 0.4 * (t >= 17) + rng.normal(0, 0.1, n), 2.0 + rng.normal(0, 0.2, n)])
    V = np.stack([error_covariance(t, 0.5, 0.3), error_covariance(t, 0.1, 0.8)])
    rows = list(range(4, n - 4 + 1))
    q, cov, beta = _gls_forms(
        _shifted(base, rows)[None], np.linalg.inv(V)[:, None], z[:, None, :], with_beta=True
    )
    assert q.shape == (2, len(rows)) and beta.shape == (2, len(rows), 5)
    for b in range(2):
        for j, i in enumerate(rows):
            X = np.column_stack([base, (t >= i).astype(float)])
            fit = sm.GLS(z[b], X, sigma=V[b]).fit()
            assert q[b, j] == pytest.approx(fit.resid @ np.linalg.solve(V[b], fit.resid), rel=1e-9)
            assert beta[b, j] == pytest.approx(fit.params, rel=1e-9, abs=1e-12)
            assert cov[b, j] == pytest.approx(fit.normalized_cov_params, rel=1e-7, abs=1e-12)
    assert rows[int(np.argmin(q[0]))] == 17  # the first series' step is found
