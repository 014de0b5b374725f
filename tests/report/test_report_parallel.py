"""Drawing a report's charts: in order, the same in workers as here, any number of them."""

from __future__ import annotations

import dataclasses
import re
import sys
import types

import pytest
from sample_run import sample_run

from planwatch.narrative.run import AnalysisRun, MeasureResult
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
