"""From a series to its sentences through the real engine, each sentence re-checked by the
independent claim checker (planwatch.narrative.checker)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from series_built import key_points, monthly, plan_measure, point, quarterly

from planwatch.formatting import value
from planwatch.narrative.checker import check_key_point

MEASURE = plan_measure()


def test_a_run_that_follows_another_run_is_counted_in_full() -> None:
    """Rose twice, then fell three quarters in a row: the old template said it
    "decreased in 2023/24 Q1, after two consecutive increases"."""
    series = quarterly([100, 110, 120, 115, 108, 101])
    run = point(series, MEASURE, "run")
    assert run is not None
    assert run.text == (
        "Recorded offences decreased in each of the last three quarters, to 2023/24 Q1, "
        "after two consecutive increases."
    )
    assert check_key_point(run, series, MEASURE) == ()


def test_a_single_move_that_breaks_a_run_says_so() -> None:
    series = quarterly([100, 90, 80, 70, 75])
    run = point(series, MEASURE, "run")
    assert run is not None and run.text == (
        "Recorded offences increased in 2023/24 Q1, after three consecutive decreases."
    )


def test_on_record_counts_every_period_with_data() -> None:
    """A series of 29 quarters whose latest is the lowest: "all 29", not "all 28"."""
    series = quarterly([200 - i for i in range(29)])
    extreme = point(series, MEASURE, "extreme")
    assert extreme is not None and "is the lowest of all 29 quarters in the series" in extreme.text
    assert check_key_point(extreme, series, MEASURE) == ()


def test_measure_names_keep_their_capitals_in_a_sentence() -> None:
    m = plan_measure(name="All Crime Harm", unit="score")
    series = quarterly([100, 110, 120, 130])
    text = " ".join(kp.text for kp in key_points(series, m))
    assert "All Crime Harm" in text and "all Crime Harm" not in text


counts = st.integers(min_value=0, max_value=60)
large = st.integers(min_value=0, max_value=200_000)
values = st.one_of(
    st.lists(counts, min_size=3, max_size=32),  # low counts, zeros and many ties
    st.lists(large, min_size=3, max_size=32),
    st.lists(st.sampled_from([5, 6, 7]), min_size=3, max_size=32),  # runs and ties
)


@st.composite
def series_with_gaps(draw: st.DrawFn) -> tuple[list[float | None], list[int]]:
    xs: list[float | None] = [float(v) for v in draw(values)]
    gaps = draw(st.sets(st.integers(0, len(xs) - 2), max_size=2))
    for i in gaps:
        xs[i] = None
    held = draw(st.sets(st.integers(0, len(xs) - 1), max_size=1))  # a value held out as suspect
    return xs, sorted(held - gaps)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    series_with_gaps(),
    st.sampled_from(["count", "number", "percent"]),
    st.integers(0, 2),
    st.sampled_from(["quarter", "month"]),
)
def test_every_sentence_from_a_series_is_true(
    drawn: tuple[list[float | None], list[int]], unit: str, decimals: int, frequency: str
) -> None:
    xs, suspect = drawn
    m = plan_measure(unit=unit, decimals=decimals, frequency=frequency)
    if unit == "percent":
        xs = [None if v is None else min(v, 100.0) for v in xs]
    series = (quarterly if frequency == "quarter" else monthly)(xs, suspect=suspect)
    for kp in key_points(series, m):
        assert check_key_point(kp, series, m) == (), kp.text


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 500), min_size=2, max_size=8),
    st.lists(st.integers(1, 500), min_size=2, max_size=8).map(sorted),
)
def test_runs_from_series_are_the_runs_in_the_series(head: list[int], rising: list[int]) -> None:
    """Any series ending in a strictly rising stretch: the run sentence counts it exactly."""
    tail = [r + i for i, r in enumerate(rising)]  # strictly rising
    series = quarterly([*head, *tail])
    run = point(series, MEASURE, "run")
    for kp in key_points(series, MEASURE):
        assert check_key_point(kp, series, MEASURE) == (), kp.text
    if len(tail) >= 3:  # at least two rises in a row end the series
        assert run is not None
        assert "increased in each of the last" in run.text or "have risen in each" in run.text


def test_percentage_point_changes_keep_the_measures_decimals() -> None:
    """The reference update's fall from 0.98% to 0.00%: the old sentence said "1.0 percentage point"."""
    m = plan_measure(unit="percent", decimals=2, name="Share of calls abandoned")
    series = quarterly([1.20, 0.98, 0.00])
    change = point(series, m, "change_previous")
    assert change is not None
    assert "decreased by 0.98 percentage points to 0.00% in 2023/24 Q1, from 0.98%" in change.text
    assert check_key_point(change, series, m) == ()


