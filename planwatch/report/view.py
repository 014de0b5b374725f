"""The report as the templates see it: plain frozen values, no logic left for Jinja.

In: an :class:`~planwatch.narrative.run.AnalysisRun`, optional
:class:`~planwatch.plan.commentary.Commentary` and :class:`ReportOptions`.
Out: a :class:`ReportView` — cover, priorities (key points, what each chart shows,
tables, commitments with commentary, numbered footnotes, caveats and data lags) and the
notes at the end. Pure: the same inputs give the same view. Nothing here draws: the
charts are drawn by the next step (:mod:`planwatch.report.drawing`), which the build
calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

from planwatch import OGL_ATTRIBUTION, __version__
from planwatch import formatting as fmt
from planwatch.errors import Problem
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import ClaimProblem
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.run import AnalysisRun, MeasureResult, PriorityResult
from planwatch.periods import MONTHS_PER_QUARTER, MONTHS_PER_YEAR, Month, Quarter
from planwatch.plan.commentary import Commentary
from planwatch.plan.models import OWN_RECORDS, Commitment, Measure, Plan, RecordsSource
from planwatch.report import chartdata, tables
from planwatch.report.chart import (
    TREND_METHODS,
    ChartSpec,
    Definition,
    chart_spec,
    definition_note,
    limits_note,
    process_limits,
)
from planwatch.report.funnel import FunnelSpec, funnel_spec
from planwatch.report.tables import DataTable

QUARTERS_PER_YEAR = MONTHS_PER_YEAR // MONTHS_PER_QUARTER
#: Source kinds whose figures are published under the Open Government Licence v3.0.
OPEN_DATA_SOURCES = frozenset({"prc", "police_uk"})
SOURCE_NAMES = {
    "prc": "Home Office, police recorded crime data tables",
    "police_uk": "data.police.uk, street-level crime and anti-social behaviour data",
}
NO_COMMENTARY = "No commentary received."
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
#: Where the charts' data tables go in the PDF and Word versions: at their end
#: (``inline``), in an appendix document of their own beside the report, HTML and PDF
#: (``separate``), or only in the chart-data files (``none``, which needs them).
AppendixPlace = Literal["inline", "separate", "none"]
APPENDIX_PLACES: tuple[AppendixPlace, ...] = get_args(AppendixPlace)
#: Ends the names of the separate appendix's files (``anyshire-2023-24-Q1-appendix.pdf``).
APPENDIX_SUFFIX = "-appendix"
APPENDIX_HEADING = "Appendix: data behind the charts"


@dataclass(frozen=True)
class ReportOptions:
    published: date | None = None  # None: not printed (the caller passes today by default)
    for_pdf: bool = False  # PDF: page numbers in the contents, data tables in an appendix
    #: The analyst's draft for review: the analyst's notes (notes on the data, key points
    #: the claim check left out) at the top. The published report never shows them.
    draft: bool = False
    #: The stem of the chart-data files written beside the report
    #: (:mod:`planwatch.report.chartdata`), linked from every chart; ``None``: none.
    chart_data: str | None = None
    #: Where the data tables behind the charts go (:data:`AppendixPlace`); ``none``: only
    #: in the chart-data files (``chart_data``), linked from each chart.
    appendix: AppendixPlace = "inline"
    #: The stem of the report's own files (``<stem>.html``): the separate appendix is
    #: ``<stem>-appendix.html`` (and ``.pdf`` with ``pdf``) beside them.
    stem: str = "report"
    pdf: bool = True


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str

    @property
    def anchor(self) -> str:
        return f"footnote-{self.number}"


@dataclass(frozen=True)
class ChartView:
    spec: ChartSpec | FunnelSpec
    table_number: int  # "Table A3" in the PDF appendix
    svg: str = ""  # drawn by planwatch.report.drawing, only where one chart is shown alone
    note: str = ""  # said next to the chart (process limits widened for autocorrelation)

    @property
    def definition(self) -> str:
        """Said in the chart's caption: what a record-based measure counts ("Counted from
        the force's own records: crimes flagged rural, by recorded date."); else empty."""
        return definition_note(self.spec.definition)

    @property
    def table_anchor(self) -> str:
        return f"table-a{self.table_number}"

    @property
    def anchor(self) -> str:
        return f"chart-{self.table_number}"


