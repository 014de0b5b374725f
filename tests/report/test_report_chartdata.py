"""The data behind every chart as files beside the report (Excel and CSV), linked from each
chart: read back with openpyxl and the csv module and checked against the run itself."""

from __future__ import annotations

import csv
import dataclasses
import re

import pytest
from openpyxl import load_workbook

from planwatch.analysis.engine import analyse_areas
from planwatch.report.build import build_report
from planwatch.report.chartdata import CONTENTS_HEADERS, CONTENTS_SHEET, CSV_COLUMNS
from planwatch.report.view import ReportOptions, report_view

HELD_OUT = 5  # index of a value made a held-out suspect on purpose
COUNTS = {"Exampleshire": 41_500.0, "Northmoor": 98_000.0, "Westvale": 52_000.0}
POPULATIONS = {"Exampleshire": 600_000.0, "Northmoor": 1_150_000.0, "Westvale": 820_000.0}


@pytest.fixture(scope="module")
def shaped(run):
    """The sample run with a held-out value and a funnel plot on its first measure."""
    first = run.priorities[0].measures[0]
    series = dataclasses.replace(first.series, suspect=(HELD_OUT,))
    funnel = analyse_areas(
        COUNTS, POPULATIONS, focus_area="Exampleshire", label="12 months to June 2023"
    )
    measure = first.measure.model_copy(update={"analyses": (*first.measure.analyses, "comparison")})
    changed = dataclasses.replace(
        first,
        measure=measure,
        series=series,
        analysis=dataclasses.replace(first.analysis, funnel=funnel),
    )
    p0 = run.priorities[0]
    p0 = dataclasses.replace(p0, measures=(changed, *p0.measures[1:]))
    return dataclasses.replace(run, priorities=(p0, *run.priorities[1:]))


@pytest.fixture(scope="module")
def built(shaped, commentary, tmp_path_factory):
    out = tmp_path_factory.mktemp("chartdata")
    return build_report(shaped, commentary, out, pdf=False, chart_data=True)


@pytest.fixture(scope="module")
def charts(shaped, commentary):
    found = report_view(shaped, commentary, ReportOptions()).charts
    assert any(c.spec.title.endswith("forces compared") for c in found)  # a funnel plot too
    return found


def _results(run):
    return {m.measure.id: m for p in run.priorities for m in p.measures}


def test_the_files_sit_beside_the_report(built):
    xlsx, text = built.chart_data
    assert xlsx.name == "exampleshire-2023-24-Q1-data.xlsx"
    assert text.name == "exampleshire-2023-24-Q1-data.csv"
    assert xlsx.parent == text.parent == built.html.parent
    assert not list(built.html.parent.glob(".*.tmp"))


def test_the_workbook_has_a_sheet_per_chart_with_the_series_as_numbers(built, shaped, charts):
    book = load_workbook(built.chart_data[0])
    assert book.sheetnames == [CONTENTS_SHEET, *(f"A{c.table_number}" for c in charts)]
    contents = list(book[CONTENTS_SHEET].iter_rows(values_only=True))
    assert contents[0] == CONTENTS_HEADERS
    assert [row[0] for row in contents[1:]] == [f"Table A{c.table_number}" for c in charts]
    assert [row[1] for row in contents[1:]] == [c.spec.title for c in charts]
    results = _results(shaped)
    for chart in charts:
        rows = list(book[f"A{chart.table_number}"].iter_rows(values_only=True))
        result = results[chart.spec.measure_id]
        if chart.spec.title.endswith("forces compared"):
            assert rows[0][:4] == ("Force area", "Count", "Population", "Rate per 1,000")
            by_area = {r[0]: r for r in rows[1:]}
            assert set(by_area) == set(COUNTS)
            for area, count in COUNTS.items():
                assert by_area[area][1] == count and by_area[area][2] == POPULATIONS[area]
                assert by_area[area][3] == pytest.approx(1000 * count / POPULATIONS[area])
            assert [r[0] for r in rows[1:] if r[6] == "Yes"] == ["Exampleshire"]
            continue
        assert rows[0][:2] == ("Period", result.measure.name)
        assert len(rows) - 1 == len(result.series.periods)
        # unrounded values, the held-out ones too, marked as such
        assert [r[1] for r in rows[1:]] == list(result.series.values)
        held = [i for i, r in enumerate(rows[1:]) if r[2] == "Yes"]
        assert held == list(result.series.suspect)


