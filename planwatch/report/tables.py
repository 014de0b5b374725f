"""Tables of the report as plain data: variance, survey proportions, comparisons.

In: analysis results (:mod:`planwatch.analysis.results`) and a measure's unit and decimals.
Out: frozen :class:`DataTable` values (caption, column headings, rows of text) that the
templates render; nothing here knows about HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planwatch import formatting as fmt
from planwatch.analysis.results import (
    ChangeResult,
    ProportionResult,
    TwoProportionResult,
    VarianceRow,
)

#: Confidence level printed beside intervals; the analysis uses 95% throughout (docs/methodology.md §1).
CONFIDENCE_PCT = 95

_VARIANCE_LABEL = re.compile(r"^(?P<current>\S+) variance to (?P<previous>\S+)$")

CHANGE_NAMES = {
    "previous_period": "Previous period",
    "same_period_last_year": "Same period last year",
    "rolling12_previous": "Previous 12 months",
    "baseline": "Baseline",
}


@dataclass(frozen=True)
class DataTable:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_headers: bool = True  # the first cell of each row names the row
    numeric_from: int = 1  # columns from here on are right-aligned numbers
    compact: bool = False  # small type, for wide tables (a column a month)
    grid: bool = False  # financial years by quarter or month: columns of equal width


def variance_table(row: VarianceRow, name: str, decimals: int = 0) -> DataTable:
    """This year, last year and the variance, month by month, with a total column."""
    match = _VARIANCE_LABEL.match(row.label)
    current, previous = (
        (match["current"], match["previous"]) if match else ("This year", "Last year")
    )

    def cells(values: tuple[float | None, ...], signed: bool = False) -> tuple[str, ...]:
        shown = [fmt.signed(v, decimals) if signed else fmt.number(v, decimals) for v in values]
        known = [v for v in values if v is not None]
        total = sum(known) if known else None
        return (*shown, fmt.signed(total, decimals) if signed else fmt.number(total, decimals))

    paired = tuple(
        p if c is not None else None for c, p in zip(row.current, row.previous, strict=True)
    )
    return DataTable(
        caption=f"{name}: {row.label}, by month",
        headers=("Financial year", *row.months, "Year to date"),
        rows=(
            (current, *cells(row.current)),
            (previous, *cells(row.previous)[:-1], fmt.number(_total(paired), decimals)),
            ("Variance", *cells(row.variance, signed=True)),
        ),
        compact=True,
    )


def _total(values: tuple[float | None, ...]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def proportion_table(rows: tuple[ProportionResult, ...], name: str) -> DataTable:
    return DataTable(
        caption=f"{name}: survey results with {CONFIDENCE_PCT}% confidence intervals",
        headers=("Period", "Yes", "Asked", "Percentage", f"{CONFIDENCE_PCT}% confidence interval"),
        rows=tuple(
            (
                p.label,
                fmt.number(p.successes),
                fmt.number(p.n),
                f"{fmt.number(100 * p.proportion, 1)}%",
                f"{fmt.number(100 * p.ci_low, 1)}% to {fmt.number(100 * p.ci_high, 1)}%",
            )
            for p in rows
        ),
    )


def proportion_test_table(tests: tuple[TwoProportionResult, ...], name: str) -> DataTable:
    return DataTable(
        caption=f"{name}: comparisons (two-proportion z-test)",
        headers=(
            "Comparison",
            "Difference",
            f"{CONFIDENCE_PCT}% confidence interval",
            "Statistically significant",
        ),
        rows=tuple(
            (
                _comparison_label(t, name),
                fmt.signed(t.difference_pp, 1, " points"),
                f"{fmt.signed(t.ci_low_pp, 1)} to {fmt.signed(t.ci_high_pp, 1)} points",
                _yes_no(t.significant),
            )
            for t in tests
        ),
    )


def _comparison_label(test: TwoProportionResult, name: str) -> str:
    """Between periods of one measure, or between two measures in the same period."""
    if test.compared_with_name:
        period = fmt.period_text(test.first.label)
        return f"{name} against {test.compared_with_name} ({period})"
    return f"{fmt.period_text(test.first.label)} against {fmt.period_text(test.second.label)}"


def change_table(
    changes: tuple[ChangeResult, ...], name: str, unit: str, decimals: int = 0
) -> DataTable:
    return DataTable(
        caption=f"{name}: latest period compared with earlier periods",
        headers=(
            "Compared with",
            "Latest",
            "Earlier",
            "Change",
            "Change (%)",
            "Statistically significant",
        ),
        rows=tuple(
            (
                f"{CHANGE_NAMES.get(c.kind, c.kind)} ({fmt.period_text(c.comparison_label)})",
                fmt.value(c.current_value, unit, decimals),
                fmt.value(c.comparison_value, unit, decimals),
                fmt.signed(c.abs_change, decimals),
                fmt.signed(c.pct_change, 1, "%"),
                _yes_no(c.significant),
            )
            for c in changes
        ),
    )


def _yes_no(flag: bool | None) -> str:
    return "Not tested" if flag is None else ("Yes" if flag else "No")
