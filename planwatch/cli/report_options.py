"""The options `planwatch report` and `planwatch report-areas` share, declared once.

Each is an ``Annotated`` type a command's parameter takes, with its default given where
the parameter is declared; ``--appendix`` and the older ``--no-appendix`` become one
:data:`~planwatch.report.view.AppendixPlace` by :func:`appendix_place`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, cast

import typer

from planwatch.errors import ConfigError

if TYPE_CHECKING:
    from planwatch.report.view import AppendixPlace

QuarterOption = Annotated[
    str, typer.Option("--quarter", "-q", help="Report quarter, e.g. 2023/24-Q1")
]
PdfOption = Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write the PDF (slower)")]
DocxOption = Annotated[
    bool, typer.Option("--docx/--no-docx", help="Also write the Word version (.docx)")
]
FiguresOption = Annotated[
    bool,
    typer.Option(
        "--figures/--no-figures",
        help="Also write every figure the report shows as JSON (<report>.json)",
    ),
]
ChartDataOption = Annotated[
    bool,
    typer.Option(
        "--chart-data/--no-chart-data",
        help="Also write the data behind every chart as Excel and CSV "
        "(<report>-data.xlsx, <report>-data.csv), linked from each chart",
    ),
]
DraftOption = Annotated[
    bool,
    typer.Option(
        "--draft/--final",
        help="Write the analyst's draft for review (<report>-draft.*): the analyst's "
        "notes and the key points the claim check left out, at the top",
    ),
]


class Appendix(StrEnum):
    """``--appendix``: the places of :data:`planwatch.report.view.APPENDIX_PLACES`."""

    inline = "inline"
    separate = "separate"
    none = "none"


AppendixOption = Annotated[
    Appendix,
    typer.Option(
        "--appendix",
        help="Where the charts' data tables go: 'inline' ends the PDF and Word versions "
        "with them; 'separate' writes them as an appendix of their own "
        "(<report>-appendix.html and .pdf), linked from every chart and the contents; "
        "'none' leaves them in the chart-data files alone (needs --chart-data)",
        case_sensitive=False,
    ),
]
NoAppendixOption = Annotated[
    bool,
    typer.Option("--no-appendix", help="The same as --appendix=none (kept from earlier versions)"),
]


def appendix_place(appendix: Appendix, *, no_appendix: bool) -> AppendixPlace:
    """``--no-appendix`` is ``--appendix=none``; with another ``--appendix`` it is an error."""
    if no_appendix and appendix not in (Appendix.inline, Appendix.none):
        raise ConfigError(
            f"--no-appendix contradicts --appendix={appendix.value}",
            expected="one of them: --appendix=none is the same as --no-appendix",
        )
    return "none" if no_appendix else cast("AppendixPlace", appendix.value)
