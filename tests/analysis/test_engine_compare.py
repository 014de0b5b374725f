"""compare_proportions (one measure against another, latest common period) and
analyse_areas with the plan's own area: hand-worked examples and clear errors."""

from __future__ import annotations

import math

import pytest

from planwatch.analysis.engine import analyse_areas, compare_proportions
from planwatch.errors import AnalysisError
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Quarter, quarter_range

START = Quarter(2022, 1)


def survey(
    mid: str, pairs: list[tuple[float, float] | None], *, suspect: tuple[int, ...] = ()
) -> MeasureSeries:
    periods = tuple(quarter_range(START, START.shift(len(pairs) - 1)))
    nums = tuple(None if p is None else p[0] for p in pairs)
    dens = tuple(None if p is None else p[1] for p in pairs)
    values = tuple(None if p is None else 100 * p[0] / p[1] for p in pairs)
    return MeasureSeries(
        mid,
        "quarter",
        periods,
        values,
        numerators=nums,
        denominators=dens,
        suspect=suspect,
        unit="percent",
    )


def test_latest_common_period_and_hand_worked_z() -> None:
    victims = survey("victims", [(100, 200), (140, 230), (90, 180)])
    others = survey("others", [(300, 400), (453, 600)])  # a quarter behind
    test = compare_proportions(victims, others, Quarter(2022, 3), other_name="Others")
    assert test is not None
    assert (test.first.label, test.second.label) == ("2022/23 Q2", "2022/23 Q2")
    pooled = (140 + 453) / (230 + 600)
    z = (140 / 230 - 453 / 600) / math.sqrt(pooled * (1 - pooled) * (1 / 230 + 1 / 600))
    assert test.z == pytest.approx(z) and round(z, 2) == -4.18
    assert test.significant and test.p_value < 0.001
    assert (test.compared_with, test.compared_with_name) == ("others", "Others")


def test_report_quarter_and_suspect_values_are_respected() -> None:
    victims = survey("victims", [(100, 200), (140, 230), (90, 180)], suspect=(1,))
    others = survey("others", [(300, 400), (453, 600), (200, 300)])
    test = compare_proportions(victims, others, Quarter(2022, 2))  # Q3 is after the report
    assert test is not None and test.first.label == "2022/23 Q1"  # Q2 is held out
    # 100/200 against 300/400: pooled 400/600, z = -0.25 / sqrt(2/3 * 1/3 * (1/200 + 1/400))
    pooled = 400 / 600
    assert test.z == pytest.approx(-0.25 / math.sqrt(pooled * (1 - pooled) * (3 / 400)))


def test_no_common_period_gives_none() -> None:
    a = survey("a", [(1, 2), None])
    b = survey("b", [None, (1, 2)])
    assert compare_proportions(a, b, Quarter(2022, 2)) is None


def test_not_proportions_or_different_frequencies_are_errors() -> None:
    a = survey("a", [(1, 2)])
    counts = MeasureSeries("counts", "quarter", (START,), (5.0,))
    with pytest.raises(AnalysisError, match="'counts' has no numerators and denominators"):
        compare_proportions(a, counts, START)
    monthly = MeasureSeries(
        "monthly", "month", (START.months()[0],), (50.0,), numerators=(1.0,), denominators=(2.0,)
    )
    with pytest.raises(AnalysisError, match="quarterly but 'monthly' is monthly"):
        compare_proportions(a, monthly, START)


def test_analyse_areas_keeps_the_focus_area_and_label() -> None:
    f = analyse_areas(
        {"Kent": 400, "Essex": 600, "Suffolk": 400},
        {"Kent": 1e6, "Essex": 1e6, "Suffolk": 5e5},
        focus_area="Kent",
        label="12 months to June 2023",
    )
    assert (f.focus_area, f.label) == ("Kent", "12 months to June 2023")
    assert f.overall_rate_per_1000 == pytest.approx(0.56)
    kent = next(p for p in f.points if p.area == "Kent")
    assert kent.outside_998 and kent.rate_per_1000 == pytest.approx(0.4)


def test_analyse_areas_focus_must_be_among_the_areas() -> None:
    with pytest.raises(AnalysisError) as info:
        analyse_areas({"Kent": 1, "Essex": 2}, {"Kent": 10, "Essex": 10}, focus_area="Kentt")
    assert "did you mean 'Kent'" in str(info.value)
