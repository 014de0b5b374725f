"""Opening the project store.

In: a store reference — an open DuckDB connection, a path to the ``.duckdb``
file, or a :class:`~planwatch.project.Project`.
Out: a connection for reading (:func:`reading`) or a staging connection with the
store attached for one write (:func:`writing`).

Writes never touch the store file until the input has been read and checked in
memory: a failed load leaves the file byte-for-byte as it was. A disk that fills while a
load commits is no exception: the transaction rolls back, the blocks DuckDB had appended
are cut off again, the write-ahead log of the failed transaction is removed, and the
error says "No space left on device" and names the store.

:func:`store_lock` makes a whole load (reading what is stored, checking, writing) one
at a time per store, across processes: a second identical load waits, then finds its
files already loaded.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.errors import StoreError, disk_full
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
#: DuckDB's write-ahead log is the store file's name with this added.
WAL_SUFFIX = ".wal"
#: How long a load waits for another load of the same store to finish (seconds). A
#: 5-million-row load takes about a minute on 2 CPUs (docs/performance.md); ten is generous.
LOCK_WAIT_SECONDS = 600.0
#: How often a waiting load tries the lock again (seconds).
LOCK_POLL_SECONDS = 0.1


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
        found = schema_version(con)
        if found < SCHEMA_VERSION:
            con.close()
            con = _upgraded(path)
        if found != SCHEMA_VERSION:  # a newer store is refused; an upgraded one checked
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
def store_lock(
    path: Path,
    *,
    wait: float = LOCK_WAIT_SECONDS,
    waiting: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the store's lock (an ``flock`` on the folder that holds it) for a whole load.

    Another process holding it is waited for, up to ``wait`` seconds (``waiting`` is
    called once when the wait starts); then :class:`StoreError`. The lock goes with the
    process, so a load killed with ``kill -9`` holds it no longer. A folder created only
    to be locked is removed again if nothing was put in it.
    """
    folder = path.parent
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        f"another planwatch load of {path} has been running for over {wait:.0f} s",
                        expected="one load at a time: wait for it to finish, or stop it",
                    ) from None
                if waiting is not None:
                    waiting()
                    waiting = None
                time.sleep(LOCK_POLL_SECONDS)
        yield
    finally:
        os.close(fd)  # releases the lock
        if created:
            with suppress(OSError):
                folder.rmdir()  # only if still empty


@dataclass(frozen=True)
class _Before:
    """The store file as it was before a write: what a failed write must put back."""

    size: int | None
    wal: bool

    @staticmethod
    def of(path: Path) -> _Before:
        return _Before(path.stat().st_size if path.exists() else None, _wal(path).exists())

    def restore(self, path: Path) -> None:
        """After a rolled-back write: cut off the blocks DuckDB appended and remove the
        failed transaction's write-ahead log (every earlier load was checkpointed)."""
        if not self.wal:
            _wal(path).unlink(missing_ok=True)
        if self.size is not None and path.exists() and path.stat().st_size > self.size:
            os.truncate(path, self.size)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + WAL_SUFFIX)


@contextmanager
def writing(con: duckdb.DuckDBPyConnection, path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Attach the store read-write to a staging connection and make it the default catalog.

    The caller wraps its writes in one transaction. On success the store is checkpointed
    (so the file holds everything, with no write-ahead log) and detached. If the disk
    fills, the store is put back as it was and :class:`StoreError` says so.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    before = _Before.of(path)
    attach_for_writing(con, path)
    try:
        if not has_schema(con, STORE_ALIAS):
            ensure_schema(con)
        upgrade(con)
        check_version(con, path)
        yield con
        con.execute("USE memory")
        con.execute(f"CHECKPOINT {STORE_ALIAS}")
    except BaseException as exc:
        _detach(con)
        if not disk_full(exc):
            raise
        before.restore(path)
        raise StoreError(
            f"No space left on device while writing the store {path}: nothing was loaded",
            expected=f"free space on the disk that holds {path.parent}, then load again",
        ) from exc
    con.execute(f"DETACH {STORE_ALIAS}")


def _detach(con: duckdb.DuckDBPyConnection) -> None:
    """Let go of the store after a failed write (whatever state the failure left)."""
    for sql in ("ROLLBACK", "USE memory", f"DETACH {STORE_ALIAS}"):
        with suppress(duckdb.Error):
            con.execute(sql)


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


def attach_for_writing(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Attach the store at ``path`` read-write as :data:`STORE_ALIAS` and make it the
    default catalog; a clear :class:`StoreError` if another process holds it."""
    try:
        con.execute(f"ATTACH '{_quote(path)}' AS {STORE_ALIAS}")
    except duckdb.Error as exc:
        raise StoreError(
            f"cannot open the store {path} for writing: {exc}",
            expected="no other planwatch process using the store",
        ) from exc
    con.execute(f"USE {STORE_ALIAS}")


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
