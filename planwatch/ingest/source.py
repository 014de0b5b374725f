"""Read one table — CSV, XLSX, ODS or XLS — into a DuckDB staging table.

In: a file, the columns a reader needs (:class:`Column`, matched to the header
case-, space- and underscore-insensitively), a staging connection and a table name.
Out: a TEMP table holding those columns as text, named by :attr:`Column.key`, in
file order (``rowid`` 0 is the first data row). CSV is read by DuckDB itself;
spreadsheets by python-calamine. Row numbers in messages count the header as
row 1, as a spreadsheet shows them.

A reader of one file at a time (PRC tables, measures, reference tables) is made by
:func:`file_reader` from the columns it needs and its checks: the one place a file
already loaded (the same SHA-256) is skipped.

Missing columns are reported all at once, each with the nearest header in the
file; so is a needed column whose name the header gives twice (which one was meant?).
A UTF-8 byte-order mark is ignored and Windows-1252 text is read as such. A NUL byte
inside a field is refused at its row and field (:func:`nul_problems`).

A row DuckDB cannot read (too many or too few fields, a quote left open, not UTF-8, a
number that is not one) is not an exception whose text is searched: DuckDB reads on and
records it in its rejects table (``store_rejects``: row, field, kind of fault), and
:func:`reject_problem` words it. That works the same on every DuckDB version planwatch
allows, whatever the wording of DuckDB's own messages.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import IngestError, Location, Problem, suggest
from planwatch.ingest.files import (
    FileType,
    detect_type,
    read_first_line,
    sha256_of,
    transcode_to_utf8,
    wrong_type,
)
from planwatch.ingest.staged import IngestContext, StagedBatch

if TYPE_CHECKING:  # pandas is imported where a frame is built (a police.uk load never does)
    import pandas as pd

#: Spreadsheet row of the header when a sheet starts with it (1-based, as Excel shows).
HEADER_ROW = 1
_SPACES = re.compile(r"[\s_\-]+")


@dataclass(frozen=True)
class Column:
    """A column a reader needs: its published name, its key in SQL, and other spellings."""

    name: str
    key: str
    required: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class StagedTable:
    """Where a file's rows went: ``table`` (TEMP) and the row number of ``rowid`` 0."""

    table: str
    rows: int
    first_row: int
    present: frozenset[str]
    header: tuple[str, ...] = ()

    def row_sql(self, alias: str = "") -> str:
        """SQL for the spreadsheet row number of a staged row (``alias``: the table's alias)."""
        return f"({alias + '.' if alias else ''}rowid + {self.first_row})"


def header_key(text: str) -> str:
    """Normalised header text: no BOM, lower case, runs of spaces/underscores/hyphens as one space."""
    return _SPACES.sub(" ", text.replace("\ufeff", "")).strip().lower()


def match_header(header: Sequence[str], columns: Sequence[Column], file: str) -> dict[str, str]:
    """Map each needed column's key to the header cell that holds it; report every missing one."""
    by_norm: dict[str, str] = {}
    cells_of: dict[str, list[str]] = {}
    for cell in header:
        by_norm.setdefault(header_key(cell), cell)
        cells_of.setdefault(header_key(cell), []).append(cell)
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for col in columns:
        for spelling in (col.name, *col.aliases):
            if header_key(spelling) in by_norm:
                found[col.key] = by_norm[header_key(spelling)]
                if len(same := cells_of[header_key(spelling)]) > 1:
                    problems.append(
                        Problem(
                            f"the header has {len(same)} columns named '{col.name}' "
                            f"({', '.join(repr(c) for c in same)})",
                            Location(file=file, row=HEADER_ROW, field=col.name),
                            expected=f"one '{col.name}' column",
                        )
                    )
                break
        else:
            if col.required:
                near = suggest(col.name, [h for h in header if h not in found.values()])
                problems.append(
                    Problem(
                        f"missing column '{col.name}'",
                        Location(file=file, row=HEADER_ROW, field=col.name),
                        expected="a header with "
                        + ", ".join(c.name for c in columns if c.required),
                        suggestion=near,
                    )
                )
    if problems:
        raise IngestError(problems=problems)
    return found


def stage_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    columns: Sequence[Column],
    table: str,
    *,
    display: str,
    workdir: Path,
    accept: Sequence[FileType] = ("csv", "xlsx", "ods", "xls"),
) -> StagedTable:
    """Read ``path`` into TEMP table ``table`` with one text column per found column."""
    kind = detect_type(path, display=display)
    if kind not in accept:
        raise wrong_type(
            display, f"a {kind.upper()} file", "a " + ", ".join(a.upper() for a in accept) + " file"
        )
    if kind == "csv":
        staged = _stage_csv(con, path, columns, table, display, workdir)
    else:
        staged = _stage_sheet(con, path, columns, table, display)
    if staged.rows == 0:
        raise IngestError(
            "the file has a header but no data rows",
            location=Location(file=display),
            expected="at least one data row",
        )
    if problems := nul_problems(con, staged, columns, display):
        raise IngestError(problems=problems)
    return staged


