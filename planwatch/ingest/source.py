"""Read one table — CSV, XLSX, ODS or XLS — into a DuckDB staging table.

In: a file, the columns a reader needs (:class:`Column`, matched to the header
case-, space- and underscore-insensitively), a staging connection and a table name.
Out: a TEMP table holding those columns as text, named by :attr:`Column.key`, in
file order (``rowid`` 0 is the first data row). CSV is read by DuckDB itself;
spreadsheets by python-calamine. Row numbers in messages count the header as
row 1, as a spreadsheet shows them.

Missing columns are reported all at once, each with the nearest header in the
file; so is a needed column whose name the header gives twice (which one was meant?).
A UTF-8 byte-order mark is ignored and Windows-1252 text is read as such. A NUL byte
inside a field is refused at its row and field (:func:`nul_problems`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from planwatch.errors import IngestError, Location, Problem, suggest
from planwatch.ingest.files import (
    FileType,
    detect_type,
    read_first_line,
    transcode_to_utf8,
    wrong_type,
)

#: Spreadsheet row of the header when a sheet starts with it (1-based, as Excel shows).
HEADER_ROW = 1
_SPACES = re.compile(r"[\s_\-]+")
_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")


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
    types = "{" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header) + "}"
    for attempt in (path, None):
        source = attempt or transcode_to_utf8(path, workdir / f"{table}.utf8.csv")
        sql = (
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select} FROM read_csv({_lit(str(source))}, "
            f"columns={types}, header=true, auto_detect=false, delim=',', quote='\"', escape='\"', null_padding=false)"
        )
        try:
            con.execute(sql)
            break
        except duckdb.InvalidInputException as exc:
            if "not utf-8 encoded" in str(exc) and attempt is not None:
                continue
            raise csv_error(exc, display) from exc
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    return StagedTable(table, rows, HEADER_ROW + 1, frozenset(found), tuple(header))


_CONVERT = re.compile(
    r'converting column "(?P<col>[^"]+)"\. Could not convert string "(?P<val>[^"]*)" to \'(?P<type>\w+)\''
)
_COLUMN_COUNT = re.compile(r"Expected Number of Columns: (?P<want>\d+) Found: (?P<got>\d+)")


def csv_error(exc: duckdb.Error, display: str) -> IngestError:
    """A DuckDB CSV parsing error as an IngestError naming the file, row (header = row 1) and field."""
    text = str(exc)
    line = _CSV_LINE.search(text)
    row = int(line.group(1)) if line else None
    if m := _CONVERT.search(text):
        kind = "a number" if m["type"] in ("DOUBLE", "BIGINT", "INTEGER") else m["type"].lower()
        return IngestError(
            f"'{m['col']}' is {m['val']!r}",
            location=Location(file=display, row=row, field=m["col"]),
            expected=kind,
        )
    if m := _COLUMN_COUNT.search(text):
        return IngestError(
            f"the row has {m['got']} fields",
            location=Location(file=display, row=row),
            expected=f"{m['want']} fields, as in the header (quote values that contain commas)",
        )
    if "not utf-8 encoded" in text.lower() or "invalid unicode" in text.lower():
        return IngestError(
            "the file is not text in a known encoding",
            location=Location(file=display, row=row),
            expected="UTF-8 or Windows-1252 text",
        )
    return IngestError(
        f"the CSV file cannot be read: {text.splitlines()[0]}",
        location=Location(file=display, row=row),
        expected="comma-separated rows with as many fields as the header",
    )


def _stage_sheet(
    con: duckdb.DuckDBPyConnection, path: Path, columns: Sequence[Column], table: str, display: str
) -> StagedTable:
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
