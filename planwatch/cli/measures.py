"""`planwatch measures`: each measure's figures for a quarter, as a table or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planwatch.cli.common import JsonOption, ProjectOption, console, print_json, project_of
from planwatch.periods import parse_quarter

if TYPE_CHECKING:  # the core is imported by the command itself (fast start-up)
    from rich.table import Table

    from planwatch.errors import Problem
    from planwatch.measures.table import QuarterRow
    from planwatch.measures.windows import WindowValue

#: Narrowest the measure-name column gets, so names stay readable in an 80-column terminal.
MEASURE_COLUMN_WIDTH = 20

QuarterOption = Annotated[
    str, typer.Option("--quarter", "-q", help="Report quarter, e.g. 2023/24-Q1")
]


def _cell(w: WindowValue | None, row: QuarterRow) -> str:
    from planwatch.formatting import quantity

    if w is None:
        return "-"
    text = quantity(w.value, row.unit, row.decimals)
    return (
        text if w.complete else f"{text} (partial: {w.n_periods_present} of {w.n_periods_expected})"
    )


def _table(rows: tuple[QuarterRow, ...], quarter_label: str) -> Table:
    from rich.table import Table

    table = Table(title=f"Measures for {quarter_label}", show_lines=False)
    table.add_column("Measure", min_width=MEASURE_COLUMN_WIDTH)
    for header in (
        "Quarter",
        "Value",
        "Previous quarter",
        "Same quarter last year",
        "12 months",
        "Previous 12 months",
        "Data to",
    ):
        table.add_column(header, overflow="fold")
    for r in rows:
        lag = (
            f"{r.quarter} (latest data lags {r.lag_quarters} quarter{'s' if r.lag_quarters != 1 else ''})"
            if r.lag_quarters
            else r.quarter
        )
        table.add_row(
            r.name,
            lag,
            _cell(r.value, r),
            _cell(r.previous_quarter, r),
            _cell(r.same_quarter_last_year, r),
            _cell(r.rolling12, r),
            _cell(r.rolling12_previous, r),
            r.data_to or "no data",
        )
    return table


def rows_to_json(
    rows: tuple[QuarterRow, ...], warnings: tuple[Problem, ...], quarter_label: str
) -> dict[str, Any]:
    from planwatch.analysis.results import to_jsonable

    return {
        "quarter": quarter_label,
        "measures": [to_jsonable(r) for r in rows],
        "warnings": [w.to_dict() for w in warnings],
    }


def register(app: typer.Typer) -> None:
    @app.command()
    def measures(
        quarter: QuarterOption, project: ProjectOption = Path("."), json: JsonOption = False
    ) -> None:
        """Each measure's value for the quarter, the quarter before, the same quarter last year and 12-month totals."""
        from planwatch.services.analyse import measure_table

        q = parse_quarter(quarter)
        rows, warnings = measure_table(project_of(project), q)
        if json:
            print_json(rows_to_json(rows, warnings, q.label))
            return
        console.print(_table(rows, q.label))
        for r in rows:
            if r.lag_quarters and r.lag_note:
                console.print(f"[dim]{r.name}: {r.lag_note}[/]")
        for w in warnings:
            console.print(f"[yellow]Warning:[/] {w}", highlight=False)
