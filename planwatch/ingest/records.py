"""Record-level extracts: one row per crime, casualty, incident or person.

In: CSV, XLSX, ODS or Parquet files and the plan's
:class:`~planwatch.plan.models.RecordSourceDef` for them (``record_sources:`` in
``plan.yaml``: which columns to keep, their types, which identify a record, which is
the date to count by and which the area).
Out: a :class:`RecordBatch` whose TEMP table holds the mapped columns only, in their
declared types, for ``records_<name>`` (:func:`planwatch.store.schema.ensure_record_table`).

Data minimisation: a column the plan does not map is never read into the store — names,
addresses and free text stay in the file. A mapped column whose name or content looks
like personal data (names, dates of birth, phone numbers, emails, addresses) is kept, as
the plan says, with a warning.

Rules (each breach is reported with file, row and field; nothing is stored):

* every mapped column is in the file; a file with the columns of another record source
  of the plan is named as that source's file;
* dates parse (the column's ``format``, or ISO ``YYYY-MM-DD``); the date counted by and
  the id columns are never blank;
* integers and numbers are numbers; a flag holds only its declared true / false
  spellings (case-insensitive; a blank cell is false unless the spellings leave it out,
  then it is unknown);
* no two rows share a record id, within a file or across the files of one load. A
  source without an id (data.police.uk: anti-social behaviour has no Crime ID) is
  revised by month and its ``revise_by`` columns instead.

A folder stands for the CSV files in it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import duckdb

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.checks import MAX_LISTED, duplicate_problems, number_problems
from planwatch.ingest.files import detect_type, read_first_line, sha256_of
from planwatch.ingest.source import Column, StagedTable, header_key, match_header, stage_table
from planwatch.ingest.staged import IngestContext, StagedBatch, StagedFile
from planwatch.periods import Month
from planwatch.plan.models import Plan, RecordColumn, RecordSourceDef
from planwatch.store.schema import record_table

#: The first bytes of a Parquet file.
PARQUET_MAGIC = b"PAR1"
#: Column names or headers that suggest personal data (matched as whole words, any case).
PERSONAL_NAME = re.compile(
    r"(^|[\s_])(name|names|forename|surname|first[\s_]?name|last[\s_]?name|full[\s_]?name|"
    r"dob|d\.o\.b|birth|date[\s_]of[\s_]birth|birth[\s_]?date|phone|telephone|tel|mobile|"
    r"email|e[\s_-]?mail|address|street|postcode|post[\s_]code|ni[\s_]number|"
    r"national[\s_]insurance|nhs[\s_]number)($|[\s_])",
    re.I,
)
#: Values that look like an email address or a UK phone number.
PERSONAL_VALUE = {
    "email addresses": r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
    "phone numbers": r"^(\+44\s?|0)[\d\s]{9,12}$",
}
#: Values of a text column sampled for personal data, and the share that must match.
SNIFF_VALUES = 1000
SNIFF_SHARE = 0.5


@dataclass
class RecordBatch(StagedBatch):
    """A staged records load: the batch plus the source definition its table is made from."""

    source: RecordSourceDef | None = None
    #: column -> declared type, for :func:`planwatch.store.schema.ensure_record_table`
    column_types: dict[str, str] = field(default_factory=dict)
    #: the typed TEMP table of each file, until :meth:`finish` joins them
    parts: list[str] = field(default_factory=list)

    @staticmethod
    def of(source: RecordSourceDef) -> RecordBatch:
        types: dict[str, str] = {c: spec.type for c, spec in source.columns.items()}
        return RecordBatch("records", source=source, column_types=types)

    def add(self, con: duckdb.DuckDBPyConnection, raw: StagedTable, display: str, sha: str) -> None:
        """Check and type one file's staged rows (text columns named as the source maps them)."""
        source = self.source
        assert source is not None
        ready = convert_records(con, raw, source, display, len(self.files))
        warnings = _personal_data(con, ready, source, display)
        first, last = con.execute(
            f"SELECT min({source.date}), max({source.date}) FROM {ready}"
        ).fetchone()  # type: ignore[misc]
        self.files.append(
            StagedFile(
                display,
                sha,
                raw.rows,
                first,
                last,
                _span(first, last),
                warnings,
                note=f"record source '{source.name}'",
            )
        )
        self.parts.append(ready)

    def finish(self, con: duckdb.DuckDBPyConnection) -> RecordBatch:
        """All files' records in one TEMP table for the store, with no id in two files."""
        if not self.parts:
            return self
        assert self.source is not None
        table = self.parts[0]
        if len(self.parts) > 1:  # a view: the files' rows are not copied again
            table = "records_ready"
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {table} AS "
                + " UNION ALL BY NAME ".join(f"SELECT * FROM {p}" for p in self.parts)
            )
        _across_files(con, table, self.source, self.files)
        self.tables[record_table(self.source.name)] = table
        return self


