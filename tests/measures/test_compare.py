"""Variance tables and percentage-point differences, with the reference's sickness figures."""

from __future__ import annotations

import pytest

from planwatch.errors import AnalysisError
from planwatch.measures.compare import difference_pp, month_by_month
from planwatch.measures.series import MeasureSeries
from planwatch.periods import FinancialYear, Month, Quarter, month_range

# Average hours lost per person to sickness, 2022/23 and Apr-Jun 2023 (reference update, Priority 11).
OFFICERS_2022 = [6.08, 5.46, 5.73, 6.91, 6.10, 5.96, 6.62, 6.96, 8.87, 6.35, 5.98, 5.53]
OFFICERS_2023 = [4.98, 5.18, 5.35]
STAFF_2022 = [5.05, 4.42, 5.34, 6.33, 4.62, 4.24, 6.04, 5.54, 6.85, 5.53, 5.24, 5.73]
STAFF_2023 = [4.40, 4.84, 5.17]


def sickness(values: list[float], suspect: tuple[int, ...] = ()) -> MeasureSeries:
    periods = month_range(Month(2022, 4), Month(2022, 4).shift(len(values) - 1))
    return MeasureSeries("sickness", "month", periods, tuple(values), suspect=suspect, unit="hours")


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (OFFICERS_2022, OFFICERS_2023, [-1.10, -0.28, -0.38]),
        (STAFF_2022, STAFF_2023, [-0.65, 0.42, -0.17]),
    ],
)
def test_variance_row_matches_the_reference_figures(
    previous: list[float], current: list[float], expected: list[float]
) -> None:
    row = month_by_month(sickness(previous + current), FinancialYear(2023))
    assert row.label == "2023/24 variance to 2022/23"
    assert row.months[:3] == ("Apr", "May", "Jun") and row.months[-1] == "Mar"
    assert [round(v, 2) for v in row.variance[:3] if v is not None] == expected
    assert row.current[:3] == tuple(current) and row.previous == tuple(previous)


def test_months_without_data_this_year_are_blank_not_zero() -> None:
    row = month_by_month(sickness(OFFICERS_2022 + OFFICERS_2023), FinancialYear(2023))
    assert row.variance[3:] == (None,) * 9
    assert row.current[3:] == (None,) * 9


def test_suspect_values_are_held_out_of_the_variance() -> None:
    row = month_by_month(
        sickness(OFFICERS_2022 + OFFICERS_2023, suspect=(12,)), FinancialYear(2023)
    )
    assert row.variance[0] is None and row.variance[1] is not None


def test_quarterly_series_has_no_month_by_month_table() -> None:
    s = MeasureSeries("q", "quarter", (Quarter(2023, 1),), (1.0,))
    with pytest.raises(AnalysisError, match="needs monthly data"):
        month_by_month(s, FinancialYear(2023))


def test_percentage_point_difference() -> None:
    assert difference_pp(4.10, 4.28) == pytest.approx(-0.18)
    assert difference_pp(11.21, None) is None
