"""Benchmark: every force's data.police.uk street files in one load (issue 17).

In: the real Essex and West Yorkshire street files in ../shared/data/police-uk-street
(286,646 rows). Every one of the 43 territorial forces of England and Wales is given a
month of street records for each month loaded, sized by the force's population
(:data:`POPULATION_K`, about 8.5 records a month per 1,000 people, so all forces make
about half a million rows a month, as data.police.uk publishes), each row drawn from the
real rows (its crime type, outcome, location and coordinates, and whether it has a Crime ID:
anti-social behaviour has none), with the force's name, a fresh Crime ID, and local areas
named for the force. The files are laid out as data.police.uk's archive is:
``YYYY-MM/YYYY-MM-<force>-street.csv``, one folder a month, written into
benchmarks/.work/all-forces/ (gitignored) and kept for the next run.
Out: a table on stdout and the "## All forces (data.police.uk)" section of
docs/performance.md (via perfdoc).

Each size (2 months: about 1 million rows; 20 months: about 10 million) is loaded in a
fresh child process into a new project by ``planwatch.services.ingest.ingest`` (the whole
archive folder given, as a user would), which reports wall time, CPU time and peak
resident memory (``VmHWM`` in ``/proc/self/status``: ``ru_maxrss`` would include the
parent's, which it inherits across fork and exec). Two baselines on the same files, each in its
own child process in the same run:

* **aggregate** (the issue's baseline): DuckDB alone counting the rows at planwatch's
  stored grain (month, force, local area, crime type, outcome) into a table in a
  database file — the least any load that stores these counts must do;
* **scan** (the floor): DuckDB alone counting the rows of the files.

Goals (issue 17): at least 1,000,000 rows a second for the whole process, peak memory
under 300 MB and flat from 1 to 10 million rows, within 1.5x of the aggregate.

Run: ``python benchmarks/bench_all_forces.py [--months 2,20] [--no-write]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from perfdoc import publish

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data" / "police-uk-street"
WORK = REPO / "benchmarks" / ".work" / "all-forces"
SECTION = "## All forces (data.police.uk)"
#: Goals from issue 17.
GOAL_ROWS_PER_S = 1_000_000
GOAL_PEAK_MB = 300
GOAL_RATIO = 1.5
#: Street-level records a month per 1,000 residents: data.police.uk publishes about half a
#: million a month (crimes and anti-social behaviour) for about 60 million people.
RECORDS_PER_1000 = 8.5
#: Resident population of each force area, thousands (ONS mid-year estimates, rounded; the
#: City of London's is its daytime population, as its crime counts are of that order).
POPULATION_K: dict[str, int] = {
    "Avon and Somerset": 1750, "Bedfordshire": 700, "Cambridgeshire": 880, "Cheshire": 1080,
    "Cleveland": 570, "Cumbria": 500, "Derbyshire": 1060, "Devon and Cornwall": 1800,
    "Dorset": 780, "Durham": 640, "Dyfed-Powys": 520, "Essex": 1860, "Gloucestershire": 640,
    "Greater Manchester": 2870, "Gwent": 600, "Hampshire": 2000, "Hertfordshire": 1200,
    "Humberside": 930, "Kent": 1870, "Lancashire": 1530, "Leicestershire": 1100,
    "Lincolnshire": 770, "City of London": 70, "Merseyside": 1430,
    "Metropolitan Police Service": 8800, "Norfolk": 920, "North Wales": 700,
    "North Yorkshire": 830, "Northamptonshire": 790, "Northumbria": 1480,
    "Nottinghamshire": 1170, "South Wales": 1340, "South Yorkshire": 1420,
    "Staffordshire": 1140, "Suffolk": 770, "Surrey": 1200, "Sussex": 1720,
    "Thames Valley": 2480, "Warwickshire": 600, "West Mercia": 1310, "West Midlands": 2940,
    "West Yorkshire": 2350, "Wiltshire": 730,
}  # fmt: skip
#: Local areas (districts) per force, and LSOAs per district, for the LSOA names.
DISTRICTS, LSOAS = 12, 90
#: The stored grain's local area: the LSOA name without its code (planwatch.store.schema).
AREA_SQL = (
    'CASE WHEN "LSOA name"[-5] = \' \' THEN left("LSOA name", -5) '
    "ELSE coalesce(\"LSOA name\", '') END"
)


#: What the numbers say, measured by hand on 2026-12-01 (kept when the benchmark is run again).
NOTES = (
    "- Where the memory goes (the 20-month load sampled every second in one process, load "
    "average 6 to 8): Python and DuckDB 37 MB; 51 MB once `planwatch.services.ingest` is "
    "imported (134 MB before 2026-12-01 18:30 UTC: it imported pandas and pyarrow through the "
    "measures, reference and records readers; now each kind's reader is imported only when "
    "that kind is loaded, and `tests/cli/test_cli_startup_imports.py` checks that "
    "`planwatch ingest police-uk` loads neither); 84 MB while the first files are "
    "fingerprinted; 130 to 170 MB from the first chunk counted to the last, flat however many "
    "files. Each chunk's counts go to a Parquet file in the load's temporary folder (they were "
    "kept in a TEMP table that grew with the number of files, to about 470 MB), the staged "
    "counts are a view of them (they were copied once more before the write), and DuckDB's "
    "cap is 128 MB while no file is bigger than a chunk (`SCAN_MEMORY_LIMIT` in "
    "`planwatch.ingest.police_uk`; a 64 MB chunk is counted within 48 MB; a load with a bigger "
    "file keeps the 640 MB of `planwatch.services.ingest`). DuckDB's own aggregate holds its "
    "whole hash table: about 390 MB at 10 million rows.",
    "- Where the CPU goes (the 20-month load, CPU time of each thread): importing 0.3 s, the "
    "main thread 0.7 s (finding and naming the files, the checks' queries, the write), SHA-256 "
    "and the UTF-8 test 2.4 s on threads of their own, DuckDB's pass 11.8 s. The pass alone "
    "costs about what the whole aggregate does: it also reads 10 million Crime IDs (64 "
    "characters each), hashes them and groups by the hash (the repeat check; DuckDB 2.0 "
    "materialises the input of `GROUPING SETS`, about a fifth of the pass's operator time in "
    "`EXPLAIN ANALYZE` of one 64 MB chunk, and turning its `grouping_sets` optimizer off "
    "changed nothing measurable), reads the coordinates as numbers (the check that they are) "
    "and records the rows it cannot read. The load records of the 860 files are written in "
    "one statement (`planwatch.store.services._insert_loads`), not one INSERT each.",
    "- Since 2026-12-01 21:40 UTC (measured at load average 6 to 10, so in CPU time and "
    "instruction counts, not wall time): each distinct header is checked once, not once a file "
    "(`match_header` took 0.39 of the main thread's CPU-seconds for 860 files; the main "
    "thread now 0.73 against 0.89 CPU-s in the same conditions), and the coordinates are made "
    "to be read by an always-true filter rather than counted in both grouping sets. What the "
    "pass costs was taken apart on 4 to 5 months (170 to 215 files) with the other work removed "
    "in turn, the variants interleaved (medians of 4 to 6 runs each): the Crime ID repeat check "
    "with the coordinates counted in both sets cost 20 to 30% more CPU than the same pass "
    "without the check, and 0 to 6% more with the filter; in instructions it is 7% of the pass "
    "(`valgrind --tool=callgrind`, one thread: 460 against 429 million for 13 MB), the rest most "
    "likely the cache misses of a hash table of every Crime ID of a chunk (about 190,000 a 64 "
    "MB chunk, some 10 MB against a 2 MB L2 cache). Chunks of 16, 32, 64 and 160 MB were "
    "measured and 64 MB stays the cheapest; `store_rejects` costs 2% of the pass's "
    "instructions (not worth a second, unchecked read); finding repeated IDs in NumPy or "
    "Python from the file's bytes costs more (0.5 to 0.7 CPU-s a million rows). What is left "
    "above the aggregate is mostly SHA-256 and the UTF-8 test (2.4 s, "
    "needed for the load records): a floor of about 1.3 to 1.4x in CPU time.",
    "- Wall time: each chunk of files is counted on a thread of its own while the next files "
    "are fingerprinted (DuckDB and `hashlib` both release the GIL), so the hashing no longer "
    "comes first: at load average 8 all 860 files were hashed 11 s into the load and counted "
    "by 38 s. Since 2026-12-01 21:55 UTC two chunks are counted at once (`SCANS_IN_FLIGHT` in "
    "`planwatch.ingest.police_uk_scan`, each on a cursor of its own), so that the single-core "
    "end of each read (its last file, the hash tables' final pass, the Parquet write) overlaps "
    "the next read: sampling the load's threads every 5 ms, the share of the time with only "
    "one thread runnable fell from 15% to 5%, the aggregate's own share (two runs each, load "
    "average 7 to 8.5), for about 5 MB more at the peak. rows/s (wall) cannot be judged while "
    "the machine is shared: at load average 5 to 9 on 2 CPUs wall time was 2 to 3 times CPU "
    "time for every run, baselines included.",
)


def slug(force: str) -> str:
    return force.lower().replace(" ", "-")


def falls_within(force: str) -> str:
    """The force's name as data.police.uk's 'Falls within' spells it."""
    return force if force.endswith("Service") else f"{force} Police"


def generate(months: int) -> tuple[list[Path], int]:
    """The archive folders of ``months`` months (reused between runs) and their rows."""
    sources = sorted(SHARED.glob("*/*-street.csv"))
    if not sources:
        sys.exit(f"no data.police.uk files under {SHARED}")
    con = duckdb.connect()
    listed = "[" + ", ".join(f"'{p}'" for p in sources) + "]"
    con.execute(
        f"""CREATE TABLE pool AS SELECT row_number() OVER () - 1 AS r, *
            FROM read_csv({listed}, header = true, all_varchar = true)"""
    )
    pool = con.execute("SELECT count(*) FROM pool").fetchone()[0]  # type: ignore[index]
    folders, rows = [], 0
    for n in range(months):
        year, month = 2019 + n // 12, n % 12 + 1
        label = f"{year}-{month:02d}"
        folder = WORK / label
        folders.append(folder)
        folder.mkdir(parents=True, exist_ok=True)
        season = 1.0 + 0.08 * ((month - 7) / 6.0)  # busier in summer: a simple season
        for f, (force, people) in enumerate(POPULATION_K.items()):
            count = round(people * RECORDS_PER_1000 * (2.0 - season))
            rows += count
            path = folder / f"{label}-{slug(force)}-street.csv"
            if path.exists():
                continue
            name = falls_within(force).replace("'", "''")
            seed = n * 100 + f
            con.execute(
                f"""COPY (
                    SELECT CASE WHEN p."Crime ID" IS NULL THEN NULL
                                ELSE sha256('{label}' || '{f}' || i::VARCHAR) END AS "Crime ID",
                           '{label}' AS "Month", '{name}' AS "Reported by", '{name}' AS "Falls within",
                           p."Longitude", p."Latitude", p."Location",
                           'E0' || lpad(({f} * 10000 + i % {DISTRICTS * LSOAS})::VARCHAR, 7, '0') AS "LSOA code",
                           '{force.replace("'", "''")} ' || (1 + hash(i, {seed}) % {DISTRICTS})::VARCHAR
                               || ' ' || lpad((i % {LSOAS})::VARCHAR, 3, '0') || 'A' AS "LSOA name",
                           p."Crime type", p."Last outcome category", p."Context"
                    FROM range({count}) t(i) JOIN pool p ON p.r = hash(i, {seed} + 1) % {pool}
                    ORDER BY i
                ) TO '{path}' (HEADER, DELIMITER ',')"""
            )
    con.close()
    return folders, rows


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, project, area_sql, *folders = sys.argv[1:]
start = time.perf_counter()
if mode == "planwatch":
    from planwatch.services.ingest import ingest
    result = ingest(Path(project), "police_uk", [Path(f) for f in folders])
    rows = sum(r.rows for r in result.loads)
    files = len(result.loads)
else:
    import duckdb
    files = sorted(str(p) for f in folders for p in Path(f).glob("*-street.csv"))
    source = "read_csv([" + ", ".join(repr(f) for f in files) + "], header = true)"
    if mode == "aggregate":
        con = duckdb.connect(str(Path(project) / "baseline.duckdb"))
        con.execute("SET enable_progress_bar = false")  # DuckDB 2 draws one on stdout otherwise
        con.execute(
            f'''CREATE TABLE counts AS
                SELECT "Month", "Falls within", {area_sql} AS area, "Crime type",
                       "Last outcome category", count(*) AS n
                FROM {source} GROUP BY ALL'''
        )
        rows = con.execute("SELECT sum(n) FROM counts").fetchone()[0]
    else:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        rows = con.execute(f"SELECT count(*) FROM {source}").fetchone()[0]
    con.close()
    files = len(files)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
# VmHWM, not ru_maxrss: ru_maxrss keeps the parent's high-water mark across fork and exec
status = Path("/proc/self/status").read_text()
peak_kb = int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1])
print(json.dumps({"rows": int(rows), "files": files, "seconds": seconds,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak_kb / 1024}))
"""
MODES = ("scan", "aggregate", "planwatch")


