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

#: Text is printed as written: no ``:name:`` emoji codes read into what the data says (a
#: file or series name), and no emoji table loaded to look for them (11 ms of CPU of the
#: first table or warning, ``planwatch status``; issue 17).
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

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
