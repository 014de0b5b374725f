"""Structural check (not a timing): `planwatch analyse` of tidy series reads the store and
builds the series without pandas (about 0.45 s of start-up with pyarrow): the store's rows
come as plain columns (``measure_rows``) and pandas is imported only for lookups some
measures need (weights, populations). Run in a fresh interpreter, so other tests' imports
do not count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_analyse_one_read import _project

#: DuckDB before 2.0 imports pandas (when installed) to bind any non-NULL query parameter.
DUCKDB_BINDS_WITHOUT_PANDAS = int(duckdb.__version__.split(".")[0]) >= 2

ANALYSE = """
import sys
sys.argv = ['planwatch', 'analyse', '-p', sys.argv[1], '--quarter', '2023/24-Q4', '--json']
from planwatch.cli.main import run
try:
    run()
except SystemExit:
    pass
print('PANDAS' if 'pandas' in sys.modules else 'NO PANDAS', file=sys.stderr)
"""


@pytest.mark.skipif(
    not DUCKDB_BINDS_WITHOUT_PANDAS, reason="DuckDB < 2 imports pandas to bind parameters"
)
def test_analyse_of_tidy_series_leaves_pandas_unloaded(tmp_path: Path) -> None:
    project = _project(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE, str(project.root)],
        check=True,
        capture_output=True,
        text=True,
    )
    out = json.loads(done.stdout)
    measures = {m["id"]: m for p in out["priorities"] for m in p["measures"]}
    # the analysis ran: the series were read and the trends fitted
    assert len(measures["s0"]["series"]["values"]) == 32
    assert measures["s0"]["analysis"]["trend"]["method"] != "insufficient_data"
    assert done.stderr.strip().splitlines()[-1] == "NO PANDAS"
