"""Property tests: a key point never contradicts its evidence."""

from __future__ import annotations

import re

from hand_built import analysis, change, measure, trend
from hypothesis import given, settings
from hypothesis import strategies as st

from planwatch.analysis.constants import ALPHA
from planwatch.analysis.results import ProportionResult, TwoProportionResult
from planwatch.formatting import number_word
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint

CLAIMS_SIGNIFICANCE = re.compile(r"(?<!not )statistically significant")
values = st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda v: round(v, 2))
p_values = st.one_of(st.none(), st.floats(min_value=0, max_value=1))
flags = st.one_of(st.none(), st.booleans())
polarities = st.sampled_from(["up_is_good", "down_is_good", "neutral"])


def check(kp: KeyPoint) -> None:
    claims = bool(CLAIMS_SIGNIFICANCE.search(kp.text))
    assert claims == (kp.significant is True), kp.text
    if kp.significant:
        p = kp.evidence.get("p_value", kp.evidence.get("step_p"))
        assert p is not None and p < ALPHA
    e = kp.evidence
    if "current_value" in e and "comparison_value" in e:
        if re.search(r"\bdecreased\b", kp.text):
            assert e["current_value"] < e["comparison_value"]
            assert kp.direction == "down"
        if re.search(r"\bincreased\b", kp.text):
            assert e["current_value"] > e["comparison_value"]
            assert kp.direction == "up"
    if kp.good_or_bad != "neutral":
        assert kp.direction in ("up", "down")


@settings(max_examples=60, deadline=None)
@given(
    current=values,
    comparison=values,
    significant=flags,
    p=p_values,
    polarity=polarities,
    percent=st.booleans(),
)
def test_changes_never_contradict_their_numbers(
    current: float,
    comparison: float,
    significant: bool | None,
    p: float | None,
    polarity: str,
    percent: bool,
) -> None:
    c = change(
        current,
        comparison,
        significant=significant,
        p_value=p,
        method="test" if significant is not None else None,
    )
    m = measure(polarity=polarity, unit="percent" if percent else "count")
    for kp in measure_key_points(analysis(changes=(c,)), m):
        check(kp)
        if current == comparison:
            assert "increased" not in kp.text and "decreased" not in kp.text


@settings(max_examples=60, deadline=None)
@given(
    pct=st.floats(min_value=-50, max_value=50, allow_nan=False),
    p=p_values,
    significant=st.booleans(),
    strength=st.sampled_from(["none", "very slight", "slight", "moderate", "strong"]),
    low=st.booleans(),
)
def test_trends_claim_significance_only_with_a_small_p_value(
    pct: float, p: float | None, significant: bool, strength: str, low: bool
) -> None:
    direction = "up" if pct > 0 else "down" if pct < 0 else "flat"
    tr = trend(
        pct_per_year=pct,
        p_value=p,
        significant=significant,
        strength=strength,
        low_counts=low,
        direction=direction,
    )
    for kp in measure_key_points(analysis(trend=tr), measure()):
        check(kp)
        if "upward" in kp.text:
            assert pct > 0
        if "downward" in kp.text:
            assert pct < 0


@settings(max_examples=60, deadline=None)
@given(a=st.integers(0, 500), b=st.integers(0, 500), p=st.floats(0, 1), significant=st.booleans())
def test_proportion_gaps_say_higher_or_lower_as_the_numbers_do(
    a: int, b: int, p: float, significant: bool
) -> None:
    n = 1000
    first = ProportionResult("2023-06", a, n, a / n, 0.0, 1.0)
    second = ProportionResult("2022-06", b, n, b / n, 0.0, 1.0)
    test = TwoProportionResult(first, second, (a - b) / n * 100, -1, 1, 0.0, p, significant)
    for kp in measure_key_points(analysis(proportion_tests=(test,)), measure(unit="percent")):
        check(kp)
        if "higher than" in kp.text:
            assert a > b
        if "lower than" in kp.text:
            assert a < b


small = st.one_of(
    st.none(), st.floats(min_value=0, max_value=20, allow_nan=False).map(lambda v: round(v, 2))
)


@settings(max_examples=60, deadline=None)
@given(
    current=st.lists(small, min_size=12, max_size=12),
    previous=st.lists(small, min_size=12, max_size=12),
)
def test_variance_summaries_count_the_months_as_they_are(
    current: list[float | None], previous: list[float | None]
) -> None:
    from planwatch.analysis.results import VarianceRow

    months = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")
    variance = tuple(
        None if c is None or p is None else c - p for c, p in zip(current, previous, strict=True)
    )
    row = VarianceRow(
        "2023/24 variance to 2022/23", months, tuple(current), tuple(previous), variance
    )
    points = measure_key_points(
        analysis(variance=(row,)), measure(unit="hours", decimals=2, frequency="month")
    )
    known = [v for v in variance if v is not None]
    if not known:
        assert points == ()
        return
    (kp,) = points
    check(kp)
    fell, rose = sum(v < 0 for v in known), sum(v > 0 for v in known)
    if fell == len(known) and len(known) > 1:
        assert "fell in each of the" in kp.text and kp.direction == "down"
    if rose == len(known) and len(known) > 1:
        assert "rose in each of the" in kp.text and kp.direction == "up"
    if 0 < fell < len(known):
        assert f"fell in {number_word(fell)}" in kp.text
    if 0 < rose < len(known):
        assert f"rose in {number_word(rose)}" in kp.text


@settings(max_examples=60, deadline=None)
@given(
    value=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 2)),
    benchmark=st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 2)),
)
def test_benchmark_gaps_say_above_or_below_as_the_numbers_do(
    value: float, benchmark: float
) -> None:
    from planwatch.analysis.results import BenchmarkGap

    gap = BenchmarkGap(
        "2023-06",
        value,
        "Benchmark",
        benchmark,
        value - benchmark,
        "up" if value > benchmark else "down" if value < benchmark else "flat",
    )
    (kp,) = measure_key_points(
        analysis(benchmark_gap=gap), measure(unit="percent", polarity="up_is_good")
    )
    check(kp)
    assert ("above" in kp.text) == (value > benchmark) and ("below" in kp.text) == (
        value < benchmark
    )
    assert kp.good_or_bad == (
        "good" if value > benchmark else "bad" if value < benchmark else "neutral"
    )
