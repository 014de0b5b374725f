"""What every benchmark shares: docs/performance.md sections, the machine, timings, children.

In: a section heading ("## Analysis", or "### Police recorded crime (PRC) tables" within
"## Ingest") and its new body; functions to time; Python code to run in a fresh process.
Out: docs/performance.md with that section replaced (or added), nothing else; a one-line
description of the machine; wall and CPU seconds; a child's wall time, CPU time and peak
memory.

Each benchmark owns its own section (or its own part of one): :func:`write_section` is the
only writer of the file. Benchmarks import this module as ``perfdoc`` (the ``benchmarks``
folder is on ``sys.path`` when one is run as a script), and importing it puts the
checkout on ``sys.path`` too, so a benchmark measures this checkout's planwatch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "performance.md"
#: Generated inputs and scratch projects (gitignored), reused between runs.
WORK = REPO / "benchmarks" / ".work"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

#: Printed names of the libraries :func:`machine` may be asked about, by import name.
LIBRARY_NAMES = {"duckdb": "DuckDB", "numpy": "NumPy", "pandas": "pandas"}


def write_section(
    section: str,
    body: str,
    doc: Path = DOC,
    *,
    within: str | None = None,
    keep: Sequence[str] = (),
) -> None:
    """Replace (or add) ``section`` of ``doc`` with ``body``, leaving every other section.

    A section runs to the next heading of its level or above. ``within``: the "## " section
    a "### " part belongs to (added at its end when new; the parent is made if missing).
    ``keep``: "### " parts of ``section`` that other benchmarks write, carried over as they are.
    """
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Performance\n"
    start, end = _span(text, section)
    kept = ""
    if start is not None:
        old = text[start:end]
        for part in keep:
            s, e = _span(old, part)
            if s is not None:
                kept += "\n" + old[s:e].rstrip("\n") + "\n"
    block = f"{section}\n\n{body.strip()}\n{kept}"
    if start is not None:
        text = text[:start] + block + ("\n" + text[end:] if end < len(text) else "")
    elif within is not None:
        if _span(text, within)[0] is None:
            text = text.rstrip("\n") + f"\n\n{within}\n"
        s, e = _span(text, within)
        assert s is not None
        parent = text[s:e].rstrip("\n") + "\n\n" + block
        text = text[:s] + parent + ("\n" + text[e:] if e < len(text) else "")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    doc.write_text(text, encoding="utf-8")


def _span(text: str, heading: str) -> tuple[int | None, int]:
    """Where ``heading``'s section starts and ends in ``text`` (``None``: not there)."""
    found = re.search(rf"^{re.escape(heading)}[ \t]*$", text, flags=re.M)
    if found is None:
        return None, len(text)
    level = len(heading) - len(heading.lstrip("#"))
    after = re.search(rf"^#{{1,{level}}} ", text[found.end() :], flags=re.M)
    return found.start(), found.end() + after.start() if after else len(text)


def machine(*libraries: str) -> str:
    """The OS, CPUs, Python and the versions of ``libraries`` (import names), in one line."""
    cpu = platform.processor() or platform.machine()
    parts = [
        f"{platform.system()} {platform.release()}",
        f"{os.cpu_count()} CPUs ({cpu})",
        f"Python {platform.python_version()}",
    ]
    parts += [
        f"{LIBRARY_NAMES.get(name, name)} {import_module(name).__version__}" for name in libraries
    ]
    return ", ".join(parts)


def load_average() -> float:
    """The machine's one-minute load average (above 0: it is shared with other work)."""
    return os.getloadavg()[0]


def timings(
    fn: Callable[[], object], repeats: int, setup: Callable[[], None] = lambda: None
) -> list[tuple[float, float]]:
    """Wall-clock and CPU seconds (this process, all threads) of ``repeats`` runs of ``fn``;
    ``setup`` runs before each, untimed."""
    runs = []
    for _ in range(repeats):
        setup()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return runs


#: Around a child's code: the clock from the start of the process, and at the end one line
#: of JSON with what the code put in ``result``, wall seconds (``seconds``: the whole process;
#: ``work``: from ``work_start``, which the code may move past its imports; both to ``end``,
#: which it may set early), CPU seconds and peak resident memory (``resource.getrusage``).
_CHILD = """
import json, resource, sys, time
from pathlib import Path
start = work_start = time.perf_counter()
result = {{}}
{code}
end = globals().get("end") or time.perf_counter()
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{**result, "seconds": end - start, "work": end - work_start,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024}}))
"""


def run_child(code: str, *args: str, stdin: str | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh Python process (``sys.argv[1:]`` = ``args``) that imports this
    checkout's planwatch; what it measured (see :data:`_CHILD`)."""
    paths = [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(code=code), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def fresh_project(folder: Path) -> Path:
    """``folder`` with no store in it, written to disk before the next clock starts."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.duckdb*"):
        old.unlink()
    os.sync()  # the previous run's database file is on disk before this run's clock starts
    return folder


def generated(files: Sequence[tuple[Path, str]]) -> list[Path]:
    """Each ``(path, SELECT ...)`` written as CSV by DuckDB, unless the file is there already
    (generated inputs are reused between runs)."""
    import duckdb

    con = duckdb.connect()
    for path, select in files:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY ({select}) TO '{path}' (HEADER, DELIMITER ',')")
    con.close()
    return [path for path, _ in files]


def millions(text: str) -> list[int]:
    """Row counts from a ``--sizes`` option in millions, comma-separated ("1,2.5" -> 1,000,000 and 2,500,000)."""
    return [int(float(s) * 1_000_000) for s in text.split(",")]


def add_write_option(parser: argparse.ArgumentParser) -> None:
    """``--no-write`` (or ``--no-doc``): print the results only, leave docs/performance.md alone."""
    parser.add_argument(
        "--no-write",
        "--no-doc",
        dest="no_write",
        action="store_true",
        help="print only; leave docs/performance.md alone",
    )


def publish(
    section: str,
    body: str,
    *,
    write: bool,
    within: str | None = None,
    keep: Sequence[str] = (),
) -> None:
    """Print ``body`` and, if ``write``, put it in ``section`` of docs/performance.md
    (:func:`write_section`)."""
    print(body)
    if write:
        write_section(section, body, within=within, keep=keep)


def national_plan(forces: int, groups: int) -> tuple[list[str], str]:
    """A valid plan of ``forces`` x ``groups`` series measures in ``groups`` priorities
    (the national run of issue 17): the measure ids and the plan.yaml text."""
    ids = [f"f{f:02d}_g{g}" for f in range(forces) for g in range(groups)]
    measures = "\n".join(
        f"  - {{id: {m}, name: Crime {m}, source: {{kind: series, series: {m}}}, "
        "polarity: down_is_good, analyses: [trend, short_term, extremes]}"
        for m in ids
    )
    priorities = "\n".join(
        f"  - {{number: {g + 1}, title: Group {g}, objective: O, measures: ["
        + ", ".join(m for m in ids if m.endswith(f"_g{g}"))
        + "]}"
        for g in range(groups)
    )
    text = (
        "metadata: {title: National, organisation: o, area: England and Wales, "
        f"plan_period: 2024-2028}}\nmeasures:\n{measures}\npriorities:\n{priorities}\n"
    )
    return ids, text
