"""Benchmark the report: HTML alone and HTML + PDF, as the number of priorities and charts grows.

In: the hand-built analysis run of tests/report/sample_run.py, repeated to N priorities
(each repeat of 3 priorities adds 3 charts and 5 commitments).
Out: a table of timings written into the "## Report" section of docs/performance.md
(the rest of that file is left alone), and the same table on stdout.

Every chart is drawn afresh (the chart cache is cleared before each build) so that the figures are the
worst case of N distinct charts. Timings are medians of a few runs; ratios are against
the smallest report measured in the same run, so they hold across machines.

Run: ``python benchmarks/bench_report.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "report"))

from sample_run import sample_commentary, sample_run  # noqa: E402

from planwatch.report import build, parallel  # noqa: E402

#: Goals from the project brief: HTML in under 2 s, HTML + PDF in under 15 s.
HTML_GOAL_S = 2.0
PDF_GOAL_S = 15.0
#: `planwatch demo` on a fresh install in under a minute (same brief).
DEMO_GOAL_S = 60.0
SIZES = (3, 6, 12, 24)
QUICK_SIZES = (3, 12)
PUBLISHED = date(2023, 8, 15)
DOC = REPO / "docs" / "performance.md"
#: Findings from profiling (cProfile) that shaped the code; kept with the table on every run.
NOTES = (
    "Choices made from measurements (cProfile, same machine):",
    "",
    "- The PDF takes each chart's SVG as an image (a `file:` URI of the drawing, kept on disk",
    "  while the report is built; `data:` from `render_html`) instead of inline: WeasyPrint then",
    "  does not run the page's CSS cascade over every path. Layout of the 6-priority report fell from",
    "  4.5 s to 3.4 s of CPU; the charts stay vector graphics and keep their alt text (tagged `Figure`).",
    "- Series longer than 36 periods are drawn without a marker on every point, and without",
    "  minor ticks: each is an SVG element that WeasyPrint draws one by one.",
    '- Charts were saved with margins worked out from their labels, not `bbox_inches="tight"`,',
    "  which drew every chart twice: drawing the demo's 19 charts fell from 3.6 s to 2.3 s of CPU.",
    "  Text stays text, and nothing is written that draws nothing (matplotlib wrapped every",
    "  artist in a group): a third fewer SVG elements for WeasyPrint to paint.",
    "- Each set of marks drawn alike (a series' markers, an axis' grid lines and tick marks) is",
    "  one path, and styles are presentation attributes (no CSS parser per element). WeasyPrint",
    "  visited 1,262 SVG nodes for the demo's 22 charts, against 3,351 for its 19 charts before;",
    "  painting the charts took a third fewer function calls. Text as glyph paths was measured",
    "  and rejected: twice the paint time, since WeasyPrint draws each glyph as a `<use>` (and",
    "  SVG text is laid out one letter at a time).",
    "- Since issue 17 the SVG is written directly from each chart's spec (`report/svg.py`), the",
    "  picture matplotlib drew, in about a millisecond a chart instead of about 65; matplotlib",
    "  draws only the Word version's PNGs (see the demo report's section).",
    "- Charts are drawn in this process by default. Worker processes (a fork server, never a",
    "  fork of the possibly threaded web process) are used only for the Word version's PNGs of",
    "  reports of 100 charts or more on a machine with a CPU to spare: on this shared 2-CPU",
    "  machine the pool drew 12 matplotlib charts in 0.64 to 0.70 s wall against 0.68 to 0.92 s",
    "  here, at the same CPU (0.59 to 0.65 s), and earlier, at load 3, took the demo's HTML from",
    "  1.75 s to a median of 2.4 s. The SVG, a millisecond a chart, is always written here.",
    "- A chart's data table is a grid of financial years by quarter or month (a row a year, and",
    "  a row for the trend) for series longer than 12 periods, laid out with fixed column widths",
    "  in the PDF, as is the commitments table (its widths are set): the demo's appendix fell",
    "  from about 650 table rows on 12 pages to 285 on 6 (with 3 funnel plots added).",
    '- The contents need no second layout to print "7" rather than "7–7" for a priority on one',
    "  page: the range end is taken out of the laid-out contents page (the dot leader closes the",
    "  gap). A second layout, as before, is kept only as a fallback if WeasyPrint's boxes change.",
    "- Appendix tables run on across pages with their header row repeated, instead of each being",
    "  kept whole, which made WeasyPrint lay out again every table that did not fit: layout of",
    "  the demo report fell by about a fifth and it lost 5 of its 58 pages. Every chart's data",
    "  stays in the PDF appendix and in the HTML (under each chart) for screen-reader users.",
    "- Before these changes (this benchmark, 2026-11-25, load average 5.4): 12 priorities took",
    "  2.71 s of CPU for HTML and 21.93 s for HTML + PDF; `planwatch demo` took 46 to 74 s wall.",
    "  What is left in the demo report (CPU, load average 4 to 6): about 2.3 s drawing 19 charts,",
    "  9 s WeasyPrint layout (text line breaking in tables and paragraphs), 6 s writing the PDF",
    "  (of which painting the chart SVGs is about a third); 5 s of the demo is importing modules.",
)
SECTION = "## Report"


def _median_time(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (CPU time is steadier on a shared, busy machine),
    every chart drawn afresh; CPU includes the chart workers' drawing."""
    wall, cpu = [], []
    for _ in range(repeats):
        parallel.cache_clear()
        start, start_cpu = time.perf_counter(), time.process_time()
        workers_before = parallel.worker_cpu_seconds()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu + parallel.worker_cpu_seconds() - workers_before)
    return statistics.median(wall), statistics.median(cpu)


