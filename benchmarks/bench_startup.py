"""Benchmark start-up: `planwatch --help`, `planwatch status` and `planwatch analyse` as
whole processes on a small project, against the floor of starting Python and importing DuckDB.

In: a project built in a temporary folder with `planwatch init`, its plan's measures
replaced by 10 tidy series (quarterly counts 2016/17 Q1 to 2023/24 Q4, seeded) and a
measures CSV of them loaded with `planwatch ingest measures`.
Out: a table on stdout and the "## Start-up" section of docs/performance.md.

Each command is run ``--repeats`` times, interleaved with the floor
(``python3 -c "import duckdb"``) so that load from other work on the machine falls on
both alike; the best and the median wall times, and the best CPU time (user + system of
the child, from ``resource.getrusage``), are kept and each command is given as a ratio to
the floor's best in the same run. Diagnostics are timed the same way: the CLI's own
imports, and pandas and scipy.special on top of DuckDB — the shares of start-up those
imports take. Which of pandas, scipy.stats and pydantic each command loads is checked too.

Run: ``python benchmarks/bench_startup.py [--repeats 7] [--no-write]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from perfdoc import national_plan as national_plan_text
from perfdoc import publish

REPO = Path(__file__).resolve().parent.parent
SECTION = "## Start-up"
SERIES = 10
QUARTER = "2023/24-Q1"
REPORT_QUARTER = "2023/24-Q4"
#: Goals from issue 17 (whole process, this 2-core machine).
STATUS_GOAL_S, ANALYSE_GOAL_S = 0.4, 0.8
CLI = [sys.executable, "-m", "planwatch.cli.main"]
#: Children run from the repository with it on the path (planwatch need not be installed).
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
#: A command run in-process, then the heavy modules it loaded printed (to stderr).
LOADED = (
    "import sys, atexit; "
    "atexit.register(lambda: print(' '.join(m for m in ('pandas', 'scipy.stats', 'pydantic') "
    "if m in sys.modules), file=sys.stderr)); "
    "sys.argv = ['planwatch', *sys.argv[1:]]; "
    "from planwatch.cli.main import run; run()"
)


#: What was done for issue 17 and what is left, measured by hand on 2026-12-01 (kept with
#: the table when the benchmark is run again).
NOTES = (
    "- Done for issue 17 (2026-12-01): `analyse` no longer imports scipy.stats (the funnel "
    "limits' Poisson quantile is computed from scipy.special, `planwatch.analysis.funnel."
    "poisson_quantile`, tested equal to `scipy.stats.poisson.ppf`); `status` reads every "
    "measure's periods in one query (`measures_periods`), runs each distinct-values check once, "
    "and checks the store's tables in `duckdb_tables()` rather than `information_schema` (40 ms "
    "on a store's first query): the status of the 10 series took 0.12 to 0.16 s before and 0.08 "
    "to 0.09 s after, in one process at load average 0.2. DuckDB 2 binds query parameters "
    "without importing pandas (checked with `python -X importtime` and "
    "`tests/store/test_startup_imports.py`); DuckDB 1.3.2 to 1.5 import it for any non-NULL "
    "parameter, so on those versions `status` still loads pandas (about 0.4 s).",
    "- Done for issue 17 (2026-12-01, second round): a valid plan is read by libyaml with YAML "
    "1.2 rules (`planwatch/plan/fast_yaml.py`) and read again by ruamel.yaml only when a check "
    "fails, to name the line (both held to the same data and `Plan` by "
    "`tests/plan/test_fast_load.py`); ruamel.yaml is no longer imported by a `status` on a "
    "valid plan, nor rich's tables and progress bars by `--json` or `--help` "
    "(`tests/cli/test_cli_startup_imports.py`). `status` best CPU 0.54 s before, 0.47 s after, "
    "both at load average 8 to 13.",
    "- Done for issue 17 (2026-12-01, third round): NumPy's BLAS (OpenBLAS) runs one thread "
    "unless the environment says otherwise (`planwatch/__init__.py`): on matrices this small "
    "its threads only cost. `analyse` of the 10 series, whole process at load average 13, "
    "interleaved: 1.29 to 1.59 s of CPU with one thread, 2.51 to 3.21 s with two (DuckDB's "
    "start 0.27 s in the same minute). ruamel.yaml is imported by `analyse` only when there is "
    "an overrides file (`planwatch.services.overrides`). Tried and dropped: pydantic's "
    "`defer_build` for the plan's models (importing them 0.21 s to 0.13 s, but the first "
    "validation 0.014 s to 0.028 s, and `status` whole process unchanged at 0.56 to 0.57 s "
    "of CPU, load 9).",
    "- Done for issue 17 (2026-12-01, fourth round): numpy.f2py and numpy.testing, which "
    "scipy.special's array-API layer imports (it copies every public name of NumPy) and "
    "planwatch never uses, are registered to run only when first used (importlib's "
    "`LazyLoader`, `planwatch.analysis.dist`; `tests/analysis/test_deferred_numpy_modules.py`): "
    "on top of DuckDB and NumPy, `import scipy.special` takes 0.27 s of CPU and "
    "`import planwatch.analysis.dist` (scipy.special through planwatch) 0.15 s, best of 7 at "
    "load average 1 (the diagnostic row above imports scipy.special alone, so it still "
    "shows the whole cost). `analyse` of the demo, whole process, the code before and after "
    "interleaved, best CPU of 5: 2.18 to 1.87 s.",
    "- Done for issue 17 (2026-12-01, fifth round, `status`): a plan read before is taken from "
    "the project's cache (`.planwatch-cache/plan.yaml.json`, `planwatch.plan.cache`: keyed by "
    "the SHA-256 of the plan's bytes with planwatch's and pydantic's versions and the plan "
    "layer's code; JSON of tagged values rebuilt into the same models without validating; an "
    "edited or invalid plan is read again with every check and its lines; "
    "`tests/plan/test_plan_cache.py`); the plan's validators are built on first use "
    "(pydantic's `defer_build`), so a cached plan builds none, and the built-in STATS19 record "
    "source is validated when first asked for; libyaml is imported only when a plan is read; "
    "text, path and flag options are coerced without typer's pydantic adapters "
    "(`planwatch.cli.params`, held to typer's own values and errors by "
    "`tests/cli/test_cli_params.py`); each source's periods held are read in one query; text "
    "is printed without looking for `:emoji:` codes (rich's emoji table not loaded); a run "
    "builds only the command it names (typer built all eleven commands' options, 15 ms). "
    "`planwatch status` and `--json` of this project and the demo byte for byte the same. "
    "Whole process, best of 9 interleaved with the code before (both with their bytecode "
    "cached): at load average 2.1, 0.45 s of CPU before, 0.39 s after (wall 0.45 and 0.39 s, "
    "floor 0.13 s); at load average 9.3, 0.50 and 0.43 s of CPU. From this run on "
    "the children have their bytecode cached, as an installed planwatch does: this session's "
    "shell sets PYTHONDONTWRITEBYTECODE, which had every planwatch module compiled at every "
    "start (the diagnostic row).",
    "- Done for issue 17 (2026-12-01, sixth round, `status`): `status` reads the plan as its "
    "outline (`planwatch.plan.outline`: each measure's id, frequency, usual lag and selection, "
    "as named tuples), kept in the plan cache beside the plan and read back without "
    "importing pydantic or the plan's models (`tests/cli/test_cli_startup_imports.py`); the "
    "status queries are built from it by `planwatch.store.measure_sql`, the same SQL the "
    "store's selectors now build every measure read from (held equal by "
    "`tests/store/test_measure_frames.py`); the cache key takes pydantic's version from its "
    "`version.py` without importing it (importing `pydantic.version` imports pydantic_core), "
    "and the plan package's names are imported on first use. A plan with record-based "
    "measures (the demo's) is still read whole, as before: their queries are compiled from "
    "the models. An edited or invalid plan is read again with every check and gives the same "
    "errors (`tests/plan/test_plan_outline.py`). `planwatch status` and `--json` of this "
    "project, the demo and the demo without its record measures byte for byte the same. "
    "Whole process, best CPU of 15 interleaved with the code before (both with their bytecode "
    "cached) at load average 5 to 9: `status` 0.53 s before, 0.38 s after; `--json` 0.47 and "
    "0.38 s (floor 0.16 s). Tried and dropped: probing the store's `loads` table instead of "
    "`duckdb_tables()` (11 ms less on that query, but the queries after it pay most of it "
    "loading the tables' metadata: 75 against 76 ms for the whole status read); DuckDB "
    "connection options (one thread, no extension autoloading: Python, DuckDB, a connection "
    "to the store, a query and its close, best CPU of 15 at load average 8.5: 0.185 s as it "
    "is, 0.185 s with one thread, 0.182 s with neither; floor 0.147 s).",
    "- What is left of `status` (CPU milliseconds, one process, best of 11 at load average 5 "
    "to 7): Python with its site packages 53; DuckDB's import 94 (the two: the floor); typer "
    "22; rich's console and tables 27; planwatch's modules 29 (the commands, periods, the "
    "store's status and the outline; frozen dataclasses cost 0.5 to 1 ms each to define); the "
    "plan's outline from the cache 1; DuckDB's connection to the store 30 and its close 4; the "
    "status queries 37 (eight, the first 12); printing the tables 12. The rest is DuckDB's "
    "and rich's own start-up: pydantic is no longer among it.",
)


def build_project(root: Path) -> Path:
    """`planwatch init`, 10 series measures in the plan, and their CSV loaded."""
    project = root / "project"
    subprocess.run(
        [*CLI, "init", "-p", str(project)], check=True, capture_output=True, cwd=REPO, env=ENV
    )
    plan = (project / "plan.yaml").read_text(encoding="utf-8")
    ids = [f"series_{i}" for i in range(SERIES)]
    measures = "\n".join(
        f"  - id: {m}\n    name: Series {i}\n    unit: count\n"
        f"    source: {{kind: series, series: {m}}}\n    polarity: down_is_good\n"
        "    analyses: [trend, short_term, extremes]"
        for i, m in enumerate(ids)
    )
    plan = re.sub(
        r"\nmeasures:\n.*?\n\npriorities:",
        "\nmeasures:\n" + measures + "\n\npriorities:",
        plan,
        count=1,
        flags=re.S,
    )
    half = SERIES // 2
    plan = plan.replace("[all_crime, asb_incidents]", "[" + ", ".join(ids[:half]) + "]")
    plan = plan.replace("[victim_confidence]", "[" + ", ".join(ids[half:]) + "]")
    plan = re.sub(r"\nevents:.*", "\n", plan, flags=re.S)
    (project / "plan.yaml").write_text(plan, encoding="utf-8")
    rng = random.Random(17)
    rows = ["measure,period,value"]
    for m in ids:
        level = rng.uniform(50, 500)
        for year in range(2016, 2024):
            for q in range(1, 5):
                rows.append(
                    f"{m},{year}/{str(year + 1)[2:]} Q{q},{round(rng.gauss(level, level**0.5))}"
                )
    csv = root / "measures.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    subprocess.run(
        [*CLI, "ingest", "measures", str(csv), "-p", str(project)],
        check=True,
        capture_output=True,
        cwd=REPO,
        env=ENV,
    )
    return project


#: In one process: the import of the analysis service, then `run_analysis` twice; the
#: first run pays for tables the analysis builds once per process (cached in memory).
IN_PROCESS = """
import sys, time
t0 = time.perf_counter()
from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.services.analyse import run_analysis
t1 = time.perf_counter()
run_analysis(Project.at(sys.argv[1]), Quarter(2023, 4))
t2 = time.perf_counter()
run_analysis(Project.at(sys.argv[1]), Quarter(2023, 4))
print(t1 - t0, t2 - t1, time.perf_counter() - t2)
"""


def in_process(project: str) -> tuple[float, float, float]:
    """Seconds: importing the analysis service, the first run_analysis, the second."""
    out = subprocess.run(
        [sys.executable, "-c", IN_PROCESS, project],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=ENV,
    ).stdout.split()
    imports, first, second = (float(v) for v in out)
    return imports, first, second


#: Plan reading, in one process: a national plan (43 forces x 10 groups = 430 measures)
#: read by `parse_plan` (libyaml, then the checks) and by the line-tracking path alone
#: (ruamel.yaml, which every read used before issue 17 and errors still use): CPU seconds.
FORCES, GROUPS = 43, 10
PLAN_READ = """
import sys, time
from planwatch.plan import load
text = open(sys.argv[1], encoding="utf-8").read()
load.parse_plan(text)
def cpu(read):
    start = time.process_time()
    read()
    return time.process_time() - start
