"""Every figure of the report as data: one JSON document beside the HTML, PDF and Word files.

In: the :class:`~planwatch.report.view.ReportView` the report was written from and the
:class:`~planwatch.narrative.run.AnalysisRun` behind it. Out: :func:`figures` — a plain
dict (JSON-ready) with every sentence, number, table and chart series the report shows,
each tied to its measure, period and method, so a website or a spreadsheet can reuse
them without scraping the PDF: per priority its key points (text, the numbers as
printed, and the analysis' own evidence), per measure its key points, tables (as
printed), chart series (raw values, held-out values marked, trend, limits), caveats and
notes, then the commitments with their commentary, and the report's methods and
warnings. :func:`write_figures` writes it as ``<stem>.json``.
"""

from __future__ import annotations

import calendar
import json
import math
import re
from pathlib import Path
from typing import Any

from planwatch.analysis.funnel import limits_name
from planwatch.measures.workforce import ALL_GROUPS, SnapshotTable
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.run import AnalysisRun, MeasureResult
from planwatch.plan.models import Measure
from planwatch.report.chart import ChartSpec
from planwatch.report.files import write_atomic
from planwatch.report.funnel import FunnelSpec
from planwatch.report.tables import DataTable
from planwatch.report.view import ChartView, MeasureView, PriorityView, ReportView

SCHEMA = "planwatch-report-figures/1"
#: Period labels as the report prints them ("2023/24 Q1", "2016/17", "June 2023",
#: "2023-06"): their digits name a time, not a figure, and are not listed as numbers.
_PERIOD = re.compile(
    r"\b\d{4}/\d{2}(?: Q[1-4])?\b|\bQ[1-4]\b|\b\d{4}-\d{2}\b|"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b(?!/)"
)
#: A number as printed: sign (true minus or hyphen), thousands commas, decimals.
_NUMBER = re.compile(r"[−-]?\d[\d,]*(?:\.\d+)?")


def printed_numbers(text: str) -> list[str]:
    """The numbers a reader sees in ``text``, as printed (``1,234``, ``−3.1``, ``72.4``),
    leaving out the digits of period labels."""
    return [m.strip(",") for m in _NUMBER.findall(_PERIOD.sub(" ", text))]


