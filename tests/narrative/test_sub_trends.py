"""Trends over a sub-period the plan names (``trend_windows``): "Over the last two years
alone, there is a statistically significant ... trend in ... from 2021/22 Q2 to 2023/24
Q1", fitted by the analysis' own trend method on the window's periods and re-checked."""

from __future__ import annotations

import math
from dataclasses import replace

from series_built import REPORT_QUARTER, key_points, plan_measure, quarterly

from planwatch.narrative.checker import check_key_point
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.subtrends import window_start
from planwatch.periods import Quarter
from planwatch.plan.models import Measure

TREND = ("trend", "short_term", "extremes")
#: 21 quarters rising by about 2% a year, then eight falling by 6% a quarter: the long-term
#: trend and the last two years point different ways (shaped like the reference's KSIs).
SHIFTED = quarterly(
    [round(400 * math.exp(0.005 * k)) for k in range(21)]
    + [round(400 * math.exp(0.005 * 20) * 0.94**k) for k in range(1, 9)]
)


def _sub(series: object, measure: Measure) -> list[KeyPoint]:
    return [kp for kp in key_points(series, measure) if kp.kind == "sub_trend"]  # type: ignore[arg-type]


def test_last_n_years_counts_back_from_the_latest_period() -> None:
    assert window_start("last 2 years", REPORT_QUARTER, "quarter") == Quarter(2021, 2)
    assert window_start("2019/20 Q3", REPORT_QUARTER, "quarter") == Quarter(2019, 3)


def test_the_last_two_years_are_told_with_their_span_size_and_verdict() -> None:
    m = plan_measure(name="KSIs on the roads", analyses=TREND, trend_windows=("last 2 years",))
    (kp,) = _sub(SHIFTED, m)
    assert kp.text.startswith(
        "Over the last two years alone, there is a statistically significant "
    ), kp.text
    assert "downward trend in KSIs on the roads from 2021/22 Q2 to 2023/24 Q1 (about " in kp.text
    assert kp.direction == "down" and kp.significant is True
    assert kp.key == "m:sub_trend:2021/22 Q2"
    assert check_key_point(kp, SHIFTED, m, REPORT_QUARTER) == ()


def test_a_window_named_by_its_start_is_told_from_it() -> None:
    m = plan_measure(analyses=TREND, trend_windows=("2021/22 Q2",))
    (kp,) = _sub(SHIFTED, m)
    assert kp.text.startswith("There is a statistically significant ")
    assert "from 2021/22 Q2 to 2023/24 Q1" in kp.text
    assert check_key_point(kp, SHIFTED, m, REPORT_QUARTER) == ()


def test_a_window_no_shorter_than_the_series_or_too_short_is_not_told() -> None:
    whole = plan_measure(analyses=TREND, trend_windows=("2016/17 Q1", "last 1 year", "2030/31 Q1"))
    assert _sub(SHIFTED, whole) == []


def test_the_checker_finds_a_wrong_window_rate_or_direction() -> None:
    m = plan_measure(analyses=TREND, trend_windows=("last 2 years",))
    (kp,) = _sub(SHIFTED, m)

    def found(text: str) -> set[str]:
        return {p.kind for p in check_key_point(replace(kp, text=text), SHIFTED, m, REPORT_QUARTER)}

    assert found(kp.text.replace("last two years", "last three years")) == {"period"}
    assert found(kp.text.replace("from 2021/22 Q2", "from 2021/22 Q3")) == {"period"}
    assert found(kp.text.replace("downward", "upward")) == {"direction"}
    rate = kp.text.split("(about ")[1].split("%")[0]
    assert found(kp.text.replace(f"about {rate}%", "about 99.0%")) == {"size"}
    unasked = plan_measure(analyses=TREND, trend_windows=("2020/21 Q1",))
    assert {p.kind for p in check_key_point(kp, SHIFTED, unasked, REPORT_QUARTER)} == {"period"}


def test_swings_are_said_only_when_the_evidence_shows_them() -> None:
    m = plan_measure(analyses=TREND)
    trend = next(kp for kp in key_points(SHIFTED, m) if kp.kind in ("trend", "no_trend"))
    told = replace(
        trend,
        kind="no_trend",
        significant=False,
        text="There is a slight downward movement in recorded offences from 2016/17 Q1 to "
        "2023/24 Q1 (about 1.0% a year), but the series moves in long swings, so this is not "
        "statistically significant as a steady trend.",
        evidence={
            **trend.evidence,
            "effective_periods": 29.0,
            "n_periods": 29,
            "pct_per_year": -1.0,
            "p_value": 0.4,
        },
    )
    assert {p.kind for p in check_key_point(told, SHIFTED, m, REPORT_QUARTER)} == {"size"}
    swinging = replace(told, evidence={**told.evidence, "effective_periods": 5.0})
    assert check_key_point(swinging, SHIFTED, m, REPORT_QUARTER) == ()


def test_a_window_that_falls_to_all_zeros_is_left_out_not_a_crash() -> None:
    ones_then_zeros = quarterly([3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0])
    m = plan_measure(analyses=TREND, trend_windows=("last 2 years",))
    assert _sub(ones_then_zeros, m) == []
