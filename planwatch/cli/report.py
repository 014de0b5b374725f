"""`planwatch report`: write the quarterly update as one HTML file, a PDF and a Word document.

Prints each warning of the run for the analyst: a key point the independent claim check
left out (with what it said and what the data bear out), and problems with the data.
The exit code stays 0 unless ``--strict`` is given and a key point was left out.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from planwatch.cli.common import (
    JsonOption,
    ProjectOption,
    console,
    err_console,
    print_json,
    project_of,
)
from planwatch.errors import ConfigError, ReportError
from planwatch.periods import parse_quarter

if TYPE_CHECKING:
    from planwatch.report.view import AppendixPlace


def _published(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(
            f"--published '{text}' is not a date", expected="YYYY-MM-DD, e.g. 2023-08-15"
        ) from exc


class Appendix(StrEnum):
    """``--appendix``: the places of :data:`planwatch.report.view.APPENDIX_PLACES`."""

    inline = "inline"
    separate = "separate"
    none = "none"


def _appendix_place(appendix: Appendix, *, no_appendix: bool) -> AppendixPlace:
    """``--no-appendix`` is ``--appendix=none``; with another ``--appendix`` it is an error."""
    if no_appendix and appendix not in (Appendix.inline, Appendix.none):
        raise ConfigError(
            f"--no-appendix contradicts --appendix={appendix.value}",
            expected="one of them: --appendix=none is the same as --no-appendix",
        )
    return "none" if no_appendix else cast("AppendixPlace", appendix.value)


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
        chart_data: Annotated[
            bool,
            typer.Option(
                "--chart-data/--no-chart-data",
                help="Also write the data behind every chart as Excel and CSV "
                "(<report>-data.xlsx, <report>-data.csv), linked from each chart",
            ),
        ] = True,
        appendix: Annotated[
            Appendix,
            typer.Option(
                "--appendix",
                help="Where the charts' data tables go: 'inline' ends the PDF and Word versions "
                "with them; 'separate' writes them as an appendix of their own "
                "(<report>-appendix.html and .pdf), linked from every chart and the contents; "
                "'none' leaves them in the chart-data files alone (needs --chart-data)",
                case_sensitive=False,
            ),
        ] = Appendix.inline,
        no_appendix: Annotated[
            bool,
            typer.Option(
                "--no-appendix",
                help="The same as --appendix=none (kept from earlier versions)",
            ),
        ] = False,
        out: Annotated[
            Path | None,
            typer.Option("--out", "-o", help="Output folder (default: the project's output/)"),
        ] = None,
        draft: Annotated[
            bool,
            typer.Option(
                "--draft/--final",
                help="Write the analyst's draft for review (<report>-draft.*): the analyst's "
                "notes and the key points the claim check left out, at the top",
            ),
        ] = False,
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

        place = _appendix_place(appendix, no_appendix=no_appendix)

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
