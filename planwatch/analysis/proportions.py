"""Proportions: Wilson score intervals, the two-proportion z-test with Newcombe's
interval for the difference, and the percentage-point gap against a benchmark.

In: counts of successes and sample sizes (or percentages, for a benchmark gap).
Out: :class:`ProportionResult`, :class:`TwoProportionResult`, :class:`BenchmarkGap`
(proportions are fractions 0-1; differences and gaps are percentage points).

Methods: Wilson (1927) score interval; pooled two-proportion z-test (Fleiss, Levin &
Paik 2003); methodology §6; Newcombe (1998) hybrid score interval for a
difference (his method 10). Rounding: gaps are computed from the values as given and
rounded once, half away from zero (methodology §6.3).

Overlapping samples (issue 11, methodology §6.5). A 12-month rolling survey result
published each quarter shares about nine months of respondents with the previous
quarter's: the two are not independent samples. With ``n_o`` respondents in common
(``overlap`` = the share of the window the two results share, ``n_o = overlap x
min(n1, n2)``, the smaller so as never to overstate it) the two estimates are
positively correlated, and under "same proportion"

    Var(p1 - p2) = p (1 - p) (1/n1 + 1/n2 - 2 n_o / (n1 n2))

(the covariance of two means sharing ``n_o`` draws; the design effect of the
difference is this over the independent-samples variance, Kish, L. (1965) *Survey
Sampling*, Wiley, §8.2, for overlapping samples in repeated surveys). The z-test uses
it and Newcombe's interval is scaled by the root of the design effect. Results that
share no respondents (a year apart, for a 12-month window) are independent samples.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from planwatch.analysis.constants import ALPHA
from planwatch.analysis.dist import normal_quantile, normal_two_sided_p
from planwatch.analysis.results import BenchmarkGap, ProportionResult, TwoProportionResult
from planwatch.analysis.shortterm import direction
from planwatch.errors import AnalysisError, Location

PERCENT = 100.0
#: Method names of the two-proportion test: independent samples, or samples sharing
#: respondents (overlapping rolling windows; module docstring).
INDEPENDENT_METHOD = "two_proportion_z"
OVERLAP_METHOD = "two_proportion_z_overlap"


def _check_counts(label: str, successes: float, n: float) -> None:
    if not (n > 0 and math.isfinite(n)):
        raise AnalysisError(
            f"'{label}': the sample size is {n}",
            location=Location(field=label),
            expected="a sample size above 0",
        )
    if not 0 <= successes <= n:
        raise AnalysisError(
            f"'{label}': {successes} successes out of {n}",
            location=Location(field=label),
            expected=f"between 0 and {n}",
        )


def wilson(label: str, successes: float, n: float, *, alpha: float = ALPHA) -> ProportionResult:
    """Wilson score interval: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    _check_counts(label, successes, n)
    z = normal_quantile(1.0 - alpha / 2.0)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n)) / (1.0 + z2n)
    # at p = 0 or 1 the end is exactly 0 or 1 (rounding error can leave 1e-17 instead)
    low = 0.0 if successes == 0 else min(p, centre - half)
    high = 1.0 if successes == n else max(p, centre + half)
    return ProportionResult(label, successes, n, p, low, high, "wilson", 1.0 - alpha)


def two_proportions(
    first: ProportionResult,
    second: ProportionResult,
    *,
    alpha: float = ALPHA,
    overlap: float = 0.0,
) -> TwoProportionResult:
    """Pooled z-test of p1 = p2, and Newcombe's hybrid score interval for p1 - p2
    (built from the two Wilson intervals, so ``first`` and ``second`` should share alpha).
    ``overlap`` (0 to 1) is the share of respondents the two results have in common
    (module docstring); 0 for independent samples."""
    if not 0.0 <= overlap < 1.0:
        raise AnalysisError(
            f"'{first.label}' against '{second.label}': overlap {overlap}",
            location=Location(field="overlap"),
            expected="a share from 0 (independent samples) up to, not including, 1",
        )
    p1, p2 = first.proportion, second.proportion
    pooled = (first.successes + second.successes) / (first.n + second.n)
    independent = 1.0 / first.n + 1.0 / second.n
    shared = overlap * min(first.n, second.n)
    design_effect = (independent - 2.0 * shared / (first.n * second.n)) / independent
    se = math.sqrt(pooled * (1.0 - pooled) * independent * design_effect)
    z = (p1 - p2) / se if se > 0 else 0.0
    p_value = normal_two_sided_p(z) if se > 0 else 1.0
    d = p1 - p2
    scale = math.sqrt(design_effect)
    low = d - scale * math.sqrt((p1 - first.ci_low) ** 2 + (second.ci_high - p2) ** 2)
    high = d + scale * math.sqrt((first.ci_high - p1) ** 2 + (p2 - second.ci_low) ** 2)
    return TwoProportionResult(
        first=first,
        second=second,
        difference_pp=PERCENT * d,
        ci_low_pp=PERCENT * low,
        ci_high_pp=PERCENT * high,
        z=z,
        p_value=p_value,
        significant=p_value < alpha,
        method=OVERLAP_METHOD if overlap > 0 else INDEPENDENT_METHOD,
        overlap=overlap,
        design_effect=design_effect,
    )


def window_overlap(lag: int, window_periods: int) -> float:
    """Share of a ``window_periods``-period rolling result that the result ``lag``
    periods earlier also covers (a 4-quarter window one quarter on: 3/4)."""
    return max(window_periods - lag, 0) / window_periods


def decimals_of(value: float) -> int:
    """Decimal places of a number as written (``4.1`` -> 1, ``11.21`` -> 2, ``7.0`` -> 0)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def round_half_away(value: float, decimals: int) -> float:
    """Round half away from zero (7.15 -> 7.2), as published statistics do, not to even."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def benchmark_gap(
    label: str,
    value_pct: float,
    benchmark_label: str,
    benchmark_pct: float,
    *,
    decimals: int | None = None,
) -> BenchmarkGap:
    """``value - benchmark`` in percentage points, computed from the values as given and
    rounded once, to ``decimals`` or else to the fewer decimals of the two inputs
    (4.1% against 11.21%: -7.11, shown as -7.1 points)."""
    for name, v in (("value", value_pct), ("benchmark", benchmark_pct)):
        if not math.isfinite(v):
            raise AnalysisError(
                f"'{label}': the {name} is {v}",
                location=Location(field=name),
                expected="a percentage",
            )
    gap = value_pct - benchmark_pct
    places = (
        min(decimals_of(value_pct), decimals_of(benchmark_pct)) if decimals is None else decimals
    )
    rounded = round_half_away(gap, places)
    return BenchmarkGap(
        label, value_pct, benchmark_label, benchmark_pct, gap, direction(rounded), places, rounded
    )
