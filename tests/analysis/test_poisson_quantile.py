"""The Poisson quantile behind the funnel limits, from scipy.special alone, against the
reference implementation (``scipy.stats.poisson.ppf``): the same whole count everywhere,
including at the jumps of the distribution function and for tiny and huge means."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from planwatch.analysis.funnel import LEVEL_95, LEVEL_998, poisson_quantile

#: The tail probabilities the funnel limits use, and probabilities near 0 and 1.
PROBS = (
    (1 - LEVEL_998) / 2,
    (1 - LEVEL_95) / 2,
    0.5,
    1 - (1 - LEVEL_95) / 2,
    1 - (1 - LEVEL_998) / 2,
    1e-9,
    1 - 1e-9,
)


def test_matches_scipy_stats_over_a_grid_of_means() -> None:
    means = np.concatenate([np.geomspace(1e-4, 1e7, 4000), np.linspace(0.01, 60.0, 4000)])
    for prob in PROBS:
        np.testing.assert_array_equal(
            poisson_quantile(prob, means), stats.poisson.ppf(prob, means), err_msg=str(prob)
        )


def test_exactly_at_a_jump_of_the_distribution_function() -> None:
    # prob equal to P(X <= k): the quantile is k itself, not k + 1
    means = np.array([0.5, 3.0, 10.0, 250.0])
    for k in (0, 1, 4, 12):
        probs = stats.poisson.cdf(k, means)
        for mean, prob in zip(means, probs, strict=True):
            got = poisson_quantile(float(prob), np.array([mean]))[0]
            assert got == stats.poisson.ppf(prob, mean)


@settings(max_examples=300, deadline=None)
@given(
    prob=st.floats(min_value=1e-12, max_value=1 - 1e-12),
    mean=st.floats(min_value=1e-6, max_value=1e6),
)
def test_matches_scipy_stats_for_any_probability_and_mean(prob: float, mean: float) -> None:
    assert poisson_quantile(prob, np.array([mean]))[0] == stats.poisson.ppf(prob, mean)