def test_the_held_out_value_is_marked_in_the_first_chart(built, shaped, charts):
    book = load_workbook(built.chart_data[0])
    rows = list(book[f"A{charts[0].table_number}"].iter_rows(values_only=True))[1:]
    assert [i for i, r in enumerate(rows) if r[2] == "Yes"] == [HELD_OUT]
    result = shaped.priorities[0].measures[0]
    assert rows[HELD_OUT][1] == result.series.values[HELD_OUT]


def test_the_workbook_reads_well_with_a_screen_reader(built, shaped):
    book = load_workbook(built.chart_data[0])
    assert book.properties.title.startswith("Data behind the charts: ")
    assert book.properties.language == shaped.plan.metadata.language
    assert book.properties.creator == shaped.plan.metadata.organisation
    for sheet in book.worksheets:
        assert not sheet.merged_cells.ranges  # no merged cells
        assert sheet.freeze_panes == "A2"  # the header row stays in view
        assert all(cell.font.bold for cell in sheet[1])
        rows = list(sheet.iter_rows(values_only=True))
        assert all(any(v not in (None, "") for v in row) for row in rows)  # no blank rows
    first = book.worksheets[1]
    assert first.cell(2, 2).number_format == "#,##0"  # shown to the measure's decimals


def test_the_csv_has_every_chart_row_read_back_as_numbers(built, shaped, charts):
    with built.chart_data[1].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    results = _results(shaped)
    for chart in charts:
        mine = [r for r in rows if r["table"] == f"A{chart.table_number}"]
        result = results[chart.spec.measure_id]
        if chart.spec.title.endswith("forces compared"):
            assert {r["area"]: float(r["count"]) for r in mine} == COUNTS
            continue
        assert [r["period"] for r in mine] == list(result.series.labels)
        assert [float(r["value"]) if r["value"] else None for r in mine] == list(
            result.series.values
        )
        assert [r["held_out"] == "True" for r in mine] == [
            i in result.series.suspect for i in range(len(result.series.values))
        ]


def test_every_chart_links_to_both_files(built, charts):
    page = built.html.read_text(encoding="utf-8")
    captions = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", page, re.S)
    assert len(captions) == len(charts)
    for chart, caption in zip(charts, captions, strict=True):
        assert f"sheet A{chart.table_number} of the" in caption
        hrefs = re.findall(r'href="([^"#]+)"', caption)
        assert hrefs == [p.name for p in built.chart_data]
        for href in hrefs:
            assert (built.html.parent / href).is_file()


def test_no_links_when_no_files_are_written(shaped, tmp_path):
    page = build_report(shaped, None, tmp_path, pdf=False).html.read_text(encoding="utf-8")
    assert "-data.xlsx" not in page and "Download the data" not in page


def test_without_the_appendix_the_print_version_points_to_the_files(shaped, commentary):
    import io

    from docx import Document

    from planwatch.report.build import render_html
    from planwatch.report.docx import docx_bytes
    from planwatch.report.view import APPENDIX_HEADING

    options = ReportOptions(for_pdf=True, chart_data="stem", appendix="none")
    page = render_html(shaped, commentary, options=options)
    assert APPENDIX_HEADING not in page and 'id="appendix"' not in page
    assert "in the appendix" not in page
    assert page.count("sheet A1 of the") == 1 and 'href="stem-data.xlsx"' in page
    kept = render_html(shaped, commentary, options=ReportOptions(for_pdf=True, chart_data="stem"))
    assert APPENDIX_HEADING in kept  # the appendix stays unless left out on purpose
    doc = Document(io.BytesIO(docx_bytes(report_view(shaped, commentary, options))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert APPENDIX_HEADING not in text
    assert "The figures are in sheet A1 of stem-data.xlsx, beside this document." in text


def test_the_appendix_is_left_out_only_when_the_files_are_written(shaped, tmp_path):
    from planwatch.errors import ReportError

    with pytest.raises(ReportError, match="must be written beside the report"):
        build_report(shaped, None, tmp_path, pdf=False, appendix="none")
    assert list(tmp_path.iterdir()) == []
