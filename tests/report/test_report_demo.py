"""The demo report (Anyshire: 12 priorities, 22 charts) built once, read page by page:
no heading stranded at a page foot, and every number in its key points and tables in the
figures JSON for the same measure."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest
from figure_checks import check_key_points, check_tables, pdf_words
from layout_checks import stranded

from planwatch.demo import spec
from planwatch.demo.generate import generate_demo_project
from planwatch.report.build import build_report
from planwatch.report.view import ReportOptions, report_view
from planwatch.services.analyse import run_analysis
from planwatch.services.ingest import ingest
from planwatch.services.report import project_commentary

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    files = generate_demo_project(tmp_path_factory.mktemp("demo") / "anyshire-demo")
    for kind, paths in files.loads():
        ingest(files.project, kind, list(paths))
    run = run_analysis(files.project, spec.REPORT_QUARTER)
    commentary = project_commentary(files.project, run.plan, spec.REPORT_QUARTER)
    out = build_report(
        run, commentary, files.project.output_dir, docx=True, figures=True, published=None
    )
    return run, commentary, out


def test_the_demo_cover_date_comes_from_its_plan(demo):
    run, _, out = demo
    assert run.plan.metadata.published[run.quarter.label] == date(2023, 8, 15)
    assert "<dt>Published</dt><dd>15 August 2023</dd>" in out.html.read_text(encoding="utf-8")


def test_no_heading_is_the_last_thing_on_a_demo_page(demo):
    run, commentary, out = demo
    text = subprocess.run(
        ["pdftotext", str(out.pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) > 30
    assert stranded(pages, report_view(run, commentary, ReportOptions())) == []


def test_every_number_in_the_demo_pdf_is_in_its_json(demo):
    _, _, out = demo
    data = json.loads(out.figures.read_text(encoding="utf-8"))
    text = pdf_words(out.pdf, data)
    assert check_key_points(text, data) > 50
    assert check_tables(text, data) > 20