@dataclass(frozen=True)
class NewFile:
    """A file staged for its reader's checks: its rows, SHA-256, name shown and number in the load."""

    raw: StagedTable
    sha: str
    display: str
    index: int


#: A reader of one file at a time: (connection, path, name shown, context, number in the load).
FileReader = Callable[[duckdb.DuckDBPyConnection, Path, str, IngestContext, int], StagedBatch]
#: A reader's checks of one staged file, which build its batch.
Checks = Callable[[duckdb.DuckDBPyConnection, NewFile, IngestContext], StagedBatch]


def file_reader(kind: str, columns: Sequence[Column], check: Checks) -> FileReader:
    """The reader of one ``kind`` of file at a time, from the columns it needs and its checks:
    a file with a SHA-256 already loaded is skipped; any other is staged (:func:`stage_table`,
    TEMP table ``<kind>_raw_<index>``) and handed to ``check``, which builds the batch."""

    def stage(
        con: duckdb.DuckDBPyConnection, path: Path, display: str, ctx: IngestContext, index: int
    ) -> StagedBatch:
        sha = sha256_of(path)
        if sha in ctx.known_files:
            return StagedBatch(kind, already_loaded=[(display, ctx.known_files[sha])])
        table = f"{kind}_raw_{index}"
        raw = stage_table(con, path, columns, table, display=display, workdir=ctx.workdir)
        return check(con, NewFile(raw, sha, display, index), ctx)

    return stage


def nul_problems(
    con: duckdb.DuckDBPyConnection, staged: StagedTable, columns: Sequence[Column], file: str
) -> list[Problem]:
    """The first row of each staged column holding a NUL byte (text files never do)."""
    problems = []
    for col in columns:
        if col.key not in staged.present:
            continue
        hit = con.execute(
            f"SELECT min({staged.row_sql()}) FROM {staged.table} WHERE contains({col.key}, chr(0))"
        ).fetchone()
        if hit is not None and hit[0] is not None:
            problems.append(
                nul_problem(col.name, Location(file=file, row=int(hit[0]), field=col.name))
            )
    return problems


def nul_problem(field: str, where: Location) -> Problem:
    return Problem(
        f"'{field}' holds a NUL byte",
        where,
        expected="text without control characters (is the file damaged?)",
    )


def _csv_header(line: str, *, rename: bool = True) -> list[str]:
    """Header cells (a blank one named by its position); ``rename`` numbers repeated names."""
    cells = next(csv.reader(io.StringIO(line)), [])
    seen: dict[str, int] = {}
    out = []
    for i, cell in enumerate(cells):
        name = cell.strip() or f"column{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 or not rename else f"{name} ({seen[name]})")
    return out


def _stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    columns: Sequence[Column],
    table: str,
    display: str,
    workdir: Path,
) -> StagedTable:
    line = read_first_line(path)
    header = _csv_header(line)
    if not header:
        raise IngestError(
            "the file has no header row",
            location=Location(file=display, row=HEADER_ROW),
            expected="a header row",
        )
    # The header as written (a repeated name is refused), then with repeats renamed for DuckDB.
    found = match_header(_csv_header(line, rename=False), columns, display)
    select = ", ".join(f"{_ident(found[c.key])} AS {c.key}" for c in columns if c.key in found)

    def read(source: Path) -> list[RejectedRow]:
        into = f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM "
        return read_checked(con, into + read_csv_sql([source], header), [(path, display)])

    rejected = read(path)
    if any(r.kind == INVALID_ENCODING for r in rejected):  # not UTF-8: read as Windows-1252
        rejected = read(transcode_to_utf8(path, workdir / f"{table}.utf8.csv"))
    if rejected:
        raise IngestError(problems=[reject_problem(r, header, display) for r in rejected])
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    return StagedTable(table, rows, HEADER_ROW + 1, frozenset(found), tuple(header))


# --- Reading CSV with DuckDB: the rows it cannot read are data, not error text ----------

