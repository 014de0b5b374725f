"""The data behind every chart as files of their own, next to the report: Excel and CSV.

In: the figures of a report (:func:`planwatch.report.figures.figures`: every chart's
series with raw values, held-out values, trend, intervals, process limits, funnel areas).
Out: :func:`workbook_bytes` — an ``.xlsx`` workbook with a *Contents* sheet (one row per
chart: its table number, title, measure, unit, sheet, source notes) and one sheet per
chart (``A1``, ``A2``: the chart's table number, as the report's appendix numbers them),
each a plain table with one header row, numbers as numbers (unrounded, shown to the
measure's decimals), no merged cells and no blank rows, so that a screen reader and a
spreadsheet read it the same way; :func:`csv_text` — the same data in one tidy CSV (one
row per chart and period or area). :func:`write_chart_data` writes both.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planwatch import formatting as fmt
from planwatch.narrative.templates import RATE_DECIMALS
from planwatch.plan.models import OWN_RECORDS
from planwatch.report.chart import counted_from
from planwatch.report.files import write_atomic

#: What the report links to from each chart (name endings after the report's stem).
XLSX_SUFFIX = "-data.xlsx"
CSV_SUFFIX = "-data.csv"
CONTENTS_SHEET = "Contents"
CONTENTS_HEADERS = ("Table", "Chart", "Measure", "Unit", "Sheet", "Notes")
#: The tidy CSV's columns: a line chart fills period to upper_95, a funnel plot area to
#: rate_per_1000; the rest stay empty.
CSV_COLUMNS = (
    "table",
    "chart",
    "measure",
    "unit",
    "period",
    "value",
    "held_out",
    "trend",
    "lower_95",
    "upper_95",
    "area",
    "count",
    "population",
    "rate_per_1000",
    "outside_95",
    "outside_998",
)
#: Width of a sheet's first column (characters): periods and force names.
FIRST_COLUMN_WIDTH = 28
COLUMN_WIDTH = 16
#: Rates per 1,000 in a funnel plot's sheet are shown to this many decimals (the
#: narrative's RATE_DECIMALS).
FUNNEL_DECIMALS = RATE_DECIMALS


def sheet_name(table_number: int) -> str:
    """``A3``: the chart's table number, as the report's appendix numbers it."""
    return f"A{table_number}"


@dataclass(frozen=True)
class Sheet:
    """One chart's data as a plain table: headers, rows of numbers and words."""

    name: str
    title: str
    measure: str  # the measure's name
    unit: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    decimals: tuple[int, ...]  # per column: how many decimals its numbers are shown to
    notes: str


def _charts(data: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Each chart the report shows, by its table number, in the report's order (a measure
    under two priorities is shown, and numbered, under each)."""
    seen: set[int] = set()
    for priority in data["priorities"]:
        for measure in priority["measures"]:
            for chart in measure["charts"]:
                if chart["table_number"] not in seen:
                    seen.add(chart["table_number"])
                    yield measure, chart


def _yes(flag: object) -> str:
    return "Yes" if flag else ""


def _line_sheet(measure: Mapping[str, Any], chart: Mapping[str, Any]) -> Sheet:
    series = chart["series"]
    trend = any("trend" in p for p in series)
    intervals = any(p.get("interval") for p in series)
    headers = ["Period", measure["name"], "Held out (probable data-entry error)"]
    headers += ["Trend"] if trend else []
    headers += ["Lower 95% limit", "Upper 95% limit"] if intervals else []
    rows = []
    for p in series:
        row: list[Any] = [fmt.period_text(p["period"]), p["value"], _yes(p["held_out"])]
        if trend:
            row.append(p.get("trend"))
        if intervals:
            low, high = p.get("interval") or (None, None)
            row += [low, high]
        rows.append(tuple(row))
    return Sheet(
        sheet_name(chart["table_number"]),
        chart["title"],
        measure["name"],
        measure["unit"],
        tuple(headers),
        tuple(rows),
        (0, *[chart["decimals"]] * (len(headers) - 1)),
        _line_notes(chart),
    )


def _definition(chart: Mapping[str, Any]) -> list[str]:
    """What a record-based measure's chart counts, first among its notes."""
    if not chart.get("definition"):
        return []
    return [counted_from(chart["definition"], chart.get("counted_from") or OWN_RECORDS)]


def _line_notes(chart: Mapping[str, Any]) -> str:
    notes = _definition(chart)
    t = chart.get("trend")
    if t:
        notes.append(f"{t['label']}; method {t['method']}, from {fmt.period_text(t['from'])}")
    limits = chart.get("process_limits")
    if limits:
        unit, decimals = chart["unit"], chart["decimals"]
        widened = (
            " (widened for autocorrelation)" if limits.get("widened_for_autocorrelation") else ""
        )
        notes.append(
            f"XmR process limits{widened} {fmt.value(limits['lower'], unit, decimals)} to "
            f"{fmt.value(limits['upper'], unit, decimals)} around a mean of "
            f"{fmt.value(limits['mean'], unit, decimals)}"
        )
    notes += [f"event: {e['label']} ({e['when']})" for e in chart.get("events", ())]
    return "; ".join(notes)


