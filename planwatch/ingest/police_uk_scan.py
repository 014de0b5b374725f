"""One DuckDB pass over data.police.uk street files: monthly counts and every check.

In: a staging connection and the street files found by :mod:`planwatch.ingest.police_uk`
(:class:`StreetFile`: UTF-8 path, display name, month, header).
Out: TEMP view ``police_uk_stage`` — ``_file, month, falls_within, area, crime_type,
last_outcome_category, count``, the shape of the store's ``police_uk_counts`` less
``load_id`` — and the rows per file; or an :class:`~planwatch.errors.IngestError`
naming file, row and field.

Why counts, and why this grain. A plan selects police.uk data by force (*Falls within*)
and crime types (:class:`~planwatch.plan.models.PoliceUkSource`), month by month; the one
local breakdown worth keeping is the local authority district, taken from the LSOA name
("Colchester 001A" -> "Colchester"). Measured on the real Essex and West Yorkshire files
in ``../shared/data`` (286,646 rows): month x force x district x crime type x outcome is
14,403 cells (20 rows a cell), while month x force x LSOA x crime type x outcome is
135,567 (about 2 rows a cell: hardly an aggregate) — docs/performance.md, "Ingest".
A row with no LSOA counts under area ``''``. A name that does not end in a space and a
four-character code is kept whole.

How. One multi-file ``read_csv`` per chunk of files with the same header (types given,
no sniffing; at most :data:`CHUNK_BYTES`, one statement each, so memory stays flat however
many files there are; each chunk read on a thread of its own as soon as its files are
fingerprinted, :class:`Scan`, and its counts written to a Parquet file in the load's
temporary folder, which the checks and the view read), grouped by ``GROUPING SETS`` in the same pass: once by file and the
kept keys plus the raw ``Month`` text (the counts; the month and crime type checks read
this small aggregate, not the rows), once by file and a 64-bit hash of the Crime ID (only
hashes seen twice come out; anti-social behaviour rows, which have no Crime ID, share a
NULL hash that is not a repeat). Coordinates are read as DOUBLE, so DuckDB records one that
is not a number as a rejected row (:func:`~planwatch.ingest.source.read_checked`), with its row. Fused this way the Crime ID check costs about a fifth of the CPU of a
separate pass (0.1 to 0.3 against 1.2 to 1.6 CPU-seconds at 2 million rows;
docs/performance.md). A repeated hash is confirmed on the
IDs themselves, and every failure is located (file, row), by reading the file again in
Python only when a check fails; a hash collision alone rejects nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from operator import ne
from pathlib import Path
from queue import SimpleQueue

import duckdb

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.files import no_space_error
from planwatch.ingest.source import (
    Column,
    match_header,
    nul_problem,
    read_checked,
    read_csv_sql,
    reject_problem,
)
from planwatch.periods import Month
from planwatch.store.schema import area_sql

COLUMNS = (
    Column("Crime ID", "crime_id"),
    Column("Month", "month"),
    Column("Reported by", "reported_by"),
    Column("Falls within", "falls_within"),
    Column("Longitude", "longitude"),
    Column("Latitude", "latitude"),
    Column("Location", "location"),
    Column("LSOA code", "lsoa_code"),
    Column("LSOA name", "lsoa_name"),
    Column("Crime type", "crime_type"),
    Column("Last outcome category", "last_outcome_category"),
    Column("Context", "context"),
)
#: Columns read as numbers; every other column is text.
NUMERIC = ("longitude", "latitude")
#: The staged counts, ready for the store table ``police_uk_counts``.
STAGE = "police_uk_stage"
#: CSV bytes one ``read_csv`` reads at most (whole files): it bounds memory, since the
#: Crime ID hashes of one chunk are grouped at once (docs/performance.md, "Ingest").
CHUNK_BYTES = 64 * 1024 * 1024
#: Chunks read at once (while no file is bigger than a chunk): the end of each read (the
#: last file, the hash tables' final pass, the Parquet write, the rejects' queries) uses
#: one core, and a second chunk in flight keeps the other busy (docs/performance.md,
#: "All forces"); each needs under 48 MB of DuckDB's cap (:mod:`planwatch.ingest.police_uk`).
SCANS_IN_FLIGHT = 2


@dataclass(frozen=True)
class StreetFile:
    path: Path  # where DuckDB reads it (an extracted or UTF-8 copy if needed)
    display: str
    month: Month
    force: str
    header: tuple[str, ...]


class Scan:
    """Counts and checks street files chunk by chunk as they are handed over (:meth:`add`),
    each chunk read on a thread of its own while the caller finds and fingerprints the next
    files; :meth:`finish` waits for the last, runs the checks and stages the counts.

    DuckDB releases the GIL while it reads, and SHA-256 hashing does too, so the two share
    the CPUs rather than taking turns (docs/performance.md, "All forces"). With ``at_once``,
    :data:`SCANS_IN_FLIGHT` chunks are read at once, each on a cursor of its own (its own
    rejects tables; without, one chunk at a time, as a file bigger than a chunk is); the
    connection itself is not used until :meth:`finish`, which waits for every read first.
    :meth:`close` (always call it, e.g. on an error found meanwhile) waits for the chunks
    being read and drops the rest.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        files: Sequence[StreetFile],
        folder: Path,
        *,
        at_once: bool = False,
    ) -> None:
        self._con = con
        self._files = files  # the caller's list: it grows, and index i stays file i
        self._folder = folder  # each chunk's counts, a Parquet file each
        self._open: dict[tuple[str, ...], tuple[list[int], int]] = {}
        in_flight = SCANS_IN_FLIGHT if at_once else 1
        self._cursors: SimpleQueue[duckdb.DuckDBPyConnection] = SimpleQueue()
        for _ in range(in_flight):  # made here, on the caller's thread
            self._cursors.put(con.cursor())
        self._pool = ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="police-uk-scan")
        self._reads: list[Future[list[Problem]]] = []

    def add(self, i: int) -> None:
        """File ``i`` is ready: read with the files of its header, :data:`CHUNK_BYTES` at most
        a chunk (a larger file alone); a full chunk is read now."""
        f = self._files[i]
        size = f.path.stat().st_size
        members, total = self._open.get(f.header, ([], 0))
        if members and total + size > CHUNK_BYTES:
            self._read(members)
            members, total = [], 0
        self._open[f.header] = ([*members, i], total + size)

    def finish(self) -> dict[int, int]:
        """Read the chunks still open, check every file and fill TEMP table :data:`STAGE`
        (a view of the counts); rows per file index."""
        for members, _ in self._open.values():
            self._read(members)
        self._open = {}
        unread = [p for read in self._reads for p in read.result()]
        if unread:
            raise IngestError(problems=unread)
        self._con.execute(
            f"CREATE OR REPLACE TEMP VIEW pu_agg AS SELECT * FROM read_parquet({_lit(self._folder / '*.parquet')})"
        )
        return _stage(self._con, self._files)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        while not self._cursors.empty():
            self._cursors.get().close()

    def _read(self, chunk: list[int]) -> None:
        n = len(self._reads)
        self._reads.append(self._pool.submit(self._count, n, chunk))

    def _count(self, n: int, chunk: list[int]) -> list[Problem]:
        """Count chunk ``n`` into its Parquet file; the rows DuckDB could not read, as problems.

        On disk, not in a TEMP table: the counts grow with the number of files (about 1,000
        a file at 10 million rows in 860 files), and a load's memory should not.
        """
        files = self._files
        self._folder.mkdir(exist_ok=True)
        into = _lit(self._folder / f"{n}.parquet")
        read = [(files[i].path, files[i].display) for i in chunk]
        problems = []
        sql = f"COPY ({_chunk_sql(files, chunk)}) TO {into} (FORMAT parquet)"
        cursor = self._cursors.get()  # one is free: no more reads run than cursors
        try:
            rejected = read_checked(cursor, sql, read)
        except duckdb.IOException as exc:  # the counts could not be written
            if (full := no_space_error(exc, self._folder.parent, read[0][1])) is not None:
                raise full from exc
            raise
        finally:
            self._cursors.put(cursor)
        for r in rejected:
            f = files[chunk[r.file]]
            problems.append(reject_problem(r, f.header, f.display))
        return problems


