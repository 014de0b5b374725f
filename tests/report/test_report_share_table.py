"""The workforce table (issue 13): a share with ``table_by`` in the plan is drawn as one
table under its measure — a row per staff group at the report's quarter end and a year
earlier, the difference in percentage points, all groups pooled, the benchmark and the
gap — in the HTML, PDF and Word versions and the figures JSON. Built from the demo
project by the same service as ``planwatch demo`` and ``planwatch report``; the numbers
are recomputed here from the store with :func:`snapshot_table`."""

from __future__ import annotations

import json
import re
import subprocess
from html import unescape

import pytest
from docx import Document

from planwatch import formatting as fmt
from planwatch.demo import spec
from planwatch.demo.generate import generate_demo_project
from planwatch.measures.workforce import ALL_GROUPS, SnapshotTable, snapshot_table
from planwatch.plan.load import load_plan
from planwatch.report.tables import BENCHMARK_ROW, GAP_ROW
from planwatch.services.ingest import ingest
from planwatch.services.report import generate_report
from planwatch.store.connection import reading
from planwatch.store.records import records_frame
from planwatch.store.selectors import record_query

pytestmark = pytest.mark.slow

MEASURE = "ethnic_minority_in_post"
GROUPS = {"Police officer", "Police staff", "PCSO", "Special Constable"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    files = generate_demo_project(tmp_path_factory.mktemp("demo") / "anyshire-demo")
    for kind, paths in files.loads():
        ingest(files.project, kind, list(paths))
    out = generate_report(files.project, spec.REPORT_QUARTER, pdf=True, docx=True, figures=True)
    return files.project, out


@pytest.fixture(scope="module")
def expected(demo) -> SnapshotTable:
    """The table recomputed from the store: the quarter and the same quarter a year before."""
    project, _ = demo
    plan = load_plan(project.plan_path)
    measure = plan.measure(MEASURE)
    with reading(project) as con:
        frame = records_frame(
            con, record_query(plan, measure), plan.metadata.area, by="staff_group"
        )
    quarter = spec.REPORT_QUARTER
    return snapshot_table(
        frame, MEASURE, quarter.same_quarter_last_year, quarter, benchmark=measure.benchmark
    )


def _caption(table: SnapshotTable) -> str:
    first, second = (fmt.long_date(p.end) for p in (table.first, table.second))
    return f"by staff group, {first} and {second}"


def _rows(table: SnapshotTable, decimals: int) -> list[list[str]]:
    """The rows the report must print, from the recomputed table and the one formatter."""
    pp = fmt.pp_decimals(decimals)
    rows = [
        [
            r.group,
            fmt.value(r.first, "percent", decimals),
            fmt.value(r.second, "percent", decimals),
            fmt.signed(r.difference_pp, pp),
        ]
        for r in table.rows
    ]
    assert table.benchmark is not None
    bench = fmt.value(table.benchmark.value, "percent", decimals)
    rows.append(
        [BENCHMARK_ROW.format(label=table.benchmark.label), fmt.MISSING, bench, fmt.MISSING]
    )
    rows.append([GAP_ROW, fmt.MISSING, fmt.MISSING, fmt.signed(table.benchmark_gap_pp, pp)])
    return rows


def _html_table(page: str, caption: str) -> list[list[str]]:
    """The rows (header cells, then data cells) of the one table whose caption has ``caption``."""
    starts = [m.start() for m in re.finditer(r"<caption>", page)]
    found = [s for s in starts if caption in page[s : page.index("</caption>", s)]]
    assert len(found) == 1, f"{len(found)} tables captioned {caption!r}"
    body = page[found[0] : page.index("</table>", found[0])]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_the_recomputed_table_has_every_group_and_the_benchmark(expected):
    assert {r.group for r in expected.rows} == {*GROUPS, ALL_GROUPS}
    assert all(r.first is not None and r.second is not None for r in expected.rows)
    assert expected.benchmark is not None and expected.benchmark_gap_pp is not None


def test_the_html_report_draws_the_table_under_its_measure(demo, expected):
    project, out = demo
    decimals = load_plan(project.plan_path).measure(MEASURE).decimals
    page = out.html.read_text(encoding="utf-8")
    rows = _html_table(page, _caption(expected))
    first, second = (fmt.long_date(p.end) for p in (expected.first, expected.second))
    assert rows[0] == ["Staff group", first, second, "Difference (percentage points)"]
    assert rows[1:] == _rows(expected, decimals)
    # under its measure: after the measure's heading, before the next measure's
    name = load_plan(project.plan_path).measure(MEASURE).name
    heading = page.index(f">{name}<")
    assert heading < page.index(_caption(expected))


def test_the_pdf_has_the_caption_and_a_row(demo, expected):
    project, out = demo
    decimals = load_plan(project.plan_path).measure(MEASURE).decimals
    text = subprocess.run(
        ["pdftotext", str(out.pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(text.split())
    assert _caption(expected) in flat
    everyone = expected.rows[-1]
    assert re.search(
        rf"{ALL_GROUPS} {re.escape(fmt.value(everyone.first, 'percent', decimals))} "
        rf"{re.escape(fmt.value(everyone.second, 'percent', decimals))} "
        rf"{re.escape(fmt.signed(everyone.difference_pp, fmt.pp_decimals(decimals)))}",
        flat,
    )


def test_the_word_version_has_the_table(demo, expected):
    project, out = demo
    decimals = load_plan(project.plan_path).measure(MEASURE).decimals
    doc = Document(str(out.docx))
    found = [t for t in doc.tables if t.rows[0].cells[0].text == "Staff group"]
    assert len(found) == 1
    cells = [[c.text for c in row.cells] for row in found[0].rows]
    first, second = (fmt.long_date(p.end) for p in (expected.first, expected.second))
    assert cells[0] == ["Staff group", first, second, "Difference (percentage points)"]
    assert cells[1:] == _rows(expected, decimals)


def test_the_figures_json_has_the_same_numbers(demo, expected):
    _, out = demo
    data = json.loads(out.figures.read_text(encoding="utf-8"))
    measures = [m for p in data["priorities"] for m in p["measures"] if m["id"] == MEASURE]
    assert measures
    for m in measures:
        table = m["share_table"]
        assert table["measure"] == MEASURE
        assert table["periods"] == [expected.first.label, expected.second.label]
        assert table["period_ends"] == [
            expected.first.end.isoformat(),
            expected.second.end.isoformat(),
        ]
        got = {r["group"]: r for r in table["rows"]}
        for r in expected.rows:
            assert got[r.group]["first"] == pytest.approx(r.first)
            assert got[r.group]["second"] == pytest.approx(r.second)
            assert got[r.group]["difference_pp"] == pytest.approx(r.difference_pp)
            assert [(c["numerator"], c["denominator"]) for c in got[r.group]["counts"]] == list(
                r.counts
            )
        assert table["benchmark_gap_pp"] == pytest.approx(expected.benchmark_gap_pp)
        printed = [t for t in m["tables"] if _caption(expected) in t["caption"]]
        assert len(printed) == 1 and printed[0]["measure"] == MEASURE
