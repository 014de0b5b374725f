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

The ENUMs' values: every field of :data:`SAMPLE_LINES` lines after the first line break
of each :data:`~planwatch.ingest.files.CHUNK` of a large file, plus every financial year
written ``YYYY/YY`` from :data:`FIRST_FY` to :data:`LAST_FY`; the distinct values of the
whole file (one more parallel pass) for a small file, or when a field is not among the
sampled values (it reads as NULL: the cast is wrapped in ``nullif`` so that DuckDB does
not push it into its CSV reader, where a failed cast would reject the row), and the file
is read again with those. A sampled value that is not one (a line cut at the end of a
chunk, a line break inside quotes) only adds an unused value to an ENUM.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping, Sequence
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
#: Lines parsed after the first line break of each chunk of a large file (500 chunks of
#: 1 MiB in a 5-million-row table: 8,000 lines, a few milliseconds of Python).
SAMPLE_LINES = 16
#: Files smaller than this have the distinct values of their text columns read first
#: (a parallel pass of a few milliseconds at this size) instead of sampled.
SAMPLE_FROM_BYTES = 32 * 1024 * 1024
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
    size: int
    sample: tuple[bytes, ...]


def first_read(path: Path) -> FirstRead:
    """SHA-256, NUL bytes and sampled lines of ``path``, in one read."""
    digest = hashlib.sha256()
    has_nul, size, lines = False, 0, []
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
            size += len(block)
            has_nul = has_nul or b"\0" in block
            start = block.find(b"\n") + 1
            if start:
                lines += block[start:].split(b"\n", SAMPLE_LINES)[:SAMPLE_LINES]
    return FirstRead(digest.hexdigest(), has_nul, size, tuple(lines))


def stage_scan(
    con: duckdb.DuckDBPyConnection, path: Path, display: str, first: FirstRead, table: str
) -> StagedTable | None:
    """Read an ordinary offence-level CSV into TEMP table ``table`` (see the module)."""
    if first.has_nul:
        return None
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
    fields = {key: _ident(found[key]) for key in (*TEXT_KEYS, "count")}
    source = read_csv_sql([path], header)
    sampled = first.size >= SAMPLE_FROM_BYTES
    values = _sampled(first.sample, header, found) if sampled else None
    for attempt in (0, 1):
        try:
            values = values or _distinct(con, source, fields)
            types = _enums(con, f"{table}_{attempt}", values)
            select = ", ".join(
                f"TRY_CAST(nullif({fields[key]}, '') AS {types[key]}) AS {key}" for key in TEXT_KEYS
            )
            rejected = read_checked(
                con,
                f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select},
                    TRY_CAST(replace({fields["count"]}, ',', '') AS BIGINT) AS count FROM {source}""",
                [(path, display)],
            )
        except (IngestError, duckdb.Error):  # the checked reader reports it
            return None
        if rejected:
            return None
        blanks = " OR ".join(f"{key} IS NULL" for key in TEXT_KEYS)
        rows, unread, no_count = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {blanks}), count(*) FILTER (WHERE count IS NULL) FROM {table}"
        ).fetchone()  # type: ignore[misc]
        if no_count or not rows:
            return None
        if not unread:
            return StagedTable(table, int(rows), HEADER_ROW + 1, frozenset(found), tuple(header))
        if attempt or not sampled:  # blank fields, not values the sample missed
            return None
        values = None
    return None


def _plain_header(line: str) -> list[str] | None:
    """The header's cells, or ``None`` if one is blank or repeated (the checked reader
    renames or refuses those)."""
    cells = [cell.strip() for cell in next(csv.reader([line]), [])]
    return cells if all(cells) and len(set(cells)) == len(cells) else None


def _sampled(
    lines: Sequence[bytes], header: Sequence[str], found: Mapping[str, str]
) -> dict[str, set[str]] | None:
    """Each text column's values in the sampled lines, and every usual financial year."""
    index = {key: header.index(found[key]) for key in TEXT_KEYS}
    values: dict[str, set[str]] = {key: set() for key in TEXT_KEYS}
    text = [line.decode("utf-8", errors="replace") for line in lines]
    try:
        for row in csv.reader(text):
            for key, i in index.items():
                if i < len(row) and row[i]:
                    values[key].add(row[i])
    except csv.Error:  # a sampled line cut inside quotes; read the distinct values instead
        return None
    values["fy"] |= _FY_LABELS
    return values


def _distinct(
    con: duckdb.DuckDBPyConnection, source: str, fields: Mapping[str, str]
) -> dict[str, set[str]]:
    """Each text column's distinct values in the whole file (one parallel pass)."""
    lists = ", ".join(f"list(DISTINCT nullif({fields[key]}, ''))" for key in TEXT_KEYS)
    found = con.execute(f"SELECT {lists} FROM {source}").fetchone()
    assert found is not None  # an aggregate without GROUP BY returns one row
    return {key: set(values or ()) for key, values in zip(TEXT_KEYS, found, strict=True)}


def _enums(
    con: duckdb.DuckDBPyConnection, prefix: str, values: Mapping[str, set[str]]
) -> dict[str, str]:
    """One ENUM type per text column, named ``<prefix>_<key>``; their names by key."""
    types = {}
    for key in TEXT_KEYS:
        name = f"{prefix}_{key}"
        listed = ", ".join(_lit(v) for v in sorted(values[key])) or "''"
        con.execute(f"CREATE TYPE {name} AS ENUM ({listed})")
        types[key] = name
    return types


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
