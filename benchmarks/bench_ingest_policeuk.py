"""Benchmark loading data.police.uk street files: rows per second and peak memory.

In: generated monthly files in the real 12-column archive layout (Crime ID, Month,
Reported by, Falls within, Longitude, Latitude, Location, LSOA code, LSOA name, Crime
type, Last outcome category, Context; a quarter of rows anti-social behaviour with no
Crime ID), 250,000 rows a file, written by DuckDB into benchmarks/.work/ (gitignored).
Out: a table on stdout and in the "### data.police.uk street files" part of the
"## Ingest" section of docs/performance.md.

Each size is loaded into a new project by ``planwatch.services.ingest.ingest`` in a
child process, which reports its wall time, CPU time and peak resident memory
(``resource.getrusage``: Python and DuckDB together). Two baselines, each in its
own child process on the same files in the same run, give ratios that do not depend on
how busy the machine is:

* **copy**: DuckDB alone copying the files into a persistent table
  (``CREATE TABLE AS SELECT * FROM read_csv(...)``), no checks, no fingerprints — what
  planwatch did before it stored counts;
* **scan**: DuckDB alone counting the rows (``SELECT count(*) FROM read_csv(...)``): the
  floor, the cost of parsing the CSV text once.

Run: ``python benchmarks/bench_ingest_policeuk.py [--sizes 1,2,5,10]`` (millions of rows)
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

import perfdoc
from perfdoc import (
    add_write_option,
    fresh_project,
    generated,
    load_average,
    machine,
    millions,
    publish,
    run_child,
)

WORK = perfdoc.WORK / "police-uk"
ROWS_PER_FILE = 250_000
SECTION = "## Ingest"
SUBSECTION = "### data.police.uk street files"
#: Goals from the issue: at least 1M rows/s on 2 cores, under 1 GB peak memory.
GOAL_ROWS_PER_S = 1_000_000
GOAL_PEAK_MB = 1024

CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs",
    "Other crime", "Other theft", "Possession of weapons", "Public order", "Robbery",
    "Shoplifting", "Theft from the person", "Vehicle crime", "Violence and sexual offences",
)  # fmt: skip
OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Offender given a caution",
)


def generate(files: int) -> list[Path]:
    """``files`` monthly files (reused between runs), each ROWS_PER_FILE rows."""
    types = "[" + ", ".join(f"'{t}'" for t in CRIME_TYPES) + "]"
    outcomes = "[" + ", ".join(f"'{o}'" for o in OUTCOMES) + "]"
    months = [(2010 + n // 12, n % 12 + 1, n * ROWS_PER_FILE) for n in range(files)]
    return generated(
        [
            (
                WORK / f"{year}-{month:02d}-benchmark-street.csv",
                f"""SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE sha256((i + {offset})::VARCHAR) END AS "Crime ID",
                       '{year}-{month:02d}' AS "Month", 'Benchmark Police' AS "Reported by", 'Benchmark Police' AS "Falls within",
                       round(-1.5 + (hash(i) % 100000) / 100000.0, 6) AS "Longitude", round(51.0 + (hash(i + 7) % 100000) / 100000.0, 6) AS "Latitude",
                       'On or near Street ' || (i % 5000) AS "Location", 'E0' || lpad((i % 30000)::VARCHAR, 7, '0') AS "LSOA code",
                       'Benchmark ' || lpad((i % 900)::VARCHAR, 3, '0') || 'A' AS "LSOA name",
                       CASE WHEN i % 4 = 0 THEN 'Anti-social behaviour' ELSE {types}[2 + (i % 13)] END AS "Crime type",
                       CASE WHEN i % 4 = 0 THEN NULL ELSE {outcomes}[1 + (i % 4)] END AS "Last outcome category",
                       NULL AS "Context"
                FROM range({ROWS_PER_FILE}) t(i)""",
            )
            for year, month, offset in months
        ]
    )


#: What each child does (:func:`perfdoc.run_child` times it): planwatch's load, or a baseline.
CHILD = r"""
mode, project, *files = sys.argv[1:]
if mode == "planwatch":
    from planwatch.services.ingest import ingest
    work_start = time.perf_counter()
    loaded = ingest(Path(project), "police_uk", [Path(f) for f in files])
    result["rows"] = sum(r.rows for r in loaded.loads)
