"""Tables of the report as plain data: variance, survey proportions, comparisons.

In: analysis results (:mod:`planwatch.analysis.results`) and a measure's unit and decimals.
Out: frozen :class:`DataTable` values (caption, column headings, rows of text) that the
templates render; nothing here knows about HTML.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from planwatch import formatting as fmt
from planwatch.analysis.results import (
    ChangeResult,
    ProportionResult,
    TwoProportionResult,
    VarianceRow,
)
from planwatch.measures.areas import AreaRow, AreaTable
from planwatch.measures.workforce import ALL_GROUPS, SnapshotTable

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


#: Rows of the district table that are not districts.
ALL_DISTRICTS = "All districts"
FORCE_FIGURE = "Force figure"
NOT_IN_A_DISTRICT = "Not recorded against a district shown"
NO_GROUP = "Not in a local policing area"


def district_table(
    areas: AreaTable,
    name: str,
    unit: str,
    decimals: int = 0,
    force: float | None = None,
    force_before: float | None = None,
) -> DataTable:
    """The quarter by district, each district once: grouped under its local policing area
    with the area's total (the sum of its districts, never added in again), then all
    districts together; with the force's own figure (``force``), the part not recorded
    against any district shown, so that the rows add up to it (``force_before``: its
    figure a year earlier). Records with no location (:data:`~planwatch.measures.areas.
    NO_LOCATION`) come after all the districts, then the force's figure with them."""
    rates = any(r.rate_per_1000 is not None for r in areas.rows)
    grouped = bool(areas.groups)
    quarter = areas.quarter

    def cells(row: AreaRow | None, value: float, previous: float | None) -> tuple[str, ...]:
        change = value - previous if previous is not None else None
        pct = change / previous * 100 if change is not None and previous else None
        out = [
            fmt.value(value, unit, decimals),
            fmt.value(previous, unit, decimals),
            fmt.signed(change, decimals),
            fmt.signed(pct, 1, "%"),
        ]
        if rates:
            out.append(fmt.number(row.rate_per_1000 if row else None, 1))
        out.append(fmt.number(row.rank) if row else fmt.MISSING)
        return tuple(out)

    def line(label: str, group: str, rest: tuple[str, ...]) -> tuple[str, ...]:
        return (label, group, *rest) if grouped else (label, *rest)

    rows: list[tuple[str, ...]] = []
    for g in areas.groups:
        members = [r for r in areas.rows if r.group == g.area]
        rows += [line(r.area, g.area, cells(r, r.value, r.previous)) for r in members]
        rows.append(line(f"{g.area} total", g.area, cells(None, g.value, g.previous)))
    districts = areas.districts
    loose = [r for r in districts if not grouped or r.group is None]
    rows += [line(r.area, NO_GROUP, cells(r, r.value, r.previous)) for r in loose]
    total = sum(r.value for r in districts)
    earlier = [r.previous for r in districts]
    before = sum(v for v in earlier if v is not None) if None not in earlier else None
    rows.append(line(ALL_DISTRICTS, "", cells(None, total, before)))
    # records with no location (data.police.uk's crimes without an LSOA): after the
    # districts, not among them; the force's figure is then theirs and the districts'
    unlocated = [r for r in areas.rows if r not in districts]
    rows += [line(r.area, "", cells(r, r.value, r.previous)) for r in unlocated]
    shown = total + sum(r.value for r in unlocated)
    gone = [r.previous for r in unlocated]
    shown_before = (
        before + sum(v for v in gone if v is not None)
        if before is not None and None not in gone
        else None
    )
    if force is None and unlocated:
        force, force_before = shown, shown_before
    if force is not None and not math.isclose(force, shown):
        rest = (
            force_before - shown_before
            if force_before is not None and shown_before is not None
            else None
        )
        rows.append(line(NOT_IN_A_DISTRICT, "", cells(None, force - shown, rest)))
    if force is not None and (unlocated or not math.isclose(force, total)):
        rows.append(line(FORCE_FIGURE, "", cells(None, force, force_before)))
    headers = ["District", *(["Local policing area"] if grouped else [])]
    headers += [
        fmt.period_text(quarter.label),
        fmt.period_text(quarter.same_quarter_last_year.label),
        "Change",
        "Change (%)",
        *(["Rate per 1,000 population"] if rates else []),
        "Rank",
    ]
    return DataTable(
        caption=f"{name} by district, {fmt.period_text(quarter.label)} (each district counted once; "
        "a local policing area's total is the sum of its districts)",
        headers=tuple(headers),
        rows=tuple(rows),
        numeric_from=2 if grouped else 1,
    )


#: The rows of a share table after the groups' and the pooled row.
BENCHMARK_ROW = "Benchmark: {label}"
GAP_ROW = "Gap: all groups less the benchmark"


def share_table(
    table: SnapshotTable,
    name: str,
    column: str,
    unit: str,
    decimals: int = 0,
    *,
    stock: bool = True,
) -> DataTable:
    """A share by group (the workforce table): a row per group with the share at each of
    the two periods and the difference in percentage points, all groups pooled, then the
    benchmark and the latest pooled figure's gap to it (percentage points). A ``stock`` is
    counted on each period's last day, and the columns are named by those days; otherwise
    by the periods. ``column`` is the plan's ``table_by`` column, named in the first
    heading."""
    pp = fmt.pp_decimals(decimals)

    def line(label: str, a: float | None, b: float | None, d: float | None) -> tuple[str, ...]:
        return (
            label,
            fmt.value(a, unit, decimals),
            fmt.value(b, unit, decimals),
            fmt.signed(d, pp),
        )

    rows = [line(r.group, r.first, r.second, r.difference_pp) for r in table.rows]
    if table.benchmark is not None:
        rows.append(
            line(
                BENCHMARK_ROW.format(label=table.benchmark.label), None, table.benchmark.value, None
            )
        )
        rows.append(line(GAP_ROW, None, None, table.benchmark_gap_pp))
    if stock:
        first, second = fmt.long_date(table.first.end), fmt.long_date(table.second.end)
    else:
        first, second = (fmt.period_text(p.label) for p in (table.first, table.second))
    heading = column.replace("_", " ").capitalize()
    counted = "on each day" if stock else "in each period"
    return DataTable(
        caption=f"{name} by {heading.lower()}, {first} and {second} (counted {counted}; "
        f"{ALL_GROUPS}: every group pooled)",
        headers=(heading, first, second, "Difference (percentage points)"),
        rows=tuple(rows),
    )
