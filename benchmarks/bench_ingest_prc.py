"""Benchmark loading a Home Office PRC table against the obvious baseline.

In: the real tables in ../shared/data (``prc-pfa-2017-18.csv``, 23,068 rows, and the
22-year group-level compilation, 35,939 rows).
Out: a table on stdout and in the "### Police recorded crime" part of the "## Ingest"
section of docs/performance.md (the rest of the file is left alone).

planwatch: ``planwatch.services.ingest.ingest(project, "prc", [file])`` into a store
that already holds the Home Office offence code lookup (so offence codes are
checked, as in real use) — reading, every check, provenance, one transaction and a
checkpoint. Two baselines, neither with any checks, each writing to a new DuckDB file:

* **obvious** (what an analyst would write): ``pandas.read_csv``, ``CREATE TABLE``, then
  the rows through the DB-API, ``cursor.executemany("INSERT ... VALUES (?, ...)")``,
  in one transaction (kinder than autocommit, which is slower still);
* **strong** (the fastest pandas route): ``pandas.read_csv``, the DataFrame registered
  with DuckDB and copied in bulk by ``CREATE TABLE AS SELECT * FROM frame``.

Wall and CPU seconds are medians of several runs in the same process (the obvious
baseline, tens of seconds a run, is run ``--slow-repeats`` times); the ratios
(baseline / planwatch) are what carry across machines.

Run: ``python benchmarks/bench_ingest_prc.py [--repeats 7] [--slow-repeats 1]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
from perfdoc import REPO, add_write_option, load_average, machine, publish, timings

from planwatch.services.ingest import ingest

SHARED = Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared")) / "data"
SECTION = "## Ingest"
SUBSECTION = "### Police recorded crime (PRC) tables"
#: Goal from the issue: planwatch loads a PRC table at least 5x faster than the baseline.
GOAL_RATIO = 5.0
FILES = ("prc-pfa-2017-18.csv", "prc-force-offencegroup-quarterly-2002-2024.csv")


@dataclass(frozen=True)
class Timing:
    wall: float  # median wall-clock seconds
    cpu: float  # median CPU seconds of this process (all threads)


def timed(
    fn: Callable[[], object], repeats: int, setup: Callable[[], None] = lambda: None
) -> Timing:
    """Median wall-clock and CPU seconds of ``fn`` over ``repeats`` runs (``setup`` is not timed)."""
    runs = timings(fn, repeats, setup)
    return Timing(statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))


def measure_file(
    path: Path, template: Path, work: Path, repeats: int, slow_repeats: int
) -> tuple[Timing, Timing, Timing]:
    """Timings for planwatch, the strong baseline and the obvious baseline on one file."""
    project = work / "project"
    baseline_db = work / "baseline.duckdb"

    def fresh_project() -> None:
        shutil.rmtree(project, ignore_errors=True)
        shutil.copytree(template, project)

    def fresh_baseline() -> None:
        for f in (baseline_db, baseline_db.with_name(baseline_db.name + ".wal")):
            f.unlink(missing_ok=True)

    def ours() -> None:
        result = ingest(project, "prc", [path])
        assert result.loads, "nothing was loaded"

    def strong() -> None:
        frame = pd.read_csv(path)
        con = duckdb.connect(str(baseline_db))
        con.register("frame", frame)
        con.execute("CREATE TABLE prc AS SELECT * FROM frame")
        con.close()

    def obvious() -> None:
        frame = pd.read_csv(path)
        con = duckdb.connect(str(baseline_db))
        columns = ", ".join(
            f'"{c}" {_SQL_TYPES.get(t.kind, "VARCHAR")}' for c, t in frame.dtypes.items()
        )
        con.execute(f"CREATE TABLE prc ({columns})")
        rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        cur = con.cursor()
        cur.execute("BEGIN TRANSACTION")
        cur.executemany(
            f"INSERT INTO prc VALUES ({', '.join('?' for _ in frame.columns)})", list(rows)
        )
        cur.execute("COMMIT")
        con.close()

    return (
        timed(ours, repeats, fresh_project),
        timed(strong, repeats, fresh_baseline),
        timed(obvious, slow_repeats, fresh_baseline),
    )


#: SQL column type for each pandas dtype kind in the obvious baseline (text otherwise).
_SQL_TYPES = {"i": "BIGINT", "f": "DOUBLE", "b": "BOOLEAN"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--slow-repeats", type=int, default=1, help="runs of the (slow) obvious baseline"
    )
    add_write_option(parser)
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
            ours, strong, obvious = measure_file(
                path, template, work, args.repeats, args.slow_repeats
            )
            n = sum(1 for _ in path.open(encoding="utf-8")) - 1
            rows.append((name, n, path.stat().st_size / 1e6, ours, strong, obvious))
    header = (
        "| file | rows | MB | planwatch ingest: wall (s) | CPU (s) "
        "| obvious baseline (pandas + executemany): wall (s) | CPU (s) | **speed-up vs obvious** "
        "| strong baseline (pandas + DuckDB bulk copy): wall (s) | CPU (s) | **speed-up vs strong** |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [
        f"| {n} | {r:,} | {mb:.1f} | {o.wall:.3f} | {o.cpu:.3f} | {ob.wall:.1f} | {ob.cpu:.1f} | "
        f"{ob.wall / o.wall:.0f}x | {st.wall:.3f} | {st.cpu:.3f} | {st.wall / o.wall:.2f}x |"
        for n, r, mb, o, st, ob in rows
    ]
    obvious_ok = all(ob.wall / o.wall >= GOAL_RATIO for *_, o, _, ob in rows)
    strong_ok = all(st.wall / o.wall >= GOAL_RATIO for *_, o, st, _ in rows)
    body = "\n".join(
        [
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine('duckdb')}; load average "
            f"{load_average():.1f} at the end; planwatch and the strong baseline: median of "
            f"{args.repeats} runs, the obvious baseline: median of {args.slow_repeats}; same process. "
            "Speed-up = baseline wall time / planwatch wall time.",
            "",
            header,
            *lines,
            "",
            f"Goal: at least {GOAL_RATIO:g}x faster than the baseline. Against the obvious baseline "
            f"(rows written through the DB-API) — **{'met' if obvious_ok else 'not met'}**. Against the "
            f"strong baseline (DuckDB's own bulk copy of a pandas frame) — **{'met' if strong_ok else 'not met'}**. "
            "planwatch also does what neither baseline does: it checks every count, period, force, offence "
            "code and duplicate, records provenance (SHA-256), replaces revised figures in one transaction "
            "and checkpoints the store.",
        ]
    )
    publish(SUBSECTION, body, write=not args.no_write, within=SECTION)


if __name__ == "__main__":
    main()
