"""The fast distribution helpers agree with scipy.stats."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from planwatch.analysis import dist


@pytest.mark.parametrize("z", [-3.2, -1.0, 0.0, 0.5, 1.96, 4.0])
def test_normal(z: float) -> None:
    assert dist.normal_sf(z) == pytest.approx(stats.norm.sf(z), rel=1e-12)
    assert dist.normal_two_sided_p(z) == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)


@pytest.mark.parametrize(("t", "df"), [(2.1, 3), (-0.4, 10), (5.0, 24)])
def test_student_t(t: float, df: int) -> None:
    assert dist.t_two_sided_p(t, df) == pytest.approx(2 * stats.t.sf(abs(t), df), rel=1e-10)
    assert dist.t_quantile(0.975, df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-10)


def test_chi2_quantile() -> None:
    # the over-dispersion threshold for 7 residual df: chi2(7) upper 5% point / 7 = 14.067 / 7
    assert dist.chi2_upper_quantile(0.05, 7) == pytest.approx(14.067140449, rel=1e-8)
    assert dist.chi2_upper_quantile(0.05, 24) == pytest.approx(stats.chi2.ppf(0.95, 24), rel=1e-10)


def test_binomial_two_sided_matches_scipy() -> None:
    # hand-worked: 0 of 10 at p = 1/2 -> P = 2 * 0.5^10 = 0.001953125
    assert dist.binomial_two_sided_p(0, 10, 0.5) == pytest.approx(0.001953125, rel=1e-12)
    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(1, 4000))
        p = float(rng.uniform(0.02, 0.98))
        k = int(rng.integers(0, n + 1))
        ref = stats.binomtest(k, n, p).pvalue
        assert dist.binomial_two_sided_p(k, n, p) == pytest.approx(
            ref, rel=1e-9, abs=1e-15
        )  # below 1e-15 only "tiny" matters
