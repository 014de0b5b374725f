"""A monthly measure's seasonal pattern against its own previous year (issue 12): property
tests from generated series to sentence, checked by the independent claim checker, the
correlation re-computed here by hand, and the checker's refusals of sentences made wrong."""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import pairwise

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, monthly, plan_measure, quarterly

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.plan.models import Measure

MEASURE = plan_measure(frequency="month", analyses=("short_term",))
WORDS = {
    "followed much the same": (0.5, 1.0),
    "partly followed the": (0.3, 0.5),
    "did not closely follow the": (-0.3, 0.3),
    "moved against the": (-1.0, -0.3),
}


def _points(s: MeasureSeries, m: Measure = MEASURE) -> tuple[KeyPoint, ...]:
    return measure_key_points(analyse_measure(s, m, (), REPORT_QUARTER), m, s)


def _by_hand(values: list[float]) -> float:
    logs = [math.log(v) for v in values[-25:]]
    moves = [b - a for a, b in pairwise(logs)]
    x, y = moves[12:], moves[:12]
    mx, my = sum(x) / 12, sum(y) / 12
    cov = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return cov / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    season=st.lists(st.floats(min_value=-0.5, max_value=0.5), min_size=12, max_size=12),
    latest=st.one_of(
        st.none(), st.lists(st.floats(min_value=-0.5, max_value=0.5), min_size=12, max_size=12)
    ),
    noise=st.lists(st.floats(min_value=-1, max_value=1), min_size=25, max_size=40),
    scale=st.sampled_from([0.0, 0.05, 0.3]),
    base=st.integers(min_value=0, max_value=2000) | st.integers(min_value=50, max_value=2000),
)
def test_the_seasonal_sentence_is_true_of_the_series(
    season: list[float], latest: list[float] | None, noise: list[float], scale: float, base: int
) -> None:
    # the same season every year, or (``latest``) another one in the last year
    last_year = len(noise) - 13
    values = [
        max(
            0.0,
            round(
                base
                * math.exp((latest if latest and k >= last_year else season)[k % 12] + scale * e)
            ),
        )
        for k, e in enumerate(noise)
    ]
    s = monthly(values)
    points = _points(s)
    told = [p for p in points if p.kind == "seasonal"]
    for kp in told:
        assert check_key_point(kp, s, MEASURE, REPORT_QUARTER) == (), kp.text
    usable = len(values) >= 25 and min(values[-25:]) > 0
    if not told:
        assert not usable or len({round(v, 9) for v in values[-25:]}) <= 2
        return
    (kp,) = told
    assert usable
    r = _by_hand(values)
    assert math.isclose(kp.evidence["correlation"], r, abs_tol=1e-9)
    (words,) = [w for w in WORDS if w in kp.text]
    low, high = WORDS[words]
    event(words)
    assert low <= round(r, 12) <= high
    assert kp.significant is None and "significant" not in kp.text


def test_a_quarterly_measure_has_no_seasonal_sentence() -> None:
    m = plan_measure(analyses=("short_term",))
    s = quarterly([100.0 + 10 * (k % 4) + k for k in range(29)])
    assert not [p for p in _points(s, m) if p.kind == "seasonal"]


def _told() -> tuple[MeasureSeries, KeyPoint]:
    shape = [1.0, 0.9, 1.1, 1.2, 1.3, 1.25, 1.0, 0.95, 0.9, 0.85, 0.8, 1.05]
    s = monthly([round(100 * shape[k % 12] * (1 + 0.01 * k)) for k in range(30)])
    (kp,) = [p for p in _points(s) if p.kind == "seasonal"]
    return s, kp


def test_a_repeated_season_follows_the_year_before() -> None:
    s, kp = _told()
    assert check_key_point(kp, s, MEASURE, REPORT_QUARTER) == ()
    assert "followed much the same seasonal pattern as the year before" in kp.text
    assert "in the 12 months to June 2023" in kp.text


def test_the_checker_refuses_the_seasonal_sentence_made_wrong() -> None:
    s, kp = _told()

    def refused(text: str) -> set[str]:
        return {p.kind for p in check_key_point(replace(kp, text=text), s, MEASURE, REPORT_QUARTER)}

    r = kp.text.split("correlation of ")[1].split(" ")[0]
    assert "value" in refused(kp.text.replace(f"correlation of {r}", "correlation of 0.10"))
    wrong_words = kp.text.replace(
        "followed much the same seasonal pattern as",
        "did not closely follow the seasonal pattern of",
    )
    assert "size" in refused(wrong_words)
    assert "period" in refused(kp.text.replace("June 2023", "May 2023"))
    gappy = monthly([*s.values[:20], None, *s.values[21:]])
    assert check_key_point(kp, gappy, MEASURE, REPORT_QUARTER) != ()
