"""Drawing a report's charts: in order, the same in workers as here, any number of them."""

from __future__ import annotations

import dataclasses
import re
import sys
import types

import pytest
from docx import Document
from pypdf import PdfReader
from sample_run import sample_run

from planwatch.narrative.run import AnalysisRun, MeasureResult
from planwatch.report import build as build_module
from planwatch.report import parallel
from planwatch.report.build import build_report
from planwatch.report.chart import chart_spec
from planwatch.report.draw import CACHE_SIZE, draw_svg
from planwatch.report.view import ReportOptions, report_view

_CHART = re.compile(r'<svg [^>]*class="chart"[^>]*aria-labelledby="(chart-\d+)-title"')


@pytest.fixture
def jobs(run):
    """A few charts: the sample's charts under several titles."""
    specs = [chart_spec(m) for p in run.priorities for m in p.measures if m.measure.chart]
    out = []
    for i in range(6):
        spec = specs[i % len(specs)]
        out.append((dataclasses.replace(spec, title=f"{spec.title} {i}"), f"chart-{i + 1}"))
    return out


def test_workers_draw_the_same_svg_in_order(jobs, monkeypatch):
    if parallel.workers() < 2:
        pytest.skip("one CPU: charts are drawn in this process")
    monkeypatch.setattr(parallel, "_busy", lambda: False)  # however loaded the test machine is
    monkeypatch.setattr(parallel, "MIN_PARALLEL_CHARTS", 2)
    parallel.cache_clear()
    before = parallel.worker_cpu_seconds()
    try:
        svgs = list(parallel.draw_in_order(jobs))
    finally:
        parallel.shutdown()
    assert parallel.worker_cpu_seconds() > before  # the workers, not this process, drew them
    assert svgs == [draw_svg.__wrapped__(spec, prefix) for spec, prefix in jobs]


def test_a_few_charts_are_drawn_here(jobs):
    assert not parallel.use_workers(len(jobs))  # below MIN_PARALLEL_CHARTS: no pool
    before = parallel.worker_cpu_seconds()
    assert list(parallel.draw_in_order(jobs)) == [draw_svg(*job) for job in jobs]
    assert parallel.worker_cpu_seconds() == before


def test_a_script_without_a_main_guard_gets_no_workers(tmp_path, monkeypatch):
    script = tmp_path / "report.py"
    script.write_text("from planwatch.report.build import build_report\nbuild_report(...)\n")
    monkeypatch.setitem(sys.modules, "__main__", types.SimpleNamespace(__file__=str(script)))
    parallel._main_is_safe.cache_clear()
    try:
        assert parallel.workers() == 1
        script.write_text('if __name__ == "__main__":\n    pass\n')
        parallel._main_is_safe.cache_clear()
        assert parallel.workers() >= 1 and parallel._main_is_safe()
    finally:
        parallel._main_is_safe.cache_clear()


def test_a_busy_machine_draws_here(jobs, monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_CHARTS", 2)
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (3.0, 0.0, 0.0))
    assert parallel._busy()  # 2 besides this process: both CPUs taken
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (2.5, 0.0, 0.0))
    assert not parallel._busy()  # half a CPU free, and this one while it waits
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    parallel.cache_clear()
    before = parallel.worker_cpu_seconds()
    drawn = list(parallel.draw_in_order(jobs))
    assert drawn == [draw_svg.__wrapped__(spec, prefix) for spec, prefix in jobs]
    assert parallel.worker_cpu_seconds() == before  # drawn in this process


def _short(result: MeasureResult, keep: int = 4) -> MeasureResult:
    """The measure with only its last ``keep`` periods: a cheaper chart to draw."""
    s = result.series
    cut = {
        "periods": s.periods[-keep:],
        "values": s.values[-keep:],
        "suspect": tuple(
            i - (len(s.values) - keep) for i in s.suspect if i >= len(s.values) - keep
        ),
        "numerators": s.numerators[-keep:] if s.numerators else None,
        "denominators": s.denominators[-keep:] if s.denominators else None,
    }
    return dataclasses.replace(result, series=dataclasses.replace(s, **cut))


def _many_charts(n_priorities: int) -> AnalysisRun:
    run = sample_run(n_priorities)
    return dataclasses.replace(
        run,
        priorities=tuple(
            dataclasses.replace(p, measures=tuple(_short(m) for m in p.measures))
            for p in run.priorities
        ),
    )


