"""`planwatch report`: write the quarterly update as one HTML file, a PDF and a Word document."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli.common import JsonOption, ProjectOption, console, print_json, project_of
from planwatch.errors import ConfigError
from planwatch.periods import parse_quarter


def _published(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(
            f"--published '{text}' is not a date", expected="YYYY-MM-DD, e.g. 2023-08-15"
        ) from exc


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        quarter: Annotated[
            str, typer.Option("--quarter", "-q", help="Report quarter, e.g. 2023/24-Q1")
        ],
        project: ProjectOption = Path("."),
        pdf: Annotated[
            bool, typer.Option("--pdf/--no-pdf", help="Also write the PDF (slower)")
        ] = True,
        published: Annotated[
            str | None,
            typer.Option(
                help="Publication date on the cover (default: the plan's metadata.published "
                "date for the quarter; none printed if it gives none)"
            ),
        ] = None,
        docx: Annotated[
            bool, typer.Option("--docx/--no-docx", help="Also write the Word version (.docx)")
        ] = False,
        figures: Annotated[
            bool,
            typer.Option(
                "--figures/--no-figures",
                help="Also write every figure the report shows as JSON (<report>.json)",
            ),
        ] = True,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output folder (default: the project's output/)"),
        ] = None,
        as_json: JsonOption = False,
    ) -> None:
        """Write the quarterly update: a self-contained HTML file, a print-quality PDF and
        (with --docx) a Word document."""
        from planwatch.services.report import generate_report  # keeps `planwatch --help` fast

        files = generate_report(
            project_of(project),
            parse_quarter(quarter),
            pdf=pdf,
            published=_published(published),
            out_dir=out,
            docx=docx,
            figures=figures,
        )
        written = {
            "html": files.html,
            "pdf": files.pdf,
            "docx": files.docx,
            "figures": files.figures,
        }
        if as_json:
            print_json({kind: str(path) if path else None for kind, path in written.items()})
            return
        for path in written.values():
            if path:
                console.print(f"Wrote [bold]{path}[/]")