#: The longest row DuckDB reads, in bytes: its own default (``max_line_size``, 2 MiB),
#: given explicitly so that the message about a longer row can say it.
MAX_ROW_BYTES = 2 * 1024 * 1024
#: Rejected rows DuckDB records per file (``rejects_limit``): a file wrong on every row is
#: not copied into memory row by row; the first few are enough to show.
REJECTS_LIMIT = 1000
#: Bad rows named per file, the first in the file first (each is one problem).
MAX_REJECTS_SHOWN = 5
#: DuckDB's rejects tables (``store_rejects``), TEMP in the reading connection.
REJECTS_TABLE, REJECTS_SCAN = "planwatch_csv_rejects", "planwatch_csv_reject_scans"
#: Values of ``error_type`` (an ENUM in DuckDB's rejects table) that planwatch words itself.
CAST, TOO_MANY, MISSING = "CAST", "TOO MANY COLUMNS", "MISSING COLUMNS"
UNQUOTED, TOO_LONG, INVALID_ENCODING = (
    "UNQUOTED VALUE",
    "LINE SIZE OVER MAXIMUM",
    "INVALID ENCODING",
)


@dataclass(frozen=True)
class RejectedRow:
    """A row DuckDB could not read, from its rejects table."""

    file: int  # index in the list of files read
    row: int  # header = row 1; a line break inside quotes does not start a row
    kind: str  # DuckDB's error_type, e.g. "TOO MANY COLUMNS"
    column: str | None  # the header name of the field at fault, where there is one
    text: str  # the row as written

    def fields(self) -> list[str]:
        """The row's fields, split as a CSV reader splits them (DuckDB may keep the line
        break before the row: a row cannot start with one outside quotes)."""
        return next(csv.reader(io.StringIO(self.text.lstrip("\r\n"))), [])


def read_csv_sql(
    paths: Sequence[Path],
    header: Sequence[str],
    numeric: Collection[str] = (),
    typed: Mapping[str, str] | None = None,
) -> str:
    """``read_csv(...)`` of files sharing ``header``: every column text but ``numeric``
    (DOUBLE) and those ``typed`` gives a type (by header cell), nothing sniffed, and the rows
    it cannot read (a field not of its column's type too) recorded for :func:`read_checked`."""
    given = typed or {}
    types = ", ".join(
        f"{_lit(h)}: {_lit(given.get(h, 'DOUBLE' if h in numeric else 'VARCHAR'))}" for h in header
    )
    listing = ", ".join(_lit(str(p)) for p in paths)
    return (
        f"read_csv([{listing}], columns={{{types}}}, header=true, auto_detect=false, delim=',', "
        f"quote='\"', escape='\"', null_padding=false, max_line_size={MAX_ROW_BYTES}, "
        f"store_rejects=true, rejects_table='{REJECTS_TABLE}', rejects_scan='{REJECTS_SCAN}', "
        f"rejects_limit={REJECTS_LIMIT})"
    )


def read_checked(
    con: duckdb.DuckDBPyConnection, sql: str, files: Sequence[tuple[Path, str]]
) -> list[RejectedRow]:
    """Run ``sql`` (one :func:`read_csv_sql` in it) and return the rows it could not read:
    the first :data:`MAX_REJECTS_SHOWN` of each file, in file and row order. ``files``:
    (path, name to show) of each file it reads, in its order. ``sql`` writes a table
    (``CREATE TABLE ... AS``, ``INSERT``): a bare SELECT would be read lazily, after this
    function has looked for the rejects.

    DuckDB reads on past a bad row and records it (row, field, kind of fault) in its
    rejects table, so nothing here depends on the wording of its messages. A file its CSV
    parser cannot get through at all is an :class:`IngestError` (:func:`unreadable`).
    """
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}; DROP TABLE IF EXISTS {REJECTS_SCAN}")
    try:
        con.execute(sql)
    except duckdb.InvalidInputException as exc:
        raise unreadable(files) from exc
    found = con.execute(
        f"""SELECT file_id, line, error_type::VARCHAR, column_name, csv_line FROM (
                SELECT *, row_number() OVER (PARTITION BY file_id, line ORDER BY column_idx) AS nth,
                       dense_rank() OVER (PARTITION BY file_id ORDER BY line) AS nth_row
                FROM {REJECTS_TABLE})
            WHERE nth = 1 AND nth_row <= {MAX_REJECTS_SHOWN} ORDER BY file_id, line"""
    ).fetchall()
    con.execute(f"DROP TABLE {REJECTS_TABLE}; DROP TABLE {REJECTS_SCAN}")
    return [RejectedRow(int(f), int(n), str(k), c, str(t)) for f, n, k, c, t in found]


