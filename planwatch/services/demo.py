"""Run a ready-made project through the whole pipeline: ingest, analyse, report.

In: a :class:`~planwatch.project.Project` whose plan and data files are written
(by :mod:`planwatch.demo.generate`, which the CLI calls first), the files to load
by source kind, the report quarter and a file stem for the report.
Out: a :class:`DemoOutcome` — what each step did, and where the HTML and PDF are.

Every step uses the same services as the ``planwatch ingest`` / ``analyse`` /
``report`` commands; a step that fails raises its error as usual.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.services.analyse import run_analysis
from planwatch.services.ingest import ingest
from planwatch.services.report import generate_report

Echo = Callable[[str], None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    message: str
    seconds: float = 0.0


@dataclass
class DemoOutcome:
    steps: list[DemoStep] = field(default_factory=list)
    html: Path | None = None
    pdf: Path | None = None
    docx: Path | None = None  # the Word version, written with the PDF
    figures: Path | None = None  # every figure of the report as JSON
    warnings: list[str] = field(
        default_factory=list
    )  # from ingest: e.g. values held out as suspect


def ingest_step(
    project: Project, loads: Sequence[tuple[str, Sequence[Path]]], outcome: DemoOutcome, echo: Echo
) -> None:
    """Load every file through the ingest service, one source kind at a time."""
    start = time.perf_counter()
    total = 0
    for kind, paths in loads:
        result = ingest(project, kind, list(paths))
        total += len(paths)
        outcome.warnings.extend(result.warnings)
    seconds = time.perf_counter() - start
    message = f"ingest: loaded {total} files into {project.store_path.name} ({seconds:.1f} s)"
    outcome.steps.append(DemoStep("ingest", message, seconds))
    echo(message)
    for warning in outcome.warnings:
        echo(f"  warning: {warning}")


def report_step(
    project: Project, quarter: Quarter, stem: str, *, pdf: bool, outcome: DemoOutcome, echo: Echo
) -> None:
    """Analyse the quarter and write the report, renamed to ``<stem>.html`` / ``.pdf``."""
    timings: dict[str, float] = {}

    def timed_analysis(proj: Project, q: Quarter) -> Any:
        start = time.perf_counter()
        run = run_analysis(proj, q)
        timings["analyse"] = time.perf_counter() - start
        return run

    start = time.perf_counter()
    files = generate_report(
        project, quarter, pdf=pdf, docx=pdf, figures=True, analyse=timed_analysis
    )
    _record(outcome, echo, "analyse", f"analysed {quarter.label}", timings.get("analyse", 0.0))
    outcome.html = _rename(files.html, stem)
    outcome.pdf = _rename(files.pdf, stem) if files.pdf else None
    outcome.docx = _rename(files.docx, stem) if files.docx else None
    outcome.figures = _rename(files.figures, stem) if files.figures else None
    seconds = time.perf_counter() - start - timings.get("analyse", 0.0)
    shown = (outcome.html, outcome.pdf, outcome.docx, outcome.figures)
    written = " and ".join(str(p) for p in shown if p)
    _record(outcome, echo, "report", f"wrote {written}", seconds)


def _record(outcome: DemoOutcome, echo: Echo, name: str, what: str, seconds: float) -> None:
    message = f"{name}: {what} ({seconds:.1f} s)"
    outcome.steps.append(DemoStep(name, message, seconds))
    echo(message)


def _rename(path: Path, stem: str) -> Path:
    target = path.with_name(stem + path.suffix)
    if target != path:
        os.replace(path, target)
    return target


def build_demo(
    project: Project,
    loads: Sequence[tuple[str, Sequence[Path]]],
    quarter: Quarter,
    *,
    stem: str,
    pdf: bool = True,
    echo: Echo = print,
) -> DemoOutcome:
    """Ingest ``loads`` (source kind, files) into ``project``, analyse ``quarter`` and write the report."""
    outcome = DemoOutcome()
    ingest_step(project, loads, outcome, echo)
    report_step(project, quarter, stem, pdf=pdf, outcome=outcome, echo=echo)
    return outcome
