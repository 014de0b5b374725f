"""Read an offence-level PRC table once, compactly, for checks run on what was read.

In: a Home Office PFA open-data table as CSV (offence level), a staging connection, the
name of the TEMP table to read it into, lines sampled across the file (:func:`sample_lines`)
and the file's :class:`Fingerprint` (SHA-256 and whether it holds a NUL byte, read on a
thread of its own while DuckDB reads the rows: ``hashlib`` lets go of the GIL).
Out: a :class:`~planwatch.ingest.source.StagedTable` whose ``rowid`` is the row in the
file, as :func:`~planwatch.ingest.source.stage_table` makes, but with the text columns as
ENUMs and ``count`` as BIGINT; or ``None`` when the file is anything but an ordinary
offence-level CSV — another type of file, the group-level table, a header the checked
reader would refuse, a row DuckDB cannot read, a blank field, a count that is not a whole
number, no rows (and, once its fingerprint is known, a NUL byte). Then
:mod:`planwatch.ingest.prc` reads the file again the checked way, which names what is
wrong in its own words.

Why. Read as text, 5 million rows take about 730 MB in DuckDB (more than the memory cap,
so they spill to disk), and were then copied typed and inserted: materialised three
times. As ENUMs (one or two bytes a field) they take about 100 MB, are read in one
parallel ``read_csv`` that keeps file order, and every check is a query over a few
hundred distinct values; the store is written from the staged rows joined to small maps.

The ENUMs' values: every field of :data:`SAMPLE_LINES` lines spread across the file,
the names the caller knows (forces, the offence code lookup's codes and descriptions) and
every financial year written ``YYYY/YY`` from :data:`FIRST_FY` to :data:`LAST_FY`. The
file is read with its columns typed so (ENUMs, and a count as a number kept only if
whole, in DuckDB's CSV reader itself, no text kept): the cheapest read there is. A field that does not fit (a value the sample
missed, a count with a thousands separator) makes DuckDB reject its row; then the file is
read once more with every field as text cast in the query: a field whose value is not
among the ENUM's reads as NULL (the cast is wrapped in ``nullif`` so that DuckDB does not
push it into its CSV reader, where a failed cast would reject the row), and its row keeps
its text fields in a list; the few values so missed (a force with one row a quarter) then
widen that column's ENUM, the column converted in place. A sampled value that is not one
(a line cut inside quotes) only adds an unused value to an ENUM.
"""

from __future__ import annotations

import csv
import hashlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb

from planwatch.errors import IngestError
from planwatch.ingest.checks import whole_number_sql
from planwatch.ingest.files import CHUNK, detect_type, read_first_line
from planwatch.ingest.source import (
    HEADER_ROW,
    Column,
    StagedTable,
    match_header,
    read_checked,
    read_csv_sql,
)

COLUMNS = (
    Column("Financial Year", "fy"),
    Column("Financial Quarter", "fq"),
    Column("Force Name", "force", aliases=("Force",)),
    Column("Offence Description", "description", required=False),
    Column("Offence Group", "grp"),
    Column("Offence Subgroup", "subgroup", required=False),
    Column("Offence Code", "code", required=False),
    Column("Number of Offences", "count", aliases=("Offences",)),
    Column("Population", "population", required=False),
)
#: Columns only the offence-level (PFA) table has; the compilation is told apart by its Population column.
OFFENCE_LEVEL_ONLY = ("description", "subgroup", "code")
#: The offence-level table's text columns, each read as an ENUM.
TEXT_KEYS = ("fy", "fq", "force", "description", "grp", "subgroup", "code")
#: A file's values are sampled from the first whole line after every ``stride`` bytes:
#: about this many lines (a fiftieth of a second of Python), so that a value in one row of
#: 1,800 (a force's own offence group: Action Fraud's fraud offences) is all but certainly
#: seen (9 times in 10,000 misses it) and the file is read once (docs/performance.md).
SAMPLE_LINES = 16_384
#: The stride's bounds: in a small file every other line or so, in a large one (5 million rows,
#: 524 MB) every 32 KiB. Spread out, not consecutive: a table sorted by quarter and force
#: repeats its layout every quarter, and lines taken at one place see the same few forces.
MIN_STRIDE, MAX_STRIDE = 256, 64 * 1024
#: Bytes read at each sampled place: a line of a PRC table is about 100 (a longer one
#: there is not sampled).
SAMPLE_READ = 1024
#: DuckDB's memory cap while a scanned table is read and written to the store: with Python
#: and planwatch (about 50 MB) a 5-million-row load peaks near 330 MB, under issue 17's
#: 500 MB; at 200 MB the store write spills and costs a fifth more CPU (docs/performance.md).
MEMORY_LIMIT = "300MB"
#: Financial years always among the ENUM's values, far beyond the Home Office series
#: (recorded crime by force from 2002/03).
FIRST_FY, LAST_FY = 1800, 2199
_FY_LABELS = frozenset(f"{y}/{(y + 1) % 100:02d}" for y in range(FIRST_FY, LAST_FY + 1))