@dataclass(frozen=True)
class MeasureView:
    id: str
    name: str
    chart: ChartView | None
    tables: tuple[DataTable, ...]
    key_points: tuple[KeyPoint, ...]
    caveats: tuple[str, ...]
    footnotes: tuple[Footnote, ...]
    source: str
    open_data: bool
    peer_chart: ChartView | None = None  # funnel plot: the force against the others

    @property
    def anchor(self) -> str:
        return f"measure-{self.id}"

    @property
    def charts(self) -> tuple[ChartView, ...]:
        return tuple(c for c in (self.chart, self.peer_chart) if c is not None)


@dataclass(frozen=True)
class CommentaryView:
    department: str
    rag: str | None
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class CommitmentView:
    id: str
    text: str
    owners: tuple[str, ...]  # department names
    commentary: tuple[CommentaryView, ...]


@dataclass(frozen=True)
class PriorityView:
    number: int
    title: str
    anchor: str
    objective: str
    key_points: tuple[KeyPoint, ...]
    measures: tuple[MeasureView, ...]
    commitments: tuple[CommitmentView, ...]
    footnotes: tuple[Footnote, ...]  # priority footnotes first, then each measure's
    objective_footnotes: tuple[Footnote, ...]
    open_data: bool
    data_due: tuple[str, ...] = ()  # when the figures not yet in for the quarter are expected

    @property
    def heading(self) -> str:
        return f"Priority {self.number}: {self.title}"

    @property
    def end_anchor(self) -> str:
        return f"{self.anchor}-end"


@dataclass(frozen=True)
class DataFile:
    """A file of the data behind the charts, linked from each chart."""

    href: str  # beside the report: a relative link
    kind: str  # "Excel workbook", "CSV"


@dataclass(frozen=True)
class AppendixFiles:
    """The separate appendix beside the report, and the report it belongs to: file names,
    so that every link between them is relative and works when the folder is moved."""

    html: str  # <stem>-appendix.html
    pdf: str | None  # <stem>-appendix.pdf, when the PDF versions are written
    report_html: str
    report_pdf: str | None

    def appendix_for(self, for_pdf: bool) -> str:
        """The appendix a version of the report links to: the PDF from the PDF."""
        return self.pdf if for_pdf and self.pdf else self.html

    def report_for(self, for_pdf: bool) -> str:
        """The report a version of the appendix belongs to: the PDF from the PDF."""
        return self.report_pdf if for_pdf and self.report_pdf else self.report_html

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.html, self.pdf) if n)

    @property
    def described(self) -> str:
        """``x-appendix.pdf (PDF) or x-appendix.html (web page)``: where the Word version
        says the appendix is."""
        kinds = [f"{self.pdf} (PDF)"] if self.pdf else []
        return " or ".join([*kinds, f"{self.html} (web page)"])


def appendix_files(stem: str, *, pdf: bool) -> AppendixFiles:
    return AppendixFiles(
        html=f"{stem}{APPENDIX_SUFFIX}.html",
        pdf=f"{stem}{APPENDIX_SUFFIX}.pdf" if pdf else None,
        report_html=f"{stem}.html",
        report_pdf=f"{stem}.pdf" if pdf else None,
    )


@dataclass(frozen=True)
class AnalystNotes:
    """One list of the draft's analyst's notes, under its heading."""

    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class CoverView:
    plan_title: str
    report_title: str
    organisation: str
    published: str | None
    data_to: str
    version: str
    author: str
    unit: str
    document_owner: str
    sensitivity: str


