"""Trend inference that allows for a wandering level (issue 11; methodology §2.6-2.8):
the REML AR(1)+noise model against statsmodels and by hand, the calibrated test's size
and power on simulated series, the step check, the JSON fields and the caveats."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import statsmodels.api as sm

from planwatch.analysis.argls import (
    LAMBDA_GRID,
    RHO_GRID,
    TABLE_DRAWS,
    ar_trend_test,
    error_covariance,
    fit_ar_gls_batch,
    likelihood_ratio,
    shipped_table,
    simulate_critical,
    tables_for,
)
from planwatch.analysis.autocorr import ar1_correlation
from planwatch.analysis.design import trend_design
from planwatch.analysis.results import TrendResult, to_jsonable
from planwatch.analysis.spc import HIGH_AUTOCORRELATION
from planwatch.analysis.trend import fit_trend, fit_trends
from tests.analysis.helpers import quarterly
from tests.analysis.simulate import (
    Config,
    as_series,
    simulate_counts,
    simulate_percentages,
    wilson_upper,
)

N = 29


def _design() -> tuple[np.ndarray, np.ndarray]:
    pos = np.arange(N)
    return pos.astype(np.float64), trend_design(pos, pos % 4, 4).X


def test_grid_gls_slope_matches_statsmodels_gls() -> None:
    # at every (rho, lambda) on a few grid points, the GLS slope of the tables is
    # statsmodels' GLS with sigma = (1 - lambda) R(rho) + lambda I
    pos, X = _design()
    rng = np.random.default_rng(1)
    y = rng.normal(size=N)
    t = tables_for(pos, X, 1, gls=True)
    for g in (0, 7, 40, len(t.rho) - 1):
        V = error_covariance(pos, float(t.rho[g]), float(t.lam[g]))
        ref = sm.GLS(y, X, sigma=V).fit()
        assert float(t.gls_row[g] @ y) == pytest.approx(ref.params[1], rel=1e-9, abs=1e-12)
        # the slope's variance factor: statsmodels' normalized covariance
        assert float(t.cxx[g]) == pytest.approx(ref.normalized_cov_params[1, 1], rel=1e-9)


def test_least_squares_variance_is_the_sandwich_under_v() -> None:
    # OLS slope variance under V: [(X'X)^-1 X' V X (X'X)^-1]_tt, by hand
    pos, X = _design()
    t = tables_for(pos, X, 1)
    xtx = np.linalg.inv(X.T @ X)
    for g in (3, 25, 60):
        V = error_covariance(pos, float(t.rho[g]), float(t.lam[g]))
        assert float(t.cxx[g]) == pytest.approx((xtx @ X.T @ V @ X @ xtx)[1, 1], rel=1e-9)
    # and with independent errors it is statsmodels' OLS normalized covariance
    white = int(np.flatnonzero(t.lam == 1.0)[0])
    y = np.random.default_rng(2).normal(size=N)
    assert float(t.cxx[white]) == pytest.approx(
        sm.OLS(y, X).fit().normalized_cov_params[1, 1], rel=1e-9
    )


def test_reml_profile_equals_the_likelihood_of_error_contrasts() -> None:
    # REML = likelihood of K'y for K an orthonormal basis of the residual space; with
    # sigma^2 profiled out it differs from the tables' form by a constant (log|X'X|)
    pos, X = _design()
    rng = np.random.default_rng(3)
    y = X @ rng.normal(size=X.shape[1]) + rng.normal(size=N)
    q, _ = np.linalg.qr(X, mode="complete")
    K = q[:, X.shape[1] :]
    df = N - X.shape[1]
    t = tables_for(pos, X, 1)
    quad = (y @ t.P).reshape(-1, N) @ y
    ours = -0.5 * (df * np.log(quad) + t.logdet)
    direct = []
    for g in range(len(t.rho)):
        V = error_covariance(pos, float(t.rho[g]), float(t.lam[g]))
        W = K.T @ V @ K
        r = K.T @ y
        direct.append(-0.5 * (df * math.log(r @ np.linalg.solve(W, r)) + np.linalg.slogdet(W)[1]))
    diff = ours - np.array(direct)
    assert np.ptp(diff) < 1e-8
    assert int(np.argmax(ours)) == int(np.argmax(direct))


def test_reml_recovers_a_known_ar_coefficient() -> None:
    # 400 pure AR(1) series at 0.6: the REML grid estimate centres near the truth
    pos, X = _design()
    rng = np.random.default_rng(4)
    L = np.linalg.cholesky(ar1_correlation(pos, 0.6))
    E = rng.standard_normal((400, N)) @ L.T
    fit = fit_ar_gls_batch(pos, X, E, 1, ar_only=True)
    assert 0.45 <= float(np.median(fit.rho)) <= 0.75
    assert set(np.unique(fit.rho)) <= set(RHO_GRID.tolist())
    noise = fit_ar_gls_batch(pos, X, E, 1)
    assert set(np.unique(noise.lam)) <= set(LAMBDA_GRID.tolist())


def test_the_trend_slope_is_still_the_glm_slope() -> None:
    # the AR model changes the standard error, never the estimate
    pos, X = _design()
    rng = np.random.default_rng(5)
    D = rng.normal(0, 0.05, size=(10, N))
    test = ar_trend_test(pos, X, D, 1, np.zeros(10), alpha=0.05, complete=(4, N))
    assert np.all(test.fit.slope_shift == 0.0)
    # above chi-squared(1)'s 3.84: the wander makes a large ratio common without a trend
    assert test.critical > 3.84 and np.all(test.fit.se > 0)


def _contrast_loglik(y: np.ndarray, X: np.ndarray, X0: np.ndarray, V: np.ndarray) -> float:
    """Profiled log-likelihood (up to a constant) of the n - k0 error contrasts of the
    season-only design ``X0`` when the mean is in the span of ``X`` (Welham & Thompson
    1997), from statsmodels' GLS: its whitened residual sum of squares, log|V| and
    log|X0'V^-1X0|."""
    ref = sm.GLS(y, X, sigma=V).fit()
    m = X0.shape[0] - X0.shape[1]
    x0vx0 = X0.T @ np.linalg.solve(V, X0)
    return -0.5 * (m * math.log(ref.ssr) + np.linalg.slogdet(V)[1] + np.linalg.slogdet(x0vx0)[1])


