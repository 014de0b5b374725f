"""A trend no test showed joined with the year's change against it (issue 12): property
tests from generated series to the sentence, checked by the independent claim checker,
and the checker's refusals of the sentence made wrong on purpose."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import MEANWHILE, measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.plan.models import Measure

MEASURE = plan_measure(analyses=("trend", "short_term"))


def _points(values: list[float]) -> tuple[MeasureSeries, tuple[KeyPoint, ...]]:
    s = quarterly(values)
    return s, measure_key_points(analyse_measure(s, MEASURE, (), REPORT_QUARTER), MEASURE, s)


def _wanders(base: int, growth: float, noise: list[float], last_year: float) -> list[float]:
    values = [
        max(0.0, round(base * (1 + growth) ** k * (1 + 0.3 * e))) for k, e in enumerate(noise)
    ]
    values[-1] = max(0.0, round(values[-5] * (1 + last_year)))
    return values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base=st.integers(min_value=20, max_value=3000),
    growth=st.floats(min_value=-0.01, max_value=0.01),
    noise=st.lists(st.floats(min_value=-1, max_value=1), min_size=12, max_size=29),
    last_year=st.floats(min_value=0.02, max_value=0.4),
)
def test_a_trend_no_test_showed_and_the_years_change_against_it(
    base: int, growth: float, noise: list[float], last_year: float
) -> None:
    against = -last_year if growth > 0 else last_year  # mostly a year's change against the trend
    s, points = _points(_wanders(base, growth, noise, against))
    for kp in points:
        assert check_key_point(kp, s, MEASURE, REPORT_QUARTER) == (), kp.text
    joined = [p for p in points if p.kind == "trend_and_change"]
    event(f"joined: {bool(joined)}")
    if not joined:  # then there was nothing to join: no unshown trend, or no change against it
        trend = next((p for p in points if p.kind == "no_trend"), None)
        year = next((p for p in points if p.kind in ("changes", "change_last_year")), None)
        if trend is not None and year is not None and "events" not in year.evidence:
            assert (
                trend.direction not in ("up", "down")
                or year.direction
                in (
                    trend.direction,
                    "flat",
                )
                or not trend.text.startswith("There is a ")
            )
        return
    (kp,) = joined
    assert kp.significant is False
    head, _, year_text = kp.text.partition(MEANWHILE)
    assert "not statistically significant" in head and "a year)" in head
    assert year_text.startswith(MEASURE.name.lower())  # the change, told whole after it
    # the year's change is against the trend, and both its numbers are told
    e = kp.evidence["change"]
    old = (e.get("comparisons") or [e])[0]["comparison_value"]
    assert (e["current_value"] - old) * (1 if kp.direction == "up" else -1) < 0
    assert not any(p.kind == "no_trend" for p in points)


def _joined() -> tuple[MeasureSeries, KeyPoint]:
    # rises slowly with wide swings (no test shows it), then a year's fall
    values = [100, 130, 90, 120, 105, 140, 95, 125, 110, 145, 98, 128, 112, 150, 100, 131, 80]
    s, points = _points([float(v) for v in values])
    (kp,) = [p for p in points if p.kind == "trend_and_change"]
    return s, kp


def test_the_joined_sentence_passes_and_tells_both_sizes() -> None:
    s, kp = _joined()
    assert check_key_point(kp, s, MEASURE, REPORT_QUARTER) == ()
    assert kp.text.startswith("There is a ") and "upward movement" in kp.text
    assert "stood at 80 in 2023/24 Q1" in kp.text and "lower than in 2022/23 Q1 (112)" in kp.text


def _refused(kp: KeyPoint, s: MeasureSeries, m: Measure = MEASURE) -> set[str]:
    return {p.kind for p in check_key_point(kp, s, m, REPORT_QUARTER)}


def test_the_checker_refuses_the_joined_sentence_made_wrong() -> None:
    s, kp = _joined()
    assert "value" in _refused(replace(kp, text=kp.text.replace("(112)", "(113)")), s)
    assert "direction" in _refused(replace(kp, text=kp.text.replace("upward", "downward")), s)
    head, sep, rest = kp.text.partition(MEANWHILE)
    claimed = (
        head.replace("not statistically significant", "statistically significant") + sep + rest
    )
    assert claimed != kp.text and "significance" in _refused(replace(kp, text=claimed), s)
    assert "value" in _refused(replace(kp, text=kp.text.replace(MEANWHILE, "; ")), s)
    same_way = replace(kp, direction="down")  # a change with the trend is not joined
    assert "direction" in _refused(same_way, s)
