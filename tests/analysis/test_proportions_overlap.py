"""Two-proportion tests between overlapping rolling survey results (issue 11, §6.5).

A 12-month rolling result reported each quarter shares three of its four quarters of
respondents with the previous quarter's. Treated as independent samples, the test of
the change between them overstates the variance of the difference (by 1 / (1 - 3/4) =
4 times) and so almost never finds a real change; with the overlap allowed for it holds
its 5% level and sees real changes. Results a year apart share no one and are tested as
independent samples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from planwatch.analysis.engine import analyse_measure
from planwatch.analysis.proportions import (
    INDEPENDENT_METHOD,
    OVERLAP_METHOD,
    two_proportions,
    wilson,
    window_overlap,
)
from planwatch.errors import AnalysisError
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Quarter, quarter_range
from planwatch.plan.models import Measure
from tests.analysis.simulate_shortterm import rolling_survey

REPS = 2000
#: 5% plus three standard errors of the simulation.
MAX_RATE = 0.05 + 3 * math.sqrt(0.05 * 0.95 / REPS)


def _quarter_on_quarter(yes: np.ndarray, asked: np.ndarray, overlap: float) -> list[bool]:
    return [
        two_proportions(
            wilson("now", int(y[-1]), int(n[-1])),
            wilson("then", int(y[-2]), int(n[-2])),
            overlap=overlap,
        ).significant
        for y, n in zip(yes, asked, strict=True)
    ]


def test_overlap_hand_worked() -> None:
    # 2,400 respondents in each 12-month result, 1,800 of them shared (3 of 4 quarters):
    # Var = p(1-p)(1/2400 + 1/2400 - 2 x 1800 / 2400^2) = p(1-p) x 2/2400 x (1 - 3/4)
    a, b = wilson("now", 1728, 2400), wilson("then", 1680, 2400)  # 72.0% against 70.0%
    t = two_proportions(a, b, overlap=0.75)
    pooled = (1728 + 1680) / 4800
    se = math.sqrt(pooled * (1 - pooled) * (2 / 2400) * 0.25)
    assert t.design_effect == pytest.approx(0.25) and t.method == OVERLAP_METHOD
    assert t.z == pytest.approx(0.02 / se) and t.significant  # z = 3.08
    independent = two_proportions(a, b)
    assert independent.z == pytest.approx(t.z / 2) and not independent.significant  # z = 1.54
    assert independent.method == INDEPENDENT_METHOD and independent.design_effect == 1.0
    # the interval narrows by the root of the design effect
    assert t.ci_high_pp - t.ci_low_pp == pytest.approx(
        0.5 * (independent.ci_high_pp - independent.ci_low_pp)
    )
    assert window_overlap(1, 4) == 0.75 and window_overlap(4, 4) == 0.0
    with pytest.raises(AnalysisError):
        two_proportions(a, b, overlap=1.0)


def test_overlap_keeps_the_level_and_sees_a_change() -> None:
    rng = np.random.default_rng(21)
    yes, asked = rolling_survey(rng, REPS, 12, 600, 0.7)
    adjusted = np.mean(_quarter_on_quarter(yes, asked, 0.75))
    naive = np.mean(_quarter_on_quarter(yes, asked, 0.0))
    assert 0.02 < adjusted <= MAX_RATE  # measured 4.9% (4.7% on 4,000 more)
    assert naive < 0.01  # independent samples assumed: measured 0.0%
    # a real 8-point change in the latest quarter's respondents (2 points on the window)
    p = np.full(12, 0.7)
    p[-1] = 0.78
    yes, asked = rolling_survey(rng, 1000, 12, 600, p)
    found = np.mean(_quarter_on_quarter(yes, asked, 0.75))
    missed = np.mean(_quarter_on_quarter(yes, asked, 0.0))
    assert found > 0.75 and missed < 0.3  # measured 87% against 17%


def test_engine_allows_for_the_overlap_of_a_rolling_survey() -> None:
    rng = np.random.default_rng(3)
    yes, asked = rolling_survey(rng, 1, 12, 600, 0.7)
    periods = quarter_range(Quarter(2020, 1), Quarter(2020, 1).shift(8))
    s = MeasureSeries(
        "conf",
        "quarter",
        periods,
        tuple(100 * y / n for y, n in zip(yes[0], asked[0], strict=True)),
        numerators=tuple(float(v) for v in yes[0]),
        denominators=tuple(float(v) for v in asked[0]),
        unit="percent",
    )
    m = Measure.model_validate(
        {
            "id": "conf",
            "name": "Confidence",
            "unit": "percent",
            "aggregation": "proportion",
            "source": {"kind": "series", "series": "conf"},
            "analyses": ["proportion"],
            "pooled_periods": 4,
        }
    )
    a = analyse_measure(s, m, [], Quarter(2022, 1))
    previous, year = a.proportion_tests
    assert previous.overlap == 0.75 and previous.method == OVERLAP_METHOD
    assert year.overlap == 0.0 and year.method == INDEPENDENT_METHOD
    plain = analyse_measure(s, m.model_copy(update={"pooled_periods": 1}), [], Quarter(2022, 1))
    assert plain.proportion_tests[0].overlap == 0.0