fast = min(cpu(lambda: load.parse_plan(text)) for _ in range(int(sys.argv[2])))
slow = min(cpu(lambda: load._parse_located(text, "plan.yaml")) for _ in range(int(sys.argv[2])))
print(fast, slow)
"""


def national_plan(root: Path) -> Path:
    """A valid plan of FORCES x GROUPS series measures in GROUPS priorities."""
    path = root / "national.yaml"
    path.write_text(national_plan_text(FORCES, GROUPS)[1], encoding="utf-8")
    return path


def plan_read(path: Path, repeats: int) -> tuple[float, float]:
    """Best CPU seconds of reading the plan: `parse_plan`, and the line-tracking path."""
    out = subprocess.run(
        [sys.executable, "-c", PLAN_READ, str(path), str(repeats)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=ENV,
    ).stdout.split()
    fast, slow = (float(v) for v in out)
    return fast, slow


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system of the child) of one run of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO, env=ENV
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def loaded(args: list[str]) -> str:
    """Which of pandas, scipy.stats and pydantic the command loads."""
    err = (
        subprocess.run(
            [sys.executable, "-c", LOADED, *args],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=ENV,
        )
        .stderr.strip()
        .splitlines()
    )
    return err[-1] if err and err[-1] else "none of them"


def machine() -> str:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at start {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/performance.md alone"
    )
    args = parser.parse_args()
    env = machine()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        # Bytecode cached, as an installed planwatch has it (pip compiles it): a shell's
        # PYTHONDONTWRITEBYTECODE would compile every planwatch module at every start
        # (the diagnostic row "compiled at every start" shows that cost). Kept in the
        # temporary folder, not in the repository.
        ENV.pop("PYTHONDONTWRITEBYTECODE", None)
        ENV["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "bytecode")
        project = str(build_project(Path(tmp)))
        status_args = ["status", "-p", project, "--quarter", QUARTER]
        analyse_args = ["analyse", "-p", project, "--quarter", REPORT_QUARTER]
        commands = {
            'floor: `python3 -c "import duckdb"`': [py, "-c", "import duckdb"],
            "`planwatch --help`": [*CLI, "--help"],
            f"`planwatch status --quarter {QUARTER}`": [*CLI, *status_args],
            f"`planwatch status --quarter {QUARTER} --json`": [*CLI, *status_args, "--json"],
            f"`planwatch analyse --quarter {REPORT_QUARTER}` (10 series)": [*CLI, *analyse_args],
            "diagnostic: `import planwatch.cli.main` (typer, rich, the commands)": [
                py,
                "-c",
                "import planwatch.cli.main",
            ],
            "diagnostic: `import duckdb, pandas`": [py, "-c", "import duckdb, pandas"],
            "diagnostic: `import duckdb, scipy.special`": [
                py,
                "-c",
                "import duckdb, scipy.special",
            ],
            "diagnostic: `planwatch status` compiled at every start (no bytecode cache)": [
                "env",
                "-u",
                "PYTHONPYCACHEPREFIX",
                "PYTHONDONTWRITEBYTECODE=1",
                *CLI,
                *status_args,
            ],
        }
        for cmd in commands.values():  # warm the file cache and the byte-code
            timed(cmd)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        split: list[tuple[float, float, float]] = []
        for _ in range(args.repeats):
            for name, cmd in commands.items():
                times[name].append(timed(cmd))
            split.append(in_process(project))
        read_fast, read_slow = plan_read(national_plan(Path(tmp)), args.repeats)
        modules = {
            "`--help`": loaded(["--help"]),
            "`status`": loaded(status_args),
            "`analyse`": loaded(analyse_args),
        }
    imports, first, second = (min(s[i] for s in split) for i in range(3))
    best = {name: min(w for w, _ in ts) for name, ts in times.items()}
    cpu = {name: min(c for _, c in ts) for name, ts in times.items()}
    floor, floor_cpu = next(iter(best.values())), next(iter(cpu.values()))
    lines = [
        f"Measured by `benchmarks/bench_startup.py` on {env} (load average at the end "
        f"{os.getloadavg()[0]:.1f}), DuckDB {duckdb.__version__}. The machine is shared with "
        "other engineers' work, so wall times are noisy; CPU times and the ratios to the floor, "
        "measured interleaved in the same run, are the figures to compare.",
        "",
        f"Whole process, best and median wall time and best CPU time of {args.repeats} runs "
        f"each, on a project of {SERIES} tidy quarterly series (32 quarters each).",
        "",
        "| Command | Best wall | Median wall | Best CPU | Best wall / floor | Best CPU / floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, ts in times.items():
        median = statistics.median(w for w, _ in ts)
        lines.append(
            f"| {name} | {best[name]:.2f} s | {median:.2f} s | {cpu[name]:.2f} s | "
            f"{best[name] / floor:.1f}x | {cpu[name] / floor_cpu:.1f}x |"
        )
    names = list(times)
    status, status_json, analyse = names[2], names[3], names[4]

    def verdict(name: str, goal: float) -> str:
        wall_ok = "met" if best[name] < goal else "not met"
        cpu_ok = "met" if cpu[name] < goal else "not met"
        return f"{best[name]:.2f} s wall (**{wall_ok}**), {cpu[name]:.2f} s CPU (**{cpu_ok}**)"

    lines += [
        "",
        f"- Goals (issue 17): `status` under {STATUS_GOAL_S} s, `analyse` of 10 series under "
        f"{ANALYSE_GOAL_S} s. Here `status` {verdict(status, STATUS_GOAL_S)} (with `--json` "
        f"{verdict(status_json, STATUS_GOAL_S)}); `analyse` "
        f"{verdict(analyse, ANALYSE_GOAL_S)}; the floor {floor:.2f} s wall, {floor_cpu:.2f} s CPU.",
        "- Heavy modules (pandas, scipy.stats, pydantic) each command loads (checked in this run): "
        + "; ".join(f"{k}: {v}" for k, v in modules.items())
        + ".",
        f"- pandas costs {cpu[names[6]] - floor_cpu:.2f} s of CPU on top of DuckDB, "
        f"scipy.special {cpu[names[7]] - floor_cpu:.2f} s; the CLI's own imports (typer, rich "
        f"and the command modules, before any command runs) {cpu[names[5]]:.2f} s.",
        f"- `analyse` in one process (best of {args.repeats}): importing the analysis service "
        f"{imports:.2f} s; the first `run_analysis` of the 10 series {first:.2f} s, the second "
        f"{second:.2f} s (the difference: tables the analysis builds once per process).",
        f"- Reading a plan of {FORCES * GROUPS} measures (best CPU of {args.repeats}, one "
        f"process): `parse_plan` {read_fast:.3f} s (libyaml, then the checks); the "
        f"line-tracking path that every read used before, and that errors still use, "
        f"{read_slow:.3f} s ({read_slow / read_fast:.0f}x).",
        *NOTES,
    ]
    publish(SECTION, "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
