"""Read an offence-level PRC table once, compactly, for checks run on what was read.

In: a Home Office PFA open-data table as CSV (offence level), a staging connection, the
name of the TEMP table to read it into and the file's :class:`FirstRead` (SHA-256, whether
it holds a NUL byte, lines sampled across it: one read of the file in Python).
Out: a :class:`~planwatch.ingest.source.StagedTable` whose ``rowid`` is the row in the
file, as :func:`~planwatch.ingest.source.stage_table` makes, but with the text columns as
ENUMs and ``count`` as BIGINT; or ``None`` when the file is anything but an ordinary
offence-level CSV — another type of file, the group-level table, a header the checked
reader would refuse, a NUL byte, a row DuckDB cannot read, a blank field, a count that is
not a whole number, no rows. Then :mod:`planwatch.ingest.prc` reads the file again the
checked way, which names what is wrong in its own words.

Why. Read as text, 5 million rows take about 730 MB in DuckDB (more than the memory cap,
so they spill to disk), and were then copied typed and inserted: materialised three
times. As ENUMs (one or two bytes a field) they take about 100 MB, are read in one
parallel ``read_csv`` that keeps file order, and every check is a query over a few
hundred distinct values; the store is written from the staged rows joined to small maps.

The ENUMs' values: every field of a line every :data:`SAMPLE_STRIDE` bytes of the file
(sampled in the same read as its SHA-256), the names the caller knows (forces, the
offence code lookup's codes and descriptions) and every financial year written
``YYYY/YY`` from :data:`FIRST_FY` to :data:`LAST_FY`. A field whose value is not among
them reads as NULL (the cast is wrapped in ``nullif`` so that DuckDB does not push it
into its CSV reader, where a failed cast would reject the row), and its row keeps its
text fields in a list; the few values so missed (a force with one row a quarter) then
widen that column's ENUM, the column converted in place. A sampled value that is not one
(a line cut inside quotes) only adds an unused value to an ENUM.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from planwatch.errors import IngestError
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
#: A large file's values are sampled from the first whole line after every this many bytes
#: (16 lines a MiB; 8,000 in a 5-million-row table: a few milliseconds of Python). Spread
#: out, not consecutive: a table sorted by quarter and force repeats its layout every
#: quarter, and lines taken at one place in each MiB see the same few forces.
SAMPLE_STRIDE = 64 * 1024
#: DuckDB's memory cap while a scanned table is read and written to the store: with Python
#: and planwatch (about 50 MB) a 5-million-row load peaks near 330 MB, under issue 17's
#: 500 MB; at 200 MB the store write spills and costs a fifth more CPU (docs/performance.md).
MEMORY_LIMIT = "300MB"
#: Financial years always among the ENUM's values, far beyond the Home Office series
#: (recorded crime by force from 2002/03).
FIRST_FY, LAST_FY = 1800, 2199
_FY_LABELS = frozenset(f"{y}/{(y + 1) % 100:02d}" for y in range(FIRST_FY, LAST_FY + 1))


@dataclass(frozen=True)
class FirstRead:
    """What one read of a file's bytes tells: its SHA-256, whether it holds a NUL byte,
    and lines from across it (raw bytes, each a whole line unless a chunk ended in it)."""

    sha256: str
    has_nul: bool
    sample: tuple[bytes, ...]


def first_read(path: Path) -> FirstRead:
    """SHA-256, NUL bytes and sampled lines of ``path``, in one read."""
    digest = hashlib.sha256()
    has_nul, lines = False, []
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            has_nul = has_nul or b"\0" in block
            lines += _lines_across(block)
    return FirstRead(digest.hexdigest(), has_nul, tuple(lines))


def _lines_across(block: bytes) -> list[bytes]:
    """The first whole line after each :data:`SAMPLE_STRIDE` bytes of ``block``."""
    lines = []
    for at in range(0, len(block), SAMPLE_STRIDE):
        start = block.find(b"\n", at) + 1
        end = block.find(b"\n", start) if start else -1
        if end < 0:
            break
        lines.append(block[start:end])
    return lines


def stage_scan(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    first: FirstRead,
    table: str,
    known: Mapping[str, Iterable[str]],
) -> StagedTable | None:
    """Read an ordinary offence-level CSV into TEMP table ``table`` (see the module);
    ``known``: values a text column (by key) is likely to hold, added to the sampled ones.
    The connection keeps :data:`MEMORY_LIMIT` for the rest of the load (the store write),
    unless the file is not read so."""
    columns = None if first.has_nul else _columns(path, display)
    if columns is None:
        return None
    header, found = columns
    before = con.execute("SELECT current_setting('memory_limit')").fetchone()
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    con.execute("SET enable_progress_bar = false")  # no bar drawn over the command's output
    values = _sampled(first.sample, header, found, known)
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
    fields = {key: _ident(found[key]) for key in (*TEXT_KEYS, "count")}
    try:
        types = _enums(con, table, values)
        casts = {k: f"TRY_CAST(nullif({fields[k]}, '') AS {types[k]})" for k in TEXT_KEYS}
        rejected = read_checked(
            con,
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT {", ".join(f"{cast} AS {k}" for k, cast in casts.items())},
                   TRY_CAST(replace({fields["count"]}, ',', '') AS BIGINT) AS count,
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
    except (IngestError, duckdb.Error):  # the checked reader reports it
        return 0
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
    for line in lines:
        try:
            row = next(csv.reader([line.decode("utf-8", errors="replace")]), [])
        except csv.Error:  # a line cut inside quotes: not a row
            continue
        for key, i in index.items():
            if i < len(row) and row[i]:
                values[key].add(row[i])
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