def test_likelihood_ratio_matches_statsmodels_gls_by_hand() -> None:
    # LR = 2 (max_g l(trend free) - max_g l(trend 0)) on the season-only model's error
    # contrasts, each l from statsmodels' GLS at every grid point
    pos, X = _design()
    X0 = np.delete(X, 1, axis=1)
    rng = np.random.default_rng(21)
    L = np.linalg.cholesky(error_covariance(pos, 0.6, 0.2))
    y = X @ np.array([3.0, 0.05, 0.1, -0.1, 0.05]) + 0.1 * (L @ rng.standard_normal(N))
    t = tables_for(pos, X, 1)
    grid = [
        error_covariance(pos, float(r), float(lam)) for r, lam in zip(t.rho, t.lam, strict=True)
    ]
    full = max(_contrast_loglik(y, X, X0, V) for V in grid)
    null = max(_contrast_loglik(y, X0, X0, V) for V in grid)
    ours = likelihood_ratio(pos, X, 1, y[None, :], y[None, :])[0]
    assert ours == pytest.approx(2 * (full - null), rel=1e-9, abs=1e-9)
    # the same for the series at ten times the scale: the ratio has no units
    assert likelihood_ratio(pos, X, 1, 10 * y[None, :], 10 * y[None, :])[0] == pytest.approx(ours)
    # residuals of the trend model plus the slope give the same ratio as the response
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    d = y - X @ b
    again = likelihood_ratio(pos, X, 1, d[None, :], (d + b[1] * X[:, 1])[None, :])[0]
    assert again == pytest.approx(ours, rel=1e-9)


def test_shipped_critical_values_regenerate() -> None:
    # a slice of planwatch/analysis/trend_critical.txt made again with the same draws
    # (scripts/trend_critical.py) gives the same numbers
    table = shipped_table()
    for n in (8, 9):
        pos = np.arange(n)
        X = trend_design(pos, pos % 4, 4).X
        again = simulate_critical(pos.astype(np.float64), X, 1, 0.05, TABLE_DRAWS)
        assert round(again, 4) == pytest.approx(table[(4, n)], abs=1e-9)
    assert (4, 29) in table and (12, 63) in table
    # and a complete series starting in another season uses the same number: the same
    # model column space gives the same ratio for every series
    pos = np.arange(12)
    ratio = [
        likelihood_ratio(pos.astype(np.float64), trend_design(pos, (pos + s) % 4, 4).X, 1, D, D)
        for s, D in ((0, _noise(12)), (2, _noise(12)))
    ]
    assert np.allclose(ratio[0], ratio[1], rtol=1e-9)


def _noise(n: int) -> np.ndarray:
    return np.random.default_rng(31).normal(size=(20, n))


