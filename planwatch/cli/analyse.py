"""`planwatch analyse`: the key points of every priority for a quarter (or full results as JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from planwatch.cli.common import JsonOption, ProjectOption, console, print_json, project_of
from planwatch.cli.measures import QuarterOption
from planwatch.periods import parse_quarter

if TYPE_CHECKING:  # imported by the command itself, so `planwatch --help` starts fast
    from planwatch.narrative.model import KeyPoint
    from planwatch.narrative.run import AnalysisRun

MARKS = {"good": "[green]▲[/]", "bad": "[red]▼[/]", "neutral": "[dim]•[/]"}


def _line(kp: KeyPoint) -> str:
    flags = []
    if kp.overridden:
        flags.append("[cyan](edited)[/]")
    if kp.override_stale:
        flags.append("[yellow](override out of date)[/]")
    return f"  {MARKS[kp.good_or_bad]} {kp.text} {' '.join(flags)}".rstrip()


def print_run(run: AnalysisRun) -> None:
    console.print(f"[bold]{run.plan.report_title(run.quarter)}[/]")
    console.print(f"Latest data: {run.data_to.long_label if run.data_to else 'none'}\n")
    for p in run.priorities:
        console.print(f"[bold]Priority {p.priority.number}: {p.priority.title}[/]")
        if not p.key_points:
            console.print("  [dim]No key points: no data for this priority's measures.[/]")
        for kp in p.key_points:
            console.print(_line(kp), highlight=False)
        console.print()
    for w in run.warnings:
        console.print(f"[yellow]Warning:[/] {w}", highlight=False)


def register(app: typer.Typer) -> None:
    @app.command()
    def analyse(
        quarter: QuarterOption, project: ProjectOption = Path("."), json: JsonOption = False
    ) -> None:
        """Analyse every measure for the quarter and print the key points per priority."""
        from planwatch.services.analyse import analysis_to_json, run_analysis

        run = run_analysis(project_of(project), parse_quarter(quarter))
        if json:
            print_json(analysis_to_json(run))
        else:
            print_run(run)
