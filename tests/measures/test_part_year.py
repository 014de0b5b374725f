"""Periods that do not cover the whole year: a series that never has some months (declared
in the plan), and the financial year so far against the same months a year earlier."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from measure_frames import frame, measure, row

from planwatch.errors import PlanError
from planwatch.measures.build import build_series
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import (
    MonthSpan,
    rolling12,
    window_total,
    year_to_date,
)
from planwatch.periods import Month, Quarter, Rolling12, month_range
from planwatch.plan.load import parse_plan
from planwatch.plan.models import PartYear

AUGUST = 8


def school_year_rows(years: range, value: float = 10.0) -> list[dict[str, object]]:
    """Monthly rows from April of the first year, with no August ever (schools are shut)."""
    months = month_range(Month(years.start, 4), Month(years.stop, 3))
    return [row(m.year, m.month, value) for m in months if m.month != AUGUST]


def usable(series: MeasureSeries) -> list[Month | Quarter]:
    return [p for _, p, _ in series.usable()]


def test_a_declared_missing_month_leaves_12_month_windows_whole() -> None:
    rows = school_year_rows(range(2022, 2024))
    declared = build_series(
        frame(rows), measure(frequency="month", part_year=PartYear(without=(AUGUST,)))
    )
    window = window_total(declared, Rolling12.ending(Month(2024, 3)))
    assert window is not None and window.complete
    assert (window.value, window.n_periods_expected, window.left_out) == (110.0, 11, ("August",))
    # Undeclared, the same data has a hole each August: no 12-month window is whole.
    plain = build_series(frame(rows), measure(frequency="month"))
    undeclared = window_total(plain, Rolling12.ending(Month(2024, 3)))
    assert undeclared is not None and not undeclared.complete and undeclared.left_out == ()
    assert all(w is None or not w.complete for w in rolling12(plain))


def test_a_declared_missing_month_is_not_a_gap() -> None:
    rows = school_year_rows(range(2022, 2024))
    rows = [r for r in rows if r["period_start"] != date(2023, 5, 1)]  # a real gap
    declared = build_series(
        frame(rows), measure(frequency="month", part_year=PartYear(without=(AUGUST,)))
    )
    assert declared.gaps() == (Month(2023, 5),)
    plain = build_series(frame(rows), measure(frequency="month"))
    assert plain.gaps() == (Month(2022, 8), Month(2023, 5), Month(2023, 8))


def test_like_for_like_year_on_year() -> None:
    rows = school_year_rows(range(2022, 2024))
    series = build_series(
        frame(rows), measure(frequency="month", part_year=PartYear(without=(AUGUST,)))
    )
    this, last = (window_total(series, Rolling12.ending(Month(y, 3))) for y in (2024, 2023))
    assert this is not None and last is not None and this.complete and last.complete
    assert this.n_periods_present == last.n_periods_present == 11


def test_a_quarter_is_whole_without_its_declared_missing_month() -> None:
    rows = school_year_rows(range(2022, 2024))
    declared = build_series(frame(rows), measure(part_year=PartYear(without=(AUGUST,))))
    q2 = Quarter(2022, 2)  # July to September: July and September only
    assert declared.values[declared.periods.index(q2)] == 20.0
    plain = build_series(frame(rows), measure())
    assert plain.periods[0] == Quarter(2022, 1) and q2 not in usable(plain)


def test_a_month_the_plan_does_not_excuse_still_makes_a_quarter_incomplete() -> None:
    rows = [r for r in school_year_rows(range(2022, 2023)) if r["period_start"].month != 9]  # type: ignore[attr-defined]
    series = build_series(frame(rows), measure(part_year=PartYear(without=(AUGUST,))))
    assert Quarter(2022, 2) not in usable(series)


def monthly(start: Month, values: list[float | None], **kw: object) -> MeasureSeries:
    periods = month_range(start, start.shift(len(values) - 1))
    return MeasureSeries("m", "month", periods, tuple(values), **kw)  # type: ignore[arg-type]


def test_the_year_so_far_against_the_same_months_last_year() -> None:
    # April 2023 to June 2024: 2024/25 so far is April to June 2024.
    series = monthly(Month(2023, 4), [10.0] * 12 + [12.0, 13.0, 14.0])
    ytd = year_to_date(series)
    assert ytd is not None and ytd.partial and ytd.comparable
    assert ytd.label == "2024/25 so far (April to June 2024)"
    assert ytd.current is not None and ytd.previous is not None
    assert (ytd.current.value, ytd.previous.value) == (39.0, 30.0)
    assert (ytd.current.label, ytd.previous.label) == ("April to June 2024", "April to June 2023")
    assert ytd.change == 9.0 and ytd.change_pct == pytest.approx(30.0)


def test_a_year_so_far_with_a_gap_a_year_earlier_is_not_compared() -> None:
    values: list[float | None] = [10.0] * 15
    values[1] = None  # May 2023 missing
    ytd = year_to_date(monthly(Month(2023, 4), values))
    assert ytd is not None and ytd.partial and not ytd.comparable
    assert ytd.previous is not None and not ytd.previous.complete
    assert ytd.change is None and ytd.change_pct is None


def test_a_year_so_far_reaching_before_the_series_is_not_compared() -> None:
    ytd = year_to_date(monthly(Month(2024, 4), [5.0, 6.0]))
    assert ytd is not None and ytd.previous is None and not ytd.comparable
    assert ytd.current is not None and ytd.current.value == 11.0 and ytd.current.complete


def test_a_whole_year_is_not_partial() -> None:
    ytd = year_to_date(monthly(Month(2022, 4), [1.0] * 24))
    assert ytd is not None and not ytd.partial and ytd.comparable and ytd.label == "2023/24"


def test_a_quarterly_series_so_far() -> None:
    quarters = (
        Quarter(2023, 1),
        Quarter(2023, 2),
        Quarter(2023, 3),
        Quarter(2023, 4),
        Quarter(2024, 1),
    )
    series = MeasureSeries("m", "quarter", quarters, (1.0, 2.0, 3.0, 4.0, 5.0))
    ytd = year_to_date(series)
    assert ytd is not None and ytd.comparable and ytd.partial
    assert ytd.current is not None and ytd.previous is not None
    assert (ytd.current.value, ytd.previous.value) == (5.0, 1.0)
    # asked for mid-quarter (May 2024): a part of a quarter is never compared
    mid = year_to_date(series, Month(2024, 5))
    assert mid is not None and mid.current is None and not mid.comparable


def test_month_span_labels() -> None:
    assert MonthSpan(Month(2024, 4), Month(2024, 6)).label == "April to June 2024"
    assert MonthSpan(Month(2023, 4), Month(2024, 1)).label == "April 2023 to January 2024"
    assert MonthSpan(Month(2024, 4), Month(2024, 4)).label == "April 2024"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 500).map(float)), min_size=13, max_size=40),
    st.integers(1, 12),
)
def test_a_year_so_far_is_compared_only_when_both_spans_are_whole(
    values: list[float | None], start_month: int
) -> None:
    series = monthly(Month(2021, start_month), values)
    ytd = year_to_date(series)
    if ytd is None:
        assert not series.usable()
        return
    months = ytd.span.months()
    now = [
        series.values[series.index_of(m)] if series.index_of(m) is not None else None
        for m in months
    ]  # type: ignore[index]
    before = [
        series.values[i] if (i := series.index_of(m.shift(-12))) is not None else None
        for m in months
    ]
    whole = all(v is not None for v in now) and all(v is not None for v in before)
    assert ytd.comparable == whole
    if whole:
        assert ytd.change == pytest.approx(sum(now) - sum(before))  # type: ignore[arg-type]
    assert ytd.partial == (ytd.span.last.month != 3)


def test_part_year_in_the_plan() -> None:
    text = """\
metadata: {title: T, organisation: O, area: Anyshire, plan_period: 2024-2028}
measures:
  - id: school_visits
    name: School visits
    frequency: month
    source: {kind: series, series: school_visits}
    part_year: {without: [August, aug], note: Schools are shut in August.}
priorities: [{number: 1, title: P, objective: O, measures: [school_visits]}]
"""
    plan = parse_plan(text)
    part = plan.measure("school_visits").part_year
    assert part is not None and part.without == (AUGUST,)
    with pytest.raises(PlanError, match=r"'Augst' is not a month; expected a month name"):
        parse_plan(text.replace("[August, aug]", "[Augst]"))
