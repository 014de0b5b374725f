"""Build the quarterly report: one self-contained HTML file and a PDF from the same templates.

In: an :class:`~planwatch.narrative.run.AnalysisRun`, optional
:class:`~planwatch.plan.commentary.Commentary`, an output folder.
Out: :func:`render_html` returns the HTML as a string; :func:`build_report` writes
``<slug>.html`` and, unless told not to, ``<slug>.pdf`` (via :mod:`planwatch.report.pdf`)
and returns their paths; with ``appendix="separate"`` the charts' data tables are written
as a document of their own (``<slug>-appendix.html`` and ``.pdf``, template
``appendix.html.j2``, :func:`render_appendix`) from the same view. Both build the view
(:mod:`planwatch.report.view`, pure), then draw its charts (:mod:`planwatch.report.drawing`)
as the templates reach them, or in a worker while the PDF is laid out; the HTML file is
written as it is rendered, a chart at a time, so no report holds all its drawings in memory.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from planwatch import OGL_ATTRIBUTION
from planwatch.errors import Problem, ReportError
from planwatch.narrative.run import AnalysisRun
from planwatch.plan.commentary import Commentary
from planwatch.plan.models import slugify
from planwatch.report.drawing import Drawings, drawings, drawn_chart
from planwatch.report.files import write_with
from planwatch.report.parallel import draw_ahead
from planwatch.report.tables import DataTable
from planwatch.report.view import (
    APPENDIX_HEADING,
    APPENDIX_PLACES,
    NO_COMMENTARY,
    AppendixPlace,
    ChartView,
    ReportOptions,
    ReportView,
    analyst_only,
    report_view,
)

TEMPLATE = "report.html.j2"
APPENDIX_TEMPLATE = "appendix.html.j2"
MACROS = "_macros.html.j2"
STYLESHEET = "report.css"


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None
    docx: Path | None = None
    figures: Path | None = None  # every figure as data (JSON)
    chart_data: tuple[Path, ...] = ()  # the data behind the charts: Excel and CSV
    #: The separate appendix of the charts' data tables: HTML, and PDF with the PDF.
    appendix: tuple[Path, ...] = ()
    #: The run's warnings, for the analyst (``planwatch report`` prints them): key points
    #: the claim check left out, and problems with the data.
    warnings: tuple[Problem, ...] = ()

    @property
    def refused(self) -> tuple[Problem, ...]:
        """Key points left out because the claim check could not bear them out."""
        return tuple(w for w in self.warnings if analyst_only(w))


def css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string (used for the page margin boxes)."""
    out = (
        str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    )
    return out