def test_significance_is_the_likelihood_ratio_against_its_critical_value() -> None:
    for seed in range(8):
        y, _ = simulate_counts(Config(ar=0.5, level=400.0, pct_per_year=6.0), 1, 500 + seed)
        series = as_series(y, "quarter")[0]
        r = fit_trend(series, count=True)
        pos, X = _design()
        Y = y[0]
        fit = sm.GLM(Y, X, family=sm.families.Poisson()).fit(tol=1e-12)
        if r.method != "poisson_glm":
            continue
        d = (Y - fit.mu) / fit.mu
        lr = likelihood_ratio(pos, X, 1, d[None, :], (d + fit.params[1] * X[:, 1])[None, :])[0]
        assert r.critical_value is not None
        # the verdict is the ratio's, never more generous than the independent-periods
        # quasi-likelihood t test (the floor of the standard error)
        quasi = fit.bse[1] * math.sqrt(max(1.0, fit.pearson_chi2 / fit.df_resid))
        t_crit = 2.0638985616280205  # t(24) 97.5% point
        assert r.significant == (lr > r.critical_value**2 and abs(fit.params[1]) / quasi > t_crit)


def _rate(config: Config, reps: int, seed: int, what: str = "trend") -> tuple[int, int]:
    y, _ = simulate_counts(config, reps, seed)
    results = fit_trends(as_series(y, config.frequency), count=True)
    if what == "trend":
        hits = [r.significant and not _step_told(r) for r in results]
    else:
        hits = [_step_told(r) for r in results]
    return int(sum(hits)), len(results)


def _step_told(r: TrendResult) -> bool:
    return r.step is not None and r.step.significant and r.step.better_than_trend


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ar", "level", "nb"),
    [(0.6, 15000.0, None), (0.8, 15000.0, None), (0.8, 100.0, None), (0.6, 1000.0, 200.0)],
)
def test_no_trend_false_positive_rate_under_autocorrelation(
    ar: float, level: float, nb: float | None
) -> None:
    # 300 series each; today's naive test calls 27-54% of these significant
    k, n = _rate(Config(ar=ar, level=level, nb_shape=nb), 300, seed=int(100 * ar + level))
    assert k / n <= 0.07
    assert wilson_upper(k, n) <= 0.10


@pytest.mark.slow
def test_monthly_false_positive_rate() -> None:
    config = Config(frequency="month", n_periods=63, ar=0.5, level=1000.0)
    k, n = _rate(config, 250, seed=63)
    assert k / n <= 0.07


@pytest.mark.slow
@pytest.mark.parametrize(("ar", "sample"), [(0.8, 20000), (0.6, 1000)])
def test_percentages_hold_their_false_positive_rate(ar: float, sample: int) -> None:
    # a percentage whose logit wanders (AR(1)); Newey-West called 15-40% of these
    # significant (methodology §2.7)
    y = simulate_percentages(Config(ar=ar), 200, seed=int(ar * 10) + sample, sample=sample)
    results = fit_trends(as_series(y, "quarter"), count=False)
    k = sum(r.significant for r in results)
    assert k / len(results) <= 0.07


@pytest.mark.slow
def test_percentage_power_with_long_swings() -> None:
    y = simulate_percentages(Config(ar=0.6, pct_per_year=10.0), 200, seed=77, sample=1000)
    results = fit_trends(as_series(y, "quarter"), count=False)
    found = [r.significant and r.direction == "up" for r in results]
    assert np.mean(found) >= 0.5


@pytest.mark.slow
def test_power_at_ten_percent_a_year_with_long_swings() -> None:
    k, n = _rate(Config(ar=0.6, level=15000.0, pct_per_year=10.0), 200, seed=61)
    assert k / n >= 0.8  # measured 94% (docs/methodology.md §2.6)
    k, n = _rate(Config(ar=0.0, level=1000.0, pct_per_year=5.0), 200, seed=62)
    assert k / n >= 0.85  # measured 95% (session 3's test: 85%)


@pytest.mark.slow
def test_power_at_five_percent_a_year_with_ar_06() -> None:
    # the issue's key cell: measured 69% of 1,000 series (target 85%, oracle 97%, session 3's
    # test 50%); no test that holds its size up to AR 0.8 can pass about 76% (test_power_bound)
    k, n = _rate(Config(ar=0.6, level=1000.0, pct_per_year=5.0), 200, seed=65)
    assert k / n >= 0.62


