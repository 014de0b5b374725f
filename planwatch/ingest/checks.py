"""Checks run in SQL over a staged table, each returning problems that name file, row and field.

In: a staging connection, a :class:`~planwatch.ingest.source.StagedTable` and what
a column must hold. Out: lists of :class:`~planwatch.errors.Problem` (the caller
raises them together) and small Python mappings from each distinct raw value to
its parsed form, so that a million rows are checked with a handful of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import duckdb

from planwatch.errors import Location, PlanwatchError, Problem, suggest
from planwatch.ingest.source import StagedTable

#: Rows listed per kind of problem; the count of the rest is given in one line.
MAX_LISTED = 10

T = TypeVar("T")


def whole_number_sql(text: str) -> str:
    """SQL for ``text`` (a count as written, thousands separators allowed) as a BIGINT, or
    NULL when it is not a whole number. DuckDB's own cast to an integer rounds ('1.5' is 2)
    and reads hexadecimal ('0x10' is 16): a count must have the same value as a number."""
    cleaned = f"replace({text}, ',', '')"
    return (
        f"CASE WHEN TRY_CAST({cleaned} AS DOUBLE) = TRY_CAST({cleaned} AS BIGINT) "
        f"THEN TRY_CAST({cleaned} AS BIGINT) END"
    )


def number_problems(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    key: str,
    field: str,
    file: str,
    *,
    whole: bool = True,
    negative_ok: bool = False,
    required: bool = True,
) -> list[Problem]:
    """Rows whose ``key`` is not a number (or not whole, negative, or blank when required)."""
    expected = ("a whole number" if whole else "a number") + ("" if negative_ok else " (0 or more)")
    cleaned = f"replace({key}, ',', '')"
    parsed = whole_number_sql(key) if whole else _number(key)
    blank = f"{key} IS NULL" if required else "FALSE"
    bad = f"({blank} OR ({key} IS NOT NULL AND {parsed} IS NULL))"
    if not negative_ok:
        bad = f"({bad} OR TRY_CAST({cleaned} AS DOUBLE) < 0)"
    return _listed(
        con,
        staged,
        bad,
        key,
        file,
        field,
        lambda value: f"'{field}' is {'blank' if value is None else repr(value)}",
        expected,
    )


def blank_problems(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    key: str,
    field: str,
    file: str,
    expected: str,
) -> list[Problem]:
    """The first row where ``key`` is blank, as one problem naming the file's column ``field``."""
    hit = con.execute(
        f"SELECT min({staged.row_sql()}) FROM {staged.table} WHERE {key} IS NULL"
    ).fetchone()
    if hit is None or hit[0] is None:
        return []
    where = Location(file=file, row=int(hit[0]), field=field)
    return [Problem(f"'{field}' is blank", where, expected=expected)]


def map_distinct(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    keys: tuple[str, ...],
    parse: Callable[..., T | None],
    file: str,
    field: str,
    *,
    describe: Callable[..., Problem] | None = None,
) -> tuple[dict[tuple[str | None, ...], T], list[Problem]]:
    """Parse each distinct combination of ``keys`` once; failures are reported at their first row.

    ``parse`` gets the raw values and returns the parsed value, or ``None`` / raises a
    :class:`PlanwatchError` when they are invalid. ``describe(values, location)`` builds
    the problem for an invalid combination (default: the error's own message).
    """
    cols = ", ".join(keys)
    distinct = con.execute(
        f"SELECT {cols}, min({staged.row_sql()}) AS first_row FROM {staged.table} GROUP BY ALL ORDER BY first_row"
    ).fetchall()
    mapping: dict[tuple[str | None, ...], T] = {}
    problems: list[Problem] = []
    for *values, first_row in distinct:
        where = Location(file=file, row=first_row, field=field)
        try:
            parsed = parse(*values)
        except PlanwatchError as exc:
            problems.append(
                Problem(
                    exc.problems[0].message,
                    where,
                    exc.problems[0].expected,
                    exc.problems[0].suggestion,
                )
            )
            continue
        if parsed is None:
            problems.append(
                describe(*values, location=where)
                if describe
                else Problem(f"'{field}' {values!r} is not valid", where)
            )
            continue
        mapping[tuple(values)] = parsed
    return mapping, problems[: MAX_LISTED * 2]


