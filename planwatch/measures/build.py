"""Build a measure's series from the rows the store selected for it.

In: a pandas DataFrame shaped like the output of
``planwatch.store.selectors.measure_frame``, or the same columns as plain lists by name
(``planwatch.store.selectors.measure_rows``, which the analysis reads without pandas) — columns ``period_start`` (date, the first
day of the period), ``frequency`` (``month`` | ``quarter``), ``area``, ``category``
(offence code, crime type or series name), ``value``, ``numerator``, ``denominator``
and ``status`` (``ok`` | ``suspect`` | ``confirmed``) — and the plan's
:class:`~planwatch.plan.models.Measure`.
Out: a frozen :class:`~planwatch.measures.series.MeasureSeries` at the measure's
frequency (docs/methodology.md, "Building a series"):

* rows are combined per period by the measure's aggregation: ``sum`` (counts),
  ``harm_weighted`` (each count × its category's offence weight, summed),
  ``rate_per_1000`` (counts ÷ population × 1,000), ``proportion`` (Σ numerators ÷
  Σ denominators, in percent when the unit is ``percent``), ``mean`` (mean of the rows)
  and ``last`` (the rows of the latest month in the period: a stock such as headcount);
* monthly rows are gathered into financial quarters when the measure is quarterly; a
  quarter missing any month is a gap unless ``partial_quarters=True`` — except a month
  the plan's ``part_year`` says the series never has (a quarter of a school-year series
  is whole without August, and the same months make it up every year);
* the axis runs from ``measure.series_start`` (or the first data) to the latest period
  with data on or before ``end``, with ``None`` for every gap: nothing is interpolated;
* a period with any row marked ``suspect`` keeps its value (charts show it) but its
  index is listed in ``suspect`` and every analysis leaves it out until confirmed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from planwatch.errors import AnalysisError
from planwatch.frames import MEASURE_FRAME_COLUMNS
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import ADDITIVE_UNITS, PERCENT
from planwatch.periods import Month, Quarter, month_range, quarter_range
from planwatch.plan.models import Measure

FRAME_COLUMNS = MEASURE_FRAME_COLUMNS
#: Rates are per 1,000 population (Home Office convention for crime rates).
RATE_PER = 1000.0
SUSPECT = "suspect"

if TYPE_CHECKING:  # a frame is one of two inputs: pandas is not imported for the other
    import pandas as pd

Period = Month | Quarter
#: The rows as plain columns by name (``planwatch.store.selectors.measure_rows``).
Columns = Mapping[str, Sequence[Any]]


def _columns(frame: pd.DataFrame | Columns, measure: Measure) -> dict[str, list[Any]]:
    """The frame's columns as lists (``tolist`` gives the values iteration gives, many
    times faster); the error names the columns it lacks."""
    names = frame.keys() if isinstance(frame, Mapping) else frame.columns
    missing = [c for c in FRAME_COLUMNS if c not in names]
    if missing:
        raise AnalysisError(
            f"the data for measure '{measure.id}' lacks column(s) {', '.join(missing)}",
            expected="columns " + ", ".join(FRAME_COLUMNS),
        )
    if isinstance(frame, Mapping):
        return {c: list(frame[c]) for c in FRAME_COLUMNS}
    return {c: frame[c].tolist() for c in FRAME_COLUMNS}


def _as_date(value: Any) -> date:
    if isinstance(value, date):  # pd.Timestamp is a datetime, hence a date
        return date(value.year, value.month, value.day)
    import pandas as pd  # any other form of a date (a string, numpy's datetime64)

    stamp = pd.Timestamp(value)
    return date(stamp.year, stamp.month, stamp.day)


def _index(period: Period) -> int:
    return period.index


#: Distinct (period start, frequency) pairs whose periods are kept across measures (a
#: national plan's hundreds of measures share the same few hundred periods).
ROW_PERIODS_KEPT = 4096


@lru_cache(maxsize=ROW_PERIODS_KEPT)
def _period_at(start: Any, frequency: str) -> Period | None:
    """The month or quarter a row starting at ``start`` is for (``None``: not a frequency)."""
    d = _as_date(start)
    month = Month(d.year, d.month)
    if frequency == "month":
        return month
    if frequency == "quarter":
        return month.quarter
    return None


def _row_period(start: Any, frequency: str, measure: Measure) -> Period:
    period = _period_at(start, frequency)
    if period is None:
        raise AnalysisError(
            f"measure '{measure.id}' has a row with frequency '{frequency}'",
            expected="'month' or 'quarter'",
        )
    return period


def _target(period: Period, measure: Measure) -> Period:
    if measure.frequency == "quarter":
        return period.quarter if isinstance(period, Month) else period
    if isinstance(period, Quarter):
        raise AnalysisError(
            f"measure '{measure.id}' is monthly but its data for {period.label} is quarterly",
            expected="monthly data, or 'frequency: quarter' in the plan",
        )
    return period


def _weight_of(
    weights: Mapping[str, float] | None, measure: Measure, categories: set[str]
) -> Mapping[str, float]:
    if weights is None:
        raise AnalysisError(
            f"measure '{measure.id}' is harm-weighted but no offence weights were loaded",
            expected="a weights lookup (ingest the crime severity weights)",
        )
    missing = sorted(c for c in categories if c not in weights)
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise AnalysisError(
            f"measure '{measure.id}': no harm weight for categor{'y' if len(missing) == 1 else 'ies'} {shown}",
            expected="a weight for every offence in the measure",
        )
    return weights


class _Row(NamedTuple):  # a tuple: thousands are made per run
    source: Period  # the period the row is for (a month, or a quarter for quarterly rows)
    area: str
    value: float | None  # weighted already for harm-weighted measures
    numerator: float | None
    denominator: float | None
    suspect: bool


def _number(value: Any) -> float | None:
    if value is None:  # a NULL in the store's plain rows (NaN in a frame)
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _prepare(
    frame: dict[str, list[Any]], measure: Measure, weights: Mapping[str, float] | None
) -> dict[Period, list[_Row]]:
    """The data rows grouped by the series period they fall in (plain Python: a measure
    has hundreds to a few thousand rows, where pandas' per-group overhead dominates)."""
    categories = [str(c) for c in frame["category"]]
    lookup = (
        _weight_of(weights, measure, set(categories))
        if measure.aggregation == "harm_weighted"
        else None
    )
    periods: dict[tuple[Any, Any], tuple[Period, Period]] = {}  # (source, target)
    groups: dict[Period, list[_Row]] = {}
    columns = zip(
        frame["period_start"],
        frame["frequency"],
        frame["area"],
        categories,
        frame["value"],
        frame["numerator"],
        frame["denominator"],
        frame["status"],
        strict=True,
    )
    for start, frequency, area, category, value, num, den, status in columns:
        known = periods.get((start, frequency))
        if known is None:
            period = _row_period(start, str(frequency), measure)
            known = periods[(start, frequency)] = (period, _target(period, measure))
        source, target = known
        weighted = _number(value)
        if lookup is not None and weighted is not None:
            weighted *= lookup[category]
        row = _Row(source, str(area), weighted, _number(num), _number(den), status == SUSPECT)
        groups.setdefault(target, []).append(row)
    return groups


def _population(
    rows: list[_Row], population: float | Mapping[Period, float] | None, period: Period
) -> float | None:
    if isinstance(population, int | float):
        return float(population)
    if population is not None:
        return population.get(period)
    # From the rows: one population per area and month (repeated across categories).
    by_area: dict[tuple[Period, str], float] = {}
    for r in rows:
        if r.denominator is not None:
            key = (r.source, r.area)
            by_area[key] = max(by_area.get(key, r.denominator), r.denominator)
    if not by_area:
        return None
    per_source: dict[Period, float] = {}
    for (source, _), pop in by_area.items():
        per_source[source] = per_source.get(source, 0.0) + pop
    return sum(per_source.values()) / len(per_source)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _combine(
    rows: list[_Row],
    measure: Measure,
    period: Period,
    population: float | Mapping[Period, float] | None,
) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) for one target period."""
    agg = measure.aggregation
    values = [r.value for r in rows if r.value is not None]
    if agg == "proportion":
        pairs = [
            (r.numerator, r.denominator)
            for r in rows
            if r.numerator is not None and r.denominator is not None
        ]
        den = sum(d for _, d in pairs)
        if pairs and den > 0:
            num = sum(n for n, _ in pairs)
            scale = PERCENT if measure.unit == "percent" else 1.0
            return num / den * scale, num, den
        return (_mean(values) if values else None), None, None
    if not values:
        return None, None, None
    if agg in ("sum", "harm_weighted"):
        return sum(values), None, None
    if agg == "rate_per_1000":
        pop = _population(rows, population, period)
        if pop is None or pop <= 0:
            raise AnalysisError(
                f"measure '{measure.id}' is a rate per 1,000 but there is no population for {period.label}",
                expected="a population estimate for every period",
            )
        return sum(values) / pop * RATE_PER, None, None
    if agg == "last":
        newest = max((r.source for r in rows if r.value is not None), key=_index)
        latest = [r.value for r in rows if r.source == newest and r.value is not None]
        return (sum(latest) if measure.unit in ADDITIVE_UNITS else _mean(latest)), None, None
    return _mean(values), None, None


def _complete(rows: list[_Row], period: Period, without: tuple[int, ...] = ()) -> bool:
    """Every month of a quarter has rows, except months the series never has (part_year)."""
    if isinstance(period, Month):
        return True
    sources = {r.source for r in rows}
    if period in sources:  # quarterly rows
        return True
    expected = [m for m in period.months() if m.month not in without]
    return all(m in sources for m in expected) and len(expected) > 0


#: Distinct (first, last) axes kept: a plan's series mostly share a few.
AXES_KEPT = 256


@lru_cache(maxsize=AXES_KEPT)
def _axis(first: Period, last: Period) -> tuple[Period, ...]:
    """Every period from ``first`` to ``last`` (one tuple shared: periods are frozen)."""
    if isinstance(first, Month) and isinstance(last, Month):
        return month_range(first, last)
    assert isinstance(first, Quarter) and isinstance(last, Quarter)
    return quarter_range(first, last)


def _convert(period: Month | Quarter, measure: Measure, *, at_end: bool) -> Period:
    if measure.frequency == "quarter":
        return period.quarter if isinstance(period, Month) else period
    if isinstance(period, Quarter):
        return period.last_month if at_end else period.first_month
    return period


def build_series(
    frame: pd.DataFrame | Columns,
    measure: Measure,
    *,
    weights: Mapping[str, float] | None = None,
    population: float | Mapping[Period, float] | None = None,
    end: Month | Quarter | None = None,
    partial_quarters: bool = False,
) -> MeasureSeries:
    """The measure's series from its selected rows (rules in the module docstring)."""
    columns = _columns(frame, measure)
    start = measure.start_period
    first = _convert(start, measure, at_end=False) if start is not None else None
    last_allowed = _convert(end, measure, at_end=True) if end is not None else None
    without = measure.part_year.without if measure.part_year is not None else ()
    by_period: dict[Period, tuple[float | None, float | None, float | None, bool]] = {}
    if columns["period_start"]:
        for period, rows in _prepare(columns, measure, weights).items():
            if (first is not None and period.index < first.index) or (
                last_allowed is not None and period.index > last_allowed.index
            ):
                continue
            if not partial_quarters and not _complete(rows, period, without):
                continue
            value, num, den = _combine(rows, measure, period, population)
            if value is not None:
                by_period[period] = (value, num, den, any(r.suspect for r in rows))
    if not by_period:
        return MeasureSeries(
            measure.id, measure.frequency, (), (), unit=measure.unit, without_months=without
        )
    axis = _axis(
        first if first is not None else min(by_period, key=_index), max(by_period, key=_index)
    )
    cells = [by_period.get(p, (None, None, None, False)) for p in axis]
    proportion = measure.aggregation == "proportion"
    return MeasureSeries(
        measure_id=measure.id,
        frequency=measure.frequency,
        periods=axis,
        values=tuple(c[0] for c in cells),
        numerators=tuple(c[1] for c in cells) if proportion else None,
        denominators=tuple(c[2] for c in cells) if proportion else None,
        suspect=tuple(i for i, c in enumerate(cells) if c[3]),
        unit=measure.unit,
        without_months=without,
    )