@pytest.mark.slow
def test_a_report_of_500_charts_builds_with_every_chart_in_order(tmp_path):
    """Issue 17: 430 charts (43 forces x 10 groups) crashed a cache of 256."""
    run = _many_charts(500)
    charts = report_view(run, None, ReportOptions()).charts
    assert len(charts) >= 500 > CACHE_SIZE
    parallel.cache_clear()
    files = build_report(run, None, tmp_path, pdf=False)
    page = files.html.read_text(encoding="utf-8")
    assert _CHART.findall(page) == [c.anchor for c in charts]
    titles = re.findall(r'<title id="chart-\d+-title">([^<]*)</title>', page)
    assert titles == [c.spec.alt_text for c in charts]
    assert draw_svg.cache_info().currsize <= CACHE_SIZE


def _pdf_text(path) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True)
    return out.stdout


def _built(run, commentary, folder, *, ahead: bool, monkeypatch):
    monkeypatch.setattr(build_module, "draw_ahead", lambda charts: ahead)
    parallel.cache_clear()
    return build_report(run, commentary, folder, docx=True, appendix="separate")


def test_charts_drawn_in_a_worker_while_the_pdf_is_laid_out_give_the_same_report(
    run, commentary, tmp_path, monkeypatch
):
    if parallel.workers() < 2:
        pytest.skip("one CPU: charts are drawn in this process")
    here = _built(run, commentary, tmp_path / "here", ahead=False, monkeypatch=monkeypatch)
    before = parallel.worker_cpu_seconds()
    try:
        ahead = _built(run, commentary, tmp_path / "ahead", ahead=True, monkeypatch=monkeypatch)
    finally:
        parallel.shutdown()
    assert parallel.worker_cpu_seconds() > before  # a worker drew them
    assert ahead.html.read_text(encoding="utf-8") == here.html.read_text(encoding="utf-8")
    assert _pdf_text(ahead.pdf) == _pdf_text(here.pdf)
    assert len(PdfReader(str(ahead.pdf)).pages) == len(PdfReader(str(here.pdf)).pages)
    images = [
        sorted(
            p.blob for p in Document(str(f.docx)).part.package.parts if p.partname.endswith(".png")
        )
        for f in (here, ahead)
    ]
    assert images[0] == images[1] and images[0]  # the Word version's charts: the same PNGs


def test_when_the_workers_fail_the_charts_are_drawn_here(run, commentary, tmp_path, monkeypatch):
    def no_pool():
        raise OSError("no processes left")

    monkeypatch.setattr(parallel, "_get_pool", no_pool)
    here = _built(run, None, tmp_path / "here", ahead=False, monkeypatch=monkeypatch)
    before = parallel.worker_cpu_seconds()
    failed = _built(run, None, tmp_path / "failed", ahead=True, monkeypatch=monkeypatch)
    assert parallel.worker_cpu_seconds() == before
    assert failed.html.read_text(encoding="utf-8") == here.html.read_text(encoding="utf-8")
    assert _pdf_text(failed.pdf) == _pdf_text(here.pdf)


def test_a_chart_that_cannot_be_drawn_fails_the_pdf_rather_than_leaving_it_out(tmp_path):
    from planwatch.errors import ReportError
    from planwatch.report.pdf import layout

    image = (tmp_path / "chart-1.svg").as_uri()

    def broken(url: str) -> None:
        raise ValueError(f"cannot draw {url.rsplit('/', 1)[1]}")

    with pytest.raises(
        ReportError, match="could not draw a chart for the PDF: cannot draw chart-1"
    ):
        layout(f'<p>A chart:</p><img src="{image}" alt="A chart">', before_fetch=broken)


def _starts_chart_workers() -> int:
    """In a pool's worker: start this process's chart workers, and leave them running."""
    return parallel._get_pool().submit(parallel.workers).result()


def _draws_here_in_a_batch_worker() -> int:
    from planwatch.services import batch

    batch._start_worker()
    return parallel.workers()


def test_a_worker_that_started_chart_workers_still_exits(monkeypatch):
    """A multiprocessing worker exits without atexit, waiting for its own children first:
    its idle chart workers are stopped before that wait (else it waited for ever)."""
    import threading
    from concurrent.futures import ProcessPoolExecutor

    if parallel.workers() < 2:
        pytest.skip("one CPU: no chart workers are started")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=parallel._context())
    assert pool.submit(_starts_chart_workers).result() >= 1
    ended = threading.Thread(target=pool.shutdown, kwargs={"wait": True}, daemon=True)
    ended.start()
    ended.join(timeout=120)  # generous: it ends in well under a second, or never
    assert not ended.is_alive(), "the worker never exited: its chart workers were left running"


def test_a_batch_worker_draws_its_reports_charts_itself():
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=parallel._context()) as pool:
        assert pool.submit(_draws_here_in_a_batch_worker).result() == 1
