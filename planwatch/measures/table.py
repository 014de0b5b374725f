"""One row per measure for a quarter: the figures behind ``planwatch measures``.

In: a measure's :class:`~planwatch.measures.series.MeasureSeries`, its plan
:class:`~planwatch.plan.models.Measure` and the report quarter.
Out: a frozen :class:`QuarterRow`: the value for the quarter, the previous quarter,
the same quarter last year, the 12 months to the quarter's end and the 12 months
before that (each a :class:`~planwatch.measures.windows.WindowValue`), and how far the
data lags behind the report quarter.

When the latest data stops before the report quarter (survey results arrive a
quarter late, say), the row is shown for the **latest quarter with complete data**
and says so (``quarter`` differs from ``report_quarter``, ``lag_quarters`` > 0):
planwatch never shows an empty quarter as if it were a figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import WindowValue, window_total
from planwatch.periods import Month, Quarter, Rolling12
from planwatch.plan.models import Measure


@dataclass(frozen=True)
class QuarterRow:
    measure_id: str
    name: str
    unit: str
    decimals: int
    report_quarter: str
    quarter: str  # the quarter the figures are for (earlier than report_quarter when the data lags)
    value: WindowValue | None
    previous_quarter: WindowValue | None
    same_quarter_last_year: WindowValue | None
    rolling12: WindowValue | None
    rolling12_previous: WindowValue | None
    data_to: str | None  # label of the latest period with data, on or before the report quarter
    lag_quarters: int
    lag_note: str | None  # the plan's explanation of a known lag


def latest_period(series: MeasureSeries, quarter: Quarter) -> Month | Quarter | None:
    """The latest period with a usable value that ends by the end of ``quarter``."""
    last_month = quarter.last_month
    candidates = [
        p
        for _, p, _ in series.usable()
        if (p if isinstance(p, Month) else p.last_month) <= last_month
    ]
    return candidates[-1] if candidates else None


def effective_quarter(series: MeasureSeries, quarter: Quarter) -> Quarter:
    """The latest quarter, up to ``quarter``, whose data is all in (see module docstring)."""
    latest = latest_period(series, quarter)
    if latest is None:
        return quarter
    if isinstance(latest, Quarter):
        return latest
    return latest.quarter if latest == latest.quarter.last_month else latest.quarter.previous


def quarter_row(series: MeasureSeries, measure: Measure, quarter: Quarter) -> QuarterRow:
    shown = effective_quarter(series, quarter)
    latest = latest_period(series, quarter)
    window = Rolling12.ending(shown)
    return QuarterRow(
        measure_id=measure.id,
        name=measure.name,
        unit=measure.unit,
        decimals=measure.decimals,
        report_quarter=quarter.label,
        quarter=shown.label,
        value=window_total(series, shown),
        previous_quarter=window_total(series, shown.previous),
        same_quarter_last_year=window_total(series, shown.same_quarter_last_year),
        rolling12=window_total(series, window),
        rolling12_previous=window_total(series, window.previous),
        data_to=latest.label if latest is not None else None,
        lag_quarters=quarter.index - shown.index,
        lag_note=measure.data_lag.note if measure.data_lag is not None else None,
    )
