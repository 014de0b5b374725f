"""Key points from a series through the real engine (no hand-made results)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from planwatch.analysis.engine import analyse_measure
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.periods import Quarter, month_range, quarter_range
from planwatch.plan.models import Measure, SeriesSource

#: The report quarter of the reference update (2023/24 Q1).
REPORT_QUARTER = Quarter(2023, 1)


def quarterly(values: Sequence[float | None], *, suspect: Sequence[int] = ()) -> MeasureSeries:
    """A quarterly series ending at :data:`REPORT_QUARTER`."""
    first = REPORT_QUARTER.shift(-(len(values) - 1))
    periods = quarter_range(first, REPORT_QUARTER)
    return MeasureSeries("m", "quarter", periods, tuple(values), suspect=tuple(suspect))


def monthly(values: Sequence[float | None], *, suspect: Sequence[int] = ()) -> MeasureSeries:
    """A monthly series ending in the last month of :data:`REPORT_QUARTER`."""
    last = REPORT_QUARTER.last_month
    periods = month_range(last.shift(-(len(values) - 1)), last)
    return MeasureSeries("m", "month", periods, tuple(values), suspect=tuple(suspect))


def plan_measure(**kw: Any) -> Measure:
    base: dict[str, Any] = {
        "id": "m",
        "name": "Recorded offences",
        "source": SeriesSource(series="m"),
        "analyses": ("short_term", "extremes"),
    }
    base.update(kw)
    return Measure(**base)


def key_points(series: MeasureSeries, measure: Measure) -> tuple[KeyPoint, ...]:
    analysis = analyse_measure(series, measure, (), REPORT_QUARTER)
    return measure_key_points(analysis, measure, series)


def point(series: MeasureSeries, measure: Measure, kind: str) -> KeyPoint | None:
    return next((kp for kp in key_points(series, measure) if kp.kind == kind), None)