@dataclass(frozen=True)
class ReportView:
    lang: str
    title: str
    cover: CoverView
    priorities: tuple[PriorityView, ...]
    methods: tuple[str, ...]
    warnings: tuple[Problem, ...]  # rendered by the template
    attribution: str | None
    generator: str
    for_pdf: bool
    charts: tuple[ChartView, ...] = field(default=())
    draft: bool = False
    analyst_notes: tuple[AnalystNotes, ...] = ()  # only in a draft
    data_files: tuple[DataFile, ...] = ()  # the chart data beside the report
    appendix: AppendixPlace = "inline"  # where the charts' data tables are
    appendix_files: AppendixFiles | None = None  # the separate appendix, when there is one

    @property
    def tabled_charts(self) -> tuple[ChartView, ...]:
        """The charts with a data table: the appendix's tables, numbered as the charts."""
        return tuple(c for c in self.charts if c.spec.table is not None)

    @property
    def appendix_inline(self) -> bool:
        """The PDF and Word versions end with the charts' data tables."""
        return self.appendix == "inline" and bool(self.tabled_charts)

    @property
    def appendix_href(self) -> str | None:
        """The separate appendix this version links to (``None``: there is none)."""
        if self.appendix_files is None:
            return None
        return self.appendix_files.appendix_for(self.for_pdf)

    @property
    def sensitivity(self) -> str:
        return self.cover.sensitivity

    @property
    def about(self) -> str:
        """The first sentences of "About this report"."""
        covers = self.cover.report_title.replace("Quarterly Update: ", "")
        return (
            f"This report covers {covers}. The latest data it uses are up to {self.cover.data_to}."
        )


def report_view(
    run: AnalysisRun, commentary: Commentary | None, options: ReportOptions
) -> ReportView:
    plan, meta = run.plan, run.plan.metadata
    numbers = _counter()
    table_numbers = _counter()
    priorities = tuple(
        _priority(p, plan, commentary, numbers, table_numbers, run.quarter) for p in run.priorities
    )
    report_title = plan.report_title(run.quarter)
    charts = tuple(c for p in priorities for m in p.measures for c in m.charts)
    # without the chart-data files the tables must stay in the document
    place: AppendixPlace = (
        "inline" if options.appendix == "none" and options.chart_data is None else options.appendix
    )
    separate = place == "separate" and any(c.spec.table is not None for c in charts)
    cover = CoverView(
        plan_title=meta.title,
        report_title=report_title,
        organisation=meta.organisation,
        published=fmt.long_date(options.published) if options.published else None,
        data_to=fmt.month_label(run.data_to),
        version=meta.version,
        author=meta.author,
        unit=meta.unit,
        document_owner=meta.document_owner,
        sensitivity=meta.sensitivity,
    )
    return ReportView(
        lang=meta.language,
        title=f"{report_title} – {meta.title}",
        cover=cover,
        priorities=priorities,
        methods=_methods(run),
        warnings=tuple(w for w in run.warnings if not analyst_only(w)),
        attribution=OGL_ATTRIBUTION if any(p.open_data for p in priorities) else None,
        generator=f"planwatch {__version__}",
        for_pdf=options.for_pdf,
        charts=charts,
        draft=options.draft,
        analyst_notes=analyst_notes(run) if options.draft else (),
        data_files=data_files(options.chart_data),
        appendix=place,
        appendix_files=appendix_files(options.stem, pdf=options.pdf) if separate else None,
    )


def data_files(stem: str | None) -> tuple[DataFile, ...]:
    if stem is None:
        return ()
    return (
        DataFile(f"{stem}{chartdata.XLSX_SUFFIX}", "Excel workbook"),
        DataFile(f"{stem}{chartdata.CSV_SUFFIX}", "CSV"),
    )


#: Heading of the draft's list of key points the independent claim check left out.
LEFT_OUT = "Key points left out: the claim check could not bear them out"


def analyst_only(problem: Problem) -> bool:
    """A warning for the analyst alone: a key point the claim check refused (the reader
    of the published report never sees the sentence, so is not told of it)."""
    return isinstance(problem, ClaimProblem)


