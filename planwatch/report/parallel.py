"""Draw many charts in worker processes, in order, a few at a time.

In: the charts of one report as (:class:`~planwatch.report.chart.ChartSpec`, id prefix)
pairs. Out: their SVG strings (:func:`planwatch.report.draw.draw_svg`), one at a time and
in the order asked (:func:`draw_in_order` is a generator): at most :data:`WINDOW_PER_WORKER`
charts per worker are in flight, so however many charts a report has, only a handful
of drawings are held at once.

Charts are drawn in this process by default: for a report the size of the demo, workers
cost as much as they save (docs/performance.md). Workers are used only for reports of
at least :data:`MIN_PARALLEL_CHARTS` charts on a machine with a CPU to spare (see
:func:`_busy`). Drawing is matplotlib's work and holds the GIL, so threads would not
help: a process pool does. Workers are started by a fork server (``spawn`` where there
is none), never by forking this process: the web app builds reports in threads, and
forking a threaded process can deadlock. The fork server imports the drawing code once,
so each worker starts ready to draw. If the workers cannot start or die, the charts are drawn here instead; so they
are when the program is a script without an ``if __name__ == "__main__"`` guard, which
every worker would otherwise run again (Python's "safe importing of main module" rule).
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from pathlib import Path
from typing import TypeVar

from planwatch.report.chart import ChartSpec
from planwatch.report.draw import draw_svg
from planwatch.report.funnel import FunnelSpec

#: Below this many charts, workers cost more than they save: a chart takes about 0.06 s
#: to draw here, and on a 2-CPU machine the pool drew the demo's charts no faster than
#: this process did (bench_report.py; docs/performance.md).
MIN_PARALLEL_CHARTS = 100
#: At most this many workers, however many CPUs: more rarely pay for their memory.
MAX_WORKERS = 4
#: Charts in flight per worker: enough to keep each busy, few enough to hold little.
WINDOW_PER_WORKER = 2
#: This process's own share of the load average: it waits while workers draw.
OWN_LOAD = 1.0
#: What the fork server imports once, so that the workers it forks start ready to draw.
PRELOAD = ["planwatch.report.draw", "planwatch.report.drawing", "planwatch.report.raster"]

Job = tuple[ChartSpec | FunnelSpec, str]
Drawn = TypeVar("Drawn")
#: A drawing function: a chart spec and its id prefix in, its drawing out (module-level,
#: so that workers can be sent it).
Draw = Callable[[ChartSpec | FunnelSpec, str], Drawn]
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_worker_cpu = [0.0]  # CPU seconds spent drawing in workers, for the benchmarks
_alone = [False]  # draw_here(): no chart workers in this process


def workers() -> int:
    """How many worker processes to use: one per CPU this process may run on; one (no
    workers: draw here) when the main module cannot be imported safely by them."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS)) if _main_is_safe() and not _alone[0] else 1


@cache
def _main_is_safe() -> bool:
    """Whether a worker may import this program's main module, as every non-forked
    worker does: true for ``python -m``, the ``planwatch`` command and interactive use;
    for a script, only if it guards its work with ``if __name__ == "__main__"``.
    Otherwise each worker would run the whole script again."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None):
        return True
    path = getattr(main, "__file__", None)
    if path is None:
        return True
    try:
        return "__main__" in Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers(), mp_context=_context())
            _stop_at_exit()
        return _pool


#: Processes (by id) that will stop their chart workers as they exit.
_stopping: set[int] = set()
#: Before multiprocessing waits for a worker process's own children at its exit, and
#: before it closes the pool's queues (their finalizers' priority is 10: a sentinel put
#: after that would never reach the chart workers).
_EXIT_PRIORITY = 100


def _stop_at_exit() -> None:
    """Stop the chart workers when this process exits, also when this process is itself
    a worker (a batch of reports, services/batch.py): a multiprocessing worker ends
    without running ``atexit``, so the pool's own exit handler never runs there, and the
    worker would wait for ever for its idle chart workers to end. multiprocessing runs
    its finalizers of a priority of 0 or more before it waits for them."""
    if os.getpid() not in _stopping:
        _stopping.add(os.getpid())
        multiprocessing.util.Finalize(None, shutdown, exitpriority=_EXIT_PRIORITY)


def shutdown() -> None:
    """Stop the workers (they are started again when next needed)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)


def worker_cpu_seconds() -> float:
    """CPU seconds the workers have spent drawing charts since this process started."""
    return _worker_cpu[0]


