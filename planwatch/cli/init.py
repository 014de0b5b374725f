"""`planwatch init`: write a commented example plan into a project folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli.common import ProjectOption, console, project_of
from planwatch.errors import ConfigError


def example_plan_text() -> str:
    return resources.files("planwatch.plan").joinpath("example.yaml").read_text(encoding="utf-8")


def register(app: typer.Typer) -> None:
    @app.command()
    def init(
        project: ProjectOption = Path("."),
        force: Annotated[bool, typer.Option(help="Overwrite an existing plan.yaml")] = False,
    ) -> None:
        """Write a commented example plan.yaml to start from."""
        proj = project_of(project)
        if proj.plan_path.exists() and not force:
            raise ConfigError(
                f"{proj.plan_path} already exists", expected="a folder without a plan (or --force)"
            )
        proj.root.mkdir(parents=True, exist_ok=True)
        proj.plan_path.write_text(example_plan_text(), encoding="utf-8")
        console.print(
            f"Wrote [bold]{proj.plan_path}[/]. Edit it, then load data with 'planwatch ingest'."
        )
