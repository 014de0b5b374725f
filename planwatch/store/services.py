"""Writes to the project store (reads are in :mod:`planwatch.store.selectors`).

In: a staging connection with the store attached as the default catalog (see
:func:`planwatch.store.connection.writing`) and a checked
:class:`~planwatch.ingest.staged.StagedBatch`-shaped object (files + TEMP tables
with a ``_file`` column).
Out: rows in the store, all in ONE transaction: a batch lands whole or not at all.

A newer file revises the figures it contains and never deletes figures it does not
mention: a stored row is replaced only when the new file has a row with the same
*figure* key (:attr:`TableRules.figure_by`, e.g. force, quarter and offence code for
PRC), so a partial table (one row for a force and quarter) leaves the other rows of
that force and quarter as they were. With ``replace=True`` (``--replace``) a file
replaces everything its *coverage* holds (:attr:`TableRules.replace_by`, e.g. level,
quarter and force; for reference tables the whole table). A data.police.uk street
file is the whole record of its month and force, so its figure is that month and
force. Every figure changed is written to ``revisions`` (key, old value, new value),
and each :class:`LoadRecord` says how many stored rows were replaced and how many
stored rows of the same coverage were kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

from planwatch.errors import NotFoundError, StoreError, suggest
from planwatch.store.schema import encode_records, ensure_record_table

if TYPE_CHECKING:  # only a records batch carries a source: other loads need not import the plan
    from planwatch.plan.models import RecordSourceDef


@dataclass(frozen=True)
class TableRules:
    """How a store table is replaced and how its revised figures are keyed and valued."""

    replace_by: tuple[str, ...]  # coverage: empty means the whole table
    key_sql: str
    value_sql: str | None
    #: What identifies one figure: column names, or SQL with ``{t}`` for the table;
    #: ``None``: the coverage is the figure.
    figure_by: tuple[str, ...] | None = None


_QUARTER = "fy_start || '/' || lpad(((fy_start + 1) % 100)::VARCHAR, 2, '0') || ' Q' || quarter"
RULES: dict[str, TableRules] = {
    "prc_offences": TableRules(
        ("level", "period_start", "force"),
        f"concat_ws(' | ', force, {_QUARTER}, coalesce(offence_code, offence_group))",
        "sum(count)",
        (
            "level",
            "period_start",
            "force",
            "coalesce({t}.offence_code::VARCHAR, {t}.offence_group)",
        ),
    ),
    "police_uk_counts": TableRules(
        ("month", "falls_within"),
        "concat_ws(' | ', nullif(falls_within, ''), strftime(month, '%Y-%m'), crime_type)",
        "sum(count)",
    ),
    "observations": TableRules(
        ("series", "area", "period_start"),
        "concat_ws(' | ', series, nullif(area, ''), period_label)",
        "sum(value)",
    ),
    "population": TableRules(("area", "year"), "concat_ws(' | ', area, year)", "sum(population)"),
    "offence_weights": TableRules(
        (), "concat_ws(' | ', offence_code, offence)", "avg(weight)", ("offence_code",)
    ),
    "offence_codes": TableRules((), "offence_code", None, ("offence_code",)),
}


class _Batch(Protocol):
    kind: str
    files: list[Any]
    tables: dict[str, str]


@dataclass(frozen=True)
class LoadRecord:
    """What one file's load did."""

    load_id: int
    file_name: str
    sha256: str
    source_kind: str
    rows: int
    periods_covered: str
    replaced_load_id: int | None
    revisions: int
    warnings: tuple[str, ...]
    note: str = ""
    #: stored rows this file replaced (deleted and written anew)
    replaced_rows: int = 0
    #: stored rows of the same coverage (e.g. force and quarter) the file does not mention:
    #: kept, unless the load was made with ``replace=True``, when they are among ``replaced_rows``
    unmentioned_rows: int = 0
    #: whether the load replaced its whole coverage (``--replace``)
    replace: bool = False