class Fingerprint:
    """A file's SHA-256 and whether it holds a NUL byte, read on a thread started at once
    (one pass over the file, each block hashed as it is read). ``stop(sha)`` true (the file
    is already loaded): the DuckDB read running meanwhile under :meth:`interrupting` is
    interrupted, as its rows will not be wanted."""

    def __init__(self, path: Path, stop: Callable[[str], bool]) -> None:
        self._path, self._stop = path, stop
        self._lock = threading.Lock()
        self._reading: duckdb.DuckDBPyConnection | None = None
        self._sha, self._has_nul = "", False
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._run, name="planwatch-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        digest, has_nul = hashlib.sha256(), False
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        try:
            with self._path.open("rb", buffering=0) as fh:
                while size := fh.readinto(buffer):
                    digest.update(view[:size])  # without the GIL: DuckDB reads meanwhile
                    has_nul = has_nul or buffer.find(b"\0", 0, size) >= 0
        except OSError as exc:
            self._error = exc
            return
        self._sha, self._has_nul = digest.hexdigest(), has_nul
        with self._lock:
            if self._reading is not None and self._stop(self._sha):
                self._reading.interrupt()

    @contextmanager
    def interrupting(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """Run the block's DuckDB read so that a file found already loaded interrupts it."""
        with self._lock:
            self._reading = con
        try:
            yield
        finally:
            with self._lock:
                self._reading = None

    def result(self) -> tuple[str, bool]:
        """The SHA-256 (hex) and whether a NUL byte was seen, once the thread is done."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._sha, self._has_nul


def sample_lines(path: Path) -> tuple[bytes, ...]:
    """The first whole line after every :func:`sample_stride` bytes of ``path`` (raw bytes),
    each read on its own (``pread``): a mapped file would count as this process's memory."""
    lines = []
    with path.open("rb", buffering=0) as fh:
        fd, size = fh.fileno(), os.fstat(fh.fileno()).st_size
        for at in range(0, size, sample_stride(size)):
            block = os.pread(fd, SAMPLE_READ, at)
            start = block.find(b"\n") + 1
            end = block.find(b"\n", start) if start else -1
            if end >= 0:
                lines.append(block[start:end])
    return tuple(lines)


def sample_stride(size: int) -> int:
    """Bytes between sampled lines in a file of ``size`` bytes (:data:`SAMPLE_LINES`)."""
    return min(max(size // SAMPLE_LINES, MIN_STRIDE), MAX_STRIDE)


def stage_scan(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    sample: Sequence[bytes],
    fingerprint: Fingerprint,
    table: str,
    known: Mapping[str, Iterable[str]],
) -> StagedTable | None:
    """Read an ordinary offence-level CSV into TEMP table ``table`` (see the module);
    ``sample``: lines from across it (:func:`sample_lines`); ``known``: values a text column
    (by key) is likely to hold, added to the sampled ones. The connection keeps
    :data:`MEMORY_LIMIT` for the rest of the load (the store write), unless the file is not
    read so. A NUL byte is not looked for here: the caller asks ``fingerprint``."""
    columns = _columns(path, display)
    if columns is None:
        return None
    header, found = columns
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET enable_progress_bar = false")  # no bar drawn over the command's output
    values = _sampled(sample, header, found, known)
    with fingerprint.interrupting(con):
        rows = _read(con, path, display, table, header, found, values)
    if rows:
        return StagedTable(table, rows, HEADER_ROW + 1, frozenset(found), tuple(header))
    if before is not None:
        try:
            con.execute(f"SET memory_limit = '{before[0]}'")
        except duckdb.Error:  # DuckDB 1.3 shows "no limit" in a unit it does not read back
            con.execute("RESET memory_limit")
    return None


def _columns(path: Path, display: str) -> tuple[list[str], dict[str, str]] | None:
    """The header and the cell holding each column, if the file is an offence-level CSV
    whose header the checked reader takes as it is."""
    try:
        if detect_type(path, display=display) != "csv":
            return None
        header = _plain_header(read_first_line(path))
        if header is None:
            return None
        found = match_header(header, COLUMNS, display)
    except IngestError:  # the checked reader reports it
        return None
    if "population" in found or not set(OFFENCE_LEVEL_ONLY) <= found.keys():
        return None
    return header, found


def _read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    table: str,
    header: Sequence[str],
    found: Mapping[str, str],
    values: dict[str, set[str]],
) -> int:
    """The rows read into ``table``; 0 if one is out of the ordinary."""
    try:
        rows = _read_typed(con, path, display, table, header, found, values)
        if rows is None:
            rows = _read_text(con, path, display, table, header, found, values)
    except (IngestError, duckdb.Error):  # the checked reader reports it
        return 0
    return rows


def _read_typed(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    table: str,
    header: Sequence[str],
    found: Mapping[str, str],
    values: Mapping[str, set[str]],
) -> int | None:
    """The rows read by DuckDB's CSV reader into ENUMs and a whole-number count; 0 if a
    field is blank or a count not whole, ``None`` if a row did not fit those types (then
    :func:`_read_text` reads the file)."""
    if not all(values[k] for k in TEXT_KEYS):  # a column never seen: an ENUM of nothing
        return None
    types = _enums(con, f"{table}_typed", values)
    # A count is read as a number and kept only if whole: DuckDB's CSV reader would round
    # '1.5' into a BIGINT column (a blank count then sends the file to the checked reader).
    typed = {found[k]: types[k] for k in TEXT_KEYS} | {found["count"]: "DOUBLE"}
    keys = (*TEXT_KEYS, "count")
    number = _ident(found["count"])
    rejected = read_checked(
        con,
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT {", ".join(f"{_ident(found[k])} AS {k}" for k in TEXT_KEYS)},
               CASE WHEN {number} = trunc({number}) THEN {number}::BIGINT END AS count
        FROM {read_csv_sql([path], header, typed=typed)}""",
        [(path, display)],
    )
    if rejected:
        con.execute(f"DROP TABLE {table}")
        return None
    rows, blank = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {' OR '.join(f'{k} IS NULL' for k in keys)}) FROM {table}"
    ).fetchone()  # type: ignore[misc]
    return 0 if blank else int(rows)


def _read_text(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    table: str,
    header: Sequence[str],
    found: Mapping[str, str],
    values: dict[str, set[str]],
) -> int:
    """The rows read as text and cast to ENUMs in the query, the values the ENUMs missed
    given their place (:func:`_complete`); 0 if one is out of the ordinary."""
    fields = {key: _ident(found[key]) for key in (*TEXT_KEYS, "count")}
    types = _enums(con, table, values)
    casts = {k: f"TRY_CAST(nullif({fields[k]}, '') AS {types[k]})" for k in TEXT_KEYS}
    rejected = read_checked(
        con,
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT {", ".join(f"{cast} AS {k}" for k, cast in casts.items())},
               {whole_number_sql(fields["count"])} AS count,
               CASE WHEN {" OR ".join(f"{cast} IS NULL" for cast in casts.values())}
                    THEN [{", ".join(fields[k] for k in TEXT_KEYS)}] END AS _missed
        FROM {read_csv_sql([path], header)}""",
        [(path, display)],
    )
    if rejected:
        return 0
    rows, no_count, missed = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE count IS NULL), count(_missed) FROM {table}"
    ).fetchone()  # type: ignore[misc]
    if no_count or (missed and not _complete(con, table, types, values)):
        return 0
    con.execute(f"ALTER TABLE {table} DROP COLUMN _missed")
    return int(rows)