def measure(sizes: tuple[int, ...], repeats: int) -> list[dict[str, float]]:
    """Time HTML alone and HTML + PDF for each number of priorities."""
    rows = []
    for n in sizes:
        run = sample_run(n)
        commentary = sample_commentary(run)
        charts = sum(1 for p in run.priorities for m in p.measures if m.measure.chart)
        html_s, html_cpu = _median_time(
            lambda run=run, c=commentary: build.render_html(run, c), repeats
        )
        with tempfile.TemporaryDirectory() as tmp:
            both_s, both_cpu = _median_time(
                lambda run=run, c=commentary, tmp=tmp: build.build_report(
                    run, c, Path(tmp), published=PUBLISHED
                ),
                max(1, repeats // 2),
            )
            pages = _pages(Path(tmp))
        rows.append(
            {
                "priorities": n,
                "charts": charts,
                "pages": pages,
                "html_s": html_s,
                "pdf_s": both_s,
                "html_cpu": html_cpu,
                "pdf_cpu": both_cpu,
                "load": os.getloadavg()[0],
            }
        )
        print(
            f"N={n:3d} charts={charts:3d} pages={pages:3d} html={html_s:6.2f}s ({html_cpu:.2f} CPU) "
            f"html+pdf={both_s:6.2f}s ({both_cpu:.2f} CPU)",
            flush=True,
        )
    return rows


def demo_timing() -> dict[str, float]:
    """``planwatch demo`` end to end in a fresh process: generate, ingest, analyse, HTML,
    PDF, Word and JSON."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "planwatch.cli.main", "demo", "--out", f"{tmp}/demo"],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
        pages = _pages(Path(tmp) / "demo" / "output")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "pages": pages, "load": os.getloadavg()[0]}


def demo_lines(demo: dict[str, float] | None) -> list[str]:
    if demo is None:
        return []
    met = "met" if demo["wall"] < DEMO_GOAL_S else "missed"
    return [
        f"`planwatch demo` end to end (fresh process: generate, ingest, analyse, HTML + PDF of "
        f"{demo['pages']:.0f} pages): {demo['wall']:.1f} s wall, {demo['cpu']:.1f} s CPU, load average "
        f"{demo['load']:.1f}. Goal under {DEMO_GOAL_S:g} s wall: {met}.",
        "",
    ]


def _pages(folder: Path) -> int:
    from pypdf import PdfReader

    pdf = next(folder.glob("*.pdf"))
    return len(PdfReader(str(pdf)).pages)


def section(rows: list[dict[str, float]], demo: dict[str, float] | None = None) -> str:
    base = rows[0]
    lines = [
        SECTION,
        "",
        "`python benchmarks/bench_report.py` renders the hand-built run of `tests/report/sample_run.py`",
        'repeated to N priorities, drawing every chart afresh (worst case). "HTML + PDF" is',
        "`build_report`: the HTML file, the print HTML and the WeasyPrint PDF (one layout).",
        "Ratios are against the smallest report in the same run.",
        f"Goals: HTML under {HTML_GOAL_S:g} s, HTML + PDF under {PDF_GOAL_S:g} s for a usual report",
        "(3 to 6 priorities).",
        "",
        f"Measured {date.today().isoformat()} on {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| Priorities | Charts | PDF pages | HTML wall (s) | HTML CPU (s) | HTML ratio | HTML + PDF wall (s) "
        "| HTML + PDF CPU (s) | HTML + PDF ratio | CPU s per page | Load average |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['priorities']:.0f} | {r['charts']:.0f} | {r['pages']:.0f} | {r['html_s']:.2f} | {r['html_cpu']:.2f} | "
            f"{r['html_cpu'] / base['html_cpu']:.1f} | {r['pdf_s']:.2f} | {r['pdf_cpu']:.2f} | "
            f"{r['pdf_cpu'] / base['pdf_cpu']:.1f} | {r['pdf_cpu'] / r['pages']:.2f} | {r['load']:.1f} |"
        )
    first, last = rows[0], rows[-1]
    growth = (last["pdf_cpu"] / first["pdf_cpu"]) / (last["charts"] / first["charts"])
    lines += [
        "",
        f"Growth (CPU time): {last['charts'] / first['charts']:.0f} times the charts took "
        f"{last['pdf_cpu'] / first['pdf_cpu']:.1f} times as long for HTML + PDF ({growth:.2f} of linear), "
        f"and {last['html_cpu'] / first['html_cpu']:.1f} times as long for HTML alone. Ratios use CPU time;",
        "wall-clock time also depends on what else the machine is doing (load average in the last column).",
        "WeasyPrint's layout and painting dominate the PDF; the charts' SVG is written directly from",
        "each chart's spec (`report/svg.py`, about a millisecond a chart; matplotlib before issue 17).",
        "",
        *goal_lines(rows),
        "",
        *demo_lines(demo),
        *NOTES,
        "",
    ]
    return "\n".join(lines) + "\n"


def goal_lines(rows: list[dict[str, float]]) -> list[str]:
    """Which sizes meet the goals, in CPU time and in wall-clock time."""

    def largest(key: str, goal: float) -> str:
        met = [r["priorities"] for r in rows if r[key] < goal]
        return f"up to {max(met):.0f} priorities" if met else "at no size measured"

    return [
        f"Goals: HTML under {HTML_GOAL_S:g} s is met {largest('html_cpu', HTML_GOAL_S)} in CPU time and "
        f"{largest('html_s', HTML_GOAL_S)} in wall-clock time; HTML + PDF under {PDF_GOAL_S:g} s is met "
        f"{largest('pdf_cpu', PDF_GOAL_S)} in CPU time and {largest('pdf_s', PDF_GOAL_S)} in wall-clock time.",
    ]


#: Written by benchmarks/bench_demo_report.py at the end of this section; kept as it is.
DEMO_HEADING = "### The demo report itself, once data is loaded"


def write_section(text: str) -> None:
    """Replace this benchmark's section of docs/performance.md, leaving the rest alone
    (including the demo report's part, which bench_demo_report.py writes)."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    start = old.find(SECTION + "\n")
    if start == -1:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(SECTION))
        demo = old.find(DEMO_HEADING, start, end if end != -1 else len(old))
        kept = old[demo : end + 1 if end != -1 else len(old)] if demo != -1 else ""
        text = text + ("\n" + kept.rstrip("\n") + "\n" if kept else "")
        new = old[:start] + text + (old[end + 1 :] if end != -1 else "")
    DOC.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two sizes, one repeat")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/performance.md alone"
    )
    args = parser.parse_args()
    rows = measure(QUICK_SIZES if args.quick else SIZES, 1 if args.quick else 3)
    demo = None if args.quick else demo_timing()
    text = section(rows, demo)
    print(text)
    if not args.no_write:
        write_section(text)


if __name__ == "__main__":
    main()
