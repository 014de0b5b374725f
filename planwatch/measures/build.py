"""Build a measure's series from the rows the store selected for it.

In: a pandas DataFrame shaped like the output of
``planwatch.store.selectors.measure_frame`` — columns ``period_start`` (date, the first
day of the period), ``frequency`` (``month`` | ``quarter``), ``area``, ``category``
(offence code, crime type or series name), ``value``, ``numerator``, ``denominator``
and ``status`` (``ok`` | ``suspect`` | ``confirmed``) — and the plan's
:class:`~planwatch.plan.models.Measure`.
Out: a frozen :class:`~planwatch.measures.series.MeasureSeries` at the measure's
frequency (methodology §1, "Building a series"):

* rows are combined per period by the measure's aggregation: ``sum`` (counts),
  ``harm_weighted`` (each count × its category's offence weight, summed),
  ``rate_per_1000`` (counts ÷ population × 1,000), ``proportion`` (Σ numerators ÷
  Σ denominators, in percent when the unit is ``percent``), ``mean`` (mean of the rows)
  and ``last`` (the rows of the latest month in the period: a stock such as headcount);
* monthly rows are gathered into financial quarters when the measure is quarterly; a
  quarter missing any month is a gap unless ``partial_quarters=True``;
* the axis runs from ``measure.series_start`` (or the first data) to the latest period
  with data on or before ``end``, with ``None`` for every gap: nothing is interpolated;
* a period with any row marked ``suspect`` keeps its value (charts show it) but its
  index is listed in ``suspect`` and every analysis leaves it out until confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from planwatch.errors import AnalysisError
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import ADDITIVE_UNITS, PERCENT
from planwatch.periods import MONTHS_PER_QUARTER, Month, Quarter, month_range, quarter_range
from planwatch.plan.models import Measure

FRAME_COLUMNS = (
    "period_start",
    "frequency",
    "area",
    "category",
    "value",
    "numerator",
    "denominator",
    "status",
)
#: Rates are per 1,000 population (Home Office convention for crime rates).
RATE_PER = 1000.0
SUSPECT = "suspect"

Period = Month | Quarter


def _check_columns(frame: pd.DataFrame, measure: Measure) -> None:
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise AnalysisError(
            f"the data for measure '{measure.id}' lacks column(s) {', '.join(missing)}",
            expected="columns " + ", ".join(FRAME_COLUMNS),
        )


def _as_date(value: Any) -> date:
    if isinstance(value, date):  # pd.Timestamp is a datetime, hence a date
        return date(value.year, value.month, value.day)
    stamp = pd.Timestamp(value)
    return date(stamp.year, stamp.month, stamp.day)


def _index(period: Period) -> int:
    return period.index


def _row_period(start: Any, frequency: str, measure: Measure) -> Period:
    d = _as_date(start)
    month = Month(d.year, d.month)
    if frequency == "month":
        return month
    if frequency == "quarter":
        return month.quarter
    raise AnalysisError(
        f"measure '{measure.id}' has a row with frequency '{frequency}'",
        expected="'month' or 'quarter'",
    )


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


def _prepare(
    frame: pd.DataFrame, measure: Measure, weights: Mapping[str, float] | None
) -> pd.DataFrame:
    """One row per data row with its source period, target period and weighted value."""
    rows = frame.loc[:, list(FRAME_COLUMNS)].copy()
    rows["source"] = [
        _row_period(s, f, measure)
        for s, f in zip(rows["period_start"], rows["frequency"], strict=True)
    ]
    rows["target"] = [_target(p, measure) for p in rows["source"]]
    for column in ("value", "numerator", "denominator"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    if measure.aggregation == "harm_weighted":
        lookup = _weight_of(weights, measure, {str(c) for c in rows["category"].unique()})
        rows["value"] = rows["value"] * rows["category"].map(lambda c: lookup[str(c)])
    return rows


def _population(
    group: pd.DataFrame, population: float | Mapping[Period, float] | None, period: Period
) -> float | None:
    if isinstance(population, int | float):
        return float(population)
    if population is not None:
        return population.get(period)
    # From the rows: one population per area and month (repeated across categories).
    by_area = (
        group.dropna(subset=["denominator"])
        .groupby(["source", "area"], sort=False)["denominator"]
        .max()
    )
    if by_area.empty:
        return None
    per_source = by_area.groupby(level=0).sum()
    return float(per_source.mean())


def _combine(
    group: pd.DataFrame,
    measure: Measure,
    period: Period,
    population: float | Mapping[Period, float] | None,
) -> tuple[float | None, float | None, float | None]:
    """(value, numerator, denominator) for one target period."""
    agg = measure.aggregation
    values = group["value"].dropna()
    if agg == "proportion":
        pairs = group.dropna(subset=["numerator", "denominator"])
        den = float(pairs["denominator"].sum())
        if not pairs.empty and den > 0:
            num = float(pairs["numerator"].sum())
            scale = PERCENT if measure.unit == "percent" else 1.0
            return num / den * scale, num, den
        return (float(values.mean()) if not values.empty else None), None, None
    if values.empty:
        return None, None, None
    if agg in ("sum", "harm_weighted"):
        return float(values.sum()), None, None
    if agg == "rate_per_1000":
        pop = _population(group, population, period)
        if pop is None or pop <= 0:
            raise AnalysisError(
                f"measure '{measure.id}' is a rate per 1,000 but there is no population for {period.label}",
                expected="a population estimate for every period",
            )
        return float(values.sum()) / pop * RATE_PER, None, None
    if agg == "last":
        latest = group.loc[group["source"] == max(group["source"])]["value"].dropna()
        return float(latest.sum() if measure.unit in ADDITIVE_UNITS else latest.mean()), None, None
    return float(values.mean()), None, None


def _complete(group: pd.DataFrame, period: Period) -> bool:
    if isinstance(period, Month):
        return True
    sources = set(group["source"])
    if period in sources:  # quarterly rows
        return True
    return len({s for s in sources if isinstance(s, Month)}) == MONTHS_PER_QUARTER


def _axis(first: Period, last: Period) -> tuple[Period, ...]:
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
    frame: pd.DataFrame,
    measure: Measure,
    *,
    weights: Mapping[str, float] | None = None,
    population: float | Mapping[Period, float] | None = None,
    end: Month | Quarter | None = None,
    partial_quarters: bool = False,
) -> MeasureSeries:
    """The measure's series from its selected rows (rules in the module docstring)."""
    _check_columns(frame, measure)
    start = measure.start_period
    first = _convert(start, measure, at_end=False) if start is not None else None
    last_allowed = _convert(end, measure, at_end=True) if end is not None else None
    by_period: dict[Period, tuple[float | None, float | None, float | None, bool]] = {}
    if not frame.empty:
        rows = _prepare(frame, measure, weights)
        for period, group in rows.groupby("target", sort=False):
            assert isinstance(period, Month | Quarter)
            if (first is not None and period.index < first.index) or (
                last_allowed is not None and period.index > last_allowed.index
            ):
                continue
            if not partial_quarters and not _complete(group, period):
                continue
            value, num, den = _combine(group, measure, period, population)
            if value is not None:
                by_period[period] = (value, num, den, bool((group["status"] == SUSPECT).any()))
    if not by_period:
        return MeasureSeries(measure.id, measure.frequency, (), (), unit=measure.unit)
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
    )