def reject_problem(r: RejectedRow, header: Sequence[str], file: str) -> Problem:
    """What is wrong with a row DuckDB rejected, in planwatch's words."""
    at = Location(file=file, row=r.row, field=r.column)
    if r.kind == CAST and r.column is not None and r.column in header:
        fields = r.fields()
        index = list(header).index(r.column)
        value = fields[index] if index < len(fields) else ""
        return Problem(f"'{r.column}' is {value!r}", at, expected="a number")
    if r.kind in (TOO_MANY, MISSING):
        return Problem(
            f"the row has {len(r.fields())} fields",
            Location(file=file, row=r.row),
            expected=f"{len(header)} fields, as in the header (quote values that contain commas)",
        )
    if r.kind == UNQUOTED:
        return Problem(
            "a quoted value is not closed, or text follows its closing quote",
            at,
            expected='a value in double quotes, with each quote inside it written twice ("")',
        )
    if r.kind == TOO_LONG:
        return Problem(
            f"the row is longer than {MAX_ROW_BYTES:,} bytes",
            Location(file=file, row=r.row),
            expected="rows of ordinary length (is a quote left open?)",
        )
    return Problem(
        "the row cannot be read as CSV",
        Location(file=file, row=r.row),
        expected="comma-separated values with as many fields as the header",
    )


def unreadable(files: Sequence[tuple[Path, str]]) -> IngestError:
    """CSV that DuckDB's parser cannot get through, located where planwatch can."""
    for path, display in files:
        if (found := line_ending_fault(path)) is not None:
            line, message = found
            return IngestError(
                message,
                location=Location(file=display, line=line),
                expected="one kind of line ending throughout (were two files joined?)",
            )
    names = [display for _, display in files]
    return IngestError(
        "the file cannot be read as CSV"
        if len(names) == 1
        else "one of the files cannot be read as CSV",
        location=Location(file=", ".join(names)),
        expected="comma-separated rows with as many fields as the header",
    )


def line_ending_fault(path: Path) -> tuple[int, str] | None:
    """The first line (1-based) whose ending differs from the first line's, or that holds a
    carriage return of its own, and what is wrong with it; ``None`` if there is none."""
    first: bool | None = None
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith(b"\n"):
                break
            crlf = line.endswith(b"\r\n")
            if b"\r" in line[: -2 if crlf else -1]:
                return number, "the line holds a carriage return that ends no line"
            if first is None:
                first = crlf
            elif crlf != first:
                return number, "the line endings change here (Windows CRLF and Unix LF in one file)"
    return None


def _stage_sheet(
    con: duckdb.DuckDBPyConnection, path: Path, columns: Sequence[Column], table: str, display: str
) -> StagedTable:
    import pandas as pd
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise IngestError(
            f"the spreadsheet cannot be read ({exc})",
            location=Location(file=display),
            expected="a valid XLSX, ODS or XLS file",
        ) from exc
    best: tuple[int, str, list[list[Any]]] | None = None
    for sheet in book.sheet_names:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = [_cell(v) for v in rows[0]] if rows else []
        score = sum(
            1
            for c in columns
            if any(header_key(s) in {header_key(h) for h in header} for s in (c.name, *c.aliases))
        )
        if best is None or score > best[0]:
            best = (score, sheet, rows)
    if best is None or not best[2]:
        raise IngestError(
            "the spreadsheet has no rows",
            location=Location(file=display),
            expected="a header row and data rows",
        )
    _, sheet, rows = best
    header = [_cell(v) or f"column{i + 1}" for i, v in enumerate(rows[0])]
    found = match_header(header, columns, f"{display} [{sheet}]")
    index = {h: i for i, h in reversed(list(enumerate(header)))}
    data = {
        c.key: [
            _cell(r[index[found[c.key]]]) if index[found[c.key]] < len(r) else "" for r in rows[1:]
        ]
        for c in columns
        if c.key in found
    }
    frame = pd.DataFrame(data, dtype="string")
    frame = frame.replace({"": None})
    con.register("_sheet_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _sheet_frame")
    finally:
        con.unregister("_sheet_frame")
    # Trailing blank rows of a sheet are not data.
    con.execute(
        f"DELETE FROM {table} WHERE {' AND '.join(f'{k} IS NULL' for k in found)} AND rowid >= (SELECT coalesce(max(rowid), -1) FROM {table} WHERE {' OR '.join(f'{k} IS NOT NULL' for k in found)})"
    )
    rows_n = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    return StagedTable(table, rows_n, HEADER_ROW + 1, frozenset(found), tuple(header))


def register_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Copy a small pandas frame (e.g. a raw-value -> canonical-value map) into TEMP table ``name``."""
    con.register(f"{name}_frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_frame")
    finally:
        con.unregister(f"{name}_frame")


def values_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
) -> None:
    """TEMP table ``name`` with typed ``columns`` (name, SQL type) holding a few ``rows``.

    For small lookup maps (tens of rows): cheaper than building and registering a
    pandas frame, and the column types are explicit.
    """
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {name} (" + ", ".join(f"{c} {t}" for c, t in columns) + ")"
    )
    if rows:
        marks = ", ".join("?" for _ in columns)
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", [list(r) for r in rows])


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold (12.0 -> '12')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