def _complete(
    con: duckdb.DuckDBPyConnection,
    table: str,
    types: Mapping[str, str],
    values: Mapping[str, set[str]],
) -> bool:
    """Give the values the sample missed (kept as text in ``_missed``) their place in
    wider ENUMs, column by column; ``False`` if a field is blank."""
    parts = [
        f"list(DISTINCT _missed[{i}]) FILTER (WHERE {k} IS NULL), "
        f"count(*) FILTER (WHERE {k} IS NULL AND _missed[{i}] IS NULL)"
        for i, k in enumerate(TEXT_KEYS, start=1)
    ]
    found = con.execute(
        f"SELECT {', '.join(parts)} FROM {table} WHERE _missed IS NOT NULL"
    ).fetchone()
    assert found is not None  # an aggregate without GROUP BY returns one row
    if any(found[1::2]):
        return False
    for i, (key, missed) in enumerate(zip(TEXT_KEYS, found[::2], strict=True), start=1):
        if missed:
            wider = _enums(con, f"{table}_all", {key: values[key] | set(missed)}, (key,))[key]
            con.execute(
                f"ALTER TABLE {table} ALTER COLUMN {key} SET DATA TYPE {wider} "
                f"USING coalesce({key}::VARCHAR, _missed[{i}])::{wider}"
            )
    return True