def _numbered(table: DataTable, number: int) -> DataTable:
    return dataclasses.replace(table, caption=f"Table A{number}: {table.caption}")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("planwatch.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    env.filters["numbered"] = _numbered
    env.globals["no_commentary"] = NO_COMMENTARY
    env.globals["ogl"] = OGL_ATTRIBUTION
    env.globals["appendix_heading"] = APPENDIX_HEADING
    return env


@cache
def stylesheet() -> str:
    return (
        resources.files("planwatch.report")
        .joinpath("templates", STYLESHEET)
        .read_text(encoding="utf-8")
    )


def _chunks(view: ReportView, drawn: Drawings) -> Iterator[str]:
    """The report's HTML in pieces, each chart drawn as the template reaches it."""
    return (
        environment().get_template(TEMPLATE).generate(view=view, css=stylesheet(), drawings=drawn)
    )


def _appendix_chunks(view: ReportView) -> Iterator[str]:
    """The separate appendix's HTML (no drawings: its tables only)."""
    return environment().get_template(APPENDIX_TEMPLATE).generate(view=view, css=stylesheet())


def render_appendix(
    run: AnalysisRun, commentary: Commentary | None = None, *, options: ReportOptions
) -> str:
    """The separate appendix (``options.appendix == "separate"``) as one HTML document."""
    view = report_view(run, commentary, options)
    if view.appendix_files is None:
        raise ReportError("this report has no separate appendix", expected="appendix='separate'")
    return "".join(_appendix_chunks(view))


def render_html(
    run: AnalysisRun, commentary: Commentary | None = None, *, options: ReportOptions | None = None
) -> str:
    """The whole report as one self-contained HTML document (CSS and SVG inline)."""
    view = report_view(run, commentary, options or ReportOptions())
    with drawings(view.charts, embed=True) as drawn:
        return "".join(_chunks(view, drawn))


def render_fragment(macro: str, *args: Any) -> str:
    """One macro of ``_macros.html.j2`` on its own (snapshot tests, the web app); a chart
    given to it is drawn first."""
    module = environment().get_template(MACROS).make_module({})
    args = tuple(drawn_chart(a) if isinstance(a, ChartView) else a for a in args)
    return str(getattr(module, macro)(*args)).strip() + "\n"


def _write_chunks(path: Path, chunks: Iterator[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(chunk)


#: Ends the name of the analyst's draft (``anyshire-2023-24-Q1-draft.html``), so that a
#: draft is never taken for the report to publish.
DRAFT_SUFFIX = "-draft"


def report_stem(run: AnalysisRun, *, draft: bool = False) -> str:
    """``anyshire-2023-24-Q1``: the area and the quarter (the README promises this name)."""
    stem = f"{slugify(run.plan.metadata.area) or 'report'}-{run.quarter.slug}"
    return stem + DRAFT_SUFFIX if draft else stem


def publication_date(run: AnalysisRun) -> date | None:
    """The quarter's publication date as the plan gives it (``metadata.published``); never
    the day the report happens to be built. ``None``: the cover prints no date."""
    return run.plan.metadata.published.get(run.quarter.label)


def build_report(
    run: AnalysisRun,
    commentary: Commentary | None,
    out_dir: Path,
    *,
    pdf: bool = True,
    published: date | None = None,
    docx: bool = False,
    figures: bool = False,
    draft: bool = False,
    chart_data: bool = False,
    appendix: AppendixPlace = "inline",
) -> ReportFiles:
    """Write the HTML report (and the PDF; with ``docx`` the Word version; with
    ``figures`` every figure as JSON; with ``chart_data`` the data behind the charts as
    Excel and CSV, linked from each chart) into ``out_dir``; files appear whole or not at
    all. ``appendix`` says where the charts' data tables go: at the end of the PDF and Word
    versions (``inline``), in an appendix document of their own, ``<stem>-appendix.html``
    and ``.pdf``, linked from every chart and the contents (``separate``), or only in the
    chart-data files (``none``, which needs ``chart_data``).
    With ``draft``, the analyst's draft for review (analyst's notes at the top; file
    names end ``-draft``)."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(
            f"cannot write the report into '{out_dir}': it is a file", expected="a folder"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the output folder '{out_dir}': {exc.strerror}") from exc
    published = published or publication_date(run)
    stem = report_stem(run, draft=draft)
    check_appendix(appendix, chart_data=chart_data)
    options = ReportOptions(
        published=published,
        draft=draft,
        chart_data=stem if chart_data else None,
        appendix=appendix,
        stem=stem,
        pdf=pdf,
    )
    view = report_view(run, commentary, options)
    # with a PDF to lay out, a worker draws the charts meanwhile (when a CPU is free)
    ahead = pdf and draw_ahead(len(view.charts))
    with drawings(view.charts, png=docx, ahead=ahead) as drawn:
        appendix_paths = _write_appendix(view, out_dir)
        pdf_path = None
        if pdf:
            from planwatch.report.pdf import write_pdf  # WeasyPrint is slow to import

            print_html = "".join(_chunks(dataclasses.replace(view, for_pdf=True), drawn))
            pdf_path = write_pdf(print_html, out_dir / f"{stem}.pdf", before_fetch=drawn.ready)
        html_path = write_with(
            out_dir / f"{stem}.html", lambda tmp: _write_chunks(tmp, _chunks(view, drawn))
        )
        docx_path = None
        if docx:
            from planwatch.report.docx import write_docx  # python-docx is only needed here

            docx_path = write_docx(view, out_dir / f"{stem}.docx", png=drawn.png)
    figures_path = None
    data_paths: tuple[Path, ...] = ()
    if figures or chart_data:
        from planwatch.report.figures import figures as figures_of
        from planwatch.report.figures import write_figures

        data = figures_of(view, run)
        if figures:
            figures_path = write_figures(data, out_dir / f"{stem}.json")
        if chart_data:
            from planwatch.report.chartdata import write_chart_data

            data_paths = write_chart_data(data, out_dir, stem)
    return ReportFiles(
        html=html_path,
        pdf=pdf_path,
        docx=docx_path,
        figures=figures_path,
        chart_data=data_paths,
        appendix=appendix_paths,
        warnings=run.warnings,
    )


def check_appendix(appendix: str, *, chart_data: bool) -> None:
    """A clear error for an appendix place that is not one, or ``none`` with nowhere else
    for the charts' data tables to go."""
    if appendix not in APPENDIX_PLACES:
        raise ReportError(
            f"the appendix cannot be '{appendix}'", expected=" or ".join(APPENDIX_PLACES)
        )
    if appendix == "none" and not chart_data:
        raise ReportError(
            "without the appendix, the data behind the charts must be written beside the report",
            expected="--chart-data with --appendix=none (or --no-appendix)",
        )


def _write_appendix(view: ReportView, out_dir: Path) -> tuple[Path, ...]:
    """The separate appendix, HTML (and PDF when the report has one), before the report
    that links to it; nothing when the appendix is not separate."""
    files = view.appendix_files
    if files is None:
        return ()
    html = write_with(out_dir / files.html, lambda tmp: _write_chunks(tmp, _appendix_chunks(view)))
    if files.pdf is None:
        return (html,)
    from planwatch.report.pdf import write_pdf

    print_html = "".join(_appendix_chunks(dataclasses.replace(view, for_pdf=True)))
    return html, write_pdf(print_html, out_dir / files.pdf)
