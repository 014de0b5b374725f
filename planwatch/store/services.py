"""Writes to the project store (reads are in :mod:`planwatch.store.selectors`).

In: a staging connection with the store attached as the default catalog (see
:func:`planwatch.store.connection.writing`) and a checked
:class:`~planwatch.ingest.staged.StagedBatch`-shaped object (files + TEMP tables
with a ``_file`` column).
Out: rows in the store, all in ONE transaction: a batch lands whole or not at all.

A newer release of a table replaces the stored rows it covers — the same
``REPLACE`` key (e.g. level, quarter and force for PRC) — and every figure it
changes is written to ``revisions`` (key, old value, new value). Reference tables
(weights, offence codes) are replaced whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import duckdb

from planwatch.errors import NotFoundError, Problem, StoreError, suggest


@dataclass(frozen=True)
class TableRules:
    """How a store table is replaced and how its revised figures are keyed and valued."""

    replace_by: tuple[str, ...]  # empty: a new load replaces the whole table
    key_sql: str
    value_sql: str | None


_QUARTER = "fy_start || '/' || lpad(((fy_start + 1) % 100)::VARCHAR, 2, '0') || ' Q' || quarter"
RULES: dict[str, TableRules] = {
    "prc_offences": TableRules(
        ("level", "period_start", "force"),
        f"concat_ws(' | ', force, {_QUARTER}, coalesce(offence_code, offence_group))",
        "sum(count)",
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
    "offence_weights": TableRules((), "concat_ws(' | ', offence_code, offence)", "avg(weight)"),
    "offence_codes": TableRules((), "offence_code", None),
}


class _File(Protocol):
    name: str
    sha256: str
    rows: int
    period_first: date | None
    period_last: date | None
    periods_covered: str
    warnings: list[Problem]
    note: str


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


def write_batches(con: duckdb.DuckDBPyConnection, batches: Sequence[_Batch]) -> list[LoadRecord]:
    """Write every file of every batch in ONE transaction; roll back everything on any failure."""
    loaded_at = datetime.now().replace(microsecond=0)
    con.execute("BEGIN TRANSACTION")
    try:
        next_id = int(con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM loads").fetchone()[0])  # type: ignore[index]
        records: list[LoadRecord] = []
        for batch in batches:
            records += _write_batch(con, batch, next_id, loaded_at)
            next_id += len(batch.files)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return records


def _write_batch(
    con: duckdb.DuckDBPyConnection, batch: _Batch, first_id: int, loaded_at: datetime
) -> list[LoadRecord]:
    """Load ids ``first_id``... for the batch's files; all its tables replaced and inserted at once."""
    ids = ", ".join(f"({i}, {first_id + i})" for i in range(len(batch.files)))
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _ids AS SELECT * FROM (VALUES {ids}) t(_file, load_id)"
    )
    replaced: dict[int, int] = {}
    for table, temp in batch.tables.items():
        for index, old_id in _replace(con, table, temp, loaded_at):
            replaced[index] = max(replaced.get(index, 0), old_id)
    revised = dict(
        con.execute(
            f"SELECT load_id, count(*) FROM revisions WHERE load_id >= {first_id} GROUP BY ALL"
        ).fetchall()
    )
    records = []
    for index, file in enumerate(batch.files):
        load_id = first_id + index
        con.execute(
            "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                file.name,
                file.sha256,
                batch.kind,
                file.rows,
                file.period_first,
                file.period_last,
                file.periods_covered,
                loaded_at,
                replaced.get(index),
                file.note or None,
            ],
        )
        for w in file.warnings:
            con.execute(
                "INSERT INTO load_warnings VALUES (?, ?, ?, ?, ?)",
                [
                    load_id,
                    w.location.file or file.name,
                    w.location.row,
                    w.location.field,
                    w.message,
                ],
            )
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
            )
        )
    return records


def _replace(
    con: duckdb.DuckDBPyConnection, table: str, temp: str, loaded_at: datetime
) -> list[tuple[int, int]]:
    """Replace the stored rows the staged files cover, record revised figures, insert the new rows.

    Returns (file index, replaced load id) for each file that replaced something.
    """
    rules = RULES[table]
    has_rows = con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]  # type: ignore[index]
    replaced: list[tuple[int, int]] = []
    if has_rows:
        if rules.replace_by:
            cols = ", ".join(rules.replace_by)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _cover AS SELECT DISTINCT _file, {cols} FROM {temp}"
            )
            old = f"(SELECT t.*, c._file FROM {table} t JOIN _cover c USING ({cols}))"
        else:
            con.execute(f"CREATE OR REPLACE TEMP TABLE _cover AS SELECT DISTINCT _file FROM {temp}")
            old = f"(SELECT t.*, c._file FROM {table} t CROSS JOIN _cover c)"
        replaced = con.execute(f"SELECT _file, max(load_id) FROM {old} GROUP BY ALL").fetchall()
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
        if replaced and rules.replace_by:
            conds = " AND ".join(f"{table}.{c} = _cover.{c}" for c in rules.replace_by)
            con.execute(f"DELETE FROM {table} USING _cover WHERE {conds}")
        elif replaced:
            con.execute(f"DELETE FROM {table}")
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT i.load_id, s.* EXCLUDE (_file) FROM {temp} s JOIN _ids i USING (_file)"
    )
    return [(int(f), int(lid)) for f, lid in replaced]


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
