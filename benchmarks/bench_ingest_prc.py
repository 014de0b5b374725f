"""Benchmark loading a Home Office PRC table against the obvious baseline.

In: the real tables in ../shared/data (``prc-pfa-2017-18.csv``, 23,068 rows, and the
22-year group-level compilation, 35,939 rows).
Out: a table on stdout and in the "### Police recorded crime" part of the "## Ingest"
section of docs/performance.md (the rest of the file is left alone).

planwatch: ``planwatch.services.ingest.ingest(project, "prc", [file])`` into a store
that already holds the Home Office offence code lookup (so offence codes are
checked, as in real use) — reading, every check, provenance, one transaction and a
checkpoint. Baseline: ``pandas.read_csv`` of the same file and ``CREATE TABLE AS``
into a new DuckDB file, closed (no checks at all). Both are medians of several runs
in the same process; the ratio (baseline / planwatch) is what carries across machines.

Run: ``python benchmarks/bench_ingest_prc.py [--repeats 5]``
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from planwatch.services.ingest import ingest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared")) / "data"
DOC = REPO / "docs" / "performance.md"
SECTION = "## Ingest"
SUBSECTION = "### Police recorded crime (PRC) tables"
#: Goal from the issue: planwatch loads a PRC table at least 5x faster than the baseline.
GOAL_RATIO = 5.0
FILES = ("prc-pfa-2017-18.csv", "prc-force-offencegroup-quarterly-2002-2024.csv")


def timed(
    fn: Callable[[], object], repeats: int, setup: Callable[[], None] = lambda: None
) -> float:
    """Median wall-clock seconds of ``fn`` over ``repeats`` runs (``setup`` is not timed)."""
    times = []
    for _ in range(repeats):
        setup()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, DuckDB {duckdb.__version__}"


def write_subsection(title: str, body: str) -> None:
    """Replace (or add) ``title`` inside the "## Ingest" section of docs/performance.md."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n"
    if SECTION not in text:
        text = (
            text.rstrip("\n")
            + f"\n\n{SECTION}\n\nMeasured by `benchmarks/bench_ingest_prc.py` and `benchmarks/bench_ingest_policeuk.py`.\n"
        )
    start = text.index(SECTION)
    nxt = re.search(r"^## ", text[start + len(SECTION) :], flags=re.M)
    end = start + len(SECTION) + nxt.start() if nxt else len(text)
    section = text[start:end].rstrip("\n") + "\n"
    block = f"{title}\n\n{body.strip()}\n"
    if title in section:
        s = section.index(title)
        n = re.search(r"^### ", section[s + len(title) :], flags=re.M)
        e = s + len(title) + n.start() if n else len(section)
        section = section[:s] + block + ("\n" + section[e:] if n else "")
    else:
        section = section + "\n" + block
    DOC.write_text(
        text[:start] + section.rstrip("\n") + "\n" + ("\n" + text[end:] if end < len(text) else ""),
        encoding="utf-8",
    )


def measure_file(path: Path, template: Path, work: Path, repeats: int) -> tuple[float, float]:
    """Median seconds for planwatch and for the baseline on one file."""
    project = work / "project"
    baseline_db = work / "baseline.duckdb"

    def fresh_project() -> None:
        shutil.rmtree(project, ignore_errors=True)
        shutil.copytree(template, project)

    def ours() -> None:
        result = ingest(project, "prc", [path])
        assert result.loads, "nothing was loaded"

    def baseline() -> None:
        frame = pd.read_csv(path)
        con = duckdb.connect(str(baseline_db))
        con.register("frame", frame)
        con.execute("CREATE TABLE prc AS SELECT * FROM frame")
        con.close()

    ours_s = timed(ours, repeats, fresh_project)
    base_s = timed(baseline, repeats, lambda: baseline_db.unlink(missing_ok=True))
    return ours_s, base_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--no-doc", action="store_true", help="print only; leave docs/performance.md alone"
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template = work / "template"
        ingest(
            template,
            "offence_codes",
            [SHARED / "lookups" / "ho-offence-code-to-policeuk-category.csv"],
        )
        for name in FILES:
            path = SHARED / name
            ours_s, base_s = measure_file(path, template, work, args.repeats)
            n = sum(1 for _ in path.open(encoding="utf-8")) - 1
            rows.append((name, n, path.stat().st_size / 1e6, ours_s, base_s, base_s / ours_s))
    header = "| file | rows | MB | planwatch ingest (s) | pandas + DuckDB baseline (s) | speed-up (baseline / planwatch) |\n|---|---:|---:|---:|---:|---:|"
    lines = [
        f"| {n} | {r:,} | {mb:.1f} | {o:.3f} | {b:.3f} | {x:.2f}x |" for n, r, mb, o, b, x in rows
    ]
    verdict = "met" if all(x >= GOAL_RATIO for *_, x in rows) else "not met"
    body = "\n".join(
        [
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; median of {args.repeats} runs each, same process.",
            "",
            header,
            *lines,
            "",
            f"Goal: at least {GOAL_RATIO:g}x faster than the baseline — **{verdict}**. planwatch does more than the baseline: "
            "it checks every count, period, force, offence code and duplicate, records provenance (SHA-256), "
            "replaces revised figures in one transaction and checkpoints the store; the baseline only parses and copies.",
        ]
    )
    print(body)
    if not args.no_doc:
        write_subsection(SUBSECTION, body)


if __name__ == "__main__":
    main()
