"""Small builders shared by the analysis tests."""

from __future__ import annotations

from collections.abc import Sequence

from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Quarter, month_range, quarter_range


def quarterly(
    values: Sequence[float | None],
    first: Quarter = Quarter(2016, 1),
    *,
    suspect: tuple[int, ...] = (),
    unit: str = "count",
    measure_id: str = "m",
) -> MeasureSeries:
    periods = quarter_range(first, first.shift(len(values) - 1))
    return MeasureSeries(measure_id, "quarter", periods, tuple(values), suspect=suspect, unit=unit)


def monthly(
    values: Sequence[float | None],
    first: Month = Month(2019, 4),
    *,
    unit: str = "count",
    measure_id: str = "m",
) -> MeasureSeries:
    periods = month_range(first, first.shift(len(values) - 1))
    return MeasureSeries(measure_id, "month", periods, tuple(values), unit=unit)