def _plain(value: Any) -> Any:
    """JSON-ready: tuples become lists, NaN and infinities null, other objects text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _key_point(kp: KeyPoint) -> dict[str, Any]:
    return {
        "measure": kp.measure,
        "kind": kp.kind,
        "period": kp.period,
        "method": kp.method,
        "text": kp.text,
        "numbers": printed_numbers(kp.text),
        "direction": kp.direction,
        "good_or_bad": kp.good_or_bad,
        "significant": kp.significant,
        "magnitude": kp.magnitude,
        "evidence": _plain(kp.evidence),
        "overridden": kp.overridden,
    }


def _table(table: DataTable, measure: str, method: str | None) -> dict[str, Any]:
    return {
        "measure": measure,
        "method": method,
        "caption": table.caption,
        "headers": list(table.headers),
        "rows": [list(r) for r in table.rows],
        "numbers": [n for r in table.rows for cell in r for n in printed_numbers(cell)],
    }


def _line_chart(spec: ChartSpec, result: MeasureResult) -> dict[str, Any]:
    held = dict(spec.suspect)
    periods = result.series.labels
    trend = result.analysis.trend
    return {
        "kind": "line",
        "measure": spec.measure_id,
        "unit": spec.unit,
        "decimals": spec.decimals,
        "frequency": result.series.frequency,
        "series": [
            {
                "period": period,
                "label": label,
                "value": held.get(i, value),
                "held_out": i in held,
                **({"trend": spec.trend[i]} if spec.trend else {}),
                **({"interval": list(spec.intervals[i] or ())} if spec.intervals else {}),
            }
            for i, (period, label, value) in enumerate(
                zip(periods, spec.labels, spec.values, strict=True)
            )
        ],
        "trend": None
        if not spec.trend or trend is None
        else {
            "method": trend.method,
            "from": trend.first_label,
            "pct_per_year": trend.pct_per_year,
            "label": spec.trend_label,
        },
        "process_limits": None
        if spec.limits is None
        else {
            "method": "xmr",
            "mean": spec.limits.mean,
            "lower": spec.limits.lower,
            "upper": spec.limits.upper,
            # the limits drawn were widened for autocorrelation (analysis/spc.py)
            "widened_for_autocorrelation": spec.limits.widened,
            "autocorrelation": spec.limits.autocorrelation,
            "standard": None if spec.limits.standard is None else list(spec.limits.standard),
        },
        "events": [
            {"label": e.label, "when": e.when, "breaks_comparability": e.breaks_comparability}
            for e in spec.events
        ],
        "axis_from_zero": spec.y_from_zero,
    }


def _funnel_chart(spec: FunnelSpec, result: MeasureResult) -> dict[str, Any]:
    funnel = result.analysis.funnel
    assert funnel is not None  # a funnel spec is only made from a funnel result
    return {
        "kind": "funnel",
        "measure": spec.measure_id,
        "method": funnel.method,
        "limits": limits_name(funnel),
        "window": spec.label,
        "overall_rate_per_1000": funnel.overall_rate_per_1000,
        "tau2": funnel.tau2,
        "areas": [
            {
                "area": p.area,
                "count": p.count,
                "population": p.population,
                "rate_per_1000": p.rate_per_1000,
                "z": p.z,
                "outside_95": p.outside_95,
                "outside_998": p.outside_998,
                "focus": p.area == funnel.focus_area,
            }
            for p in funnel.points
        ],
    }


def _chart(chart: ChartView, result: MeasureResult) -> dict[str, Any]:
    spec = chart.spec
    drawn = (
        _funnel_chart(spec, result) if isinstance(spec, FunnelSpec) else _line_chart(spec, result)
    )
    table = spec.table
    return {
        **drawn,
        "title": spec.title,
        # a record-based measure's definition in words (Plan.measure_definition), and whose
        # records it is counted from (Plan.measure_origin); None for others
        "definition": None if spec.definition is None else spec.definition.words,
        "counted_from": None if spec.definition is None else spec.definition.origin,
        "alt_text": spec.alt_text,
        "table_number": chart.table_number,
        "table": None if table is None else _table(table, spec.measure_id, drawn.get("method")),
    }


def _table_methods(result: MeasureResult) -> list[str | None]:
    """The method behind each of a measure's tables, in the order the view makes them
    (variance, survey proportions, proportion tests, changes, districts: view._tables)."""
    analysis = result.analysis
    out: list[str | None] = ["this year against last year"] * len(analysis.variance)
    if analysis.proportions:
        out.append("wilson_score_interval")
    if analysis.proportion_tests:
        out.append("two_proportion_z_test")
    if analysis.changes:
        out.append(", ".join(sorted({c.method or "not tested" for c in analysis.changes})))
    if result.areas is not None:
        out.append("district breakdown: the quarter's count by district, each counted once")
    if result.share_table is not None:
        out.append(SHARE_TABLE_METHOD)
    return out


#: The method of a share's table by group (planwatch.measures.workforce).
SHARE_TABLE_METHOD = (
    "share by group at two periods: numerators and denominators pooled, never the mean "
    "of the groups' percentages"
)


def _share_table(table: SnapshotTable) -> dict[str, Any]:
    """A share's table by group as numbers: the two periods (and the days a stock is
    counted on), each group's percentages, difference and counts, the benchmark and gap."""
    return _plain(
        {
            "measure": table.measure_id,
            "method": SHARE_TABLE_METHOD,
            "periods": [table.first.label, table.second.label],
            "period_ends": [table.first.end.isoformat(), table.second.end.isoformat()],
            "rows": [
                {
                    "group": r.group,
                    "pooled": r.group == ALL_GROUPS,
                    "first": r.first,
                    "second": r.second,
                    "difference_pp": r.difference_pp,
                    "counts": [
                        None if c is None else {"numerator": c[0], "denominator": c[1]}
                        for c in r.counts
                    ],
                }
                for r in table.rows
            ],
            "benchmark": None
            if table.benchmark is None
            else {
                "label": table.benchmark.label,
                "value": table.benchmark.value,
                "source": table.benchmark.source,
            },
            "benchmark_gap_pp": table.benchmark_gap_pp,
        }
    )