def write_batches(
    con: duckdb.DuckDBPyConnection,
    batches: Sequence[_Batch],
    *,
    replace: bool = False,
    dry_run: bool = False,
) -> list[LoadRecord]:
    """Write every file of every batch in ONE transaction; roll back everything on any failure.

    ``replace``: each file replaces its whole coverage, not only the figures it contains.
    ``dry_run``: the whole load is made in its transaction, then rolled back instead of
    committed: the records say exactly what it would do, and nothing is kept.
    """
    loaded_at = datetime.now().replace(microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        next_id = int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0])  # type: ignore[index]
        records: list[LoadRecord] = []
        for batch in batches:
            records += _write_batch(con, batch, next_id, loaded_at, replace)
            next_id += len(batch.files)
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return records


def _write_batch(
    con: duckdb.DuckDBPyConnection,
    batch: _Batch,
    first_id: int,
    loaded_at: datetime,
    replace: bool = False,
) -> list[LoadRecord]:
    """Load ids ``first_id``... for the batch's files; all its tables replaced and inserted at once."""
    ids = ", ".join(f"({i}, {first_id + i})" for i in range(len(batch.files)))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _ids AS SELECT * FROM (VALUES {ids}) t(_file, load_id)"
    )
    replaced: dict[int, int] = {}
    counts: dict[int, tuple[int, int]] = {}
    rules = RULES | _record_rules(con, batch, replace)
    for table, temp in batch.tables.items():
        for index, old_id, rows, unmentioned in _replace(
            con, table, temp, loaded_at, replace, rules[table], first_id
        ):
            replaced[index] = max(replaced.get(index, 0), old_id)
            before = counts.get(index, (0, 0))
            counts[index] = (before[0] + rows, before[1] + unmentioned)
    revised = dict(
        con.execute(
            f"SELECT load_id, count(*) FROM revisions WHERE load_id >= {first_id} GROUP BY ALL"
        ).fetchall()
    )
    _insert_loads(con, batch, first_id, loaded_at, replaced)
    records = []
    for index, file in enumerate(batch.files):
        load_id = first_id + index
        records.append(
            LoadRecord(
                load_id,
                file.name,
                file.sha256,
                batch.kind,
                file.rows,
                file.periods_covered,
                replaced.get(index),
                int(revised.get(load_id, 0)),
                tuple(str(w) for w in file.warnings),
                file.note,
                *counts.get(index, (0, 0)),
                replace,
            )
        )
    return records


def _insert_loads(
    con: duckdb.DuckDBPyConnection,
    batch: _Batch,
    first_id: int,
    loaded_at: datetime,
    replaced: dict[int, int],
) -> None:
    """The batch's load records, and their warnings, each table in ONE statement (a
    data.police.uk archive is hundreds of files): columns passed as lists and unnested."""
    files = batch.files
    ids = [first_id + i for i in range(len(files))]
    con.execute(
        """INSERT INTO loads SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]),
               unnest(?::VARCHAR[]), ?, unnest(?::BIGINT[]), unnest(?::DATE[]),
               unnest(?::DATE[]), unnest(?::VARCHAR[]), ?::TIMESTAMP, unnest(?::INTEGER[]),
               unnest(?::VARCHAR[])""",
        [
            ids,
            [f.name for f in files],
            [f.sha256 for f in files],
            batch.kind,
            [f.rows for f in files],
            [f.period_first for f in files],
            [f.period_last for f in files],
            [f.periods_covered for f in files],
            loaded_at,
            [replaced.get(i) for i in range(len(files))],
            [f.note or None for f in files],
        ],
    )
    warned = [(load_id, f, w) for load_id, f in zip(ids, files, strict=True) for w in f.warnings]
    if warned:
        con.execute(
            """INSERT INTO load_warnings SELECT unnest(?::INTEGER[]), unnest(?::VARCHAR[]),
                   unnest(?::INTEGER[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[])""",
            [
                [load_id for load_id, _, _ in warned],
                [w.location.file or f.name for _, f, w in warned],
                [w.location.row for _, _, w in warned],
                [w.location.field for _, _, w in warned],
                [w.message for _, _, w in warned],
            ],
        )


