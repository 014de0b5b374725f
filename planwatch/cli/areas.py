"""`planwatch report-areas`: the plan's report for every area it can be run for, on every core.

Thin: parses options, prints a line as each area's report finishes (a failed one on
standard error, with its error) and a summary at the end; the work is in :mod:`planwatch.services.batch`. Exits with the first failed area's
error code (in area order) when any area's report failed, after every other area's
report is written.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    PdfOption,
    QuarterOption,
    appendix_place,
)
from planwatch.periods import parse_quarter

if TYPE_CHECKING:  # the service is imported when the command runs (fast --help)
    from planwatch.services.batch import AreaReport


def _summary(
    reports: Sequence[AreaReport], out: Path, seconds: float, workers: int
) -> dict[str, Any]:
    failed = [r for r in reports if not r.ok]
    return {
        "areas": len(reports),
        "written": len(reports) - len(failed),
        "failed": [r.area for r in failed],
        "out": str(out),
        "workers": min(workers, len(reports)),
        "seconds": round(seconds, 1),
    }


def register(app: typer.Typer) -> None:
    @app.command("report-areas")
    def report_areas(
        quarter: QuarterOption,
        project: ProjectOption = Path("."),
        area: Annotated[
            list[str] | None,
            typer.Option(
                "--area",
                "-a",
                help="An area to report on (repeat for more; default: every force the store "
                "holds data for in the plan's sources)",
            ),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option(min=1, help="Worker processes (default: one per CPU)"),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", "-o", help="Folder of the areas' folders (default: output/areas/)"
            ),
        ] = None,
        pdf: PdfOption = True,
        docx: DocxOption = False,
        figures: FiguresOption = True,
        chart_data: ChartDataOption = True,
        appendix: AppendixOption = Appendix.inline,
        draft: DraftOption = False,
        as_json: JsonOption = False,
    ) -> None:
        """Write the plan's quarterly update for every area it can be run for (one plan
        applied to each force), each in its own folder, using every CPU."""
        import time

        from planwatch.project import AREAS_DIR
        from planwatch.services.batch import (
            ReportChoices,
            default_workers,
            report_areas,
        )

        proj = project_of(project)
        count = workers or default_workers()
        folder = out or proj.root / "output" / AREAS_DIR
        finished: list[AreaReport] = []

        def told(report: AreaReport) -> None:
            finished.append(report)
            if as_json:
                return
            head = f"[{len(finished)}] {report.area}"
            if report.ok:
                notes = f", {len(report.warnings)} warning(s)" if report.warnings else ""
                console.print(
                    f"{head}: wrote {len(report.files)} files into {report.folder}{notes} "
                    f"({report.seconds:.1f} s)",
                    highlight=False,
                )
            else:
                err_console.print(
                    f"[bold red]{head}: failed[/] ({report.seconds:.1f} s): {report.error}",
                    highlight=False,
                    soft_wrap=True,
                )

        start = time.perf_counter()
        reports = report_areas(
            proj,
            parse_quarter(quarter),
            tuple(area or ()),
            out_dir=folder,
            choices=ReportChoices(
                pdf=pdf,
                docx=docx,
                figures=figures,
                chart_data=chart_data,
                draft=draft,
                appendix=appendix_place(appendix, no_appendix=False),
            ),
            workers=count,
            on_done=told,
        )
        summary = _summary(reports, folder, time.perf_counter() - start, count)
        if as_json:
            print_json(
                summary
                | {
                    "reports": [
                        {
                            "area": r.area,
                            "folder": str(r.folder),
                            "files": [str(p) for p in r.files],
                            "warnings": [w.to_dict() for w in r.warnings],
                            "key_points_left_out": r.key_points_left_out,
                            "error": r.error,
                            "seconds": round(r.seconds, 2),
                        }
                        for r in reports
                    ]
                }
            )
        else:
            failed = ", ".join(summary["failed"]) or "none"
            console.print(
                f"{summary['written']} of {summary['areas']} areas' reports written into "
                f"{folder} in {summary['seconds']} s ({summary['workers']} workers); failed: {failed}",
                highlight=False,
            )
        first_failed = next((r for r in reports if not r.ok), None)
        if first_failed is not None:
            sys.exit(first_failed.exit_code)  # typer.Exit would be swallowed (standalone_mode)
