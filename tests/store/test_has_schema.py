"""Whether a DuckDB file is a planwatch store: a file without the store's tables is
refused by name when read, and a store is opened, on its own or attached."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from planwatch.errors import StoreError
from planwatch.store.connection import reading
from planwatch.store.schema import ensure_schema, has_schema


def test_a_duckdb_file_that_is_no_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE something (a INTEGER)")
    with pytest.raises(StoreError, match="is not a planwatch store"), reading(path):
        pass


def test_a_store_has_its_schema_in_its_own_database_or_a_named_one(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with duckdb.connect(str(path)) as con:
        assert not has_schema(con)
        ensure_schema(con)
        assert has_schema(con)
    with reading(path) as con:
        assert has_schema(con)
    with duckdb.connect() as con:  # a staging connection with the store attached
        assert not has_schema(con)
        con.execute(f"ATTACH '{path}' AS store_ro (READ_ONLY)")
        assert has_schema(con, "store_ro")
        assert not has_schema(con, "memory")