def analyst_notes(run: AnalysisRun) -> tuple[AnalystNotes, ...]:
    """The draft's analyst's notes: the key points left out by the claim check, then each
    priority's notes on the data (held-out values, gaps, data that stop short)."""
    refused = tuple(str(w) for w in run.warnings if analyst_only(w))
    out = [AnalystNotes(LEFT_OUT, refused)] if refused else []
    out += [
        AnalystNotes(f"Priority {p.priority.number}: {p.priority.title}", notes)
        for p in run.priorities
        if (notes := tuple(kp.text for kp in p.analyst_notes))
    ]
    return tuple(out)


def _counter() -> Iterator[int]:
    n = 0
    while True:
        n += 1
        yield n


def _priority(
    result: PriorityResult,
    plan: Plan,
    commentary: Commentary | None,
    numbers: Iterator[int],
    table_numbers: Iterator[int],
    quarter: Quarter,
) -> PriorityView:
    priority = result.priority
    own = tuple(Footnote(next(numbers), text) for text in priority.footnotes)
    shown = {_identity(kp) for kp in result.key_points}
    measures = tuple(
        _measure(m, shown, numbers, table_numbers, _definition(plan, m.measure.id))
        for m in result.measures
    )
    return PriorityView(
        number=priority.number,
        title=priority.title,
        anchor=priority.anchor,
        objective=priority.objective,
        key_points=result.key_points,
        measures=measures,
        commitments=tuple(_commitment(c, plan, commentary) for c in priority.commitments),
        footnotes=own + tuple(f for m in measures for f in m.footnotes),
        objective_footnotes=own,
        open_data=any(m.open_data for m in measures),
        data_due=tuple(d for m in result.measures if (d := data_due(m, quarter))),
    )


def data_due(result: MeasureResult, quarter: Quarter) -> str | None:
    """When a lagging measure's figures for the report's quarter are expected: the end of
    the period as many periods later as the measure lags (the plan's ``data_lag``, else the
    lag seen in the data); ``None`` when the figures are in."""
    measure, seen = result.measure, result.analysis.data_lag_periods
    if seen <= 0:
        return None
    lag = measure.data_lag.periods if measure.data_lag and measure.data_lag.periods else seen
    awaited: Month | Quarter = quarter.last_month if result.series.frequency == "month" else quarter
    due = awaited.shift(lag)
    last = due if isinstance(due, Month) else due.last_month
    return (
        f"{measure.name}: figures for {fmt.period_text(awaited.label)} are expected by the end "
        f"of {last.long_label}."
    )


def _identity(kp: KeyPoint) -> tuple[str, str]:
    return (kp.key or f"{kp.measure}:{kp.kind}", kp.text)


def _measure(
    result: MeasureResult,
    shown: set[tuple[str, str]],
    numbers: Iterator[int],
    table_numbers: Iterator[int],
    definition: Definition | None = None,
) -> MeasureView:
    """``definition``: a record-based measure's definition in words and whose records it is
    counted from, printed as its first footnote so that every reader can see what was
    counted."""
    measure = result.measure
    chart = None
    if measure.chart and result.series.usable():
        spec = chart_spec(result, definition)
        chart = ChartView(spec, next(table_numbers), note=limits_note(spec))
    funnel = result.analysis.funnel
    peer_chart = None
    if measure.chart and funnel is not None and "comparison" in measure.analyses:
        peer_chart = ChartView(funnel_spec(measure, funnel, definition), next(table_numbers))
    return MeasureView(
        id=measure.id,
        name=measure.name,
        chart=chart,
        tables=_tables(result),
        key_points=tuple(kp for kp in result.key_points if _identity(kp) not in shown),
        caveats=caveats(result),
        footnotes=tuple(
            Footnote(next(numbers), text)
            for text in (
                *_definition_note(definition),
                *_part_year_note(measure),
                *measure.footnotes,
            )
        ),
        source=_source(measure, definition),
        open_data=measure.source.kind in OPEN_DATA_SOURCES,
        peer_chart=peer_chart,
    )


