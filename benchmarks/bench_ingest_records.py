"""Benchmark loading a record-level crime extract: rows per second, peak memory, and the
record-based measures counted again after a definition changes.

In: generated per-force monthly CSV extracts in a crime-system export layout (the demo's:
crime reference, property item, recorded and committed dates DD/MM/YYYY, offence code and
description, four flags, district, beat, property type, status and value, and a victim's
name, an address and free text the plan does not map): ten forces a month, of 2,000 to
50,000 rows (:data:`FORCE_ROWS`), written by DuckDB into benchmarks/.work/records/forces/
(gitignored).
Out: a table on stdout and the "## Record ingest" section of docs/performance.md
(:func:`perfdoc.write_section`).

Each size is loaded into a new project with the demo plan by
``planwatch.services.ingest.ingest`` (kind ``records``, the demo plan's ``crimes``
mapping: 12 of 18 columns kept, dates parsed, flags checked, ids checked for
duplicates) in a child process that reports wall time, CPU time and peak resident memory
(``resource.getrusage``). In the same child the demo's HR extract and STATS19 road casualty
files are loaded too (not timed), and every record-based measure of the demo plan (rural,
business and dog theft crime, special constables and police officers in post, the
ethnic-minority share in post, people killed or seriously injured on the roads, raw and
severity-adjusted) is then
counted from the store after its dog theft definition is changed (counted per dog, not
per crime), with no new load. The baseline, in its own child
on the same files in the same run, is DuckDB alone copying the files into a table
(``CREATE TABLE AS SELECT * FROM read_csv(...)``, every column, no checks).

Run: ``python benchmarks/bench_ingest_records.py [--sizes 1,10]`` (millions of rows)
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perfdoc import WORK as BENCH_WORK
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

from planwatch.demo.generate import template_text
from planwatch.demo.staff import STAFF_HEADER, staff_rows
from planwatch.demo.stats19 import road_files as demo_road_files

WORK = BENCH_WORK / "records"
SECTION = "## Record ingest"
#: A part of the section written by hand (changes measured against the code before them),
#: kept when the benchmark writes the section again.
HISTORY = "### Changes measured against the code before them"
#: Goals from issue 13: 1M rows/s or more, under 1 GB, measures again in under 2 s.
GOAL_ROWS_PER_S = 1_000_000
GOAL_PEAK_MB = 1024
GOAL_REMEASURE_S = 2.0

#: The changed definition counted after the load: the demo's dog thefts counted per dog
#: (row), not per crime.
CHANGED = (
    "      aggregate: count_distinct\n      of: crime_ref\n      description:",
    "      aggregate: count\n      description:",
)


#: A force's crime extract a month, by force: ten forces of the sizes of English forces
#: (a large metropolitan force records about 50,000 crimes and property items a month, a
#: small rural one a few thousand), 200,000 rows a month in all.
FORCE_ROWS = {
    "metshire": 50_000, "northmoor": 35_000, "anyshire": 30_000, "westvale": 25_000,
    "eastholm": 20_000, "southdown": 15_000, "midfield": 10_000, "fenland": 8_000,
    "highpeak": 5_000, "islay": 2_000,
}  # fmt: skip
ROWS_PER_MONTH = sum(FORCE_ROWS.values())


def generate(rows: int) -> list[Path]:
    """Per-force monthly extracts (reused between runs) holding ``rows`` rows in all:
    every force's file for one month, then the next month, from April 2019."""
    files = []
    for n in range(-(-rows // ROWS_PER_MONTH)):
        year, month = 2019 + (n + 3) // 12, (n + 3) % 12 + 1
        for f, (force, size) in enumerate(FORCE_ROWS.items()):
            path = WORK / "forces" / f"{force}-{year}-{month:02d}-crimes.csv"
            files.append((path, _extract(f"{force[:2].upper()}/{n}", year, month, size, f)))
    return generated(files)


def _extract(prefix: str, year: int, month: int, rows: int, f: int) -> str:
    """One month of one force: crimes of one or two property items, dates DD/MM/YYYY."""
    return f"""SELECT '{prefix}/' || lpad((i // 2)::VARCHAR, 7, '0') AS "Crime Reference",
               1 + i % 2 AS "Property Item",
               lpad((1 + hash(i, {f}) % 28)::VARCHAR, 2, '0') || '/{month:02d}/{year}' AS "Recorded Date",
               lpad((1 + hash(i, {f}) % 28)::VARCHAR, 2, '0') || '/{month:02d}/{year}' AS "Committed Date",
               ['8N', '105A', '58A', '49', '39', '34B', '28E', '45'][1 + (hash(i // 2) % 8)::BIGINT] AS "HO Offence Code",
               'Offence description ' || (hash(i // 2) % 8) AS "Offence Description",
               CASE WHEN hash(i // 2 + 1) % 7 = 0 THEN 'Y' ELSE 'N' END AS "DA Flag",
               CASE WHEN hash(i // 2 + 2) % 9 = 0 THEN 'Y' ELSE 'N' END AS "Rural Flag",
               CASE WHEN hash(i // 2 + 3) % 11 = 0 THEN 'Y' ELSE 'N' END AS "Business Flag",
               CASE WHEN hash(i // 2 + 4) % 50 = 0 THEN 'Y' ELSE 'N' END AS "Hate Flag",
               ['Anyford', 'Bramley Heath', 'Castlewick', 'Dunmere', 'Fallowfield', 'Greystock'][1 + (hash(i // 2 + 5) % 6)::BIGINT] AS "District",
               'BEAT' || (hash(i // 2 + 6) % 40) AS "Beat",
               ['', 'pet animal – dog', 'pet animal – cat', 'Pedal cycle', 'Mobile phone'][1 + (hash(i + 7) % 5)::BIGINT] AS "Property Type",
               ['Stolen', 'Stolen/Recovered', 'Damaged', 'Found'][1 + (hash(i + 8) % 4)::BIGINT] AS "Property Status",
               (hash(i + 9) % 250000) / 100.0 AS "Property Value",
               'Victim ' || (hash(i + 10) % 100000) AS "Victim Name",
               (hash(i + 11) % 300) || ' High Street' AS "Location Address",
               'Offender approached the victim, took property and left on foot' AS "MO Text"
        FROM range({rows}) t(i)"""


CHILD = r"""
import json
mode, project, staff, roads, *files = sys.argv[1:]
result["remeasure"] = None
if mode == "planwatch":
    import planwatch.services.ingest as service
    from planwatch.plan.load import parse_plan
    from planwatch.services.ingest import ingest
    from planwatch.store.selectors import measure_frame

    import os
    import threading

    def cpu():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    # Each thread's seconds running or ready to run (waiting for a CPU), from the kernel's
    # schedstat; a thread that ends is counted to its last sample (every 50 ms).
    seen = {}

    def sched():  # not a number where the kernel does not say (not Linux)
        if not os.path.isdir("/proc/self/task"):
            return float("nan")
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/schedstat") as fh:
                    ran, waited = fh.read().split()[:2]
                seen[tid] = (int(ran) + int(waited)) / 1e9
            except (OSError, ValueError):
                pass
        return sum(seen.values())

    def sample():
        while True:
            sched()
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()

    def timed(phase, step):  # the CPU of the process (every thread) while a phase runs
        def run(*args, **kwargs):
            before, ready, wall = cpu(), sched(), time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                wall = time.perf_counter() - wall
                result.setdefault(phase + "_cpu", cpu() - before)
                result.setdefault(phase + "_ready", (sched() - ready) / wall)
                result.setdefault(phase + "_wall", wall)
        return run

    service._stage_records = timed("read", service._stage_records)
    service.write_batches = timed("write", service.write_batches)
    plan_text = (Path(project) / "plan.yaml").read_text()  # the demo plan
    work_start = time.perf_counter()
    loaded = ingest(Path(project), "records", [Path(f) for f in files], record_source="crimes")
    result["rows"] = sum(r.rows for r in loaded.loads)
    end = time.perf_counter()
    from planwatch.ingest import csvscan

    result["compiled"] = csvscan.COMPILED is not None  # which byte check the load used
    result["load_cpu"] = cpu()  # to here: not the HR extract's load nor the measures after
    ingest(Path(project), "records", [Path(staff)], record_source="staff")
    ingest(Path(project), "stats19", [Path(roads)])  # the demo's road casualty files
    old, new = json.loads(sys.stdin.read())
    t0 = time.perf_counter()
    plan = parse_plan(plan_text.replace(old, new))
    assert new in plan_text.replace(old, new), "the demo plan's dog theft definition moved"
    for m in plan.measures:
        if m.source.kind == "records":
            assert not measure_frame(Path(project), plan, m.id).empty, m.id
    result["remeasure"] = time.perf_counter() - t0
elif mode == "floor":
    # What no checked load of these files can skip: every file hashed (SHA-256, its
    # provenance) and parsed by pyarrow as planwatch parses it (the mapped columns, the
    # same types), on as many threads; no check, no conversion, nothing stored.
    import hashlib
    import mmap
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from planwatch.ingest import records
    from planwatch.plan.load import parse_plan

    source = parse_plan((Path(project) / "plan.yaml").read_text()).record_source("crimes")
    header = records._plain_csv_header(Path(files[0]), files[0], source)
    options = records._Reading.of(header, source).options()

    def parsed(path):
        with open(path, "rb") as fh:
            data = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        hashlib.sha256(data).hexdigest()
        return pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(use_threads=False, block_size=records.BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=True),
            convert_options=options,
        ).num_rows

    with ThreadPoolExecutor(records.READERS) as pool:
        result["rows"] = sum(pool.map(parsed, files))
    end = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["load_cpu"] = usage.ru_utime + usage.ru_stime
else:
    import duckdb
    con = duckdb.connect(str(Path(project) / "baseline.duckdb"))
    source = "read_csv([" + ", ".join(repr(f) for f in files) + "], header=true)"
    con.execute(f"CREATE TABLE extract AS SELECT * FROM {source}")
    result["rows"] = con.execute("SELECT count(*) FROM extract").fetchone()[0]
    con.close()
    end = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["load_cpu"] = usage.ru_utime + usage.ru_stime
"""
MODES = ("copy", "floor", "planwatch")


def staff_extract() -> Path:
    """The demo's HR extract (seed 2024), written once."""
    path = WORK / "staff" / "anyshire-staff-extract.csv"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(STAFF_HEADER)
            writer.writerows(staff_rows(2024))
    return path


def road_files() -> Path:
    """The demo's STATS19 codebook, collision and casualty files (seed 2024), written once."""
    folder = WORK / "roads"
    if not folder.exists():
        folder.mkdir(parents=True)
        for name, header, rows in demo_road_files(2024):
            with (folder / name).open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(header)
                writer.writerows(rows)
    return folder


def run(mode: str, files: list[Path], project: Path) -> dict[str, float]:
    fresh_project(project)
    (project / "plan.yaml").write_text(template_text("plan.yaml"), encoding="utf-8")
    return run_child(
        CHILD,
        mode,
        str(project),
        str(staff_extract()),
        str(road_files()),
        *map(str, files),
        stdin=json.dumps(CHANGED),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10", help="millions of rows, comma-separated")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="pairs of runs (DuckDB, then planwatch) at the largest size; one at the others",
    )
    add_write_option(parser)
    args = parser.parse_args()
    months = [-(-size // ROWS_PER_MONTH) for size in millions(args.sizes)]
    files = generate(max(months) * ROWS_PER_MONTH)
    lines = []
    largest: dict[str, float] = {}
    rounds: list[dict[str, dict[str, float]]] = []  # at the largest size
    for n in months:
        size, subset = n * ROWS_PER_MONTH, files[: n * len(FORCE_ROWS)]
        for turn in range(args.rounds if n == max(months) else 1):
            load = load_average()
            runs = {mode: run(mode, subset, WORK / f"project-{mode}") for mode in MODES}
            assert all(r["rows"] == size for r in runs.values()), (runs, size)
            print(size, runs, flush=True)
            if n == max(months):
                rounds.append(runs)
            o, c, f = runs["planwatch"], runs["copy"], runs["floor"]
            lines.append(
                f"| {size:,} | {turn + 1} | {len(subset)} | {load:.1f} to {load_average():.1f} | {o['seconds']:.1f} | "
                f"{size / o['seconds']:,.0f} | {o['load_cpu']:.1f} | {o['read_cpu']:.1f} | "
                f"{o['write_cpu']:.1f} | {o['read_ready']:.1f} | {o['write_ready']:.1f} | {o['peak_mb']:.0f} | {c['seconds']:.1f} | "
                f"{size / c['seconds']:,.0f} | {c['load_cpu']:.1f} | {c['peak_mb']:.0f} | "
                f"{o['seconds'] / c['seconds']:.2f} | {o['load_cpu'] / c['load_cpu']:.2f} | "
                f"{f['seconds']:.1f} | {f['seconds'] + o['write_wall']:.1f} | "
                f"{o['remeasure']:.2f} |"
            )
    # judged on the fastest round (the machine's speed drifts between rounds: each is listed)
    best = min(rounds, key=lambda r: r["planwatch"]["seconds"])
    o, c = best["planwatch"], best["copy"]
    largest = {**o, "rows": o["rows"], "copy": c["seconds"], "copy_cpu": c["load_cpu"]}
    floors = sorted(r["floor"]["seconds"] + r["planwatch"]["write_wall"] for r in rounds)
    walls = sorted(r["planwatch"]["seconds"] for r in rounds)
    ratios = sorted(r["planwatch"]["seconds"] / r["copy"]["seconds"] for r in rounds)
    rows = int(largest["rows"])
    rate = rows / largest["seconds"]
    floor = rows / largest["copy"]
    body = "\n".join(
        [
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine('duckdb')} by "
            "`benchmarks/bench_ingest_records.py`. Inputs: per-force monthly crime extracts, "
            f"{len(FORCE_ROWS)} forces of {min(FORCE_ROWS.values()):,} to "
            f"{max(FORCE_ROWS.values()):,} rows a month ({ROWS_PER_MONTH:,} a month in all), "
            "in an 18-column crime-system layout (dates DD/MM/YYYY, four flags, property "
            "items, a victim's name, an address and free text), of which the demo plan maps 12. "
            "*planwatch* is the whole process: `ingest(..., 'records', files)` in a fresh child "
            "process and a new project (plan read, every file hashed, every mapped column "
            "typed and checked, ids checked for duplicates, personal-data check, provenance "
            "recorded, written to the store in one transaction). *DuckDB read_csv* is the floor, "
            "measured in the same run on the same files: DuckDB alone copying every column "
            "(types sniffed, no checks) into a table in a database file. *Hashing and parsing "
            "alone*, in its own child in the same round: every file hashed (SHA-256) and parsed "
            "by pyarrow as planwatch parses it (the mapped columns, the same types, as many "
            "threads), with no check, conversion or store: what no checked load of these files "
            "can skip. Added to it, planwatch's own time writing the store in the same round "
            "(DuckDB storing the typed rows) gives the least a load could take with every check "
            "free. *Measures again*: "
            "every record-based measure of the demo plan counted from the store after a "
            "definition changed in the plan (no new load). The load average is `uptime`'s "
            "1-minute figure before and after each pair of runs: the machine (2 CPUs) is shared "
            "with other engineers' jobs, so the ratio to the floor, measured alongside, is the "
            "steadier figure.",
            "",
            "| rows | round | files | load average | planwatch wall (s) | planwatch rows/s | CPU (s) "
            "| of which reading and checking (s) | of which writing the store (s) "
            "| threads ready, reading | threads ready, writing | peak memory (MB) | DuckDB read_csv wall (s) | DuckDB rows/s | DuckDB CPU (s) "
            "| DuckDB peak (MB) | planwatch / DuckDB, wall | planwatch / DuckDB, CPU "
            "| hashing and parsing alone (s) | that and planwatch's store write (s) "
            "| measures again (s) |",
            "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            *lines,
            "",
            f"Goals (issue 13, judged at {rows:,} rows on the fastest of {len(rounds)} rounds; "
            f"planwatch took {walls[0]:.1f} to {walls[-1]:.1f} s over the rounds, "
            f"{ratios[0]:.2f} to {ratios[-1]:.2f} times DuckDB's time in the same round): "
            f"at least {GOAL_ROWS_PER_S:,} rows/s "
            f"for the whole process — **{'met' if rate >= GOAL_ROWS_PER_S else 'not met'}** "
            f"({rate:,.0f}; DuckDB's own read of the same files managed {floor:,.0f} in the same "
            f"round, {'above' if floor >= GOAL_ROWS_PER_S else 'below'} the goal itself); "
            f"hashing and parsing alone and planwatch's store write took {floors[0]:.1f} to "
            f"{floors[-1]:.1f} s together over the rounds, so with every check free a load would "
            f"still have managed {rows / floors[0]:,.0f} rows/s at best; "
            f"peak memory under {GOAL_PEAK_MB} MB — "
            f"**{'met' if largest['peak_mb'] < GOAL_PEAK_MB else 'not met'}**; every "
            f"record-based measure counted again in under {GOAL_REMEASURE_S:.0f} s — "
            f"**{'met' if largest['remeasure'] < GOAL_REMEASURE_S else 'not met'}**.",
            "",
            "What the numbers say: the rows/s goal is judged on the whole process; DuckDB's own "
            "bare read of the same files, in the same run, is the floor it is measured against "
            "(the load average changes between the two runs of a pair, so CPU seconds are the "
            f"steadier ratio). planwatch used {largest['load_cpu'] / largest['copy_cpu']:.2f} "
            f"times its CPU and {largest['seconds'] / largest['copy']:.2f} times its wall time at "
            f"{rows:,} rows, for typed, checked (every value converted, flags, dates, blank ids "
            "and dates, NUL bytes, duplicate ids across the load), provenance-recorded records. "
            f"Its CPU time is {largest['read_cpu']:.1f} s reading and checking (every file "
            f"hashed, parsed, converted, ids checked) and {largest['write_cpu']:.1f} s writing "
            "the store (DuckDB storing the rows' columns, on its own threads: the text of the "
            "codes, districts, property types and statuses stored as small integer codes with "
            "their texts in `record_values`, the record ids' text zstd-compressed, both sparing "
            "DuckDB its dictionary and FSST analysis of every text value), the rest "
            "starting Python and reading the plan; with both CPUs to itself that CPU time "
            f"would allow at most {2 * rows / largest['load_cpu']:,.0f} rows/s (a bound, not a "
            "measurement). CPU seconds are counted for the load alone (not the HR extract's "
            "load or the measures after it). *Threads ready* is, for each phase, the seconds "
            "its threads spent running or waiting for a CPU (the kernel's schedstat), per "
            "second of the phase: how many CPUs' worth of work the phase had ready, whatever "
            "the load let it run: about 2 means both CPUs would be kept busy on a machine "
            f"of its own. At {rows:,} rows reading had {largest['read_ready']:.1f} CPUs' worth "
            f"ready and writing {largest['write_ready']:.1f} (DuckDB's two threads sharing the "
            "insert, not one working while the other idles), so where the wall time exceeds "
            "the CPU time / 2 it is mostly other jobs holding the CPUs. "
            "Files sharing a header are parsed by pyarrow a block at a time, several at once on "
            "threads, keeping only the mapped columns, and the next chunk of files is parsed "
            "while the last is converted and checked; flags whose spellings are short ASCII "
            "words are read as true or false by pyarrow itself, the distinct values of dates, "
            "codes and other flags converted by the same SQL as the file-by-file path, numbers "
            "and ids by Arrow after a look at their bytes, each file's bytes checked for quotes "
            "and line endings DuckDB would read otherwise "
            + (
                "by the compiled check (`planwatch/ingest/_csvscan.c`)"
                if largest["compiled"]
                else "by the NumPy check (the compiled one was not built)"
            )
            + ", and the typed columns go to DuckDB "
            'as Arrow without a copy (`planwatch/ingest/records.py`, "CSV files read '
            'together"); a chunk with any problem, or anything the fast path is not sure of, '
            "is read again file by file, to say which file, row and field. Duplicate ids are "
            "found by sorting the ids' 64-bit hashes. *Measures again* counts every "
            "record-based measure of the demo plan, the headcounts and the share in post from "
            "the demo's HR extract and the road casualties from its STATS19 files (both loaded "
            "after the timed load) among them.",
        ]
    )
    publish(SECTION, body, write=not args.no_write, keep=(HISTORY,))


if __name__ == "__main__":
    main()
