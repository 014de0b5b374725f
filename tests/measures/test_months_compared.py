"""What a window of a part-year series is of (issue 13): the months compared and the months
left out, as every statement about the window says (measures/windows.months_compared)."""

from __future__ import annotations

import calendar

from hypothesis import given, settings
from hypothesis import strategies as st

from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import (
    MonthSpan,
    left_out_names,
    months_compared,
    window_total,
)
from planwatch.periods import CalendarYear, Month, Quarter, Rolling12, month_range

AUGUST = 8


def test_the_12_months_to_july_of_a_school_year_series() -> None:
    window = Rolling12(Month(2023, 7))
    compared, left_out = months_compared(window, (AUGUST,))
    assert left_out == (Month(2022, 8),)
    assert compared == tuple(m for m in window.months() if m != Month(2022, 8))
    assert len(compared) == 11 and left_out_names(window, (AUGUST,)) == ("August",)


def test_a_quarter_a_year_and_a_span() -> None:
    assert months_compared(Quarter(2023, 2), (AUGUST,)) == (
        (Month(2023, 7), Month(2023, 9)),
        (Month(2023, 8),),
    )
    assert months_compared(Quarter(2023, 1), (AUGUST,))[1] == ()
    assert len(months_compared(CalendarYear(2022), (7, AUGUST))[0]) == 10
    span = MonthSpan(Month(2023, 4), Month(2023, 9))
    assert left_out_names(span, (9, AUGUST)) == ("August", "September")  # the window's order


windows = st.one_of(
    st.builds(lambda i: Rolling12(Month.from_index(i)), st.integers(24_000, 24_400)),
    st.builds(Quarter, st.integers(2010, 2030), st.integers(1, 4)),
    st.builds(CalendarYear, st.integers(2010, 2030)),
)


@settings(max_examples=200, deadline=None)
@given(windows, st.sets(st.integers(1, 12), max_size=11).map(lambda s: tuple(sorted(s))))
def test_the_months_compared_and_left_out_make_up_the_window(
    window: Rolling12 | Quarter | CalendarYear, without: tuple[int, ...]
) -> None:
    compared, left_out = months_compared(window, without)
    assert sorted(compared + left_out) == list(window.months())
    assert all(m.month not in without for m in compared)
    assert all(m.month in without for m in left_out)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 500), min_size=24, max_size=36),
    st.sets(st.integers(1, 12), min_size=1, max_size=3).map(lambda s: tuple(sorted(s))),
)
def test_a_window_total_is_the_sum_over_the_months_it_compared(
    values: list[int], without: tuple[int, ...]
) -> None:
    """The window the report's sentence names: its ``left_out`` are the months it never had,
    and its value is the sum over the others, every one of them counted."""
    periods = month_range(Month(2021, 1), Month(2021, 1).shift(len(values) - 1))
    kept = tuple(
        None if p.month in without else float(v) for p, v in zip(periods, values, strict=True)
    )
    series = MeasureSeries("m", "month", periods, kept, without_months=without)
    window = Rolling12(periods[-1])
    total = window_total(series, window)
    compared, _ = months_compared(window, without)
    assert total is not None and total.complete
    names = [calendar.month_name[m.month] for m in window.months() if m.month in without]
    assert total.left_out == left_out_names(window, without) == tuple(dict.fromkeys(names))
    assert total.n_periods_expected == total.n_periods_present == len(compared)
    assert total.value == sum(kept[periods.index(m)] or 0.0 for m in compared)
