"""The numpy fitters agree with statsmodels (coefficients, standard errors, intervals)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from planwatch.analysis.glm import (
    fit_negative_binomial,
    fit_negative_binomial_batch,
    fit_ols_hac,
    fit_poisson,
    fit_poisson_batch,
    newey_west_lags,
)
from planwatch.errors import AnalysisError


def design(n: int) -> np.ndarray:
    t = (np.arange(n) - (n - 1) / 2) / 4
    season = np.arange(n) % 4
    return np.column_stack([np.ones(n), t] + [(season == k).astype(float) for k in (1, 2, 3)])


@pytest.fixture(scope="module")
def counts() -> np.ndarray:
    rng = np.random.default_rng(20240601)
    n = 29
    mu = 80 * np.exp(0.06 * np.arange(n) / 4) * np.array([1.0, 1.2, 1.1, 0.8])[np.arange(n) % 4]
    return rng.negative_binomial(8, 8 / (8 + mu)).astype(float)


def test_poisson_matches_statsmodels(counts: np.ndarray) -> None:
    X = design(counts.shape[0])
    mine = fit_poisson(X, counts)
    ref = sm.GLM(counts, X, family=sm.families.Poisson()).fit(tol=1e-12)
    np.testing.assert_allclose(mine.beta, ref.params, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(mine.se, ref.bse, rtol=1e-6)
    np.testing.assert_allclose(mine.pearson_chi2, ref.pearson_chi2, rtol=1e-8)
    np.testing.assert_allclose(mine.deviance, ref.deviance, rtol=1e-8)
    low, high = (
        mine.beta[1] - 1.959963984540054 * mine.se[1],
        mine.beta[1] + 1.959963984540054 * mine.se[1],
    )
    np.testing.assert_allclose([low, high], ref.conf_int()[1], rtol=1e-6)
    assert mine.converged


def test_negative_binomial_matches_statsmodels_at_its_alpha(counts: np.ndarray) -> None:
    X = design(counts.shape[0])
    mine = fit_negative_binomial(X, counts)
    assert mine.nb_alpha is not None and mine.nb_alpha > 0
    ref = sm.GLM(counts, X, family=sm.families.NegativeBinomial(alpha=mine.nb_alpha)).fit(tol=1e-12)
    np.testing.assert_allclose(mine.beta, ref.params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(mine.se, ref.bse, rtol=1e-5)
    # the moment estimator: Pearson chi2 / df is exactly 1 at the estimated alpha (Breslow 1984)
    assert ref.pearson_chi2 / ref.df_resid == pytest.approx(1.0, abs=1e-6)


def test_negative_binomial_fixed_alpha(counts: np.ndarray) -> None:
    X = design(counts.shape[0])
    mine = fit_negative_binomial(X, counts, alpha=0.3)
    ref = sm.GLM(counts, X, family=sm.families.NegativeBinomial(alpha=0.3)).fit(tol=1e-12)
    np.testing.assert_allclose(mine.beta, ref.params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(mine.deviance, ref.deviance, rtol=1e-6)


def test_no_overdispersion_gives_alpha_zero() -> None:
    # y equal to a perfect log-linear curve: Pearson chi2 ~ 0 < df, so alpha = 0 (Poisson)
    X = design(12)
    y = np.round(100 * np.exp(X[:, 1] * 0.1))
    assert fit_negative_binomial(X, y).nb_alpha == 0.0


def test_batch_equals_one_by_one(counts: np.ndarray) -> None:
    X = design(counts.shape[0])
    Y = np.stack([counts, counts[::-1], np.maximum(counts - 20, 0)])
    batch = fit_poisson_batch(X, Y)
    nb = fit_negative_binomial_batch(X, Y)
    for b in range(3):
        np.testing.assert_allclose(batch.beta[b], fit_poisson(X, Y[b]).beta, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(
            nb.beta[b], fit_negative_binomial(X, Y[b]).beta, rtol=1e-7, atol=1e-8
        )


def test_ols_hac_matches_statsmodels(counts: np.ndarray) -> None:
    X = design(counts.shape[0])
    lags = newey_west_lags(counts.shape[0])
    assert lags == 3  # floor(4 * 0.29 ** (2/9)) = floor(3.04)
    mine = fit_ols_hac(X, counts)
    ref = sm.OLS(counts, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
    np.testing.assert_allclose(mine.beta, ref.params, rtol=1e-10)
    np.testing.assert_allclose(mine.se, ref.bse, rtol=1e-8)


def test_bad_inputs_are_named() -> None:
    X = design(12)
    with pytest.raises(AnalysisError, match="negative"):
        fit_poisson(X, np.array([-1.0] + [5.0] * 11))
    with pytest.raises(AnalysisError, match="missing or infinite"):
        fit_poisson(X, np.array([np.nan] + [5.0] * 11))
    with pytest.raises(AnalysisError, match="cannot fit"):
        fit_poisson(design(5), np.ones(5))
    with pytest.raises(AnalysisError, match="do not match"):
        fit_poisson(X, np.ones(11))


def test_poisson_hand_worked() -> None:
    # y = 10, 20, 40 at t = 0, 1, 2 lies exactly on log mu = log 10 + t log 2, so the MLE is
    # beta = (log 10, log 2) with mu = y. Information X'WX (W = mu) has sum w = 70,
    # sum w t = 100, sum w t^2 = 180: det = 70*180 - 100^2 = 2600, var(beta1) = 70/2600.
    X = np.column_stack([np.ones(3), np.arange(3.0)])
    fit = fit_poisson(X, np.array([10.0, 20.0, 40.0]))
    np.testing.assert_allclose(fit.beta, [np.log(10), np.log(2)], rtol=1e-10)
    assert fit.se[1] == pytest.approx(np.sqrt(70 / 2600), rel=1e-8)
    assert fit.pearson_chi2 == pytest.approx(0.0, abs=1e-12) and fit.deviance == pytest.approx(
        0.0, abs=1e-10
    )


def _crime_shaped(seed: int, series: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """A seasonal trend design and counts shaped like real crime: levels 2 to 2,000, an
    AR(1) wander of 0.8 on the log scale, over-dispersed (negative binomial, size 5),
    seasonal, and a step up in 30% of them."""
    rng = np.random.default_rng(seed)
    t, s = np.arange(n) / 4.0, np.arange(n) % 4
    X = np.column_stack([np.ones(n), t, *(np.eye(4)[s][:, 1:].T)])
    wander = np.zeros((series, n))
    for i in range(1, n):
        wander[:, i] = 0.8 * wander[:, i - 1] + rng.normal(0, 0.15, series)
    level = np.exp(rng.uniform(np.log(2), np.log(2000), series))[:, None]
    step = np.where((np.arange(n) >= 20) & (rng.random(series) < 0.3)[:, None], 1.3, 1.0)
    mu = level * np.array([1.05, 1.1, 0.95, 0.9])[s] * np.exp(wander) * step
    return X, rng.negative_binomial(5, 5 / (5 + mu)).astype(float)


def test_step_halving_leaves_crime_shaped_fits_as_they_were(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Halving only ever acts on a step that makes a fit worse: on series shaped like real
    crime the fits are those of plain IRLS, so the measured false-positive rates hold."""
    from planwatch.analysis import glm

    X, Y = _crime_shaped(2024, 2000, 32)
    halved = (glm.fit_poisson_batch(X, Y), glm.fit_negative_binomial_batch(X, Y))
    monkeypatch.setattr(glm, "MAX_STEP_HALVINGS", 0)
    plain = (glm.fit_poisson_batch(X, Y), glm.fit_negative_binomial_batch(X, Y))
    for a, b in zip(halved, plain, strict=True):
        np.testing.assert_array_equal(a.beta, b.beta)
        np.testing.assert_array_equal(a.converged, b.converged)
        assert a.converged.all()


def test_a_fall_to_all_zeros_is_not_a_converged_fit() -> None:
    """No finite estimate: the fit heads towards it, never to a fit worse than its start."""
    X = design(8)
    y = np.array([1.0, 1, 1, 1, 0, 0, 0, 0])
    fit = fit_poisson(X, y)
    assert not fit.converged
    assert np.all(fit.mu <= y.max() + 1e-6)
