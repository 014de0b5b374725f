"""Simple comparisons that need no statistics: percentage-point differences and
this year against last year, month by month.

In: values, or a monthly :class:`~planwatch.measures.series.MeasureSeries` and a
:class:`~planwatch.periods.FinancialYear`.
Out: numbers (``None`` where a side is missing). The month-by-month table comes back
as :class:`MonthByMonth`, whose fields are those of
:class:`planwatch.analysis.results.VarianceRow`: the analysis layer wraps it with
``VarianceRow(**dataclasses.asdict(table))`` (``measures`` sits below ``analysis`` in
the pipeline's layers and so cannot import that class).

A month with no data this year (or last year) has **no variance** (``None``, shown
blank). Published tables often print ``0.00`` there; that reads as "no change", which
the data does not say, so planwatch never does (docs/methodology.md, "Variance tables").
Suspect values are held out the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from planwatch.errors import AnalysisError
from planwatch.measures.series import MeasureSeries
from planwatch.periods import FinancialYear, Month


def difference_pp(current_pct: float | None, previous_pct: float | None) -> float | None:
    """``current - previous`` for two percentages: a change in **percentage points**."""
    if current_pct is None or previous_pct is None:
        return None
    return current_pct - previous_pct


@dataclass(frozen=True)
class MonthByMonth:
    label: str  # "2023/24 variance to 2022/23"
    months: tuple[str, ...]  # "Apr", "May", ...
    current: tuple[float | None, ...]
    previous: tuple[float | None, ...]
    variance: tuple[float | None, ...]


def _usable_by_month(series: MeasureSeries) -> dict[Month, float]:
    return {p: v for _, p, v in series.usable() if isinstance(p, Month)}


def variance_label(year: FinancialYear) -> str:
    return f"{year.label} variance to {year.shift(-1).label}"


def month_by_month(series: MeasureSeries, year: FinancialYear) -> MonthByMonth:
    """Each month of ``year`` against the same month of the year before."""
    if series.frequency != "month":
        raise AnalysisError(
            f"a month-by-month variance table needs monthly data; measure '{series.measure_id}' is quarterly",
            expected="'frequency: month' for a measure with 'variance_table' in its analyses",
        )
    values = _usable_by_month(series)
    months = year.months()
    current = tuple(values.get(m) for m in months)
    previous = tuple(values.get(m.shift(-12)) for m in months)
    return MonthByMonth(
        label=variance_label(year),
        months=tuple(m.short_name for m in months),
        current=current,
        previous=previous,
        variance=tuple(difference_pp(c, p) for c, p in zip(current, previous, strict=True)),
    )
