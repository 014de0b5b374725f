"""Opening the project store.

In: a store reference — an open DuckDB connection, a path to the ``.duckdb``
file, or a :class:`~planwatch.project.Project`.
Out: a connection for reading (:func:`reading`) or a staging connection with the
store attached for one write (:func:`writing`).

Writes never touch the store file until the input has been read and checked in
memory: a failed load leaves the file byte-for-byte as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from planwatch.errors import StoreError
from planwatch.project import Project
from planwatch.store.schema import (
    SCHEMA_VERSION,
    check_version,
    ensure_schema,
    has_schema,
    schema_version,
    upgrade,
)

StoreRef = duckdb.DuckDBPyConnection | Project | Path | str

#: The name the store file is attached under in a staging connection.
STORE_ALIAS = "store"
#: A path ending in this is the store file itself; any other path is a project folder.
STORE_SUFFIX = ".duckdb"


def store_path_of(ref: Project | Path | str) -> Path:
    """The ``.duckdb`` file a reference points at (a project folder or the file itself)."""
    if isinstance(ref, Project):
        return ref.store_path
    path = Path(ref)
    return path if path.suffix == STORE_SUFFIX else Project.at(path).store_path


@contextmanager
def reading(ref: StoreRef, *, missing_ok: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to read the store. A connection passed in is used as it is and left open.

    With ``missing_ok`` a store that does not exist yet reads as empty.
    """
    if isinstance(ref, duckdb.DuckDBPyConnection):
        yield ref
        return
    path = store_path_of(ref)
    if not path.exists():
        if not missing_ok:
            raise StoreError(
                f"no store at {path}",
                expected="a project store: load data first with 'planwatch ingest'",
            )
        con = duckdb.connect()
        ensure_schema(con)
    else:
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.Error as exc:
            raise StoreError(
                f"cannot open the store {path}: {exc}",
                expected="a planwatch DuckDB file that no other process is writing",
            ) from exc
        if not has_schema(con):
            con.close()
            raise StoreError(
                f"{path} is not a planwatch store", expected="a file created by 'planwatch ingest'"
            )
        if schema_version(con) < SCHEMA_VERSION:
            con.close()
            con = _upgraded(path)
        check_version(con, path)
    try:
        yield con
    finally:
        con.close()


def staging_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory connection where files are read and checked before any write."""
    return duckdb.connect()


@contextmanager
def peek(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[str | None]:
    """Attach the store read-only to a staging connection; yields its alias, or ``None`` if absent."""
    if not path.exists():
        yield None
        return
    alias = "store_ro"
    try:
        con.execute(f"ATTACH '{_quote(path)}' AS {alias} (READ_ONLY)")
    except duckdb.Error as exc:
        raise StoreError(f"cannot open the store {path}: {exc}") from exc
    try:
        yield alias if has_schema(con, alias) else None
    finally:
        con.execute(f"DETACH {alias}")


@contextmanager
def writing(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Attach the store read-write to a staging connection and make it the default catalog.

    The caller wraps its writes in one transaction. On exit the store is checkpointed
    (so the file holds everything, with no write-ahead log) and detached.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con.execute(f"ATTACH '{_quote(path)}' AS {STORE_ALIAS}")
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open the store {path} for writing: {exc}",
            expected="no other planwatch process using the store",
        ) from exc
    con.execute(f"USE {STORE_ALIAS}")
    try:
        if not has_schema(con, STORE_ALIAS):
            ensure_schema(con)
        upgrade(con)
        check_version(con, path)
        yield con
    finally:
        con.execute("USE memory")
        con.execute(f"CHECKPOINT {STORE_ALIAS}")
        con.execute(f"DETACH {STORE_ALIAS}")


def _upgraded(path: Path) -> duckdb.DuckDBPyConnection:
    """Upgrade an older store in place (one transaction), then open it read-only again."""
    try:
        with duckdb.connect(str(path)) as con:
            upgrade(con)
            con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise StoreError(
            f"{path} was written by an older planwatch and cannot be upgraded now: {exc}",
            expected="no other planwatch process using the store, or delete the store file "
            "and load your files again",
        ) from exc
    return duckdb.connect(str(path), read_only=True)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