def _definition(plan: Plan, measure_id: str) -> Definition | None:
    words = plan.measure_definition(measure_id)
    if words is None:
        return None
    return Definition(words, plan.measure_origin(measure_id) or OWN_RECORDS)


def _definition_note(definition: Definition | None) -> tuple[str, ...]:
    return (definition_note(definition),) if definition else ()


def _part_year_note(measure: Measure) -> tuple[str, ...]:
    """A series that never has some months (the plan's ``part_year``): which, why (the
    plan's note) and what every figure that takes them in is of, like for like."""
    part = measure.part_year
    if part is None:
        return ()
    months = fmt.month_names(part.without)
    text = f"Part-year data: there is never any data for {months}."
    if part.note and part.note.strip():
        text += f" {fmt.sentence_start(part.note.strip()).rstrip('.')}."
    others = fmt.count_word(MONTHS_PER_YEAR - len(part.without), "month")
    text += f" Every 12-month figure is of the other {others}"
    if measure.frequency == "quarter":
        for q in range(1, QUARTERS_PER_YEAR + 1):
            all_months = Quarter(2000, q).months()  # the year only serves to name the months
            kept = [m.month for m in all_months if m.month not in part.without]
            if kept and len(kept) < len(all_months):
                text += f", and every Q{q} figure of {fmt.month_names(kept)} only"
    text += (
        ", compared like for like with the same months of other years; each key point on "
        "such a figure says which months it is of."
    )
    return (text,)


def _source(measure: Measure, definition: Definition | None = None) -> str:
    source = measure.source
    if source.kind in SOURCE_NAMES:
        return SOURCE_NAMES[source.kind]
    if isinstance(source, RecordsSource):
        origin = definition.origin if definition is not None else OWN_RECORDS
        return f"{fmt.sentence_start(origin)}, record source '{source.records}'"
    series = getattr(source, "series", "")
    return f"local data (series '{series}')"


def _tables(result: MeasureResult) -> tuple[DataTable, ...]:
    measure, analysis = result.measure, result.analysis
    out = [tables.variance_table(row, measure.name, measure.decimals) for row in analysis.variance]
    if analysis.proportions:
        out.append(tables.proportion_table(analysis.proportions, measure.name))
    if analysis.proportion_tests:
        out.append(tables.proportion_test_table(analysis.proportion_tests, measure.name))
    if analysis.changes:
        out.append(
            tables.change_table(analysis.changes, measure.name, measure.unit, measure.decimals)
        )
    if result.areas is not None:
        out.append(
            tables.district_table(
                result.areas,
                measure.name,
                measure.unit,
                measure.decimals,
                force=quarter_figure(result.series, result.areas.quarter),
                force_before=quarter_figure(
                    result.series, result.areas.quarter.same_quarter_last_year
                ),
            )
        )
    if result.share_table is not None:
        source = measure.source
        assert isinstance(source, RecordsSource) and source.table_by is not None
        out.append(
            tables.share_table(
                result.share_table,
                measure.name,
                source.table_by,
                measure.unit,
                measure.decimals,
                stock=source.stock is not None,
            )
        )
    return tuple(out)


def quarter_figure(series: MeasureSeries, quarter: Quarter) -> float | None:
    """A count's figure for ``quarter``: its value, or its three months added up; ``None``
    when any of them is missing or held out."""
    wanted = (
        {quarter.label} if series.frequency == "quarter" else {m.label for m in quarter.months()}
    )
    found = [
        v
        for i, (label, v) in enumerate(zip(series.labels, series.values, strict=True))
        if label in wanted and i not in series.suspect
    ]
    if len(found) != len(wanted) or any(v is None for v in found):
        return None
    return sum(v for v in found if v is not None)


