"""Turning the analysis and approved commentary into what readers see.

In: a :class:`PublishedVersion` (report files), or a quarter (dashboard).
Out: report files under ``MEDIA_ROOT/<quarter>/v<n>/`` with the version's status set
(ready, failed with the reason, or pending while planwatch's report builder is not
installed), built by the same service as ``planwatch report``
(:func:`planwatch.services.report.generate_report`: district tables, every figure as
JSON, the charts' data as Excel and CSV beside the report); and the dashboard's key
points per priority from
:func:`planwatch.services.analyse.run_analysis` (empty, with a message, when the store
holds no data). Imports of the report and analysis steps are deferred so that the web
app runs without them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches

from planwatch import __version__
from planwatch import formatting as fmt
from planwatch.analysis.results import ChangeResult, TrendResult
from planwatch.errors import CommentaryError, PlanwatchError, Problem
from planwatch.narrative.keypoints import good_or_bad
from planwatch.narrative.overrides import Override
from planwatch.periods import Quarter, parse_quarter
from planwatch.plan.commentary import Commentary
from planwatch.project import Project
from planwatch.web.models import PublishedVersion, ReportStatus, Round
from planwatch.web.selectors import data_quarters
from planwatch.web.services import set_report_result
from planwatch.web.services.publishing import current_commentary

log = logging.getLogger(__name__)

#: How long a request that found no analysis waits before it may queue the job again (the
#: first job is still queued or running meanwhile; 10 minutes, well over the demo's 16 s).
PREPARE_AGAIN_SECONDS = 10 * 60
#: What the dashboard and the owner's editor say while the background worker prepares them.
PREPARING_MESSAGE = (
    "Key points are being prepared from the latest data and plan. This takes a minute or so:"
    " reload the page to see them."
)
#: Report file types offered for download, most useful first.
REPORT_SUFFIXES = (".pdf", ".html", ".docx")
PENDING_MESSAGE = (
    "The report builder (planwatch.report.build) is not available in this installation, so the "
    "approved commentary has been stored and the report is pending. Generate it again once the "
    "report step is installed."
)


def version_dir(version: PublishedVersion) -> Path:
    return Path(settings.MEDIA_ROOT) / version.round.quarter / f"v{version.number}"


def report_files(version: PublishedVersion) -> list[Path]:
    folder = version_dir(version)
    if not folder.is_dir():
        return []
    return sorted(
        (p for p in folder.rglob("*") if p.is_file()),
        key=lambda p: (p.suffix not in REPORT_SUFFIXES, p.suffix != ".pdf", str(p)),
    )


def _builders() -> tuple[Any, Any] | None:
    """planwatch's report service (:func:`planwatch.services.report.generate_report`) and
    analysis, when installed."""
    try:
        from planwatch.services.analyse import run_analysis
        from planwatch.services.report import generate_report as project_report
    except ImportError:
        return None
    return project_report, run_analysis


#: How far building a report has got when each step starts (per cent, shown as progress).
PROGRESS_ANALYSIS = 10
PROGRESS_BUILD = 40


def generate_report(version: PublishedVersion) -> str:
    """Build the report for a published version from its frozen approved commentary."""
    builders = _builders()
    if builders is None:
        set_report_result(version, status=ReportStatus.PENDING, message=PENDING_MESSAGE)
        return ReportStatus.PENDING
    project_report = builders[0]
    from planwatch.services.report import STEP_ANALYSIS

    what = "HTML and PDF" if settings.REPORT_PDF else "HTML"

    def on_step(step: str) -> None:
        percent, message = (
            (PROGRESS_ANALYSIS, "Running the analysis for the quarter.")
            if step == STEP_ANALYSIS
            else (PROGRESS_BUILD, f"Building the report ({what}) with its charts.")
        )
        set_report_result(version, status=ReportStatus.BUILDING, message=message, progress=percent)

    try:
        project_report(
            Project.at(settings.PROJECT_DIR),
            parse_quarter(version.round.quarter),
            out_dir=version_dir(version),
            commentary=Commentary.model_validate(version.commentary),
            on_step=on_step,
            pdf=settings.REPORT_PDF,
            docx=True,  # the Word version, for offices that edit and publish in Word
            figures=True,  # every figure as JSON, and the charts' data as Excel and CSV,
            chart_data=True,  # as `planwatch report` writes them, linked from the report
            published=version.published_at.date(),  # the round's date, not the build day
        )
    except PlanwatchError as exc:
        set_report_result(version, status=ReportStatus.FAILED, message=exc.render())
        return ReportStatus.FAILED
    except (
        Exception
    ) as exc:  # the commentary is already safely published; record why the report is missing
        log.exception("report generation failed for %s", version)
        set_report_result(
            version,
            status=ReportStatus.FAILED,
            message=f"unexpected error while building the report: {exc}",
        )
        return ReportStatus.FAILED
    files = report_files(version)
    if not files:
        set_report_result(
            version, status=ReportStatus.FAILED, message="the report builder produced no files"
        )
        return ReportStatus.FAILED
    set_report_result(
        version, status=ReportStatus.READY, file=str(files[0].relative_to(settings.MEDIA_ROOT))
    )
    return ReportStatus.READY


def preview_report(rnd: Round) -> Path:
    """The round's report as it would read with every current draft (HTML only), built into
    ``MEDIA_ROOT/previews/<quarter>/``; returns the HTML file, or raises the builder's
    :class:`~planwatch.errors.PlanwatchError`."""
    builders = _builders()
    if builders is None:
        raise CommentaryError(PENDING_MESSAGE)
    files = builders[0](
        Project.at(settings.PROJECT_DIR),
        parse_quarter(rnd.quarter),
        out_dir=Path(settings.MEDIA_ROOT) / "previews" / rnd.quarter,
        commentary=current_commentary(rnd),
        pdf=False,
        draft=True,  # analyst only
    )
    return Path(files.html)


# --------------------------------------------------------------------------- dashboard


@dataclass(frozen=True)
class PriorityPanel:
    number: int
    title: str
    key_points: tuple[str, ...]
    fragments: tuple[str, ...] = ()  # trusted HTML from planwatch.report's fragment renderer


@dataclass(frozen=True)
class Movement:
    """How a measure moved, for the dashboard's grid: an arrow, words with the size, and
    whether that is better or worse for the public (only when a test showed the movement)."""

    arrow: str
    words: str
    judgement: str = "neutral"  # "good", "bad" or "neutral" (the cell's colour)

    @property
    def judgement_words(self) -> str:
        return JUDGEMENT_WORDS[self.judgement]


#: What the dashboard's colours mean, in words beside each arrow.
JUDGEMENT_WORDS = {"good": "better", "bad": "worse", "neutral": ""}
#: The dashboard's arrows for a direction of movement.
ARROWS = {"up": "↑", "down": "↓", "flat": "→"}
NOT_TESTED_ARROW = "–"


@dataclass(frozen=True)
class GridRow:
    """One measure of a priority on the dashboard's one-screen grid."""

    priority: int
    priority_title: str
    measure: str
    latest: str  # the latest value and its period
    trend: Movement
    year: Movement | None  # against the same period a year earlier, when the data allow