def _measure(view: MeasureView, result: MeasureResult) -> dict[str, Any]:
    measure, analysis = result.measure, result.analysis
    return {
        "id": view.id,
        "name": view.name,
        "unit": measure.unit,
        "frequency": result.series.frequency,
        "latest_period": analysis.latest_label,
        "latest_value": analysis.latest_value,
        "source": view.source,
        "key_points": [_key_point(kp) for kp in view.key_points],
        "charts": [_chart(c, result) for c in view.charts],
        "tables": [
            _table(t, view.id, method)
            for t, method in zip(view.tables, _table_methods(result), strict=True)
        ],
        "share_table": None if result.share_table is None else _share_table(result.share_table),
        "part_year": _part_year(measure),
        "caveats": list(view.caveats),
        "footnotes": [f.text for f in view.footnotes],
    }


def _part_year(measure: Measure) -> dict[str, Any] | None:
    """The months a series never has (the plan's ``part_year``), by number and name, and
    why; each key point's evidence lists what its figures compared (``compared``)."""
    part = measure.part_year
    if part is None:
        return None
    return {
        "without": list(part.without),
        "months": [calendar.month_name[m] for m in part.without],
        "note": part.note,
    }


def _priority(view: PriorityView, results: dict[str, MeasureResult]) -> dict[str, Any]:
    return {
        "number": view.number,
        "title": view.title,
        "objective": view.objective,
        "key_points": [_key_point(kp) for kp in view.key_points],
        "measures": [_measure(m, results[m.id]) for m in view.measures],
        "data_due": list(view.data_due),
        "commitments": [
            {
                "id": c.id,
                "we_will": c.text,
                "who": list(c.owners),
                "commentary": [
                    {"department": e.department, "status": e.rag, "paragraphs": list(e.paragraphs)}
                    for e in c.commentary
                ],
            }
            for c in view.commitments
        ],
        "footnotes": [f.text for f in view.footnotes],
    }


def figures(view: ReportView, run: AnalysisRun) -> dict[str, Any]:
    """Everything the report shows, as data (see the module docstring)."""
    results = {m.measure.id: m for p in run.priorities for m in p.measures}
    cover = view.cover
    return {
        "schema": SCHEMA,
        "report": {
            "title": view.title,
            "plan": cover.plan_title,
            "report_title": cover.report_title,
            "organisation": cover.organisation,
            "quarter": run.quarter.label,
            "published": cover.published,
            "data_to": cover.data_to,
            "version": cover.version,
            "sensitivity": cover.sensitivity,
            "generator": view.generator,
            "language": view.lang,
        },
        "priorities": [_priority(p, results) for p in view.priorities],
        "files": _files(view),
        "methods": list(view.methods),
        "warnings": [w.to_dict() for w in view.warnings],
        "attribution": view.attribution,
    }


def _files(view: ReportView) -> dict[str, Any]:
    """The files beside the report that it links to: the chart data and, when the charts'
    data tables are a document of their own, the appendix (HTML, and PDF if written)."""
    return {
        "chart_data": [f.href for f in view.data_files],
        "appendix": {
            "place": view.appendix,
            "files": list(view.appendix_files.names) if view.appendix_files else [],
            "tables": [
                {
                    "table": f"A{c.table_number}",
                    "anchor": c.table_anchor,
                    "measure": c.spec.measure_id,
                }
                for c in view.tabled_charts
            ]
            if view.appendix != "none"
            else [],
        },
    }


def write_figures(data: dict[str, Any], path: Path) -> Path:
    """The figures (:func:`figures`) as JSON at ``path``."""
    text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False)
    return write_atomic(path, (text + "\n").encode("utf-8"))
