"""Wilson intervals, the two-proportion test, and percentage-point gaps (with rounding)."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from planwatch.analysis.proportions import (
    benchmark_gap,
    decimals_of,
    round_half_away,
    two_proportions,
    wilson,
)
from planwatch.errors import AnalysisError


def test_wilson_hand_worked() -> None:
    # 5 of 10, z = 1.96: centre (0.5 + 0.192) / 1.384 = 0.5;
    # half-width 1.96 * sqrt(0.025 + 0.0096) / 1.384 = 0.2634 -> 0.2366 to 0.7634
    r = wilson("Q1", 5, 10)
    assert r.proportion == 0.5
    assert r.ci_low == pytest.approx(0.2366, abs=1e-4) and r.ci_high == pytest.approx(
        0.7634, abs=1e-4
    )
    # 0 of 10 still has a sensible upper limit (Wald would give 0 to 0)
    zero = wilson("Q2", 0, 10)
    assert zero.ci_low == 0.0 and zero.ci_high == pytest.approx(0.2775, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(1, 7), (266, 6500), (480, 600), (999, 1000)])
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    r = wilson("x", k, n)
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert (r.ci_low, r.ci_high) == (pytest.approx(low, rel=1e-10), pytest.approx(high, rel=1e-10))


def test_two_proportions_matches_statsmodels_and_newcombe() -> None:
    a, b = wilson("victims", 330, 550), wilson("non-victims", 1790, 2400)
    t = two_proportions(a, b)
    z, p = proportions_ztest([330, 1790], [550, 2400])
    assert t.z == pytest.approx(z, rel=1e-10) and t.p_value == pytest.approx(p, rel=1e-8)
    # Newcombe (1998) method 10 from the two Wilson intervals
    d = a.proportion - b.proportion
    low = d - math.sqrt((a.proportion - a.ci_low) ** 2 + (b.ci_high - b.proportion) ** 2)
    assert t.ci_low_pp == pytest.approx(100 * low)
    assert t.ci_low_pp < t.difference_pp < t.ci_high_pp


def test_reference_confidence_gap_victims_vs_non_victims() -> None:
    # The reference reports confidence among victims 14.6 points below non-victims but gives
    # no sample sizes. ASSUMPTION (methodology §6.2): a survey of about 3,000 a year with one
    # in five a victim: 600 victims at 60.0% and 2,400 non-victims at 74.6%.
    victims, others = wilson("victims", 360, 600), wilson("non-victims", 1790.4, 2400)
    t = two_proportions(victims, others)
    assert round(t.difference_pp, 1) == -14.6
    assert t.significant and t.p_value < 1e-6
    # with only 30 victims asked, the same gap would not be significant
    small = two_proportions(wilson("victims", 18, 30), others)
    assert round(small.difference_pp, 1) == -14.6 and not small.significant


def test_reference_benchmark_gap_is_7_1_points() -> None:
    # 4.1% of the workforce against 11.21% of the economically active population:
    # 4.1 - 11.21 = -7.11 points, shown to one decimal (the fewer decimals of the two) as -7.1
    gap = benchmark_gap("2023/24 Q1", 4.1, "Economically active population", 11.21)
    assert gap.gap_pp == pytest.approx(-7.11)
    assert gap.decimals == 1 and gap.gap_pp_rounded == -7.1 and gap.direction == "down"


def test_rounding_rules_are_explicit() -> None:
    assert decimals_of(4.1) == 1 and decimals_of(11.21) == 2 and decimals_of(7.0) == 0
    assert (
        round_half_away(7.15, 1) == 7.2 and round_half_away(-7.15, 1) == -7.2
    )  # not banker's rounding
    assert round_half_away(0.125, 2) == 0.13
    assert (
        benchmark_gap("a", 50.0, "b", 50.04, decimals=1).direction == "flat"
    )  # -0.04 shows as 0.0


def test_bad_counts_are_named() -> None:
    with pytest.raises(AnalysisError, match=r"'Q3'.*sample size"):
        wilson("Q3", 1, 0)
    with pytest.raises(AnalysisError, match="between 0 and 10"):
        wilson("Q3", 11, 10)
    with pytest.raises(AnalysisError, match="benchmark"):
        benchmark_gap("a", 4.0, "b", float("nan"))