def test_small_changes_that_no_test_shows_remain_stable() -> None:
    series = quarterly([1000, 1010, 990, 1003, 1000, 1004])  # 0.4% on both comparisons
    joined = point(series, MEASURE, "changes")
    assert joined is not None and joined.text.startswith(
        "Recorded offences remained stable at 1,004 in 2023/24 Q1, compared with 2022/23 Q1 "
        "(1,010; 0.6% lower) and 2022/23 Q4 (1,000; 0.4% higher)"
    )
    assert check_key_point(joined, series, MEASURE) == ()


def test_headcounts_say_how_many_more_or_fewer() -> None:
    m = plan_measure(name="Special Constables", unit="number")
    series = quarterly([330, 320, 308, 303, 301, 297])
    joined = point(series, m, "changes")
    assert joined is not None and joined.text == (
        "There are currently 297 Special Constables (2023/24 Q1), 23 fewer than in 2022/23 Q1 "
        "(320) and four fewer than in 2022/23 Q4 (301)."
    )
    assert check_key_point(joined, series, m) == ()


def test_a_long_run_is_told_from_where_it_started() -> None:
    """The reference's "has fallen each quarter since 2021/22 Q2": seven falls in a row."""
    series = quarterly([100, 104, 108, 112, 111, 109, 107, 104, 101, 99, 96])
    run = point(series, MEASURE, "run")
    assert run is not None and run.text == (
        "Recorded offences have fallen in each quarter since 2021/22 Q2, seven quarters in a row "
        "to 2023/24 Q1, after three consecutive increases."
    )
    assert check_key_point(run, series, MEASURE) == ()
    wrong = run.__class__(**{**run.__dict__, "text": run.text.replace("2021/22 Q2", "2021/22 Q3")})
    assert [p.kind for p in check_key_point(wrong, series, MEASURE)] == ["run"]


def test_an_extreme_that_reaches_back_years_is_told_in_years() -> None:
    """ "The lowest for seven years": every quarter of the seven years before was higher."""
    values = [150.0, 140, 130, 120, 80] + [120.0 + (i % 3) for i in range(27)] + [85]
    series = quarterly(values)
    extreme = point(series, MEASURE, "extreme")
    assert extreme is not None
    assert extreme.text.endswith("is the lowest for seven years (since 2016/17 Q1).")
    assert check_key_point(extreme, series, MEASURE) == ()
    six = extreme.text.replace("seven years", "six years")
    wrong = extreme.__class__(**{**extreme.__dict__, "text": six})
    assert [p.kind for p in check_key_point(wrong, series, MEASURE)] == ["extreme"]


def test_sentence_and_table_round_the_same() -> None:
    """Fails on the old code: the sentence rounded half to even ("1,234") where the table
    under it rounded half away from zero ("1,235")."""
    m = plan_measure(unit="score")
    series = quarterly([1000.0, 1100.0, 1150.0, 1200.0, 1210.0, 1234.5])
    joined = point(series, m, "changes")
    assert joined is not None
    assert f"stood at {value(1234.5, 'score')} in 2023/24 Q1" in joined.text
    assert "stood at 1,235 in 2023/24 Q1" in joined.text
