"""A quarterly measure's usual highest or lowest quarter of the financial year ("Recorded
offences are usually highest in Q2 ... (July to September)"), by the ratio of each quarter
to its centred four-quarter moving average (classical decomposition): from series to
sentence, re-checked by the claim checker; sentences made wrong on purpose are caught;
the false-positive rate on trend-free series without a seasonal pattern is measured."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, key_points, plan_measure, quarterly

from planwatch.narrative.checker import check_key_point
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.relations import MIN_SEASON_YEARS, quarter_seasons
from tests.analysis.simulate import as_series, latent_ar1, wilson_upper

M = plan_measure(analyses=("short_term",))
SEASON = (1.0, 1.15, 1.05, 0.8)  # Q2 highest, Q4 lowest (tests/analysis/simulate.py)


def _seasons(values: list[float]) -> tuple[list[KeyPoint], object]:
    s = quarterly(values)
    return [kp for kp in key_points(s, M) if kp.kind == "quarter_season"], s


def test_a_seasonal_series_has_its_usual_highest_and_lowest_quarter() -> None:
    points, s = _seasons([round(400 * SEASON[k % 4] * 1.01**k) for k in range(29)])
    assert [kp.text for kp in points] == [
        "Recorded offences are usually highest in Q2 of the financial year (July to September): "
        "allowing for the trend (each quarter against its centred four-quarter moving average), "
        "Q2 was the highest quarter in each of the five financial years 2017/18 to 2021/22.",
        "Recorded offences are usually lowest in Q4 of the financial year (January to March): "
        "allowing for the trend (each quarter against its centred four-quarter moving average), "
        "Q4 was the lowest quarter in each of the five financial years 2017/18 to 2021/22.",
    ]
    for kp in points:
        assert check_key_point(kp, s, M, REPORT_QUARTER) == ()  # type: ignore[arg-type]
    high = points[0]
    for old, new in (
        ("Q2 of", "Q3 of"),
        ("(July to September)", "(October to December)"),
        ("five financial years 2017/18", "four financial years 2018/19"),
        ("to 2021/22", "to 2022/23"),
        ("five financial years 2017/18", "six financial years 2016/17"),
    ):
        wrong = replace(high, text=high.text.replace(old, new))
        assert check_key_point(wrong, s, M, REPORT_QUARTER), new  # type: ignore[arg-type]


def test_a_rising_series_without_seasons_has_no_usual_quarter() -> None:
    """A steady rise makes each year's last quarter its highest: the moving average takes
    the trend out, so no quarter is called the usual highest."""
    points, _ = _seasons([400.0 * 1.03**k for k in range(29)])
    assert points == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=300).map(float)),
        min_size=16,
        max_size=32,
    ),
    season=st.floats(min_value=0.0, max_value=0.5),
)
def test_quarter_seasons_from_series_to_sentence(values: list[float | None], season: float) -> None:
    shaped = [
        None if v is None else round(v * (1 + season * SEASON[k % 4])) for k, v in enumerate(values)
    ]
    s = quarterly(shaped)
    for kp in key_points(s, M):
        assert check_key_point(kp, s, M, REPORT_QUARTER) == (), kp.text
        if kp.kind == "quarter_season":
            event(f"usual {kp.evidence['kind']} quarter told")
            assert kp.evidence["years"] >= MIN_SEASON_YEARS


def test_no_seasonal_pattern_is_rarely_told_as_one() -> None:
    """Trend-free counts with no seasonal pattern, their level wandering (AR 0.8, marginal
    sd 0.08, 100 a quarter, 29 quarters): some quarter is told as the usual highest or
    lowest in about 4% of series (theory for exchangeable quarters: 2 x 1/64 = 3.1%;
    measured in docs/keypoints.md). CI-sized: 600 series."""
    rng = np.random.default_rng(4_242)
    reps = 600
    y = rng.poisson(100 * np.exp(latent_ar1(rng, reps, 29, 0.8, 0.08))).astype(float)
    told = sum(1 for s in as_series(y, "quarter") if quarter_seasons(s, s.periods[-1].label))
    assert told / reps <= 0.07, (told, wilson_upper(told, reps))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    noise=st.lists(st.floats(min_value=-0.08, max_value=0.08), min_size=20, max_size=32),
    strength=st.floats(min_value=0.0, max_value=1.5),
    growth=st.floats(min_value=-0.04, max_value=0.04),
    gap=st.one_of(st.none(), st.integers(min_value=0, max_value=19)),
)
def test_seasonal_series_with_noise_and_gaps_pass_the_checker(
    noise: list[float], strength: float, growth: float, gap: int | None
) -> None:
    """Seasonal series (the seasons of tests/analysis/simulate.py raised to ``strength``),
    with a trend, noise and perhaps a gap: every usual quarter told is the checker's."""
    quarters = [q.q for q in quarterly([0.0] * len(noise)).periods]  # Q1 is April to June
    values: list[float | None] = [
        round(500 * SEASON[q - 1] ** strength * (1 + growth) ** k * (1 + e))
        for k, (q, e) in enumerate(zip(quarters, noise, strict=True))
    ]
    if gap is not None:
        values[gap] = None
    s = quarterly(values)
    told = [kp for kp in key_points(s, M) if kp.kind == "quarter_season"]
    for kp in told:
        event(f"usual {kp.evidence['kind']} quarter told")
        assert check_key_point(kp, s, M, REPORT_QUARTER) == (), kp.text
        # the seasons' own extremes: Q2 highest, Q4 lowest
        if strength >= 1.0:
            assert kp.evidence["quarter"] == (2 if kp.evidence["kind"] == "highest" else 4)
