"""Property tests from generated series to sentence for the newer statement kinds — a
trend over a sub-period, a part's share of its whole, a pattern against another measure,
and the long-swings reason beside changes a test did not show — each sentence checked by
the independent claim checker and against the facts it must never contradict."""

from __future__ import annotations

from dataclasses import replace

from hand_built import analysis, change, measure
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.relations import Related
from planwatch.plan.models import Measure, SeriesSource

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SWINGS = "moves in long swings"
counts = st.integers(min_value=0, max_value=3000)


def _points(s: MeasureSeries, m: Measure, related: list[Related] = []):  # noqa: B006
    a = analyse_measure(s, m, (), REPORT_QUARTER)
    return measure_key_points(a, m, s, related=related)


@SETTINGS
@given(
    base=st.integers(min_value=0, max_value=2000),
    growth=st.floats(min_value=-0.15, max_value=0.15),
    noise=st.lists(st.floats(min_value=-1, max_value=1), min_size=12, max_size=29),
    scale=st.sampled_from([0.0, 0.01, 0.3]),
    start_back=st.integers(min_value=1, max_value=20),
)
def test_sub_window_trends_pass_the_checker(
    base: int, growth: float, noise: list[float], scale: float, start_back: int
) -> None:
    values = [
        max(0, round(base * (1 + growth) ** k * (1 + scale * e))) for k, e in enumerate(noise)
    ]
    s = quarterly(values)
    start = s.periods[max(0, len(values) - 1 - start_back)].label
    m = plan_measure(analyses=("trend", "short_term"), trend_windows=("last 2 years", start))
    for kp in _points(s, m):
        assert check_key_point(kp, s, m, REPORT_QUARTER) == (), kp.text
        if kp.kind == "sub_trend":
            event(f"sub_trend significant={kp.significant}")
            assert kp.evidence["last_label"] == s.periods[-1].label
            assert ("alone" in kp.text) == (kp.significant is True and kp.text.startswith("Over"))


WHOLE = Measure(id="whole", name="All offences", source=SeriesSource(series="whole"))


@SETTINGS
@given(
    whole=st.lists(counts, min_size=5, max_size=9),
    shares=st.lists(st.floats(min_value=0, max_value=1.2), min_size=9, max_size=9),
)
def test_shares_of_a_whole_pass_the_checker(whole: list[int], shares: list[float]) -> None:
    part = [round(w * f) for w, f in zip(whole, shares, strict=False)]
    ws, ps = quarterly(whole), quarterly(part)
    ws = replace(ws, measure_id="whole")
    m = plan_measure(name="Some offences", part_of="whole", analyses=("short_term",))
    for kp in _points(ps, m, [Related(WHOLE, ws)]):
        assert check_key_point(kp, ps, m, REPORT_QUARTER, {"whole": ws}) == (), kp.text
        if kp.kind == "share":
            event(f"share of change told: {'accounted for' in kp.text}")
            e = kp.evidence
            assert 0 <= e["share_pct"] <= 100 and e["part"] <= e["whole_value"]
            moved = (e["part"] - e["comparison_part"]) * (e["whole_value"] - e["comparison_whole"])
            assert ("accounted for" in kp.text) == (moved > 0 and e["share_of_change"] is not None)


OTHER = Measure(id="other", name="All crime", source=SeriesSource(series="other"))


@SETTINGS
@given(
    a=st.lists(st.integers(min_value=1, max_value=5000), min_size=9, max_size=20),
    b=st.lists(st.integers(min_value=1, max_value=5000), min_size=20, max_size=20),
    gap=st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
)
def test_patterns_pass_the_checker(a: list[int], b: list[int], gap: int | None) -> None:
    values: list[float | None] = [float(v) for v in a]
    if gap is not None and gap < len(values) - 1:
        values[gap] = None  # a gap breaks the changes on both sides of it
    s, o = quarterly(values), replace(quarterly(b[: len(a)]), measure_id="other")
    m = plan_measure(name="Rural offences", pattern_like="other", analyses=("short_term",))
    for kp in _points(s, m, [Related(OTHER, o)]):
        assert check_key_point(kp, s, m, REPORT_QUARTER, {"other": o}) == (), kp.text
        if kp.kind == "pattern":
            event("pattern")
            r = kp.evidence["correlation"]
            assert ("broadly matches" in kp.text) == (r >= 0.5)
            assert ("moves against" in kp.text) == (r <= -0.3)


@settings(max_examples=60, deadline=None)
@given(
    year=st.tuples(st.booleans(), st.floats(min_value=-1, max_value=1)),
    quarter=st.tuples(st.booleans(), st.floats(min_value=-1, max_value=1)),
)
def test_changes_say_long_swings_only_beside_an_unshown_change_on_a_swinging_series(
    year: tuple[bool, float], quarter: tuple[bool, float]
) -> None:
    made = []
    for (shown, rho), kind, label in (
        (year, "same_period_last_year", "2022/23 Q1"),
        (quarter, "previous_period", "2022/23 Q4"),
    ):
        c = change(
            100,
            120,
            kind=kind,
            comparison_label=label,
            significant=shown,
            p_value=0.01 if shown else 0.4,
            method="test",
        )
        made.append(replace(c, autocorrelation=rho))
    (kp,) = [
        p
        for p in measure_key_points(analysis(changes=tuple(made)), measure())
        if p.kind == "changes"
    ]
    expected = any(not c.significant and (c.autocorrelation or 0) >= 0.5 for c in made)
    assert (SWINGS in kp.text) == expected, kp.text


@settings(max_examples=80, deadline=None)
@given(
    points=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.floats(min_value=0, max_value=2),
            st.sampled_from([None, None, None, "pinned", "promoted"]),
        ),
        max_size=14,
    )
)
def test_the_box_keeps_its_limits_and_its_order(
    points: list[tuple[str, float, str | None]],
) -> None:
    from planwatch.narrative.keypoints import (
        FILL_PER_MEASURE,
        MAX_KEY_POINTS_PER_MEASURE,
        MAX_KEY_POINTS_PER_PRIORITY,
        rank,
    )
    from planwatch.narrative.model import KeyPoint

    pool = [
        KeyPoint(
            mid,
            "change_previous",
            "2023/24 Q1",
            None,
            "neutral",
            None,
            None,
            None,
            {},
            "x",
            importance=imp,
            key=f"{mid}:{k}",
            placement=place,
        )  # type: ignore[arg-type]
        for k, (mid, imp, place) in enumerate(points)
    ]
    box = rank(pool, per_measure=MAX_KEY_POINTS_PER_MEASURE)
    pinned = [p for p in pool if p.placement == "pinned"]
    assert len(box) <= max(MAX_KEY_POINTS_PER_PRIORITY, len(pinned))
    assert all(p in box for p in pinned)
    for mid in "abc":
        free = [p for p in box if p.measure == mid and p.placement is None]
        assert len(free) <= FILL_PER_MEASURE
    order = {"pinned": 0, "promoted": 1, None: 2}
    keys = [(order[p.placement], -p.importance) for p in box]
    assert keys == sorted(keys)
    # a point is left out only when the box is full or its measure has had its share
    for p in pool:
        if p not in box and p.placement is None:
            same = [q for q in box if q.measure == p.measure and q.placement is None]
            full = len(box) >= MAX_KEY_POINTS_PER_PRIORITY
            assert full or len(same) >= MAX_KEY_POINTS_PER_MEASURE
