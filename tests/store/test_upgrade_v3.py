"""A version-2 store (before record-level extracts) is upgraded in place: to version 3's
record catalogue and version 4's table of coded texts."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.schema import SCHEMA_VERSION

HEADER = ["measure", "period", "value"]


def _version_2_store(tmp_path: Path) -> Path:
    project = tmp_path / "old"
    path = tmp_path / "m.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([HEADER, ["satisfaction", "2022/23 Q1", "4.1"]])
    ingest(project, "measures", [path])
    with duckdb.connect(str(project / "planwatch.duckdb")) as con:
        con.execute("DROP TABLE record_sources")
        con.execute("DROP TABLE record_values")
        con.execute("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")
    return project


def test_version_2_store_gains_the_record_catalogue_and_keeps_its_data(tmp_path: Path) -> None:
    assert SCHEMA_VERSION == 4
    project = _version_2_store(tmp_path)
    with reading(project) as con:
        version = con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone()
        catalogue = con.execute("SELECT count(*) FROM record_sources").fetchone()
        texts = con.execute("SELECT count(*) FROM record_values").fetchone()
        kept = con.execute("SELECT series, value FROM observations").fetchall()
    assert version == ("4",) and catalogue == (0,) and texts == (0,)
    assert kept == [("satisfaction", 4.1)]
