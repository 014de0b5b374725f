"""Fixtures for the report tests: a hand-built analysis run, its commentary, the rendered
HTML, and ONE rendered PDF per session (PDF layout is slow)."""

from __future__ import annotations

import subprocess

import pytest
from sample_run import PUBLISHED, sample_commentary, sample_run

from planwatch.narrative.run import AnalysisRun
from planwatch.plan.commentary import Commentary
from planwatch.report.build import ReportFiles, build_report, render_html
from planwatch.report.view import ReportOptions


@pytest.fixture(scope="session")
def run() -> AnalysisRun:
    return sample_run()


@pytest.fixture(scope="session")
def commentary(run: AnalysisRun) -> Commentary:
    return sample_commentary(run)


@pytest.fixture(scope="session")
def html(run: AnalysisRun, commentary: Commentary) -> str:
    return render_html(run, commentary, options=ReportOptions(published=PUBLISHED))


@pytest.fixture(scope="session")
def report_files(
    run: AnalysisRun, commentary: Commentary, tmp_path_factory: pytest.TempPathFactory
) -> ReportFiles:
    return build_report(
        run, commentary, tmp_path_factory.mktemp("report"), published=PUBLISHED, figures=True
    )


@pytest.fixture(scope="session")
def pdf_pages_text(report_files: ReportFiles) -> list[str]:
    """The text of each PDF page, from pdftotext (poppler)."""
    assert report_files.pdf is not None
    text = subprocess.run(
        ["pdftotext", "-layout", str(report_files.pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1]