def _stage(con: duckdb.DuckDBPyConnection, files: Sequence[StreetFile]) -> dict[int, int]:
    """The checks on the counts of every file; then :data:`STAGE`, a view of them.

    One query reads the counts for every check (a flag a check a file), not one query a check.
    """
    months = ", ".join(
        f"({i}, DATE '{f.month.start.isoformat()}', '{f.month.label}')" for i, f in enumerate(files)
    )
    # one statement, not an INSERT a file (860 files: 0.24 s of CPU as INSERTs)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE pu_files AS SELECT * FROM (VALUES {months}) t(_file, month, label)"
    )

    def flag(condition: str) -> str:
        return f"coalesce(bool_or({condition}) FILTER (NOT a.by_id), false)"

    nul = ", ".join(flag(f"contains(a.{kept}, chr(0))") for kept, _ in _KEPT_TEXT)
    found = con.execute(
        f"""SELECT a._file, coalesce(sum(a.count) FILTER (NOT a.by_id), 0), bool_or(a.by_id),
                   {flag("a.month_text IS DISTINCT FROM f.label")},
                   {flag("a.crime_type IS NULL OR trim(a.crime_type) = ''")}, {nul}
            FROM pu_agg a JOIN pu_files f USING (_file) GROUP BY a._file ORDER BY a._file"""
    ).fetchall()
    # a row a file: index, rows, Crime ID hash repeated, wrong month, blank type, NUL in each kept column
    rows = {int(r[0]): int(r[1]) for r in found}
    problems = _month_problems(files, [r[0] for r in found if r[3]])
    problems += _type_problems(files, [r[0] for r in found if r[4]])
    problems += _nul_problems(
        files, [[r[0] for r in found if r[5 + k]] for k in range(len(_KEPT_TEXT))]
    )
    problems += [p for r in found if r[2] and (p := _repeated_crime_id(files[r[0]])) is not None]
    if problems:
        raise IngestError(problems=problems)
    # A view, not a copy: a file's counts are one row a key already (its 'Month' is its
    # month, checked above), and a copy of them all would double the memory a load needs.
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {STAGE} AS
            SELECT a._file, f.month, a.falls_within, a.area, a.crime_type, a.last_outcome_category,
                   a.count
            FROM pu_agg a JOIN pu_files f USING (_file) WHERE NOT a.by_id"""
    )
    return rows


def _chunk_sql(files: Sequence[StreetFile], chunk: list[int]) -> str:
    """One ``read_csv`` over files sharing a header; counts, and Crime ID hashes seen twice.

    ``GROUPING SETS`` groups the rows once by the kept keys and once by Crime ID hash, in
    the same pass; only the hashes counted more than once are kept (``by_id``).
    """
    first = files[chunk[0]]
    found = match_header(first.header, COLUMNS, first.display)
    col = {k: f'"{_q2(v)}"' for k, v in found.items()}
    numeric = {found[k] for k in NUMERIC}
    source = read_csv_sql([files[i].path for i in chunk], first.header, numeric)
    keys = "month_text, falls_within, area, crime_type, last_outcome_category"
    return f"""SELECT * EXCLUDE (id_hash) FROM (
            SELECT {chunk}[file_index::BIGINT + 1] AS _file, {keys}, id_hash,
                   GROUPING(id_hash) = 0 AS by_id, count(*) AS count
            FROM (
                SELECT file_index, {col["month"]} AS month_text,
                       coalesce({col["falls_within"]}, '') AS falls_within,
                       {area_sql(col["lsoa_name"])} AS area,
                       {col["crime_type"]} AS crime_type,
                       {col["last_outcome_category"]} AS last_outcome_category,
                       CASE WHEN {col["crime_id"]} IS NOT NULL THEN hash({col["crime_id"]}) END AS id_hash
                FROM {source}
                WHERE {_reads_coordinates(col["longitude"], col["latitude"])})
            GROUP BY GROUPING SETS ((file_index, {keys}), (file_index, id_hash))
        ) WHERE NOT by_id OR (id_hash IS NOT NULL AND count > 1)"""


def _reads_coordinates(longitude: str, latitude: str) -> str:
    """A condition true of every row that makes DuckDB read (cast) both coordinates, so that
    one that is not a number is a rejected row; an unused column would not be read at all.

    A filter, not a count in the aggregate: ``GROUPING SETS`` would count it in both sets,
    the Crime ID hashes' too (two aggregates a row more for nothing).
    """
    return f"coalesce({longitude}, 0) + coalesce({latitude}, 0) IS NOT NULL"


def _month_problems(files: Sequence[StreetFile], wrong: list[int]) -> list[Problem]:
    """A row whose ``Month`` is not the file's month, in each file (index) ``wrong``."""
    problems: list[Problem] = []
    for i in wrong:
        f = files[i]
        row, value = _locate(f, "month", partial(ne, f.month.label))
        problems.append(
            Problem(
                f"'Month' is {value!r}",
                Location(file=f.display, row=row, field="Month"),
                expected=f"{f.month.label}, the month in the file name",
            )
        )
    return problems