def _record_rules(
    con: duckdb.DuckDBPyConnection, batch: _Batch, replace: bool
) -> dict[str, TableRules]:
    """For a records batch: its table made ready, and the rules keying records by their id."""
    source: RecordSourceDef | None = getattr(batch, "source", None)
    if source is None:
        return {}
    table = ensure_record_table(
        con,
        source.name,
        getattr(batch, "column_types", {}),
        id_columns=source.id,
        date_column=source.date,
        area_column=source.area,
        replace=replace,
    )
    batch.tables[table] = encode_records(con, table, batch.tables[table])  # text as codes
    # No id: a file replaces the stored records of its months (and revise_by values).
    figure = source.id or (f"date_trunc('month', {{t}}.{source.date})", *source.revise_by)
    return {table: TableRules((), "''", None, figure)}


def _replace(
    con: duckdb.DuckDBPyConnection,
    table: str,
    temp: str,
    loaded_at: datetime,
    replace: bool,
    rules: TableRules,
    first_id: int,
) -> list[tuple[int, int, int, int]]:
    """Replace the stored rows the staged files revise, record revised figures, insert the new rows.

    Without ``replace`` only stored rows sharing a figure key with a new row go; with it,
    every stored row of the files' coverage. Returns (file index, replaced load id, stored
    rows replaced, stored rows of the coverage the file does not mention) per file that
    replaced something.
    """
    has_rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]  # type: ignore[index]
    replaced: list[tuple[int, int, int, int]] = []
    if has_rows:
        covered = _covered(con, table, temp, rules)
        mentioned = covered
        if rules.figure_by is not None:
            figure = rules.figure_by
            keys = ", ".join(f"{_qualified(expr, 's')} AS _k{i}" for i, expr in enumerate(figure))
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _figures AS SELECT DISTINCT _file, {keys} FROM {temp} s"
            )
            conds = " AND ".join(
                f"f._k{i} IS NOT DISTINCT FROM {_qualified(expr, 't')}"
                for i, expr in enumerate(figure)
            )
            mentioned = f"(SELECT t.*, f._file FROM {table} t JOIN _figures f ON {conds})"
        old = covered if replace else mentioned
        found = con.execute(
            f"""SELECT c._file, {"c" if replace else "m"}.load_id, {"c" if replace else "m"}.n,
                       c.n - coalesce(m.n, 0) FROM
                (SELECT _file, max(load_id) AS load_id, count(*) AS n FROM {covered} GROUP BY ALL) c
                LEFT JOIN (SELECT _file, max(load_id) AS load_id, count(*) AS n FROM {mentioned} GROUP BY ALL) m
                USING (_file)
                WHERE {"TRUE" if replace else "m.n > 0"}"""
        ).fetchall()
        replaced = [(int(f), int(lid), int(n), int(rest)) for f, lid, n, rest in found]
        if replaced and rules.value_sql:
            con.execute(
                f"""INSERT INTO revisions
                SELECT i.load_id, o.load_id, '{table}', o.k, o.v, n.v, ?::TIMESTAMP
                FROM (SELECT _file, {rules.key_sql} AS k, {rules.value_sql} AS v, max(load_id) AS load_id FROM {old} GROUP BY ALL) o
                LEFT JOIN (SELECT _file, {rules.key_sql} AS k, {rules.value_sql} AS v FROM {temp} GROUP BY ALL) n USING (_file, k)
                JOIN _ids i USING (_file)
                WHERE o.v IS DISTINCT FROM n.v""",
                [loaded_at],
            )
        if replaced and not replace and rules.figure_by is not None:
            conds = " AND ".join(
                f"f._k{i} IS NOT DISTINCT FROM {_qualified(expr, table)}"
                for i, expr in enumerate(rules.figure_by)
            )
            con.execute(
                f"DELETE FROM {table} WHERE EXISTS (SELECT 1 FROM _figures f WHERE {conds})"
            )
        elif replaced and rules.replace_by:
            conds = " AND ".join(f"{table}.{c} = _cover.{c}" for c in rules.replace_by)
            con.execute(f"DELETE FROM {table} USING _cover WHERE {conds}")
        elif replaced:
            con.execute(f"DELETE FROM {table}")
    # file i's load is first_id + i (as in _ids): a sum, not a join of every row (ten
    # million records: about 0.3 s of CPU less, three pairs)
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT s._file + {int(first_id)} AS load_id, "
        f"s.* EXCLUDE (_file) FROM {temp} s"
    )
    return replaced