def _busy() -> bool:
    """True when other work already keeps every CPU busy (1-minute load average, less this
    process, at least the CPU count): workers would only queue behind it, and cost more CPU
    than drawing here (measured on a loaded 2-CPU machine; docs/performance.md)."""
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available on this system
        return False
    return load - OWN_LOAD >= workers()


def cache_clear() -> None:
    """Forget every drawn chart (benchmarks draw every chart afresh)."""
    draw_svg.cache_clear()


def _draw_timed(
    draw: Draw[Drawn], spec: ChartSpec | FunnelSpec, prefix: str
) -> tuple[Drawn, float]:
    """In a worker: the chart's drawing and the CPU seconds it took."""
    start = time.process_time()
    drawn = getattr(draw, "__wrapped__", draw)(spec, prefix)  # no cache in a worker
    return drawn, time.process_time() - start


def use_workers(charts: int) -> bool:
    """Whether ``charts`` charts are worth drawing in worker processes here and now."""
    return charts >= MIN_PARALLEL_CHARTS and workers() >= 2 and not _busy()


def draw_here() -> None:
    """Draw every chart in this process from now on (no chart workers): for a process
    that is itself one of a pool's workers, one per CPU (services/batch.py), where chart
    workers would only compete with the other reports for the CPUs."""
    _alone[0] = True


def draw_ahead(charts: int) -> bool:
    """Whether to draw a report's ``charts`` in a worker while this process lays out its
    PDF (:func:`one_at_a_time`): a report below :data:`MIN_PARALLEL_CHARTS` (larger ones are
    drawn by :func:`draw_in_order`'s workers) on a machine with a CPU to spare."""
    return 0 < charts < MIN_PARALLEL_CHARTS and workers() >= 2 and not _busy()


def one_at_a_time(
    calls: Sequence[tuple[Callable[..., object], tuple[object, ...]]],
) -> list[Future[bool]]:
    """Run ``calls`` (module-level functions and their arguments) one after another in a
    worker process, in order, while this process gets on with other work: one worker busy
    at a time, so this process keeps the other CPU. Each future says ``True`` once its call
    has run there, or ``False`` when the workers could not start or died (the caller then
    makes the call itself); an error raised by the call itself is the future's error."""
    feeder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="planwatch-charts")
    try:
        return [feeder.submit(_in_a_worker, fn, args) for fn, args in calls]
    finally:
        feeder.shutdown(wait=False)  # its thread runs the calls queued, then ends


def _in_a_worker(fn: Callable[..., object], args: tuple[object, ...]) -> bool:
    try:
        cpu = _get_pool().submit(_call_timed, fn, *args).result()
    except (OSError, RuntimeError, BrokenProcessPool) as exc:
        _log.warning("chart workers failed (%s); drawing the charts in this process", exc)
        shutdown()
        return False
    with _lock:
        _worker_cpu[0] += cpu
    return True


def _call_timed(fn: Callable[..., object], *args: object) -> float:
    """In a worker: make the call; the CPU seconds it took."""
    start = time.process_time()
    fn(*args)
    return time.process_time() - start


def draw_in_order(
    jobs: Sequence[Job],
    draw: Draw[Drawn] = draw_svg,  # type: ignore[assignment]
) -> Generator[Drawn, None, None]:
    """Each chart's drawing (its SVG unless ``draw`` says otherwise), in the order asked,
    drawn one after another as they are taken."""
    if use_workers(len(jobs)):
        yield from _in_workers(jobs, draw)
    else:
        for job in jobs:
            yield draw(*job)


def _in_workers(jobs: Sequence[Job], draw: Draw[Drawn]) -> Generator[Drawn, None, None]:
    """Workers draw a few charts ahead of the one asked for; no more are held."""
    window = WINDOW_PER_WORKER * workers()
    pending: deque[tuple[Job, Future[tuple[Drawn, float]]]] = deque()
    done = 0
    try:
        pool = _get_pool()
        while done < len(jobs):
            while len(pending) < window and done + len(pending) < len(jobs):
                job = jobs[done + len(pending)]
                pending.append((job, pool.submit(_draw_timed, draw, job[0], job[1])))
            _, future = pending.popleft()
            drawn, cpu = future.result()
            with _lock:
                _worker_cpu[0] += cpu
            done += 1
            yield drawn
    except (OSError, RuntimeError, BrokenProcessPool) as exc:
        _log.warning("chart workers failed (%s); drawing the charts in this process", exc)
        shutdown()
        for job in jobs[done:]:
            yield draw(*job)
    finally:
        for _, future in pending:
            future.cancel()