def record_source_of(plan: Plan, name: str) -> RecordSourceDef:
    """The plan's record source ``name`` (a clear error with the nearest name if absent)."""
    from planwatch.errors import NotFoundError, suggest

    try:
        return plan.record_source(name)
    except KeyError:
        known = list(plan.record_source_names())
        raise NotFoundError(
            f"the plan has no record source '{name}'",
            expected="a name under 'record_sources:' in plan.yaml"
            + (f" ({', '.join(known)})" if known else ""),
            suggestion=suggest(name, known),
        ) from None


def stage_records(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    plan: Plan,
    name: str,
    ctx: IngestContext,
) -> RecordBatch:
    """Read, check and stage every file of one records load into ONE TEMP table."""
    source = record_source_of(plan, name)
    batch = RecordBatch.of(source)
    for folder in (p for p in paths if p.is_dir() and not any(p.rglob("*.csv"))):
        raise IngestError(
            "the folder holds no CSV files",
            location=Location(file=str(folder)),
            expected="record extracts (CSV in a folder; XLSX, ODS or Parquet given by name)",
        )
    for path in [f for p in paths for f in (sorted(p.rglob("*.csv")) if p.is_dir() else [p])]:
        display = str(path)
        sha = sha256_of(path)
        if sha in ctx.known_files:
            batch.already_loaded.append((display, ctx.known_files[sha]))
            continue
        raw = _read(con, path, display, source, plan, len(batch.files), ctx)
        batch.add(con, raw, display, sha)
    return batch.finish(con)


def _span(first: date, last: date) -> str:
    a, b = Month(first.year, first.month), Month(last.year, last.month)
    return a.label if a == b else f"{a.label} to {b.label}"


def _read(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    display: str,
    source: RecordSourceDef,
    plan: Plan,
    index: int,
    ctx: IngestContext,
) -> StagedTable:
    """The file's mapped columns as text in TEMP table ``records_raw_<index>``."""
    columns = [Column(source.header_of(c), c, required=False) for c in source.columns]
    table = f"records_raw_{index}"
    with path.open("rb") as fh:
        parquet = fh.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC
    if parquet:
        raw = _stage_parquet(con, path, columns, table, display)
    elif detect_type(path, display=display) == "csv":
        header = tuple(next(csv.reader([read_first_line(path)]), []))
        if not all(header_key(c.name) in {header_key(h) for h in header} for c in columns):
            _wrong_source(header, source, plan, display)
        raw = stage_table(con, path, columns, table, display=display, workdir=ctx.workdir)
    else:
        raw = stage_table(con, path, columns, table, display=display, workdir=ctx.workdir)
    if len(raw.present) < len(columns):
        _wrong_source(raw.header, source, plan, display)
        match_header(raw.header, [Column(c.name, c.key) for c in columns], display)
    return raw


