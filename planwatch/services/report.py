"""Produce a project's quarterly report: analyse, read the commentary, write HTML and PDF.

In: a :class:`~planwatch.project.Project` and a quarter. Out: the written
:class:`~planwatch.report.build.ReportFiles` (in ``output/`` unless told otherwise).
The analysis comes from :func:`planwatch.services.analyse.run_analysis` (with each count
measure's district breakdown, :mod:`planwatch.services.areas`, and each ``table_by``
share's table by group, :mod:`planwatch.services.workforce`); commentary from
``commentary/<quarter>.yaml`` when that file exists, unless the caller gives it (the web
app's frozen approved commentary). The one way a report is made: ``planwatch report`` and
the web app's publishing and preview (:mod:`planwatch.web.reporting`) both call
:func:`generate_report`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from planwatch.errors import CommentaryError, Location, ReportError
from planwatch.narrative.run import AnalysisRun
from planwatch.periods import Quarter
from planwatch.plan.commentary import Commentary, load_commentary
from planwatch.plan.models import Plan
from planwatch.project import Project
from planwatch.report.build import ReportFiles, build_report
from planwatch.report.view import AppendixPlace
from planwatch.services.areas import with_district_tables
from planwatch.services.workforce import with_share_tables

Analyse = Callable[[Project, Quarter], AnalysisRun]
#: Told when each step of :func:`generate_report` starts (:data:`STEP_ANALYSIS`, then
#: :data:`STEP_BUILD`), e.g. to show progress.
OnStep = Callable[[str], None]
STEP_ANALYSIS = "analysis"
STEP_BUILD = "build"


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


def check_writable(folder: Path) -> Path:
    """Create ``folder`` if needed and prove a file can be written there, before the work
    of a report is spent (a read-only folder or a full disk fails here, by name)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".planwatch-write-check-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ReportError(
            f"cannot write the report into '{folder}': {exc.strerror or exc}",
            location=Location(file=str(folder)),
            expected="a folder you can write to (choose another with --out)",
        ) from exc
    return folder


def generate_report(
    project: Project,
    quarter: Quarter,
    *,
    pdf: bool = True,
    published: date | None = None,
    out_dir: Path | None = None,
    analyse: Analyse | None = None,
    docx: bool = False,
    figures: bool = False,
    draft: bool = False,
    chart_data: bool = False,
    appendix: AppendixPlace = "inline",
    commentary: Commentary | None = None,
    on_step: OnStep | None = None,
) -> ReportFiles:
    """The quarter's report written into ``out_dir`` (options as
    :func:`~planwatch.report.build.build_report`); ``commentary`` stands in for the
    project's commentary file when given."""
    out = check_writable(out_dir or project.output_dir)
    if on_step:
        on_step(STEP_ANALYSIS)
    run = with_district_tables(project, (analyse or default_analyse())(project, quarter))
    run = with_share_tables(project, run)
    if commentary is None:
        commentary = project_commentary(project, run.plan, quarter)
    if on_step:
        on_step(STEP_BUILD)
    return build_report(
        run,
        commentary,
        out,
        pdf=pdf,
        published=published,
        docx=docx,
        figures=figures,
        draft=draft,
        chart_data=chart_data,
        appendix=appendix,
    )
