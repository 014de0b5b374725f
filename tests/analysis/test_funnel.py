"""Funnel plots (Spiegelhalter 2005): exact Poisson limits, classification, over-dispersion."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from planwatch.analysis.engine import analyse_areas
from planwatch.analysis.funnel import funnel, poisson_limit
from planwatch.errors import AnalysisError

AREAS = [
    ("North", 120, 100_000),
    ("South", 80, 100_000),
    ("City", 1000, 800_000),
    ("Coast", 30, 50_000),
]


def test_interpolated_poisson_limit_hand_worked() -> None:
    # Poisson(10): F(14) = 0.9165, F(15) = 0.9513. The 95% point is r = 15 and the
    # interpolation of Spiegelhalter's Appendix A.1.1 gives 15 - (0.9513 - 0.95)/(0.9513 - 0.9165)
    f14, f15 = stats.poisson.cdf(14, 10), stats.poisson.cdf(15, 10)
    expected = 15 - (f15 - 0.95) / (f15 - f14)
    assert poisson_limit(np.array([10.0]), 0.95)[0] == pytest.approx(expected)
    assert 14 < expected < 15


def test_areas_are_classified_against_the_overall_rate() -> None:
    r = funnel(AREAS)
    # overall rate = 1230 / 1,050,000 = 1.1714 per 1,000
    assert r.overall_rate_per_1000 == pytest.approx(1230 / 1_050_000 * 1000)
    by_name = {p.area: p for p in r.points}
    assert by_name["North"].side == "within"
    assert (
        by_name["South"].side == "low" and by_name["South"].outside_998
    )  # 80 against 117.1 expected
    assert (
        by_name["City"].side == "high"
        and by_name["City"].outside_95
        and not by_name["City"].outside_998
    )
    assert by_name["Coast"].rate_per_1000 == pytest.approx(0.6)
    # 95% limits sit inside the 99.8% limits, and narrow as population grows
    assert all(a < b for a, b in zip(r.lower_998, r.lower_95, strict=True))
    assert r.upper_95[0] - r.lower_95[0] > r.upper_95[-1] - r.lower_95[-1]


def test_overdispersion_widens_the_limits() -> None:
    r = funnel(AREAS, overdispersion=True)
    assert r.method == "funnel_poisson_overdispersed"
    assert (
        r.overdispersion is not None and r.overdispersion > 1 and r.tau2 is not None and r.tau2 > 0
    )
    plain = funnel(AREAS)
    assert sum(p.outside_95 for p in r.points) < sum(p.outside_95 for p in plain.points)


def test_errors_name_the_area() -> None:
    with pytest.raises(AnalysisError, match="'South' has population 0"):
        funnel([("North", 1, 10), ("South", 1, 0)])
    with pytest.raises(AnalysisError, match="at least two areas"):
        funnel([("North", 1, 10)])
    with pytest.raises(AnalysisError) as info:
        analyse_areas({"Essex": 10, "Kent": 12}, {"Essex": 1000, "Kentt": 900})
    assert info.value.problems[0].suggestion == "Kentt"


#: Five forces whose rates differ far more than Poisson chance allows (the demo's shape):
#: every one is outside the exact 99.8% limits.
SPREAD = [
    ("Anyshire", 71_800, 1_000_000),
    ("Eastmarsh", 59_100, 800_000),
    ("Northmoor", 90_700, 1_400_000),
    ("Southcombe", 77_800, 900_000),
    ("Westvale", 60_700, 1_200_000),
]


def test_limits_that_leave_out_every_area_are_widened_for_overdispersion() -> None:
    from planwatch.analysis.funnel import METHOD_EXACT, METHOD_OVERDISPERSED, _funnel, limits_name

    exact = _funnel(SPREAD, overdispersion=False)
    assert all(p.outside_998 for p in exact.points)  # the case: Poisson limits describe none
    r = funnel(SPREAD)
    assert r.method == METHOD_OVERDISPERSED and r.tau2 is not None and r.tau2 > 0
    assert not all(p.outside_998 for p in r.points)  # no blanket "outside the range" claims
    assert limits_name(r).startswith("limits widened for over-dispersion")
    # a spread Poisson chance explains keeps the exact limits, and says so
    kept = funnel(AREAS)
    assert kept.method == METHOD_EXACT and limits_name(kept) == "exact Poisson limits"