def _stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, columns: list[Column], table: str, display: str
) -> StagedTable:
    lit = "'" + str(path).replace("'", "''") + "'"
    try:
        header = [
            str(r[0]) for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit})").fetchall()
        ]
    except duckdb.Error as exc:
        raise IngestError(
            f"the Parquet file cannot be read ({str(exc).splitlines()[0]})",
            location=Location(file=display),
            expected="a complete Parquet file",
        ) from exc
    by_key = {header_key(h): h for h in header}
    found = {c.key: by_key[header_key(c.name)] for c in columns if header_key(c.name) in by_key}
    select = ", ".join(
        "nullif(trim(" + '"' + found[c.key].replace('"', '""') + '"' + f"::VARCHAR), '') AS {c.key}"
        for c in columns
        if c.key in found
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select or 'NULL AS _none'} FROM read_parquet({lit})"
    )
    rows = int(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
    if rows == 0:
        raise IngestError(
            "the file has no records", location=Location(file=display), expected="at least one row"
        )
    # A Parquet file has no header row: record 1 is row 1.
    return StagedTable(table, rows, 1, frozenset(found), tuple(header))


def _wrong_source(
    header: tuple[str, ...], source: RecordSourceDef, plan: Plan, display: str
) -> None:
    """Raise if the file holds every column of another record source of the plan."""
    have = {header_key(h) for h in header}
    for other in plan.record_sources:
        if other.name == source.name:
            continue
        if all(header_key(other.header_of(c)) in have for c in other.columns):
            raise IngestError(
                f"this file has the columns of record source '{other.name}', not '{source.name}'",
                location=Location(file=display),
                expected=f"a '{source.name}' extract with "
                + ", ".join(source.header_of(c) for c in source.columns),
                suggestion=f"planwatch ingest records {other.name} {Path(display).name}",
            )


def _text(key: str) -> str:
    return f"nullif(trim({key}), '')"


def _date_sql(key: str, spec: RecordColumn) -> str:
    iso = f"coalesce(TRY_CAST({_text(key)} AS DATE), TRY_CAST({_text(key)} AS TIMESTAMP)::DATE)"
    if spec.format is None:
        return iso
    fmt = spec.format.replace("'", "''")
    return f"coalesce(try_strptime({_text(key)}, '{fmt}')::DATE, {iso})"


def _flag_sql(key: str, spec: RecordColumn) -> str:
    true = ", ".join(_lit(v.strip().lower()) for v in spec.true)
    false = ", ".join(_lit(v.strip().lower()) for v in spec.false)
    value = f"lower(trim(coalesce({key}, '')))"
    return f"CASE WHEN {value} IN ({true}) THEN TRUE WHEN {value} IN ({false}) THEN FALSE END"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def convert_records(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    source: RecordSourceDef,
    display: str,
    index: int,
) -> str:
    """Check every mapped column and write the typed rows to ``records_typed_<index>``.

    The rows are converted in ONE pass; a column with fewer values after conversion than
    before (or a blank id or date) is then looked at again to list its bad rows, so a
    clean file costs one conversion and two counts.
    """
    checks: dict[str, Callable[[], list[Problem]]] = {}
    required: dict[str, Callable[[], list[Problem]]] = {}
    select: list[str] = []
    for column, spec in source.columns.items():
        header = source.header_of(column)
        if column in source.id or column == source.date:
            required[column] = partial(
                bad_rows, con, raw, f"{_text(column)} IS NULL", column, header, display,
                "blank", "a value in every row (it identifies or dates the record)",
            )  # fmt: skip
        if spec.type == "text":
            select.append(f"{_text(column)} AS {column}")
        elif spec.type in ("integer", "number"):
            whole = spec.type == "integer"
            sql_type = "BIGINT" if whole else "DOUBLE"
            select.append(f"TRY_CAST(replace({_text(column)}, ',', '') AS {sql_type}) AS {column}")
            checks[column] = partial(
                number_problems, con, raw, column, header, display,
                whole=whole, negative_ok=True, required=False,
            )  # fmt: skip
        elif spec.type == "date":
            select.append(f"{_date_sql(column, spec)} AS {column}")
            checks[column] = partial(
                bad_rows, con, raw, f"{_text(column)} IS NOT NULL AND {_date_sql(column, spec)} IS NULL",
                column, header, display, None, f"a date like {_example(spec)}",
            )  # fmt: skip
        else:
            forms = ", ".join(repr(v) for v in (*spec.true, *spec.false))
            select.append(f"{_flag_sql(column, spec)} AS {column}")
            checks[column] = partial(
                bad_rows, con, raw, f"{_flag_sql(column, spec)} IS NULL AND {_text(column)} IS NOT NULL",
                column, header, display, None, f"one of {forms} (declared in the plan)",
            )  # fmt: skip
    table = f"records_typed_{index}"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {index} AS _file, "
        f"{raw.row_sql()}::INTEGER AS source_row, {', '.join(select)} FROM {raw.table}"
    )
    before = _counts(con, raw.table, list(checks))
    after = _counts(con, table, list(checks) + list(required))
    problems = [p for c, report in checks.items() if after[c] < before[c] for p in report()]
    problems += [p for c, report in required.items() if after[c] < raw.rows for p in report()]
    if problems:
        raise IngestError(problems=problems)
    con.execute(f"DROP TABLE {raw.table}")
    duplicates = (
        duplicate_problems(con, table, source.id, display, "record id") if source.id else []
    )
    if duplicates:
        raise IngestError(problems=duplicates)
    return table