def _plain_header(line: str) -> list[str] | None:
    """The header's cells, or ``None`` if one is blank or repeated (the checked reader
    renames or refuses those)."""
    cells = [cell.strip() for cell in next(csv.reader([line]), [])]
    return cells if all(cells) and len(set(cells)) == len(cells) else None


def _sampled(
    lines: Sequence[bytes],
    header: Sequence[str],
    found: Mapping[str, str],
    known: Mapping[str, Iterable[str]],
) -> dict[str, set[str]]:
    """Each text column's values in the sampled lines, the ``known`` ones and every usual
    financial year."""
    index = {key: header.index(found[key]) for key in TEXT_KEYS}
    values = {key: set(known.get(key, ())) for key in TEXT_KEYS}
    rows = []
    for line in b"\n".join(lines).decode("utf-8", errors="replace").split("\n"):
        if '"' not in line:
            rows.append(line.split(","))
            continue
        try:  # each line its own reader: a line cut inside quotes spoils only itself
            rows.append(next(csv.reader([line]), []))
        except csv.Error:  # a line cut inside quotes: not a row
            continue
    for key, i in index.items():
        values[key].update(row[i] for row in rows if i < len(row) and row[i])
    values["fy"] |= _FY_LABELS
    return values


def _enums(
    con: duckdb.DuckDBPyConnection,
    prefix: str,
    values: Mapping[str, set[str]],
    keys: Sequence[str] = TEXT_KEYS,
) -> dict[str, str]:
    """One ENUM type per text column of ``keys``, named ``<prefix>_<key>``; their names by key."""
    types = {}
    for key in keys:
        name = f"{prefix}_{key}"
        listed = ", ".join(_lit(v) for v in sorted(values[key])) or "''"
        con.execute(f"CREATE TYPE {name} AS ENUM ({listed})")
        types[key] = name
    return types


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
