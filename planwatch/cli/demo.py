"""`planwatch demo`: write the Anyshire demo project and run it end to end.

Generates an invented force area's plan, commentary and data (in the layouts of the
real files), loads them with the normal ingest, analyses 2023/24 Q1 and writes the
report as ``anyshire-2023-24-Q1.html`` and ``.pdf``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli.common import console

DEFAULT_OUT = Path("anyshire-demo")


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Folder for the demo project")
        ] = DEFAULT_OUT,
        seed: Annotated[
            int, typer.Option(help="Random seed: the same seed gives the same data")
        ] = 2024,
        pdf: Annotated[
            bool, typer.Option("--pdf/--no-pdf", help="Also write the PDF (slower)")
        ] = True,
    ) -> None:
        """Create a complete example project for the invented force area 'Anyshire' and build its report."""
        from planwatch.demo import spec
        from planwatch.demo.generate import generate_demo_project
        from planwatch.services.demo import build_demo

        start = time.perf_counter()
        files = generate_demo_project(out, seed=seed)
        console.print(
            f"Wrote the demo project to [bold]{files.root}[/] (plan, commentary and {len(files.data_files())} data files)"
        )
        outcome = build_demo(
            files.project,
            files.loads(),
            spec.REPORT_QUARTER,
            stem=f"{spec.FILE_SLUG}-{spec.REPORT_QUARTER.slug}",
            pdf=pdf,
            echo=lambda line: console.print(line, highlight=False, soft_wrap=True),
        )
        console.print(f"Done in {time.perf_counter() - start:.1f} s.")
        if outcome.html:
            console.print(f"Report: [bold]{outcome.html}[/]", soft_wrap=True)
        if outcome.pdf:
            console.print(f"PDF:    [bold]{outcome.pdf}[/]", soft_wrap=True)
        if outcome.docx:
            console.print(f"Word:   [bold]{outcome.docx}[/]", soft_wrap=True)