@dataclass(frozen=True)
class Dashboard:
    quarter: str
    panels: tuple[PriorityPanel, ...] = ()
    message: str = ""
    warnings: tuple[Problem, ...] = field(default=())  # rendered by the template
    charts: bool = False  # whether the report step's key-point and chart fragments were used
    grid: tuple[GridRow, ...] = ()
    preparing: bool = False  # the background worker is preparing the analysis


def _trend_movement(trend: TrendResult | None, polarity: str) -> Movement:
    """The trend test's finding (planwatch.analysis.trend; docs/methodology.md): a direction
    only when the test found a trend, with its size a year."""
    if trend is None or trend.method == "insufficient_data":
        return Movement(NOT_TESTED_ARROW, "too few periods to test")
    if not trend.significant:
        return Movement(ARROWS["flat"], "no clear trend")
    words = "rising" if trend.direction == "up" else "falling"
    if trend.pct_per_year is not None:
        words += f" {fmt.pct(trend.pct_per_year)} a year"
    return Movement(ARROWS[trend.direction], words, good_or_bad(trend.direction, polarity))


def _year_movement(changes: tuple[ChangeResult, ...], polarity: str) -> Movement | None:
    """The change on the same period a year earlier, judged better or worse only when its
    test found a real change."""
    change = next((c for c in changes if c.kind == "same_period_last_year"), None)
    if change is None:
        return None
    size = (
        fmt.signed(change.pct_change, 1, "%")
        if change.pct_change is not None
        else fmt.signed(change.abs_change)
    )
    words = f"{size} on {fmt.period_text(change.comparison_label)}"
    if change.significant is None:
        return Movement(ARROWS[change.direction], f"{words} (not tested)")
    if not change.significant:
        return Movement(ARROWS[change.direction], f"{words} (not a clear change)")
    return Movement(ARROWS[change.direction], words, good_or_bad(change.direction, polarity))


