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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from planwatch.measures.series import MeasureSeries
from planwatch.periods import CalendarYear, FinancialYear, Month, Quarter, Rolling12

#: Units whose values add up over time (see the module docstring).
ADDITIVE_UNITS = frozenset({"count", "rate_per_1000", "currency"})
#: A proportion in percent is the ratio × 100.
PERCENT = 100.0
#: Distinct (frequency, window) pairs kept by :func:`expected_periods`: a 12-quarter
#: series asks for about 12 rolling windows plus a few years; 4,096 is ample for many
#: series at once and costs well under a megabyte (benchmarks/bench_analysis.py).
EXPECTED_PERIODS_CACHE = 4096

Window = Rolling12 | Quarter | FinancialYear | CalendarYear


@dataclass(frozen=True)
class WindowValue:
    label: str
    value: float
    n_periods_present: int
    n_periods_expected: int
    complete: bool


def window_rule(series: MeasureSeries) -> str:
    """``"sum"``, ``"proportion"`` or ``"mean"``: how :func:`window_total` combines periods."""
    if series.numerators is not None and series.denominators is not None:
        return "proportion"
    if series.unit in ADDITIVE_UNITS:
        return "sum"
    return "mean"


@lru_cache(maxsize=EXPECTED_PERIODS_CACHE)
def expected_periods(frequency: str, window: Window) -> tuple[tuple[Month | Quarter, ...], bool]:
    """The periods of a ``frequency`` series that make up ``window`` and whether they
    cover it exactly. Pure and cached: windows and frequencies are hashable and frozen,
    and the same windows are asked for by every series of a run."""
    months = window.months()
    if frequency == "month":
        return months, True
    month_set = set(months)
    quarters: list[Quarter] = []
    for m in months:
        q = m.quarter
        if q not in quarters and all(qm in month_set for qm in q.months()):
            quarters.append(q)
    covered = sum(len(q.months()) for q in quarters) == len(months)
    return tuple(quarters), covered


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
    expected, covered = expected_periods(series.frequency, window)
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
    )


def window_total(series: MeasureSeries, window: Window) -> WindowValue | None:
    """The series combined over ``window`` (rule in the module docstring); ``None`` when no data."""
    return _window_total(series, window, _position(series))


def rolling12(series: MeasureSeries) -> tuple[WindowValue | None, ...]:
    """The 12 months ending at each period of the series, one entry per period."""
    position = _position(series)
    return tuple(_window_total(series, Rolling12.ending(p), position) for p in series.periods)
