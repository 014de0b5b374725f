"""`planwatch status` and `planwatch confirm`: what the store holds, and deciding on suspect values.

Thin over :func:`planwatch.store.status.store_status` and
:func:`planwatch.services.ingest.confirm`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from planwatch.cli.common import JsonOption, ProjectOption, console, print_json, project_of
from planwatch.errors import ConfigError
from planwatch.periods import Month, Quarter, parse_period, parse_quarter

if TYPE_CHECKING:  # the services are imported by the commands themselves (fast start-up)
    from planwatch.store.status import StoreStatus


def register(app: typer.Typer) -> None:
    @app.command()
    def status(
        quarter: Annotated[
            str | None,
            typer.Option(help="Report quarter to measure data lag against, e.g. 2023/24-Q1"),
        ] = None,
        project: ProjectOption = Path("."),
        as_json: JsonOption = False,
    ) -> None:
        """Show what is loaded, gaps, data lag and warnings (suspect values, plan selections without data)."""
        from planwatch.plan.cache import CACHE_DIR
        from planwatch.plan.load import load_outline
        from planwatch.store.status import store_status

        proj = project_of(project)
        exists = proj.plan_path.exists()
        # the plan's outline: from the plan cache without pydantic (fast start-up)
        plan = load_outline(proj.plan_path, cache_dir=proj.root / CACHE_DIR) if exists else None
        result = store_status(proj, plan, parse_quarter(quarter) if quarter else None)
        if as_json:
            print_json(result.to_dict())
        else:
            _print(result, has_plan=plan is not None)

    @app.command()
    def confirm(
        series: Annotated[str, typer.Option(help="Series (measure) name as in the measures CSV")],
        period: Annotated[str, typer.Option(help="Period label, e.g. '2023/24 Q1' or 2023-06")],
        area: Annotated[str | None, typer.Option(help="Area, if the series has several")] = None,
        reject: Annotated[
            bool, typer.Option("--reject", help="Keep the value out of analysis for good")
        ] = False,
        value: Annotated[
            float | None, typer.Option(help="Replace the value with this corrected figure")
        ] = None,
        project: ProjectOption = Path("."),
        as_json: JsonOption = False,
    ) -> None:
        """Confirm a suspect value (let it into analysis), reject it, or correct it with --value."""
        if reject and value is not None:
            raise ConfigError(
                "--reject and --value cannot be used together", expected="one of them"
            )
        from planwatch.services.ingest import confirm as confirm_value

        action = "reject" if reject else "correct" if value is not None else "confirm"
        changed = confirm_value(
            project_of(project), series, period, area=area, action=action, value=value
        )
        if as_json:
            print_json(
                {
                    "series": series,
                    "period": period,
                    "area": area,
                    "action": action,
                    "rows": changed,
                }
            )
        else:
            done = {
                "confirm": "confirmed",
                "reject": "rejected",
                "correct": f"corrected to {value:g}" if value is not None else "",
            }[action]
            console.print(
                f"{series} {period}: {done} ({changed} row{'s' if changed != 1 else ''})",
                highlight=False,
            )


def _order(label: str) -> tuple[int, int]:
    period = parse_period(label)
    return (
        (period.start.year, period.start.month) if isinstance(period, Month | Quarter) else (0, 0)
    )


def _print(result: StoreStatus, *, has_plan: bool) -> None:
    from rich.table import Table

    if not result.loads:
        console.print("The store is empty: load data with 'planwatch ingest'.")
    else:
        table = Table(title="Loads", title_justify="left")
        for col in ("load", "kind", "file", "rows", "periods", "loaded", "replaced"):
            table.add_column(col)
        for ld in result.loads:
            table.add_row(
                str(ld.load_id),
                ld.source_kind,
                _short(ld.file_name),
                f"{ld.rows:,}",
                ld.periods_covered,
                ld.loaded_at,
                str(ld.replaced_load_id or ""),
            )
        console.print(table)
    if result.coverage:
        table = Table(title="Coverage", title_justify="left")
        for col in ("source", "areas / series", "first", "last", "gaps"):
            table.add_column(col)
        for source in dict.fromkeys(c.source for c in result.coverage):
            rows = [c for c in result.coverage if c.source == source]
            names = rows[0].name if len(rows) == 1 else f"{len(rows)}"
            gaps = sum(len(c.gaps) for c in rows)
            table.add_row(
                source,
                names,
                min((c.first for c in rows), key=_order),
                max((c.last for c in rows), key=_order),
                str(gaps or ""),
            )
        console.print(table)
    if result.measures:
        table = Table(
            title="Measures" + (f" against {result.quarter}" if result.quarter else ""),
            title_justify="left",
        )
        for col in ("measure", "source", "latest", "lag", "gaps", "suspect"):
            table.add_column(col)
        for m in result.measures:
            table.add_row(
                m.measure_id,
                m.source,
                m.latest or "no data",
                "" if m.lag is None else str(m.lag),
                ", ".join(m.gaps),
                str(m.suspect or ""),
            )
        console.print(table)
    elif not has_plan:
        console.print("No plan.yaml in the project: measures are not checked.")
    for w in result.warnings:
        console.print(f"[bold yellow]Warning:[/] {w}", highlight=False, soft_wrap=True)


def _short(file_name: str) -> str:
    """The file's own name (for a zip member, the member's name), for tables."""
    return Path(file_name.split("!")[-1]).name
