"""Mann-Kendall and Sen's slope: hand-worked, and the same numbers as pymannkendall."""

from __future__ import annotations

import math

import numpy as np
import pymannkendall as pmk
import pytest

from planwatch.analysis.mannkendall import mann_kendall, seasonal_mann_kendall
from planwatch.errors import AnalysisError


def test_hand_worked_example() -> None:
    # x = 1, 3, 2, 5. Pairs (i<j): (1,3)+ (1,2)+ (1,5)+ (3,2)- (3,5)+ (2,5)+  -> S = 5 - 1 = 4
    # var(S) = n(n-1)(2n+5)/18 = 4*3*13/18 = 8.667; z = (S-1)/sqrt(var) = 3/2.944 = 1.019
    # tau = S / (n(n-1)/2) = 4/6; Sen: slopes 2, 0.5, 1.333, -1, 1, 3 -> median (1 + 1.333)/2 = 1.1667
    r = mann_kendall([1, 3, 2, 5])
    assert r.s == 4
    assert r.tau == pytest.approx(4 / 6)
    assert r.z == pytest.approx(3 / math.sqrt(4 * 3 * 13 / 18))
    assert r.sens_slope == pytest.approx((1 + 4 / 3) / 2)
    assert r.p_value == pytest.approx(0.3082, abs=1e-4)
    assert not r.significant


def test_ties_reduce_the_variance() -> None:
    # 2, 2, 2, 3, 4: one tie group of size 3 -> var = (5*4*15 - 3*2*11)/18 = (300 - 66)/18 = 13
    r = mann_kendall([2, 2, 2, 3, 4])
    assert r.s == 7  # pairs among the 2s are 0; the other 7 pairs rise
    assert r.z == pytest.approx(6 / math.sqrt(13))


def test_gap_keeps_its_width_in_sens_slope() -> None:
    # 0, _, 2, 3, 4 at true positions 0, 2, 3, 4: every pairwise slope is 1 -> 1.
    # Squeezing the gap out (0, 2, 3, 4 at 0..3) would give slopes 2, 1.5, 1.33, 1, 1, 1 -> 1.17.
    assert mann_kendall([0, None, 2, 3, 4]).sens_slope == pytest.approx(1.0)


def test_too_short_is_an_error() -> None:
    with pytest.raises(AnalysisError, match="at least 4"):
        mann_kendall([1, None, 2])
    with pytest.raises(AnalysisError, match="two years"):
        seasonal_mann_kendall([1, 2, 3, 4], 4)


def _with_gaps(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.poisson(6, size=n).astype(float) + rng.choice([0.0, 0.15, -0.2]) * np.arange(n)
    x[rng.random(n) < 0.1] = np.nan
    return x


def _listed(x: np.ndarray) -> list[float | None]:
    return [None if math.isnan(v) else float(v) for v in x]


def test_agrees_with_pymannkendall_original() -> None:
    rng = np.random.default_rng(11)
    for _ in range(60):
        x = _with_gaps(rng, int(rng.integers(8, 45)))
        mine, ref = mann_kendall(_listed(x)), pmk.original_test(x)
        assert mine.s == pytest.approx(ref.s)
        assert mine.z == pytest.approx(ref.z, abs=1e-12)
        assert mine.p_value == pytest.approx(ref.p, abs=1e-12)
        assert mine.tau == pytest.approx(ref.Tau, abs=1e-12)
        assert mine.sens_slope == pytest.approx(ref.slope, abs=1e-12)
        assert mine.significant == bool(ref.h)


@pytest.mark.parametrize("period", [4, 12])
def test_agrees_with_pymannkendall_seasonal(period: int) -> None:
    rng = np.random.default_rng(period)
    for _ in range(25):
        x = _with_gaps(rng, int(rng.integers(3 * period, 8 * period)))
        mine, ref = seasonal_mann_kendall(_listed(x), period), pmk.seasonal_test(x, period=period)
        assert mine.s == pytest.approx(ref.s)
        assert mine.z == pytest.approx(ref.z, abs=1e-12)
        assert mine.p_value == pytest.approx(ref.p, abs=1e-12)
        assert mine.tau == pytest.approx(ref.Tau, abs=1e-12)
        # pymannkendall gives the seasonal slope per cycle (a year); ours is per period
        assert mine.sens_slope * period == pytest.approx(ref.slope, abs=1e-12)
        assert mine.sens_slope_per_year == pytest.approx(ref.slope, abs=1e-12)