else:
    import duckdb
    con = duckdb.connect(str(Path(project) / "baseline.duckdb") if mode == "copy" else ":memory:")
    con.execute("SET enable_progress_bar = false")  # DuckDB 2 draws one on stdout otherwise
    source = "read_csv([" + ", ".join(repr(f) for f in files) + "], header=true)"
    if mode == "copy":
        con.execute(f"CREATE TABLE street AS SELECT * FROM {source}")
        result["rows"] = con.execute("SELECT count(*) FROM street").fetchone()[0]
    else:
        result["rows"] = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    con.close()
"""
MODES = ("scan", "copy", "planwatch")


def run(mode: str, files: list[Path], project: Path) -> dict[str, float]:
    return run_child(CHILD, mode, str(fresh_project(project)), *map(str, files))


def row(n: int, r: dict[str, dict[str, float]], first_cpu_per_row: float) -> str:
    o, c, f = r["planwatch"], r["copy"], r["scan"]
    return (
        f"| {n:,} | {n // ROWS_PER_FILE} | {o['seconds']:.1f} | {n / o['seconds']:,.0f} | {n / o['work']:,.0f} | {o['cpu']:.1f} | "
        f"{o['peak_mb']:.0f} | {(o['cpu'] / n) / first_cpu_per_row:.2f} | {c['seconds']:.1f} | {c['peak_mb']:.0f} | "
        f"{c['seconds'] / o['seconds']:.1f}x | {f['seconds']:.1f} | {o['seconds'] / f['seconds']:.2f} | "
        f"{o['cpu'] / f['cpu']:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,5,10", help="millions of rows, comma-separated")
    add_write_option(parser)
    args = parser.parse_args()
    sizes = millions(args.sizes)
    files = generate(max(sizes) // ROWS_PER_FILE)
    load_start = load_average()
    results: list[tuple[int, dict[str, dict[str, float]]]] = []
    for size in sizes:
        subset = files[: size // ROWS_PER_FILE]
        runs = {mode: run(mode, subset, WORK / f"project-{mode}") for mode in MODES}
        assert all(r["rows"] == size for r in runs.values()), (runs, size)
        results.append((size, runs))
        print(size, runs, flush=True)
    first = results[0][1]["planwatch"]["cpu"] / results[0][0]
    header = (
        "| rows | files | planwatch wall (s) | rows/s (wall) | rows/s (ingest call) | CPU (s) | peak memory (MB) | CPU per row vs smallest "
        "| copy: wall (s) | copy: peak (MB) | planwatch faster than copy | scan (floor): wall (s) | planwatch / scan, wall "
        "| planwatch / scan, CPU |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [row(n, r, first) for n, r in results]
    ours = [(n, r["planwatch"]) for n, r in results]
    # The issue sets the goals at 10 million rows: judge them on the largest size run
    # (smaller sizes show the growth; their fixed start-up weighs more per row).
    n_max, largest = max(ours, key=lambda pair: pair[0])
    speed_ok = n_max / largest["seconds"] >= GOAL_ROWS_PER_S
    call_ok = n_max / largest["work"] >= GOAL_ROWS_PER_S
    memory_ok = all(o["peak_mb"] < GOAL_PEAK_MB for _, o in ours)
    body = "\n".join(
        [
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine('duckdb')} (load average {load_start:.1f} at the start, "
            f"{load_average():.1f} at the end: above 0 the machine was shared with other jobs, so wall times are "
            "pessimistic; the ratios, measured in the same run, are steadier); generated files of "
            f"{ROWS_PER_FILE:,} rows in the real 12-column layout; each run in a fresh child process and a new project. "
            "*copy* is DuckDB alone copying the files into a table (what planwatch stored before counts); *scan* is "
            "DuckDB alone counting the rows, the floor.",
            "",
            header,
            *lines,
            "",
            f"Goals (judged at the largest size, {n_max:,} rows): at least {GOAL_ROWS_PER_S:,} rows/s — "
            f"**{'met' if speed_ok else 'not met'}** in this run counting "
            "the whole child process, start-up included (importing planwatch: about 0.4 s; a police.uk load imports neither pandas nor pyarrow), "
            f"**{'met' if call_ok else 'not met'}** counting the `ingest` call alone; "
            f"peak memory under {GOAL_PEAK_MB} MB at every size — **{'met' if memory_ok else 'not met'}**. "
            "'CPU per row vs smallest' near 1.0 means the load grows linearly with the number of rows.",
        ]
    )
    publish(SUBSECTION, body, write=not args.no_write, within=SECTION)


if __name__ == "__main__":
    main()