def _type_problems(files: Sequence[StreetFile], blank: list[int]) -> list[Problem]:
    """A row with no crime type, in each file (index) ``blank``."""
    problems: list[Problem] = []
    for i in blank:
        row, _ = _locate(files[i], "crime_type", lambda v: not v.strip())
        problems.append(
            Problem(
                "'Crime type' is blank",
                Location(file=files[i].display, row=row, field="Crime type"),
                expected="a data.police.uk crime type",
            )
        )
    return problems


#: The kept text columns (key in the counts, column key) a NUL byte is looked for in.
_KEPT_TEXT = (
    ("falls_within", "falls_within"),
    ("crime_type", "crime_type"),
    ("last_outcome_category", "last_outcome_category"),
    ("area", "lsoa_name"),
)


def _nul_problems(files: Sequence[StreetFile], found: list[list[int]]) -> list[Problem]:
    """A NUL byte in a column whose text is kept, at its first row in each file:
    ``found[k]``, the files (index) with one in column ``k`` of :data:`_KEPT_TEXT`."""
    problems: list[Problem] = []
    names = {c.key: c.name for c in COLUMNS}
    for (_, key), with_nul in zip(_KEPT_TEXT, found, strict=True):
        for i in with_nul:
            row, _ = _locate(files[i], key, lambda v: "\0" in v)
            where = Location(file=files[i].display, row=row, field=names[key])
            problems.append(nul_problem(names[key], where))
    return problems


def _repeated_crime_id(f: StreetFile) -> Problem | None:
    """The first Crime ID that appears twice in a file; ``None`` if only the hashes collided."""
    seen: set[str] = set()

    def repeated(value: str) -> bool:
        if value in seen:
            return True
        if value:
            seen.add(value)
        return False

    row, value = _locate(f, "crime_id", repeated)
    if row is None:
        return None
    return Problem(
        f"duplicate row: Crime ID {value[:16]}... appears more than once",
        Location(file=f.display, row=row, field="Crime ID"),
        expected="each crime once in a month's file",
    )


def _locate(f: StreetFile, key: str, is_bad: Callable[[str], bool]) -> tuple[int | None, str]:
    """Row number (header = row 1) and value of the first row where ``is_bad(value)`` holds."""
    index = f.header.index(match_header(f.header, COLUMNS, f.display)[key])
    with f.path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for number, row in enumerate(reader, start=2):
            value = row[index] if index < len(row) else ""
            if is_bad(value):
                return number, value
    return None, ""


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _q2(text: str) -> str:
    return text.replace('"', '""')