def _grid(run: Any) -> tuple[GridRow, ...]:
    """Priorities x measures: the latest value, the trend and the change on a year earlier."""
    return tuple(
        GridRow(
            pr.priority.number,
            pr.priority.title,
            m.measure.name,
            (
                f"{fmt.value(m.analysis.latest_value, m.measure.unit, m.measure.decimals)}"
                f" ({fmt.period_text(m.analysis.latest_label)})"
                if m.analysis.latest_label
                else fmt.MISSING
            ),
            _trend_movement(m.analysis.trend, m.measure.polarity),
            _year_movement(m.analysis.changes, m.measure.polarity),
        )
        for pr in run.priorities
        for m in pr.measures
    )


def _fragment_renderer() -> Any:
    """planwatch.report's fragment renderer and view builder, when installed."""
    try:
        from planwatch.report.build import render_fragment
        from planwatch.report.view import ReportOptions, report_view
    except ImportError:
        return None
    return render_fragment, report_view, ReportOptions


def _file_stamp(path: Path) -> str:
    try:
        found = path.stat()
    except FileNotFoundError:
        return "0"
    return f"{found.st_mtime_ns}.{found.st_size}"


def _analysis_key(project: Project, quarter: Quarter) -> str:
    """The quarter's analysis is that of these files as they are now: a new load (the
    store), a changed plan or an analyst's override (overrides.yaml) makes a new one, and
    so does another version of planwatch."""
    stamp = "-".join(
        _file_stamp(path)
        for path in (project.store_path, project.plan_path, project.overrides_path)
    )
    return f"pw-dashboard:{__version__}:{project.root}:{quarter.slug}:{stamp}"


def dashboard(quarter: Quarter) -> Dashboard:
    """The quarter's dashboard, computed now unless it is in the analysis cache (a file
    cache: what the background worker computed reaches every web process, and survives a
    restart). For the worker, the CLI and tests; a request uses :func:`dashboard_if_ready`."""
    project = Project.at(settings.PROJECT_DIR)
    key = _analysis_key(project, quarter)
    found = caches["analysis"].get(key)
    if found is None:
        found = _compute_dashboard(project, quarter)
        caches["analysis"].set(key, found)
    return found  # type: ignore[no-any-return]


def dashboard_if_ready(quarter: Quarter, *, starting: bool = False) -> Dashboard:
    """The quarter's dashboard for a request, which never runs the analysis: the cached one,
    or one saying it is being prepared, the background worker's job to prepare it queued
    (once, however many requests ask; again by the server starting, ``starting``). Without
    data or the analysis step there is nothing to compute, and the page says so at once."""
    project = Project.at(settings.PROJECT_DIR)
    key = _analysis_key(project, quarter)
    found = caches["analysis"].get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    if not project.store_path.exists() or find_spec("planwatch.services.report") is None:
        return _compute_dashboard(project, quarter)  # nothing to analyse: says so at once
    if quarter not in data_quarters() and not Round.objects.filter(quarter=quarter.slug).exists():
        # Not a job for every quarter a reader can type in the address.
        return Dashboard(quarter.label, message=f"This project holds no data for {quarter.label}.")
    queued = f"{key}:queued"
    # The server starting queues it whatever a job before the restart said: that job may
    # have died with its worker.
    if starting:
        caches["analysis"].delete(queued)
    if caches["analysis"].add(queued, True, PREPARE_AGAIN_SECONDS):
        from planwatch.web.tasks import prepare_analysis  # tasks import this module

        prepare_analysis.enqueue(quarter.label)
    return Dashboard(quarter.label, message=PREPARING_MESSAGE, preparing=True)


@dataclass(frozen=True)
class PriorityAnalysis:
    """One priority's current key points and charts for the owner's editor, or why there
    are none (``message``)."""

    panel: PriorityPanel | None
    message: str = ""


