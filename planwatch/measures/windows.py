"""Totals over windows of time: a quarter, a financial or calendar year, or 12 months.

In: a :class:`~planwatch.measures.series.MeasureSeries` (monthly or quarterly) and a
window (:class:`~planwatch.periods.Rolling12`, :class:`~planwatch.periods.Quarter`,
:class:`~planwatch.periods.FinancialYear` or :class:`~planwatch.periods.CalendarYear`).
Out: a frozen :class:`WindowValue` (the value, how many of the window's periods had
data and whether that is all of them), or ``None`` when the window holds no data.

How a window is combined (docs/methodology.md, "Windows"):

* **Additive units** (:data:`ADDITIVE_UNITS`: counts, rates per 1,000 population and
  money) are **summed**: the 12 months to June 2023 is the sum of its 12 months (or its
  4 quarters). A rate per 1,000 for a period is events / population × 1,000, so with
  the population held fixed the 12-month rate is the sum of the period rates.
* **Proportions** (a series with numerators and denominators) are
  **sum(numerators) / sum(denominators)**, never the mean of the period percentages,
  so a period with many respondents weighs more than one with few. Shown in percent
  when the series unit is ``percent``.
* **Everything else** (hours per person, scores, means) is the **mean** of the
  periods with data.

Suspect values (held out) and gaps are never filled: a window missing any period is
returned with ``complete=False`` and the value over the periods present. Callers that
compare windows must check ``complete`` (a partial sum is not comparable with a full one).

Part years (docs/methodology.md, "Windows"):

* a series the plan says never has some months (``part_year``: a school-year series
  without August) expects only its other months: its 12-month window is whole with 11,
  like for like with the year before, and names the months left out (``left_out``);
* :func:`year_to_date` is the financial year so far ("April to June 2024") against the
  same months a year earlier. It is marked ``partial`` while the year is not over, and
  ``comparable`` only when both spans have every expected period: a year so far is never
  set against a whole year, nor an incomplete span against a complete one;
* a quarter of such a series may cover fewer months than the others (2023/24 Q2, July to
  September, of a series without July and August is of September only): it is like for
  like (:func:`like_for_like`) only with a quarter covering as many months
  (:func:`months_covered`), such as the same quarter of another year, never with one
  covering more or fewer (a one-month quarter is low by construction). A series whose
  quarters of the year cover different numbers of months has :func:`uneven_quarters`.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from planwatch.measures.series import MeasureSeries
from planwatch.periods import (
    FINANCIAL_YEAR_START_MONTH,
    MONTHS_PER_QUARTER,
    MONTHS_PER_YEAR,
    CalendarYear,
    FinancialYear,
    Month,
    Quarter,
    Rolling12,
    month_range,
)

#: Units whose values add up over time (see the module docstring).
ADDITIVE_UNITS = frozenset({"count", "rate_per_1000", "currency"})
#: A proportion in percent is the ratio × 100.
PERCENT = 100.0
#: Distinct (frequency, window) pairs kept by :func:`expected_periods`: a 12-quarter
#: series asks for about 12 rolling windows plus a few years; 4,096 is ample for many
#: series at once and costs well under a megabyte (benchmarks/bench_analysis.py).
EXPECTED_PERIODS_CACHE = 4096
#: Financial quarters in a year.
QUARTERS_PER_YEAR = MONTHS_PER_YEAR // MONTHS_PER_QUARTER
#: Distinct (period, months left out) pairs kept by :func:`months_covered`: a part-year
#: series asks for each of its quarters once or twice per analysis; a few thousand cover
#: many series and cost little.
COVERED_CACHE = 4096


@dataclass(frozen=True)
class MonthSpan:
    """Consecutive months, e.g. April to June 2024 (a year so far)."""

    first: Month
    last: Month

    def months(self) -> tuple[Month, ...]:
        return month_range(self.first, self.last)

    def shift(self, months: int) -> MonthSpan:
        return MonthSpan(self.first.shift(months), self.last.shift(months))

    @property
    def label(self) -> str:
        """``April to June 2024``; ``March 2024`` for one month; years named when they differ."""
        if self.first == self.last:
            return self.last.long_label
        first = (
            calendar.month_name[self.first.month]
            if self.first.year == self.last.year
            else self.first.long_label
        )
        return f"{first} to {self.last.long_label}"


Window = Rolling12 | Quarter | FinancialYear | CalendarYear | MonthSpan
#: The last month of a financial year (March: the month before it starts in April).
YEAR_END_MONTH = (FINANCIAL_YEAR_START_MONTH - 2) % MONTHS_PER_YEAR + 1


@dataclass(frozen=True)
class WindowValue:
    label: str
    value: float
    n_periods_present: int
    n_periods_expected: int
    complete: bool
    #: months of the window the series never has (its ``part_year``), e.g. ("August",)
    left_out: tuple[str, ...] = ()


def months_compared(
    window: Window | Month | Quarter, without: Sequence[int] = ()
) -> tuple[tuple[Month, ...], tuple[Month, ...]]:
    """The months of ``window`` a series that never has the calendar months ``without``
    (the plan's ``part_year``) is told over, and the months it leaves out: the 12 months to
    July 2023 of a school-year series without August are the 11 months from September 2022
    (``left_out``: August 2022). What a statement about the window says it compared."""
    months = window.months()
    return (
        tuple(m for m in months if m.month not in without),
        tuple(m for m in months if m.month in without),
    )


def left_out_names(window: Window | Month | Quarter, without: Sequence[int]) -> tuple[str, ...]:
    """The calendar names of the months of ``window`` left out (``("August",)``), in the
    window's order, each once: :attr:`WindowValue.left_out`."""
    return tuple(
        dict.fromkeys(calendar.month_name[m.month] for m in months_compared(window, without)[1])
    )


@lru_cache(maxsize=COVERED_CACHE)
def _covered(period: Window | Month | Quarter, without: tuple[int, ...]) -> int:
    return len(months_compared(period, without)[0])


def months_covered(period: Window | Month | Quarter, without: Sequence[int] = ()) -> int:
    """How many months of ``period`` a series that never has the calendar months ``without``
    has: 2023/24 Q2 (July to September) of a series without July and August covers one,
    September; a month it never has covers none. Cached: the same quarters recur."""
    return _covered(period, tuple(without))


def like_for_like(
    a: Window | Month | Quarter, b: Window | Month | Quarter, without: Sequence[int] = ()
) -> bool:
    """Whether figures of such a series over ``a`` and ``b`` may be set against each other:
    both cover as many months (:func:`months_covered`). A quarter and the same quarter of
    another year always are; a quarter and the one before it are not when one covers fewer
    months (its figure is low by construction, not by anything that happened)."""
    return months_covered(a, without) == months_covered(b, without)


def quarter_months(q: int) -> tuple[int, ...]:
    """The calendar months (1-12) of financial quarter ``q``: Q1 is April to June."""
    first = FINANCIAL_YEAR_START_MONTH - 1 + (q - 1) * MONTHS_PER_QUARTER
    return tuple((first + k) % MONTHS_PER_YEAR + 1 for k in range(MONTHS_PER_QUARTER))


def uneven_quarters(without: Sequence[int]) -> bool:
    """Whether the quarters of a year of a series that never has the calendar months
    ``without`` cover different numbers of months (among those with any): without August,
    Q2 covers two and the others three; without April, July, October and January, each
    covers two (even). A quarter covering none never has data and is left aside."""
    covered = {
        sum(m not in without for m in quarter_months(q)) for q in range(1, QUARTERS_PER_YEAR + 1)
    }
    return len(covered - {0}) > 1


def window_rule(series: MeasureSeries) -> str:
    """``"sum"``, ``"proportion"`` or ``"mean"``: how :func:`window_total` combines periods."""
    if series.numerators is not None and series.denominators is not None:
        return "proportion"
    if series.unit in ADDITIVE_UNITS:
        return "sum"
    return "mean"


@lru_cache(maxsize=EXPECTED_PERIODS_CACHE)
def expected_periods(
    frequency: str, window: Window, without: tuple[int, ...] = ()
) -> tuple[tuple[Month | Quarter, ...], bool]:
    """The periods of a ``frequency`` series that make up ``window`` and whether they
    cover it exactly; ``without``: calendar months the series never has (not expected).
    Pure and cached: windows and frequencies are hashable and frozen, and the same
    windows are asked for by every series of a run."""
    months = window.months()
    if frequency == "month":
        return tuple(m for m in months if m.month not in without), True
    month_set = set(months)
    quarters: list[Quarter] = []
    for m in months:
        q = m.quarter
        if q not in quarters and all(qm in month_set for qm in q.months()):
            quarters.append(q)
    covered = sum(len(q.months()) for q in quarters) == len(months)
    expected = tuple(q for q in quarters if any(m.month not in without for m in q.months()))
    return expected, covered


def series_periods(
    series: MeasureSeries, window: Window
) -> tuple[tuple[Month | Quarter, ...], bool]:
    """:func:`expected_periods` of ``series`` (its frequency and the months it never has)."""
    return expected_periods(series.frequency, window, series.without_months)


def _combine(rule: str, series: MeasureSeries, indices: Sequence[int]) -> tuple[float, int] | None:
    """The combined value over ``indices`` and how many periods contributed."""
    if rule == "proportion":
        assert series.numerators is not None and series.denominators is not None
        pairs = [
            (n, d)
            for n, d in ((series.numerators[i], series.denominators[i]) for i in indices)
            if n is not None and d is not None
        ]
        total_den = sum(d for _, d in pairs)
        if not pairs or total_den == 0:
            return None
        ratio = sum(n for n, _ in pairs) / total_den
        return (ratio * PERCENT if series.unit == "percent" else ratio), len(pairs)
    values = [v for v in (series.values[i] for i in indices) if v is not None]
    if not values:
        return None
    total = sum(values)
    return (total if rule == "sum" else total / len(values)), len(values)


def _position(series: MeasureSeries) -> dict[Month | Quarter, int]:
    return {p: i for i, p in enumerate(series.periods)}


def _window_total(
    series: MeasureSeries, window: Window, position: dict[Month | Quarter, int]
) -> WindowValue | None:
    expected, covered = series_periods(series, window)
    held = set(series.suspect)
    indices = [i for i in (position.get(p) for p in expected) if i is not None and i not in held]
    combined = _combine(window_rule(series), series, indices)
    if combined is None:
        return None
    value, present = combined
    return WindowValue(
        label=window.label,
        value=value,
        n_periods_present=present,
        n_periods_expected=len(expected),
        complete=covered and present == len(expected),
        left_out=left_out_names(window, series.without_months),
    )


def window_total(series: MeasureSeries, window: Window) -> WindowValue | None:
    """The series combined over ``window`` (rule in the module docstring); ``None`` when no data."""
    return _window_total(series, window, _position(series))


def rolling12(series: MeasureSeries) -> tuple[WindowValue | None, ...]:
    """The 12 months ending at each period of the series, one entry per period."""
    position = _position(series)
    return tuple(_window_total(series, Rolling12.ending(p), position) for p in series.periods)


@dataclass(frozen=True)
class YearToDate:
    """The financial year so far against the same months a year earlier."""

    span: MonthSpan  # April to the latest month with data
    current: WindowValue | None
    previous: WindowValue | None  # the same months a year earlier
    #: the year is not over: the span is part of a year, never to be read as a whole one
    partial: bool
    #: both spans hold every period they should (only then are they compared)
    comparable: bool
    change: float | None  # current - previous, when comparable
    change_pct: float | None  # the change in percent of previous, when comparable and not 0

    @property
    def label(self) -> str:
        """``2024/25 so far (April to June 2024)``, or ``2024/25`` once the year is whole."""
        year = self.span.last.financial_year.label
        return f"{year} so far ({self.span.label})" if self.partial else year


def year_to_date(series: MeasureSeries, latest: Month | Quarter | None = None) -> YearToDate | None:
    """The financial year to ``latest`` (default: the series' latest usable period)
    against the same months a year earlier (module docstring); ``None`` without data."""
    if latest is None:
        usable = series.usable()
        if not usable:
            return None
        latest = usable[-1][1]
    last = latest if isinstance(latest, Month) else latest.last_month
    first = Month(
        last.year if last.month >= FINANCIAL_YEAR_START_MONTH else last.year - 1,
        FINANCIAL_YEAR_START_MONTH,
    )
    span = MonthSpan(first, last)
    position = _position(series)
    current = _window_total(series, span, position)
    previous = _window_total(series, span.shift(-MONTHS_PER_YEAR), position)
    comparable = (
        current is not None
        and previous is not None
        and current.complete
        and previous.complete
        and expected_periods(series.frequency, span, series.without_months)[1]
    )
    change = pct = None
    if comparable:
        assert current is not None and previous is not None
        change = current.value - previous.value
        pct = change / previous.value * PERCENT if previous.value else None
    return YearToDate(
        span=span,
        current=current,
        previous=previous,
        partial=last.month != YEAR_END_MONTH,
        comparable=comparable,
        change=change,
        change_pct=pct,
    )