@pytest.mark.slow
def test_a_step_is_not_called_a_steady_trend() -> None:
    # +10% halfway, no trend: the naive test called this a significant trend 65% of the time
    k, n = _rate(Config(ar=0.6, level=15000.0, step_pct=10.0), 200, seed=71)
    assert k / n <= 0.12
    # and no step, no trend: a significant step is rarely claimed
    k, n = _rate(Config(ar=0.6, level=15000.0), 200, seed=72, what="step")
    assert k / n <= 0.05


def _wandering(seed: int, ar: float = 0.8, level: float = 5000.0) -> list[float | None]:
    y, _ = simulate_counts(Config(ar=ar, level=level), 1, seed)
    return [float(v) for v in y[0]]


def test_every_count_trend_carries_the_autocorrelation_and_the_json_has_it() -> None:
    r = fit_trend(quarterly(_wandering(8)), count=True)
    assert r.inference in ("ar1_noise_reml_lr", "independent_periods")
    assert r.residual_autocorrelation is not None and -1 <= r.residual_autocorrelation <= 1
    assert r.effective_periods is not None and 1 <= r.effective_periods <= r.n_periods
    assert r.ar_coefficient is not None and r.critical_value is not None
    data = json.loads(json.dumps(to_jsonable(r)))
    for name in ("inference", "residual_autocorrelation", "effective_periods", "ar_coefficient"):
        assert name in data
    assert data["step"] is None or {"label", "pct", "p_value", "better_than_trend"} <= set(
        data["step"]
    )


def test_significance_interval_and_p_value_agree() -> None:
    for seed in range(6):
        r = fit_trend(quarterly(_wandering(seed, level=800.0)), count=True)
        assert r.p_value is not None and r.slope_ci_low is not None and r.slope_ci_high is not None
        excludes_zero = r.slope_ci_low > 0 or r.slope_ci_high < 0
        assert (r.p_value < 0.05) == r.significant == excludes_zero


@pytest.mark.parametrize("seed", range(12))
def test_caveats_never_contradict_each_other(seed: int) -> None:
    r = fit_trend(quarterly(_wandering(seed, ar=0.6, level=300.0)), count=True)
    text = " ".join(r.caveats)
    says_no = "does not confirm" in text
    says_yes = "would call it significant" in text
    assert not (says_no and says_yes)
    assert not says_no or r.significant  # "does not confirm it" only of a significant trend
    assert not says_yes or not r.significant
    assert (r.agrees_with_robust_check is False) == (says_no or says_yes or "other way" in text)


def test_non_count_trends_report_their_autocorrelation_too() -> None:
    rng = np.random.default_rng(9)
    x = np.zeros(N)
    for i in range(1, N):
        x[i] = 0.7 * x[i - 1] + rng.normal(0, 1.0)
    r = fit_trend(quarterly([float(50 + v) for v in x], unit="percent"), count=False)
    assert r.inference == "ar1_noise_reml_lr"
    assert r.ar_coefficient is not None and r.ar_coefficient > 0.3
    assert r.residual_autocorrelation is not None and r.residual_autocorrelation > 0.2
    assert r.effective_periods is not None and r.effective_periods < N / 2


SWINGS_NAMED = re.compile(r"moves in long swings \(autocorrelation (-?\d+\.\d+)")


def test_the_swings_caveat_names_only_an_autocorrelation_it_found() -> None:
    # Significant trends whose test allowed for swings: the caveat names the swings with
    # their autocorrelation only when the fitted coefficient is at least the SPC step's
    # "high" level; otherwise it says the test allowed for swings the data cannot rule out
    # (a caveat once read "long swings (autocorrelation 0.00 ...)"). Counted in the grammar
    # too: "1 independent period", never "1 independent ones".
    named = allowed = 0
    for ar, seed in ((0.0, 11), (0.8, 12), (0.4, 13)):
        y, _ = simulate_counts(Config(ar=ar, level=200.0, pct_per_year=8.0), 60, seed)
        for r in fit_trends(as_series(y, "quarter"), count=True):
            assert r.ar_coefficient is not None
            for caveat in r.caveats:
                assert "1 independent ones" not in caveat and "1 independent periods" not in caveat
                m = SWINGS_NAMED.search(caveat)
                if m:
                    named += 1
                    assert float(m.group(1)) == pytest.approx(r.ar_coefficient, abs=0.005)
                    assert r.ar_coefficient >= HIGH_AUTOCORRELATION
                elif "too few to rule out" in caveat:
                    allowed += 1
                    assert r.ar_coefficient < HIGH_AUTOCORRELATION
    assert named and allowed  # both wordings were reached
