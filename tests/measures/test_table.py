"""The per-measure quarter table behind `planwatch measures`."""

from __future__ import annotations

from measure_frames import measure

from planwatch.measures.series import MeasureSeries
from planwatch.measures.table import quarter_row
from planwatch.periods import Month, Quarter, month_range, quarter_range
from planwatch.plan.models import DataLag


def test_quarter_row_from_a_quarterly_series() -> None:
    periods = quarter_range(Quarter(2021, 1), Quarter(2023, 1))  # 9 quarters, values 1..9
    s = MeasureSeries("m", "quarter", periods, tuple(float(i) for i in range(1, 10)))
    row = quarter_row(s, measure(), Quarter(2023, 1))
    assert row.quarter == row.report_quarter == "2023/24 Q1" and row.lag_quarters == 0
    assert row.value is not None and row.value.value == 9.0
    assert row.previous_quarter is not None and row.previous_quarter.value == 8.0
    assert row.same_quarter_last_year is not None and row.same_quarter_last_year.value == 5.0
    assert (
        row.rolling12 is not None
        and row.rolling12.value == 6 + 7 + 8 + 9
        and row.rolling12.label == "12 months to June 2023"
    )
    assert row.rolling12_previous is not None and row.rolling12_previous.value == 2 + 3 + 4 + 5
    assert row.data_to == "2023/24 Q1"


def test_lagged_data_shows_the_latest_complete_quarter_and_says_so() -> None:
    periods = quarter_range(Quarter(2021, 1), Quarter(2022, 4))
    s = MeasureSeries("m", "quarter", periods, tuple(float(i) for i in range(8)))
    m = measure(data_lag=DataLag(periods=1, note="survey results arrive a quarter late"))
    row = quarter_row(s, m, Quarter(2023, 1))
    assert (row.quarter, row.lag_quarters, row.data_to) == ("2022/23 Q4", 1, "2022/23 Q4")
    assert row.lag_note == "survey results arrive a quarter late"
    assert row.value is not None and row.value.value == 7.0


def test_monthly_series_part_way_through_a_quarter_falls_back_to_the_last_full_quarter() -> None:
    months = month_range(Month(2022, 4), Month(2023, 5))  # to May 2023
    s = MeasureSeries("m", "month", months, tuple(1.0 for _ in months))
    row = quarter_row(s, measure(frequency="month"), Quarter(2023, 1))
    assert (row.quarter, row.data_to, row.lag_quarters) == ("2022/23 Q4", "2023-05", 1)
    assert row.value is not None and row.value.value == 3.0 and row.value.complete


def test_no_data_gives_an_empty_row_for_the_report_quarter() -> None:
    s = MeasureSeries("m", "quarter", (), ())
    row = quarter_row(s, measure(), Quarter(2023, 1))
    assert row.quarter == "2023/24 Q1" and row.value is None and row.data_to is None
