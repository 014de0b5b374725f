"""One plan, every area: a report for each area the plan can be run for, on every core.

In: a :class:`~planwatch.project.Project`, the report quarter, the areas (by default every
force the store holds data for in the plan's kinds of source:
:func:`planwatch.store.selectors.plan_areas`), the report's options and the number of
worker processes (default: one per CPU).
Out: one :class:`AreaReport` per area, in the order asked: the files written into the
area's own folder (``<out>/<area slug>/``, default ``output/areas/``), or the error that
stopped that area's report. One area failing does not stop the others.

Each report is made by :func:`planwatch.services.report.generate_report`, the one way a
report is made, for the project run for that area
(:meth:`~planwatch.project.Project.for_area`: the plan with the area as its force,
:func:`planwatch.services.analyse.plan_for_area`; the area's own overrides and
commentary under ``areas/<area slug>/``). The plan's own area is the project as it is.

Workers are a process pool (a fork server, ``spawn`` where there is none: never a fork
of this possibly threaded process) that imports the report code once
(:data:`PRELOAD`); each worker then builds report after report, taking the next area as
it finishes one. Every worker reads the one store read-only at the same time. With one
worker (or one area) the reports are built here, one after another.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from planwatch.errors import ConfigError, NotFoundError, PlanwatchError, Problem
from planwatch.periods import Quarter
from planwatch.plan.load import load_plan
from planwatch.plan.models import slugify
from planwatch.project import AREAS_DIR, Project
from planwatch.store.connection import reading
from planwatch.store.names import canonical_force
from planwatch.store.selectors import plan_areas

if TYPE_CHECKING:
    from planwatch.report.view import AppendixPlace

#: What the fork server imports once, so that every worker it forks starts ready to
#: analyse and build (the chart drawing of ``planwatch.report.parallel`` included).
PRELOAD = ["planwatch.services.report", "planwatch.services.analyse", "planwatch.report.draw"]
#: Exit code of an area's report that failed on something other than a planwatch error
#: (a bug: its traceback is in the area's error).
UNEXPECTED_EXIT_CODE = 1


@dataclass(frozen=True)
class ReportChoices:
    """The options of :func:`~planwatch.services.report.generate_report` every area's
    report is built with (as ``planwatch report``'s)."""

    pdf: bool = True
    docx: bool = False
    figures: bool = True
    chart_data: bool = True
    draft: bool = False
    appendix: AppendixPlace = "inline"


@dataclass(frozen=True)
class AreaReport:
    """What one area's report did: the files it wrote, or the error that stopped it."""

    area: str
    folder: Path
    files: tuple[Path, ...] = ()
    warnings: tuple[Problem, ...] = ()
    key_points_left_out: int = 0
    error: str | None = None
    exit_code: int = 0
    seconds: float = 0.0  # wall time of the report in its worker
    cpu_seconds: float = 0.0  # CPU time of the report in its worker

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class _Task:
    area: str
    project: Project
    quarter: Quarter
    folder: Path
    choices: ReportChoices = field(default_factory=ReportChoices)


OnDone = Callable[[AreaReport], None]


def default_workers() -> int:
    """One worker per CPU this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chosen_areas(project: Project, areas: Sequence[str] = ()) -> tuple[str, ...]:
    """``areas`` (each as the store names the force), or every force the store holds data
    for in the plan's kinds of source; an area the store holds nothing for is an error,
    before any report is started."""
    plan = load_plan(project.plan_path)
    with reading(project) as store:
        known = plan_areas(store, plan)
    if not known:
        raise NotFoundError(
            "the store holds no force's data for the plan's sources, so there is no area to "
            "run the plan for",
            expected="data loaded with 'planwatch ingest' that names its forces",
        )
    if not areas:
        return tuple(known)
    chosen: list[str] = []
    unknown = []
    for name in areas:
        force = canonical_force(name)
        if force in known:
            chosen.append(force)
        else:
            unknown.append(name)
    if unknown:
        raise ConfigError(
            f"the store holds no data for {', '.join(repr(u) for u in unknown)} in the "
            "plan's sources",
            expected=f"one of: {', '.join(known)}",
        )
    return tuple(dict.fromkeys(chosen))


def report_areas(
    project: Project,
    quarter: Quarter,
    areas: Sequence[str] = (),
    *,
    out_dir: Path | None = None,
    choices: ReportChoices | None = None,
    workers: int | None = None,
    on_done: OnDone | None = None,
) -> tuple[AreaReport, ...]:
    """Every area's report (module docstring); ``on_done`` is told of each area as its
    report finishes, in the order they finish."""
    chosen = chosen_areas(project, areas)
    own = canonical_force(load_plan(project.plan_path).metadata.area)
    out = out_dir or project.root / "output" / AREAS_DIR
    tasks = [
        _Task(
            area,
            project if area == own else project.for_area(area),
            quarter,
            out / slugify(area),
            choices or ReportChoices(),
        )
        for area in chosen
    ]
    count = min(workers or default_workers(), len(tasks))
    done: dict[str, AreaReport] = {}
    for report in _in_workers(tasks, count) if count > 1 else map(_report_one, tasks):
        done[report.area] = report
        if on_done:
            on_done(report)
    return tuple(done[t.area] for t in tasks)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _in_workers(tasks: Sequence[_Task], workers: int) -> Iterator[AreaReport]:
    """The areas' reports from a pool of ``workers`` processes, as each finishes."""
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_context(), initializer=_start_worker
    )
    try:
        futures = {pool.submit(_report_one, t): t for t in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # its worker died (killed, out of memory): this area only
                yield _failed(futures[future], f"the worker process building it stopped: {exc!r}")
    finally:  # also when the caller stops early (Ctrl-C): no report is left queued
        pool.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    """A worker draws its reports' charts itself: the pool already keeps every CPU busy
    with one report each, and chart workers of its own would only compete with them."""
    from planwatch.report.parallel import draw_here

    draw_here()


def _failed(
    task: _Task, error: str, code: int = UNEXPECTED_EXIT_CODE, took: tuple[float, float] = (0, 0)
) -> AreaReport:
    return AreaReport(
        task.area, task.folder, error=error, exit_code=code, seconds=took[0], cpu_seconds=took[1]
    )


def _report_one(task: _Task) -> AreaReport:
    """One area's report, in whichever process runs it; its error kept, not raised."""
    from planwatch.services.report import generate_report

    wall, cpu = time.perf_counter(), time.process_time()

    def took() -> tuple[float, float]:
        return time.perf_counter() - wall, time.process_time() - cpu

    try:
        files = generate_report(
            task.project, task.quarter, out_dir=task.folder, **asdict(task.choices)
        )
    except PlanwatchError as exc:
        return _failed(task, exc.render(), exc.exit_code, took())
    except Exception as exc:  # a bug met by one area's data must not lose the other areas
        where = "".join(traceback.format_exception(exc, limit=-4))
        return _failed(task, f"unexpected error {exc!r}\n{where}", took=took())
    seconds, cpu_seconds = took()
    written = (files.html, files.pdf, files.docx, files.figures, *files.chart_data, *files.appendix)
    return AreaReport(
        task.area,
        task.folder,
        files=tuple(p for p in written if p is not None),
        warnings=files.warnings,
        key_points_left_out=len(files.refused),
        seconds=seconds,
        cpu_seconds=cpu_seconds,
    )