def _funnel_sheet(measure: Mapping[str, Any], chart: Mapping[str, Any]) -> Sheet:
    headers = (
        "Force area",
        "Count",
        "Population",
        "Rate per 1,000",
        "Outside the 95% limits",
        "Outside the 99.8% limits",
        "This force",
    )
    rows = tuple(
        (
            a["area"],
            a["count"],
            a["population"],
            a["rate_per_1000"],
            _yes(a["outside_95"]),
            _yes(a["outside_998"]),
            _yes(a["focus"]),
        )
        for a in chart["areas"]
    )
    notes = "; ".join(
        [
            *_definition(chart),
            f"{chart['window']}; average {fmt.number(chart['overall_rate_per_1000'], FUNNEL_DECIMALS)} per 1,000; "
            f"limits: {chart['limits']}",
        ]
    )
    return Sheet(
        sheet_name(chart["table_number"]),
        chart["title"],
        measure["name"],
        "rate_per_1000",
        headers,
        rows,
        (0, 0, 0, FUNNEL_DECIMALS, 0, 0, 0),
        notes,
    )


def sheets(data: Mapping[str, Any]) -> tuple[Sheet, ...]:
    """One sheet per chart, in the report's order."""
    return tuple(
        _funnel_sheet(measure, chart) if chart["kind"] == "funnel" else _line_sheet(measure, chart)
        for measure, chart in _charts(data)
    )


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def workbook_bytes(data: Mapping[str, Any]) -> bytes:
    """The workbook (module docstring)."""
    from openpyxl import Workbook  # only needed when the file is written
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    contents = book.active
    assert contents is not None
    contents.title = CONTENTS_SHEET
    contents.append(CONTENTS_HEADERS)
    report = data["report"]
    book.properties.title = f"Data behind the charts: {report['title']}"
    book.properties.creator = report["organisation"]
    book.properties.language = report["language"]
    for sheet in sheets(data):
        unit = fmt.UNIT_WORDS.get(sheet.unit, sheet.unit)
        contents.append(
            (f"Table {sheet.name}", sheet.title, sheet.measure, unit, sheet.name, sheet.notes)
        )
        out = book.create_sheet(sheet.name)
        out.append(sheet.headers)
        for row in sheet.rows:
            out.append(row)
        for cells in out.iter_rows(min_row=2):
            for cell, decimals in zip(cells, sheet.decimals, strict=True):
                if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                    cell.number_format = _number_format(decimals)
        _header_row(out, len(sheet.headers), Font, get_column_letter)
    _header_row(contents, len(CONTENTS_HEADERS), Font, get_column_letter)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _header_row(sheet: Any, columns: int, font: Any, letter: Any) -> None:
    """Bold header row, frozen so that it stays in view; columns wide enough to read."""
    for cell in sheet[1]:
        cell.font = font(bold=True)
    sheet.freeze_panes = "A2"
    for i in range(1, columns + 1):
        sheet.column_dimensions[letter(i)].width = FIRST_COLUMN_WIDTH if i == 1 else COLUMN_WIDTH


def csv_text(data: Mapping[str, Any]) -> str:
    """The same data as one tidy CSV (module docstring)."""
    buf = io.StringIO()
    out = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    out.writeheader()
    for measure, chart in _charts(data):
        common = {
            "table": sheet_name(chart["table_number"]),
            "chart": chart["title"],
            "measure": measure["id"],
            "unit": measure["unit"],
        }
        if chart["kind"] == "funnel":
            for a in chart["areas"]:
                out.writerow(
                    common
                    | {
                        "area": a["area"],
                        "count": a["count"],
                        "population": a["population"],
                        "rate_per_1000": a["rate_per_1000"],
                        "outside_95": a["outside_95"],
                        "outside_998": a["outside_998"],
                    }
                )
            continue
        for p in chart["series"]:
            low, high = p.get("interval") or (None, None)
            out.writerow(
                common
                | {
                    "period": p["period"],
                    "value": p["value"],
                    "held_out": p["held_out"],
                    "trend": p.get("trend"),
                    "lower_95": low,
                    "upper_95": high,
                }
            )
    return buf.getvalue()


def write_chart_data(data: Mapping[str, Any], folder: Path, stem: str) -> tuple[Path, Path]:
    """``<stem>-data.xlsx`` and ``<stem>-data.csv`` in ``folder``, each whole or not at all."""
    xlsx = write_atomic(folder / f"{stem}{XLSX_SUFFIX}", workbook_bytes(data))
    text = write_atomic(folder / f"{stem}{CSV_SUFFIX}", csv_text(data).encode("utf-8"))
    return xlsx, text
