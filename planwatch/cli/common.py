"""Shared CLI plumbing: options, JSON output, and printing errors without a traceback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from planwatch.errors import PlanwatchError
from planwatch.project import Project

console = Console()
err_console = Console(stderr=True)

ProjectOption = Annotated[
    Path, typer.Option("--project", "-p", help="Project folder (holds plan.yaml and the store)")
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print machine-readable JSON instead of tables")
]


def project_of(path: Path) -> Project:
    return Project.at(path)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def report_error(exc: PlanwatchError, *, as_json: bool) -> None:
    if as_json:
        print_json(exc.to_dict())
    else:
        err_console.print(f"[bold red]Error:[/] {exc.render()}", highlight=False, soft_wrap=True)