def _counts(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> dict[str, int]:
    """Values (not NULL) in each column, in one pass."""
    if not columns:
        return {}
    row = con.execute(
        "SELECT " + ", ".join(f"count({c})" for c in columns) + f" FROM {table}"
    ).fetchone()
    return dict(zip(columns, row or (), strict=True))


def _example(spec: RecordColumn) -> str:
    return date(2024, 3, 31).strftime(spec.format) if spec.format else "2024-03-31"


def bad_rows(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    condition: str,
    key: str,
    header: str,
    display: str,
    shown: str | None,
    expected: str,
) -> list[Problem]:
    """Rows meeting ``condition``, first ones listed with their row, then how many more."""
    rows = con.execute(
        f"SELECT {raw.row_sql()}, {key} FROM {raw.table} WHERE {condition} ORDER BY rowid LIMIT {MAX_LISTED}"
    ).fetchall()
    if not rows:
        return []
    problems = [
        Problem(
            f"'{header}' is {shown or repr(value)}",
            Location(file=display, row=row, field=header),
            expected=expected,
        )
        for row, value in rows
    ]
    if len(rows) == MAX_LISTED:
        (total,) = con.execute(  # type: ignore[misc]
            f"SELECT count(*) FROM {raw.table} WHERE {condition}"
        ).fetchone()
        if total > MAX_LISTED:
            problems.append(
                Problem(
                    f"... and {total - MAX_LISTED} more rows with the same problem",
                    Location(file=display, field=header),
                )
            )
    return problems


def _across_files(
    con: duckdb.DuckDBPyConnection, table: str, source: RecordSourceDef, files: list[StagedFile]
) -> None:
    """No record id in two files of one load."""
    if len(files) < 2 or not source.id:
        return
    ids = ", ".join(source.id)
    # Each file has no id twice already, so an id seen twice is in two files. Plain
    # aggregates, so that ten million ids can spill to disk; details only for the few found.
    repeated = con.execute(
        f"SELECT {ids} FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT {MAX_LISTED}"
    ).fetchall()
    problems = []
    for key in repeated:
        match = " AND ".join(f"{c} = ?" for c in source.id)
        (first, row1), (second, row2), *_ = con.execute(
            f"SELECT _file, source_row FROM {table} WHERE {match} ORDER BY _file", list(key)
        ).fetchall()
        problems.append(
            Problem(
                f"duplicate record id ({', '.join(str(v) for v in key)}): also in "
                f"{files[first].name} row {row1}",
                Location(file=files[second].name, row=row2),
                expected="each record in one file of a load",
            )
        )
    if problems:
        raise IngestError(problems=problems)


def _personal_data(
    con: duckdb.DuckDBPyConnection, table: str, source: RecordSourceDef, display: str
) -> list[Problem]:
    """Warnings for mapped columns whose name or values look like personal data."""
    warnings: list[Problem] = []
    for column, spec in source.columns.items():
        header = source.header_of(column)
        if PERSONAL_NAME.search(column) or PERSONAL_NAME.search(header):
            warnings.append(_personal(header, "its name", display))
            continue
        if spec.type != "text":
            continue
        checks = ", ".join(
            f"avg(regexp_matches(v, {_lit(rx)}, 'i')::INTEGER)" for rx in PERSONAL_VALUE.values()
        )
        shares = con.execute(
            f"SELECT {checks} FROM (SELECT {column} AS v FROM {table} WHERE {column} IS NOT NULL LIMIT {SNIFF_VALUES})"
        ).fetchone()
        for what, share in zip(PERSONAL_VALUE, shares or (), strict=True):
            if share is not None and share >= SNIFF_SHARE:
                warnings.append(_personal(header, f"its values (they look like {what})", display))
                break
    return warnings


def _personal(header: str, why: str, display: str) -> Problem:
    return Problem(
        f"column '{header}' looks like personal data from {why}: it is stored because the plan "
        "maps it; map only what the measures need",
        Location(file=display, field=header),
    )
