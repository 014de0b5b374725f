"""A store written by an older planwatch (data.police.uk rows) is upgraded to counts in place;
one written by a newer planwatch is refused with a clear message."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from ingest_files import STREET_HEADER, street_rows, write_csv

from planwatch.errors import StoreError
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.schema import SCHEMA_VERSION
from planwatch.store.status import store_status

#: The data.police.uk table of store version 1, as planwatch wrote it before counts.
VERSION_1_TABLE = """CREATE TABLE police_uk_street (
    load_id INTEGER NOT NULL, crime_id VARCHAR, month DATE NOT NULL, reported_by VARCHAR,
    falls_within VARCHAR, longitude DOUBLE, latitude DOUBLE, location VARCHAR,
    lsoa_code VARCHAR, lsoa_name VARCHAR, crime_type VARCHAR NOT NULL,
    last_outcome_category VARCHAR, context VARCHAR)"""


def version_1_store(tmp_path: Path) -> Path:
    """A project whose store holds one police.uk month as rows, in the version-1 layout."""
    project = tmp_path / "old"
    path = write_csv(
        tmp_path / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 12)
    )
    ingest(project, "police_uk", [path])
    rows = street_rows("2018-01", 12)
    rows[5][8] = "Colchester 002B"
    with duckdb.connect(str(project / "planwatch.duckdb")) as con:
        con.execute("DROP TABLE police_uk_counts")
        con.execute(VERSION_1_TABLE)
        con.executemany(
            "INSERT INTO police_uk_street VALUES (1, ?, ?::DATE, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[r[0] or None, r[1] + "-01", *[v or None for v in r[2:]]] for r in rows],
        )
        con.execute("UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    return project


def test_older_store_is_upgraded_to_counts_when_read(tmp_path: Path) -> None:
    project = version_1_store(tmp_path)
    status = store_status(project)
    assert [(c.source, c.name, c.first, c.periods) for c in status.coverage] == [
        ("police_uk", "Essex Police", "2018-01", 1)
    ]
    with reading(project) as con:
        counts = con.execute(
            "SELECT load_id, month, area, crime_type, count FROM police_uk_counts ORDER BY ALL"
        ).fetchall()
        version = con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone()
        old = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'police_uk_street'"
        ).fetchone()
    january = date(2018, 1, 1)
    assert counts == [
        (1, january, "Chelmsford", "Anti-social behaviour", 3),
        (1, january, "Chelmsford", "Burglary", 5),
        (1, january, "Chelmsford", "Violence and sexual offences", 3),
        (1, january, "Colchester", "Burglary", 1),
    ]
    assert version == (str(SCHEMA_VERSION),) and old == (0,)


def test_older_store_is_upgraded_before_a_load(tmp_path: Path) -> None:
    project = version_1_store(tmp_path)
    feb = write_csv(tmp_path / "2018-02-essex-street.csv", STREET_HEADER, street_rows("2018-02", 4))
    (load,) = ingest(project, "police_uk", [feb]).loads
    assert load.load_id == 2
    with reading(project) as con:
        months = con.execute(
            "SELECT month, sum(count) FROM police_uk_counts GROUP BY ALL ORDER BY 1"
        ).fetchall()
    assert months == [(date(2018, 1, 1), 12), (date(2018, 2, 1), 4)]


def test_store_from_a_newer_planwatch_is_refused(tmp_path: Path) -> None:
    project = version_1_store(tmp_path)
    store = project / "planwatch.duckdb"
    with duckdb.connect(str(store)) as con:
        con.execute(
            f"UPDATE store_meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'"
        )
    before = store.read_bytes()
    with pytest.raises(StoreError) as caught:
        store_status(project)
    assert "written by a newer planwatch" in caught.value.problems[0].message
    assert str(store) in caught.value.problems[0].message
    feb = write_csv(tmp_path / "2018-02-essex-street.csv", STREET_HEADER, street_rows("2018-02", 4))
    with pytest.raises(StoreError):
        ingest(project, "police_uk", [feb])
    assert store.read_bytes() == before


def test_older_store_that_cannot_be_upgraded_now_says_why(tmp_path: Path) -> None:
    project = version_1_store(tmp_path)
    store = project / "planwatch.duckdb"
    before = store.read_bytes()
    held = duckdb.connect(str(store), read_only=True)  # held open, so it cannot be written
    with held, pytest.raises(StoreError) as caught:
        store_status(project)
    problem = caught.value.problems[0]
    assert "written by an older planwatch and cannot be upgraded now" in problem.message
    assert problem.expected is not None and "load your files again" in problem.expected
    assert store.read_bytes() == before
