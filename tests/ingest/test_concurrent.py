"""Two identical loads started at the same moment, in two real processes: the files land
once (the second load waits for the store's lock, then finds them already loaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
from children import CHILD_TIMEOUT
from ingest_files import STREET_HEADER, street_rows, write_csv

#: Months of street files in the folder both loads read.
MONTHS = 12
#: Rows in each month's file: enough that reading and checking them takes a second or so,
#: far longer than the gap between starting the two processes.
ROWS_PER_MONTH = 20_000


def test_two_identical_loads_at_once_land_once(tmp_path: Path) -> None:
    folder = tmp_path / "police"
    folder.mkdir()
    for m in range(1, MONTHS + 1):
        month = f"2018-{m:02d}"
        write_csv(
            folder / f"{month}-essex-street.csv", STREET_HEADER, street_rows(month, ROWS_PER_MONTH)
        )
    project = tmp_path / "proj"
    command = [sys.executable, "-m", "planwatch.cli.main", "ingest", "police-uk", str(folder)]
    children = [
        subprocess.Popen(
            [*command, "-p", str(project), "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [child.communicate(timeout=CHILD_TIMEOUT) for child in children]
    finally:
        for child in children:
            child.kill()
            child.wait()
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    results = [json.loads(out) for out, _ in outputs]
    loaded = sorted(len(r["loads"]) for r in results)
    skipped = sorted(len(r["already_loaded"]) for r in results)
    assert (loaded, skipped) == ([0, MONTHS], [0, MONTHS]), results
    with duckdb.connect(str(project / "planwatch.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM loads").fetchone() == (MONTHS,)
