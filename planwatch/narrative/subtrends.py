"""Trends over the sub-periods a plan names (``Measure.trend_windows``).

In: a measure's :class:`~planwatch.measures.series.MeasureSeries` (cut at the latest
period analysed), the plan's :class:`~planwatch.plan.models.Measure` and its events.
Out: one :class:`SubTrend` per window — the window as the plan wrote it, the years it
reaches back when written as "last N years", and the analysis' own trend fit
(:func:`planwatch.analysis.trend.fit_trend`, the same method and significance rule as the
long-term trend, methodology §2) over the periods from the window's start to the latest.

A window is left out when it is no shorter than the long-term trend's own span (the
trend already tells it), when it starts before the series, or when a comparability break
inside it moves the fit's start (its sentence would name a span the plan did not ask
for). Pure: the fit is a function call on the window's periods; nothing is stored.

A window shorter than the trend test supports (:data:`MIN_TREND_SPAN_YEARS`: two years,
two full seasonal cycles, the trend method's own minimum, methodology §2.1; its
false-positive rate at that length is measured in docs/keypoints.md) gets no trend: it
is told as a :class:`SubChange`, the window's first value against its latest, with the
size of the change and no trend claim.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from planwatch.analysis.constants import MIN_CYCLES_FOR_TREND, PERIODS_PER_YEAR
from planwatch.analysis.engine import is_count
from planwatch.analysis.results import TrendResult
from planwatch.analysis.trend import fit_trend
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Quarter, parse_period
from planwatch.plan.models import LAST_YEARS, Event, Measure


@dataclass(frozen=True)
class SubTrend:
    window: str  # as the plan writes it: "2021/22 Q2" or "last 2 years"
    years: int | None  # N of "last N years"; None for a window named by its start
    start_label: str  # the window's first period
    trend: TrendResult


#: The shortest window a trend is told over, in years: the trend method's own minimum of
#: two full seasonal cycles (``MIN_CYCLES_FOR_TREND``; 8 quarters or 24 months,
#: methodology §2.1), the shortest length its critical values are calibrated for.
MIN_TREND_SPAN_YEARS = MIN_CYCLES_FOR_TREND


@dataclass(frozen=True)
class SubChange:
    """A window too short for a trend: its first value against its latest."""

    window: str
    years: int | None
    start_label: str
    last_label: str
    periods: int  # the window's periods, from its start to the latest, gaps included
    first_value: float
    last_value: float


def too_short(periods: int, frequency: str) -> bool:
    """A window of ``periods`` is too short for the trend test (:data:`MIN_TREND_SPAN_YEARS`)."""
    return periods < MIN_TREND_SPAN_YEARS * PERIODS_PER_YEAR[frequency]


def short_windows(
    series: MeasureSeries, measure: Measure, latest_label: str
) -> tuple[SubChange, ...]:
    """Each of the plan's windows too short for a trend (:func:`too_short`) whose first
    and latest periods both have data, as its change."""
    if latest_label not in series.labels:
        return ()
    last = series.labels.index(latest_label)
    latest = series.periods[last]
    values = {p.label: v for i, p, v in series.usable() if i <= last}
    out: list[SubChange] = []
    for window in measure.trend_windows:
        start = window_start(window, latest, measure.frequency)
        periods = latest.index - start.index + 1
        if periods < 2 or not too_short(periods, measure.frequency):
            continue
        if start.label not in values or latest_label not in values:
            continue
        found = LAST_YEARS.fullmatch(window)
        years = int(found.group(1)) if found is not None else None
        out.append(
            SubChange(
                window,
                years,
                start.label,
                latest_label,
                periods,
                values[start.label],
                values[latest_label],
            )
        )
    return tuple(out)


def window_start(window: str, latest: Month | Quarter, frequency: str) -> Month | Quarter:
    """The first period of a window ending at ``latest``: ``last 2 years`` to 2023/24 Q1
    starts at 2021/22 Q2 (eight quarters); a start period is itself."""
    found = LAST_YEARS.fullmatch(window)
    if found is not None:
        return latest.shift(-(int(found.group(1)) * PERIODS_PER_YEAR[frequency] - 1))
    period = parse_period(window)
    assert isinstance(period, Month | Quarter)  # the plan's validator guarantees it
    return period


def window_series(series: MeasureSeries, first: int, last: int) -> MeasureSeries:
    """The periods ``first`` to ``last`` (indices, inclusive) of ``series``."""

    def cut(values: tuple[float | None, ...] | None) -> tuple[float | None, ...] | None:
        return None if values is None else values[first : last + 1]

    return dataclasses.replace(
        series,
        periods=series.periods[first : last + 1],
        values=series.values[first : last + 1],
        numerators=cut(series.numerators),
        denominators=cut(series.denominators),
        suspect=tuple(i - first for i in series.suspect if first <= i <= last),
    )


def sub_trends(
    series: MeasureSeries,
    measure: Measure,
    latest_label: str,
    events: Sequence[Event] = (),
    *,
    whole: TrendResult | None = None,
) -> tuple[SubTrend, ...]:
    """The trend over each of the plan's windows to ``latest_label`` (rules in the module
    docstring); ``whole``: the long-term trend, whose span a window must be shorter than."""
    if latest_label not in series.labels:
        return ()
    last = series.labels.index(latest_label)
    latest = series.periods[last]
    whole_n = None if whole is None else whole.n_periods
    out: list[SubTrend] = []
    for window in measure.trend_windows:
        start = window_start(window, latest, measure.frequency)
        if start not in series.periods or start.index >= latest.index:
            continue
        if too_short(latest.index - start.index + 1, measure.frequency):
            continue  # told as its change (short_windows), not as a trend
        first = series.periods.index(start)
        part = window_series(series, first, last)
        if whole_n is not None and len(part.usable()) >= whole_n:
            continue  # the long-term trend is this window's trend
        try:
            fitted = fit_trend(part, count=is_count(measure), events=events)
        except OverflowError:
            # a window that falls to all zeros (1, 1, 1, 1, 0, 0, 0, 0) has no finite slope:
            # the fit's % a year overflows (reported to the analysis); no sentence for it
            continue
        if fitted.method == "insufficient_data" or fitted.first_label != start.label:
            continue
        found = LAST_YEARS.fullmatch(window)
        years = int(found.group(1)) if found is not None else None
        out.append(SubTrend(window, years, start.label, fitted))
    return tuple(out)