def priority_panel(quarter_slug: str, number: int) -> PriorityAnalysis:
    """Priority ``number``'s panel of the quarter's dashboard (the same cached analysis; being
    prepared, the notice saying so)."""
    try:
        board = dashboard_if_ready(parse_quarter(quarter_slug))
    except PlanwatchError as exc:
        return PriorityAnalysis(None, exc.render())
    panel = next((p for p in board.panels if p.number == number), None)
    if panel is None:
        return PriorityAnalysis(None, board.message or "No key points for this priority yet.")
    return PriorityAnalysis(panel)


def _compute_dashboard(project: Project, quarter: Quarter) -> Dashboard:
    builders = _builders()
    if builders is None:
        return Dashboard(
            quarter.label,
            message="The analysis step is not installed, so there is nothing to show yet.",
        )
    if not project.store_path.exists():
        return Dashboard(
            quarter.label,
            message="No data has been loaded into this project yet (run 'planwatch ingest').",
        )
    _, run_analysis = builders
    try:
        run = run_analysis(project, quarter)
    except PlanwatchError as exc:
        return Dashboard(
            quarter.label,
            message=f"The analysis for {quarter.label} could not be run: {exc.render()}",
        )
    renderer = _fragment_renderer()
    if renderer is None:
        panels = tuple(
            PriorityPanel(
                pr.priority.number, pr.priority.title, tuple(k.text for k in pr.key_points)
            )
            for pr in run.priorities
        )
        return Dashboard(quarter.label, panels, warnings=tuple(run.warnings), grid=_grid(run))
    render_fragment, report_view, options = renderer
    view = report_view(run, None, options())
    drawn: list[PriorityPanel] = []
    for pv in view.priorities:
        fragments = [render_fragment("key_points", pv.key_points)] if pv.key_points else []
        fragments += [
            render_fragment("chart_figure", chart, False)
            for m in pv.measures
            for chart in m.charts  # the series chart, then the funnel plot if any
        ]
        drawn.append(
            PriorityPanel(
                pv.number, pv.title, tuple(k.text for k in pv.key_points), tuple(fragments)
            )
        )
    return Dashboard(
        quarter.label, tuple(drawn), warnings=tuple(run.warnings), charts=True, grid=_grid(run)
    )


# --------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class KeyPointRow:
    """A generated key point as the overrides page lists it."""

    key: str
    text: str
    measure: str
    where: str  # "Key point", "Analyst's note" or "Not shown" (ranked out of the box)
    override: Override | None
    stale: bool


@dataclass(frozen=True)
class PriorityKeyPoints:
    number: int
    title: str
    rows: tuple[KeyPointRow, ...]


@dataclass(frozen=True)
class KeyPointOverview:
    priorities: tuple[PriorityKeyPoints, ...] = ()
    hidden: tuple[Override, ...] = ()  # overrides of points no longer shown (suppressed)
    message: str = ""


def key_point_overview(rnd: Round) -> KeyPointOverview:
    """Every generated key point of the round's quarter, priority by priority, with the
    override on it (from overrides.yaml) and where it stands now."""
    from planwatch.services.overrides import load_overrides

    builders = _builders()
    project = Project.at(settings.PROJECT_DIR)
    if builders is None or not project.store_path.exists():
        return KeyPointOverview(message="No data has been loaded into this project yet.")
    try:
        overrides = {o.key: o for o in load_overrides(project.overrides_path)}
        run = builders[1](project, parse_quarter(rnd.quarter))
    except PlanwatchError as exc:
        return KeyPointOverview(message=exc.render())
    shown: set[str] = set()
    priorities = []
    for pr in run.priorities:
        boxed = {kp.key for kp in pr.key_points}
        notes = {kp.key for kp in pr.analyst_notes}
        rows = []
        candidates = [*pr.key_points, *pr.analyst_notes]
        candidates += [kp for m in pr.measures for kp in m.key_points]
        seen: set[str] = set()
        for kp in candidates:
            if kp.key in seen or kp.kind == "override":
                continue
            seen.add(kp.key)
            where = (
                "Key point"
                if kp.key in boxed
                else "Analyst's note"
                if kp.key in notes
                else "Not shown"
            )
            rows.append(
                KeyPointRow(
                    kp.key, kp.text, kp.measure, where, overrides.get(kp.key), kp.override_stale
                )
            )
        shown |= seen
        priorities.append(PriorityKeyPoints(pr.priority.number, pr.priority.title, tuple(rows)))
    hidden = tuple(o for k, o in overrides.items() if k not in shown and o.action != "add")
    return KeyPointOverview(tuple(priorities), hidden)
