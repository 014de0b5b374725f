"""One measure's pattern against the same measure for another area (the national or the
peer group's series; the key-point builder's ``areas``), with the stated measure of
similarity of ``pattern_like``: from series to sentence, re-checked by the claim checker."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.relations import AreaSeries

M = plan_measure(name="Rural offences", analyses=("short_term",))
AREA = "England and Wales"


def _patterns(s: MeasureSeries, national: MeasureSeries) -> list[KeyPoint]:
    a = analyse_measure(s, M, (), REPORT_QUARTER)
    points = measure_key_points(a, M, s, areas=[AreaSeries(AREA, national)])
    return [kp for kp in points if kp.kind == "pattern"]


def test_a_force_against_the_national_series() -> None:
    season = [1.0, 1.2, 1.1, 0.8]
    force = quarterly([round(400 * season[k % 4] * 1.01**k) for k in range(12)])
    national = quarterly([round(90_000 * season[k % 4] * (1 + 0.003 * k)) for k in range(12)])
    (kp,) = _patterns(force, national)
    assert kp.text.startswith(
        "The pattern of rural offences broadly matches that of the same measure for England and "
        "Wales: their quarter-to-quarter changes from 2020/21 Q2 to 2023/24 Q1 have a "
        "correlation of "
    )
    related = {f"area:{AREA}": national}
    assert check_key_point(kp, force, M, REPORT_QUARTER, related) == ()
    assert check_key_point(kp, force, M, REPORT_QUARTER, {}) != ()  # no national series given
    other = replace(kp, text=kp.text.replace("England and Wales", "Wales"))
    assert check_key_point(other, force, M, REPORT_QUARTER, related) != ()
    flat = quarterly([round(90_000 * (1 + 0.01 * (k % 3))) for k in range(12)])
    assert check_key_point(kp, force, M, REPORT_QUARTER, {f"area:{AREA}": flat}) != ()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a=st.lists(st.integers(min_value=1, max_value=5000), min_size=9, max_size=16),
    b=st.lists(st.integers(min_value=1, max_value=90_000), min_size=16, max_size=16),
)
def test_area_patterns_pass_the_checker(a: list[int], b: list[int]) -> None:
    s, national = quarterly(a), quarterly(b[: len(a)])
    for kp in _patterns(s, national):
        event("area pattern told")
        assert check_key_point(kp, s, M, REPORT_QUARTER, {f"area:{AREA}": national}) == ()
        r = kp.evidence["correlation"]
        assert ("broadly matches" in kp.text) == (r >= 0.5)
