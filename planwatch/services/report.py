"""Produce a project's quarterly report: analyse, read the commentary, write HTML and PDF.

In: a :class:`~planwatch.project.Project` and a quarter. Out: the written
:class:`~planwatch.report.build.ReportFiles` (in ``output/`` unless told otherwise).
The analysis comes from :func:`planwatch.services.analyse.run_analysis`; commentary from
``commentary/<quarter>.yaml`` when that file exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from planwatch.errors import CommentaryError, Location
from planwatch.narrative.run import AnalysisRun
from planwatch.periods import Quarter
from planwatch.plan.commentary import Commentary, load_commentary
from planwatch.plan.models import Plan
from planwatch.project import Project
from planwatch.report.build import ReportFiles, build_report

Analyse = Callable[[Project, Quarter], AnalysisRun]


def default_analyse() -> Analyse:
    """``planwatch.services.analyse.run_analysis``."""
    from planwatch.services.analyse import run_analysis

    return run_analysis


def project_commentary(project: Project, plan: Plan, quarter: Quarter) -> Commentary | None:
    """The quarter's commentary file, checked against the plan; ``None`` when there is none."""
    path = project.commentary_path(quarter)
    if not path.exists():
        return None
    commentary = load_commentary(path, plan)
    if commentary.period != quarter:
        raise CommentaryError(
            f"commentary is for {commentary.period.label}, not {quarter.label}",
            location=Location(file=str(path), field="quarter"),
            expected=quarter.label,
        )
    return commentary


def generate_report(
    project: Project,
    quarter: Quarter,
    *,
    pdf: bool = True,
    published: date | None = None,
    out_dir: Path | None = None,
    analyse: Analyse | None = None,
) -> ReportFiles:
    from planwatch.report.parallel import warm_up

    warm_up()  # chart workers start while the analysis runs
    run = (analyse or default_analyse())(project, quarter)
    commentary = project_commentary(project, run.plan, quarter)
    return build_report(
        run, commentary, out_dir or project.output_dir, pdf=pdf, published=published
    )