def caveats(result: MeasureResult) -> tuple[str, ...]:
    """Data lags, gaps, held-out values and the analysis' own caveats, as sentences."""
    measure, analysis = result.measure, result.analysis
    out: list[str] = []
    if analysis.data_lag_periods > 0:
        unit = "month" if result.series.frequency == "month" else "quarter"
        plural = "s" if analysis.data_lag_periods != 1 else ""
        out.append(
            f"Data lag: the latest figures are for {fmt.period_text(analysis.latest_label)}, "
            f"{analysis.data_lag_periods} {unit}{plural} behind the period this report covers."
            + (f" {measure.data_lag.note}" if measure.data_lag and measure.data_lag.note else "")
        )
    if analysis.gaps:
        out.append(
            f"No data for {fmt.join_words([fmt.period_text(g) for g in analysis.gaps])}; the chart shows a gap."
        )
    if analysis.suspect_values:
        held = fmt.join_words([fmt.period_text(g) for g in analysis.suspect_values])
        out.append(f"Held out of the analysis as probable data-entry errors: {held}.")
    trend = analysis.trend
    if trend is not None:
        if trend.low_counts:
            out.append(
                "The numbers are too low for the trend test to detect a change of plausible size."
            )
        out.extend(trend.caveats)
    if analysis.spc is not None and "spc" in measure.analyses:
        out.append(_spc_sentence(result))
    out.extend(analysis.notes)
    return tuple(_sentence(c) for c in out)


def _spc_sentence(result: MeasureResult) -> str:
    spc, m = result.analysis.spc, result.measure
    limits = process_limits(m, result.analysis)
    assert spc is not None and limits is not None
    widened = " (widened for autocorrelation)" if limits.widened else ""
    return (
        f"Statistical process control (XmR chart): mean {fmt.value(limits.mean, m.unit, m.decimals)}, "
        f"process limits{widened} {fmt.value(limits.lower, m.unit, m.decimals)} to "
        f"{fmt.value(limits.upper, m.unit, m.decimals)}, from {spc.baseline_n} periods."
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def _commitment(
    commitment: Commitment, plan: Plan, commentary: Commentary | None
) -> CommitmentView:
    entries = commentary.for_commitment(commitment.id) if commentary else ()
    return CommitmentView(
        id=commitment.id,
        text=commitment.text[:1].upper() + commitment.text[1:],
        owners=tuple(_department_name(plan, d) for d in commitment.owners),
        commentary=tuple(
            CommentaryView(
                _department_name(plan, e.department), RAG_WORDS.get(e.rag or ""), paragraphs(e.text)
            )
            for e in entries
            if e.text.strip()
        ),
    )


def _department_name(plan: Plan, department_id: str) -> str:
    try:
        return plan.department(department_id).name
    except KeyError:
        return department_id


def paragraphs(text: str) -> tuple[str, ...]:
    """Blank lines separate paragraphs; single line breaks inside a paragraph become spaces."""
    return tuple(" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip())


def _methods(run: AnalysisRun) -> tuple[str, ...]:
    analyses = [m.analysis for p in run.priorities for m in p.measures]
    used = {
        a.trend.method for a in analyses if a.trend is not None and a.trend.method in TREND_METHODS
    }
    out = []
    if used:
        names = fmt.join_words(sorted(TREND_METHODS[m] for m in used))
        out.append(
            f"Long-term trends are estimated by {names}, with 95% confidence intervals; "
            "a trend is called statistically significant only when the test shows it at the 5% level."
        )
    if any(a.spc is not None for a in analyses):
        out.append(
            "Process limits follow the XmR (individuals and moving range) method of NHS England's 'Making Data Count'."
        )
    if any(a.proportions for a in analyses):
        out.append(
            "Survey percentages carry 95% Wilson score intervals; differences are tested with a two-proportion z-test."
        )
    if any(c.method for a in analyses for c in a.changes):
        out.append(
            "Changes between periods are tested where a test applies; 'not tested' means none does."
        )
    return tuple(out)