def unknown_name(what: str, field: str, known: Iterable[str]) -> Callable[..., Problem]:
    """A ``describe`` callback: an unknown name with the nearest known one."""
    pool = sorted(set(known))

    def describe(value: str | None, *, location: Location) -> Problem:
        return Problem(
            f"unknown {what} {value!r}",
            location,
            expected=f"a known {what}",
            suggestion=suggest(value or "", pool),
        )

    return describe


def duplicate_problems(
    con: duckdb.DuckDBPyConnection,
    table: str,
    keys: tuple[str, ...],
    file: str,
    what: str,
    *,
    where: str = "TRUE",
) -> list[Problem]:
    """Rows whose ``keys`` repeat an earlier row (``table`` has a ``source_row`` column)."""
    cols = ", ".join(keys)
    repeated = f"SELECT {cols} FROM {table} WHERE {where} GROUP BY ALL HAVING count(*) > 1"
    rows = con.execute(
        f"""SELECT {cols}, list(source_row ORDER BY source_row) AS rows_ FROM {table}
            SEMI JOIN ({repeated}) USING ({cols}) WHERE {where}
            GROUP BY ALL ORDER BY min(source_row) LIMIT {MAX_LISTED}"""
    ).fetchall()
    problems = []
    for *values, rows_ in rows:
        label = ", ".join(str(v) for v in values)
        problems.append(
            Problem(
                f"duplicate row: {what} ({label}) already appears at row {rows_[0]}",
                Location(file=file, row=rows_[1]),
                expected=f"one row per {what}",
            )
        )
    return problems


def _listed(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    condition: str,
    values: str,
    file: str,
    field: str,
    describe: Callable[..., str],
    expected: str,
) -> list[Problem]:
    """One problem per row where ``condition`` holds (at most :data:`MAX_LISTED`, then a count)."""
    rows = con.execute(
        f"SELECT {staged.row_sql()}, {values} FROM {staged.table} WHERE {condition} "
        f"ORDER BY rowid LIMIT {MAX_LISTED + 1}"
    ).fetchall()
    total = _count(con, staged, condition) if len(rows) > MAX_LISTED else len(rows)
    problems = [
        Problem(describe(*found), Location(file=file, row=row, field=field), expected=expected)
        for row, *found in rows[:MAX_LISTED]
    ]
    return problems + _more(total, file, field)


def _number(key: str) -> str:
    return f"TRY_CAST(replace({key}, ',', '') AS DOUBLE)"


def ratio_problems(con: duckdb.DuckDBPyConnection, staged: StagedTable, file: str) -> list[Problem]:
    """Rows whose numerator is greater than their denominator (a part bigger than its whole)."""
    if not {"numerator", "denominator"} <= staged.present:
        return []
    return _listed(
        con,
        staged,
        f"{_number('numerator')} > {_number('denominator')}",
        "numerator, denominator",
        file,
        "numerator",
        lambda num, den: f"'numerator' {num} is greater than 'denominator' {den}",
        "a numerator no greater than its denominator",
    )


def unread_series_warnings(
    con: duckdb.DuckDBPyConnection, staged: StagedTable, plan_series: Iterable[str], file: str
) -> list[Problem]:
    """A warning for each series in the file that no plan measure reads, with the nearest."""
    known = sorted(set(plan_series))
    found = con.execute(
        f"SELECT series, min({staged.row_sql()}) AS r FROM {staged.table} "
        "WHERE series IS NOT NULL GROUP BY ALL ORDER BY r"
    ).fetchall()
    return [
        Problem(
            f"no measure in the plan reads the series '{name}': it is stored but not reported",
            Location(file=file, row=row, field="measure"),
            expected="a series named in the plan (source: {kind: series, series: ...})",
            suggestion=suggest(name, known),
        )
        for name, row in found
        if name.lower() not in known
    ]


def _count(con: duckdb.DuckDBPyConnection, staged: StagedTable, condition: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {staged.table} WHERE {condition}").fetchone()[0])  # type: ignore[index]


def _more(total: int, file: str, field: str) -> list[Problem]:
    if total <= MAX_LISTED:
        return []
    return [
        Problem(
            f"... and {total - MAX_LISTED} more rows with the same problem",
            Location(file=file, field=field),
        )
    ]