def run(mode: str, folders: list[Path], project: Path) -> dict[str, float]:
    project.mkdir(parents=True, exist_ok=True)
    for old in project.glob("*.duckdb*"):
        old.unlink()
    os.sync()  # the previous run's database file is on disk before this run's clock starts
    load = os.getloadavg()[0]
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(project), AREA_SQL, *map(str, folders)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = load
    return result


def machine() -> str:
    return (
        f"Linux {os.uname().release}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"DuckDB {duckdb.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", default="2,20", help="months of every force, comma-separated")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md alone")
    args = parser.parse_args()
    sizes = [int(m) for m in args.months.split(",")]
    results = []
    for months in sizes:
        folders, rows = generate(months)
        runs = {mode: run(mode, folders, WORK / f"project-{mode}") for mode in MODES}
        assert all(r["rows"] == rows for r in runs.values()), (runs, rows)
        results.append((months, rows, runs))
        print(months, rows, json.dumps(runs), flush=True)
    lines = [
        f"Measured by `benchmarks/bench_all_forces.py` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{machine()}. All 43 territorial forces' street files, sized by population and drawn "
        "from the real Essex and West Yorkshire rows (see the benchmark's docstring), laid out "
        "as data.police.uk's archive (a folder a month, a file a force); each run a fresh child "
        "process and a new project. *aggregate* is DuckDB alone counting the same files at "
        "planwatch's stored grain (month, force, local area, crime type, outcome) into a "
        "database file, the issue's baseline; *scan* is DuckDB counting the rows, the floor. "
        "Load average (1 minute) is taken as each run starts: the machine is shared with other "
        "engineers' work, so the ratios of CPU time, measured in the same run, are the "
        "steadier figures.",
        "",
        "| months | files | rows | planwatch wall (s) | rows/s (wall) | CPU (s) | peak memory (MB) "
        "| aggregate wall (s) | aggregate CPU (s) | aggregate peak (MB) | scan wall (s) | scan CPU (s) "
        "| planwatch / aggregate, CPU | planwatch / aggregate, wall | planwatch / scan, CPU "
        "| load average (planwatch, aggregate, scan) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for months, rows, r in results:
        o, a, s = r["planwatch"], r["aggregate"], r["scan"]
        lines.append(
            f"| {months} | {o['files']:.0f} | {rows:,} | {o['seconds']:.1f} | "
            f"{rows / o['seconds']:,.0f} | {o['cpu']:.1f} | {o['peak_mb']:.0f} | "
            f"{a['seconds']:.1f} | {a['cpu']:.1f} | {a['peak_mb']:.0f} | {s['seconds']:.1f} | "
            f"{s['cpu']:.1f} | {o['cpu'] / a['cpu']:.2f} | {o['seconds'] / a['seconds']:.2f} | "
            f"{o['cpu'] / s['cpu']:.2f} | {o['load']:.1f}, {a['load']:.1f}, {s['load']:.1f} |"
        )
    _, rows, largest = max(results, key=lambda t: t[1])
    o, a = largest["planwatch"], largest["aggregate"]
    peaks = [r["planwatch"]["peak_mb"] for _, _, r in results]
    speed = rows / o["seconds"]
    lines += [
        "",
        f"Goals (issue 17, judged at the largest size, {rows:,} rows): at least "
        f"{GOAL_ROWS_PER_S:,} rows/s for the whole process — "
        f"**{'met' if speed >= GOAL_ROWS_PER_S else 'not met'}** ({speed:,.0f}); peak memory "
        f"under {GOAL_PEAK_MB} MB at every size — "
        f"**{'met' if max(peaks) < GOAL_PEAK_MB else 'not met'}** "
        f"({', '.join(f'{p:.0f}' for p in peaks)} MB); within {GOAL_RATIO}x of the aggregate — "
        f"**{'met' if o['cpu'] / a['cpu'] <= GOAL_RATIO else 'not met'}** in CPU time "
        f"({o['cpu'] / a['cpu']:.2f}x), "
        f"**{'met' if o['seconds'] / a['seconds'] <= GOAL_RATIO else 'not met'}** in wall time "
        f"({o['seconds'] / a['seconds']:.2f}x).",
        *NOTES,
    ]
    publish(SECTION, "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
