"""Charts drawn in worker processes: the same SVG as drawn here, in order, and a safe fallback."""

from __future__ import annotations

import dataclasses
import sys
import types

import pytest

from planwatch.report import parallel
from planwatch.report.chart import chart_spec
from planwatch.report.draw import draw_svg


@pytest.fixture
def jobs(run):
    """More charts than MIN_PARALLEL_CHARTS: the sample's charts under several titles."""
    specs = [chart_spec(m) for p in run.priorities for m in p.measures if m.measure.chart]
    out = []
    for i in range(parallel.MIN_PARALLEL_CHARTS):
        spec = specs[i % len(specs)]
        out.append((dataclasses.replace(spec, title=f"{spec.title} {i}"), f"chart-{i + 1}"))
    return out


def test_workers_draw_the_same_svg_in_order(jobs, monkeypatch):
    if parallel.workers() < 2:
        pytest.skip("one CPU: charts are drawn in this process")
    monkeypatch.setattr(parallel, "_busy", lambda: False)  # however loaded the test machine is
    parallel.cache_clear()
    before = parallel.worker_cpu_seconds()
    try:
        svgs = parallel.draw_all(jobs)
    finally:
        parallel.shutdown()
    assert parallel.worker_cpu_seconds() > before  # the workers, not this process, drew them
    assert svgs == [draw_svg.__wrapped__(spec, prefix) for spec, prefix in jobs]


def test_drawn_charts_are_reused(jobs, monkeypatch):
    parallel.cache_clear()
    monkeypatch.setattr(parallel, "MIN_PARALLEL_CHARTS", len(jobs) + 1)  # draw here
    first = parallel.draw_all(jobs[:2])
    again = parallel.draw_all([jobs[1], jobs[0], jobs[1]])
    assert again == [first[1], first[0], first[1]]
    assert draw_svg.cache_info().misses == 2


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
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (3.0, 0.0, 0.0))
    assert parallel._busy()  # 2 besides this process: both CPUs taken
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (2.5, 0.0, 0.0))
    assert not parallel._busy()  # half a CPU free, and this one while it waits
    monkeypatch.setattr(parallel.os, "getloadavg", lambda: (9.0, 0.0, 0.0))
    parallel.cache_clear()
    before = parallel.worker_cpu_seconds()
    assert parallel.draw_all(jobs) == [draw_svg.__wrapped__(spec, prefix) for spec, prefix in jobs]
    assert parallel.worker_cpu_seconds() == before  # drawn in this process
