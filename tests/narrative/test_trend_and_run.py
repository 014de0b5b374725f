"""A trend and a run against it, told in one sentence (issue 12): "Although there is a
statistically significant ... upward trend in ..., ... decreased in each of the last two
quarters". From generated series (a trend, then moves against it) to sentence: the joined
sentence passes the claim checker, its run is the one counted here from the series, and
a trend and a run that disagree are never left as two points; made wrong, it is caught."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, key_points, plan_measure, quarterly

from planwatch.formatting import count_word
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.model import KeyPoint

MEASURE = plan_measure(analyses=("trend", "short_term", "extremes"))


def _tail_run(values: list[float]) -> tuple[int, int]:
    """The sign and length of the moves in one direction at the end of ``values``."""
    sign = (values[-1] > values[-2]) - (values[-1] < values[-2])
    n = 0
    for a, b in zip(reversed(values[:-1]), reversed(values[1:]), strict=True):
        if (b > a) - (b < a) != sign:
            break
        n += 1
    return sign, n


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(min_value=16, max_value=36),
    slope=st.sampled_from([-9.0, -6.0, -4.0, 4.0, 6.0, 9.0]),
    wiggle=st.lists(st.integers(min_value=-5, max_value=5), min_size=36, max_size=36),
    back=st.lists(st.integers(min_value=4, max_value=30), min_size=1, max_size=4),
)
def test_a_trend_and_a_run_against_it_are_one_true_sentence(
    n: int, slope: float, wiggle: list[int], back: list[int]
) -> None:
    values = [400.0 + slope * i + wiggle[i] for i in range(n)]
    for step in back:  # moves against the trend at the end
        values.append(values[-1] - (step if slope > 0 else -step))
    series = quarterly(values)
    points = key_points(series, MEASURE)
    kinds = {p.kind: p for p in points}
    trend, run = kinds.get("trend"), kinds.get("run")
    if trend is not None and run is not None and trend.method != "level_step":
        # left apart only when they agree, the run is one move, or the trend's sentence
        # carries a caveat inside it
        assert (
            trend.direction == run.direction
            or int(run.evidence["length"]) < 2
            or ";" in trend.text.partition(". ")[0]
        ), (trend.text, run.text)
    joined: KeyPoint | None = kinds.get("trend_and_run")
    if joined is None:
        event("not joined")
        return
    event("joined")
    assert check_key_point(joined, series, MEASURE, REPORT_QUARTER) == (), joined.text
    sign, length = _tail_run(values)
    assert joined.evidence["run"]["length"] == length >= 2
    way = "upward" if joined.evidence["pct_per_year"] > 0 else "downward"
    assert joined.text.startswith("Although there is a statistically significant ")
    assert f" {way} trend in recorded offences" in joined.text
    assert sign == (-1 if way == "upward" else 1)
    moved = "increased" if sign > 0 else "decreased"
    if length < 4:  # longer runs are told from where they started
        assert (
            f", recorded offences {moved} in each of the last {count_word(length, 'quarter')}"
            in joined.text
        )


def _joined() -> tuple[KeyPoint, MeasureSeries]:
    values = [300.0 + 8 * i + (3 if i % 2 else -3) for i in range(24)] + [470.0, 450.0]
    series = quarterly(values)
    joined = next(p for p in key_points(series, MEASURE) if p.kind == "trend_and_run")
    assert check_key_point(joined, series, MEASURE, REPORT_QUARTER) == (), joined.text
    return joined, series


def test_the_checker_catches_a_wrong_joined_sentence() -> None:
    joined, series = _joined()
    assert "upward trend" in joined.text and "decreased in each of the last two" in joined.text
    wrong = {
        "run": "decreased in each of the last three",
        "direction": "downward trend",
    }
    for kind, words in wrong.items():
        old = "decreased in each of the last two" if kind == "run" else "upward trend"
        made_wrong = replace(joined, text=joined.text.replace(old, words, 1))
        problems = check_key_point(made_wrong, series, MEASURE, REPORT_QUARTER)
        assert kind in {p.kind for p in problems}, made_wrong.text
