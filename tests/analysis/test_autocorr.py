"""Lag-1 autocorrelation with the exact small-sample correction, and the effective n."""

from __future__ import annotations

import math

import numpy as np
import pytest

from planwatch.analysis.autocorr import (
    RHO_MAX,
    ar1_correlation,
    correct_lag1,
    effective_n,
    expected_raw_lag1,
    lag1_autocorrelation,
    raw_lag1,
)
from planwatch.analysis.design import trend_design


def _design(n: int) -> np.ndarray:
    pos = np.arange(n)
    return trend_design(pos, pos % 4, 4).X


def test_raw_lag1_by_hand() -> None:
    # e = (1, -1, 2, 0, -2): pairs 1*-1 + -1*2 + 2*0 + 0*-2 = -3; sum of squares 10
    assert raw_lag1([1.0, -1.0, 2.0, 0.0, -2.0]) == pytest.approx(-0.3)


def test_raw_lag1_skips_pairs_across_a_gap() -> None:
    # pairs (1,2), (4,5), (5,-1) only: 2 + 20 - 5 = 17; sum of squares 1+4+16+25+1 = 47
    e = [1.0, 2.0, math.nan, 4.0, 5.0, -1.0]
    assert raw_lag1(e) == pytest.approx(17 / 47)


def test_undefined_when_too_short_or_all_zero() -> None:
    assert math.isnan(raw_lag1([1.0, 2.0, 3.0]))  # two pairs
    assert math.isnan(raw_lag1([0.0] * 8))
    assert math.isnan(lag1_autocorrelation([1.0, math.nan, 2.0, math.nan, 3.0, 4.0]))


def test_expected_r1_under_independence_is_minus_trace_over_df() -> None:
    # rho = 0: E[e'Ae/e'e] = tr(MA) / (n - k) exactly; for a mean alone tr(MA) = -(n-1)/n
    n = 20
    assert expected_raw_lag1(0.0, np.arange(n, dtype=float)) == pytest.approx(
        -((n - 1) / n) / (n - 1), abs=1e-9
    )
    X = _design(29)
    M = np.eye(29) - X @ np.linalg.pinv(X)
    lags = np.abs(np.subtract.outer(np.arange(29), np.arange(29)))
    A = np.where(lags == 1, 0.5, 0.0)
    assert expected_raw_lag1(0.0, np.arange(29, dtype=float), X) == pytest.approx(
        np.trace(M @ A) / (29 - X.shape[1]), abs=1e-9
    )


@pytest.mark.parametrize("rho", [0.3, 0.6, 0.8])
def test_expected_r1_matches_simulation(rho: float) -> None:
    n = 29
    X = _design(n)
    pos = np.arange(n, dtype=float)
    rng = np.random.default_rng(int(rho * 10))
    L = np.linalg.cholesky(ar1_correlation(pos, rho))
    U = rng.normal(size=(20_000, n)) @ L.T
    E = U - (X @ np.linalg.lstsq(X, U.T, rcond=None)[0]).T
    r1 = (E[:, 1:] * E[:, :-1]).sum(axis=1) / (E**2).sum(axis=1)
    assert expected_raw_lag1(rho, pos, X) == pytest.approx(float(r1.mean()), abs=0.005)


def test_correction_inverts_the_expectation_and_is_mean_unbiased() -> None:
    n = 29
    X = _design(n)
    pos = np.arange(n, dtype=float)
    for rho in (0.0, 0.3, 0.6):
        assert correct_lag1(expected_raw_lag1(rho, pos, X), pos, X) == pytest.approx(rho, abs=0.01)
    rng = np.random.default_rng(11)
    L = np.linalg.cholesky(ar1_correlation(pos, 0.6))
    U = rng.normal(size=(3000, n)) @ L.T
    E = U - (X @ np.linalg.lstsq(X, U.T, rcond=None)[0]).T
    raw = [raw_lag1(e) for e in E]
    corrected = [lag1_autocorrelation(e, X) for e in E]
    assert np.mean(raw) < 0.5  # the plain estimate is far too low
    assert np.mean(corrected) == pytest.approx(0.6, abs=0.03)
    assert max(corrected) <= RHO_MAX


def test_design_rows_must_match_the_periods_with_values() -> None:
    with pytest.raises(ValueError, match="one row"):
        lag1_autocorrelation([1.0, 2.0, 0.5, -1.0, 3.0], np.ones((4, 1)))


def test_effective_n() -> None:
    assert effective_n(29, 0.0) == 29
    assert effective_n(29, -0.4) == 29
    assert effective_n(29, math.nan) == 29
    # by hand for n = 3, rho = 0.5: 3 / (1 + 2 (2/3 * 0.5 + 1/3 * 0.25)) = 3 / (11/6)
    assert effective_n(3, 0.5) == pytest.approx(18 / 11)
    # long series: about n (1 - rho) / (1 + rho)
    assert effective_n(10_000, 0.6) == pytest.approx(10_000 * 0.4 / 1.6, rel=0.01)
    # equals n^2 / (sum of the correlation matrix), the variance of the mean
    S = ar1_correlation(np.arange(29, dtype=float), 0.7)
    assert effective_n(29, 0.7) == pytest.approx(29**2 / S.sum())
    assert 1.0 <= effective_n(29, 0.95) < effective_n(29, 0.5) < 29