def _covered(con: duckdb.DuckDBPyConnection, table: str, temp: str, rules: TableRules) -> str:
    """A subquery of the stored rows each staged file covers, with that file's ``_file``."""
    if rules.replace_by:
        cols = ", ".join(rules.replace_by)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _cover AS SELECT DISTINCT _file, {cols} FROM {temp}"
        )
        return f"(SELECT t.*, c._file FROM {table} t JOIN _cover c USING ({cols}))"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _cover AS SELECT DISTINCT _file FROM {temp}")
    return f"(SELECT t.*, c._file FROM {table} t CROSS JOIN _cover c)"


def _qualified(expr: str, alias: str) -> str:
    """A figure expression on table ``alias``: a column name, or SQL with ``{t}`` for the table."""
    return expr.format(t=alias) if "{t}" in expr else f"{alias}.{expr}"


# --- suspect values ----------------------------------------------------------------

#: What an analyst can do with a suspect value.
ACTIONS = ("confirm", "reject", "correct")


def resolve_observation(
    con: duckdb.DuckDBPyConnection,
    series: str,
    period_start: date,
    *,
    area: str | None = None,
    action: str = "confirm",
    value: float | None = None,
) -> int:
    """Confirm, reject or correct a stored observation; returns how many rows changed.

    ``confirm`` lets a suspect value into analysis; ``reject`` keeps it out for good;
    ``correct`` replaces the value (recorded in ``revisions``) and marks it confirmed.
    """
    if action not in ACTIONS:
        raise StoreError(f"unknown action '{action}'", expected=" or ".join(ACTIONS))
    if action == "correct" and value is None:
        raise StoreError("a correction needs the right value", expected="--value NUMBER")
    where = "lower(series) = lower(?) AND period_start = ?" + (
        " AND lower(area) = lower(?)" if area is not None else ""
    )
    params: list[Any] = [series, period_start] + ([area] if area is not None else [])
    rows = con.execute(
        f"SELECT load_id, series, area, period_label, value FROM observations WHERE {where}", params
    ).fetchall()
    if not rows:
        known = [
            r[0]
            for r in con.execute("SELECT DISTINCT series FROM observations ORDER BY 1").fetchall()
        ]
        raise NotFoundError(
            f"no stored value for series '{series}' in the period starting {period_start:%d %B %Y}"
            + (f" for area '{area}'" if area else ""),
            expected="a series and period that have been loaded (see 'planwatch status')",
            suggestion=suggest(series, known),
        )
    con.execute("BEGIN TRANSACTION")
    try:
        if action == "correct":
            now = datetime.now().replace(microsecond=0)
            for load_id, name, row_area, label, old in rows:
                con.execute(
                    "INSERT INTO revisions VALUES (?, ?, 'observations', ?, ?, ?, ?)",
                    [
                        load_id,
                        load_id,
                        " | ".join(p for p in (name, row_area, label) if p),
                        old,
                        value,
                        now,
                    ],
                )
            con.execute(
                f"UPDATE observations SET value = ?, status = 'confirmed' WHERE {where}",
                [value, *params],
            )
        else:
            status = "confirmed" if action == "confirm" else "rejected"
            con.execute(f"UPDATE observations SET status = ? WHERE {where}", [status, *params])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(rows)
