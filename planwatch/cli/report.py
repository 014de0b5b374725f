"""`planwatch report`: write the quarterly update as one HTML file, a PDF and a Word document.

Prints each warning of the run for the analyst: a key point the independent claim check
left out (with what it said and what the data bear out), and problems with the data.
The exit code stays 0 unless ``--strict`` is given and a key point was left out.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    err_console,
    print_json,
    project_of,
)
from planwatch.cli.report_options import (
    Appendix,
    AppendixOption,
    ChartDataOption,
    DocxOption,
    DraftOption,
    FiguresOption,
    NoAppendixOption,
    PdfOption,
    QuarterOption,
    appendix_place,
)
from planwatch.errors import ConfigError, ReportError
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
        quarter: QuarterOption,
        project: ProjectOption = Path("."),
        pdf: PdfOption = True,
        published: Annotated[
            str | None,
            typer.Option(
                help="Publication date on the cover (default: the plan's metadata.published "
                "date for the quarter; none printed if it gives none)"
            ),
        ] = None,
        docx: DocxOption = False,
        figures: FiguresOption = True,
        chart_data: ChartDataOption = True,
        appendix: AppendixOption = Appendix.inline,
        no_appendix: NoAppendixOption = False,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output folder (default: the project's output/)"),
        ] = None,
        draft: DraftOption = False,
        strict: Annotated[
            bool,
            typer.Option(
                "--strict/--no-strict",
                help=f"Exit with code {ReportError.exit_code} (after writing the files) when "
                "the claim check left any key point out",
            ),
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Write the quarterly update: a self-contained HTML file, a print-quality PDF and
        (with --docx) a Word document."""
        from planwatch.services.report import generate_report  # keeps `planwatch --help` fast

        place = appendix_place(appendix, no_appendix=no_appendix)

        files = generate_report(
            project_of(project),
            parse_quarter(quarter),
            pdf=pdf,
            published=_published(published),
            out_dir=out,
            docx=docx,
            figures=figures,
            draft=draft,
            chart_data=chart_data,
            appendix=place,
        )
        written = {
            "html": files.html,
            "pdf": files.pdf,
            "docx": files.docx,
            "figures": files.figures,
            **dict(zip(("chart_data_xlsx", "chart_data_csv"), files.chart_data, strict=False)),
            **dict(zip(("appendix_html", "appendix_pdf"), files.appendix, strict=False)),
        }
        if as_json:
            print_json(
                {kind: str(path) if path else None for kind, path in written.items()}
                | {
                    "warnings": [w.to_dict() for w in files.warnings],
                    "key_points_left_out": len(files.refused),
                }
            )
        else:
            for path in written.values():
                if path:
                    console.print(f"Wrote [bold]{path}[/]")
            # the analyst is told why any key point is missing (the reader is not)
            for w in files.warnings:
                err_console.print(f"[yellow]Warning:[/] {w}", highlight=False, soft_wrap=True)
        if strict and files.refused:
            err_console.print(
                f"[bold red]Error:[/] --strict: the claim check left out "
                f"{len(files.refused)} key point(s); see the warnings above.",
                highlight=False,
            )
            sys.exit(ReportError.exit_code)  # typer.Exit would be swallowed (standalone_mode)
