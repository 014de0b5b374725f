"""Counting a record-based measure in the store: ONE parameterised DuckDB query.

In: a connection to the store and a :class:`~planwatch.plan.records.RecordQuery`
(the measure's definition compiled and typed in the plan layer).
Out: a measure frame (:data:`planwatch.frames.MEASURE_FRAME_COLUMNS`): one row per
month or financial quarter the record source covers, the count (or distinct count,
or sum) of the records that pass the filters, 0 where none do.

Rules:

* column names come from the plan's record source, checked against
  ``[a-z][a-z0-9_]*`` by the plan; every value from the plan is a query parameter,
  so nothing in a plan can change the SQL;
* text tests ignore case and surrounding spaces; ``not_in`` keeps records with no value;
* a period is counted only if the source covers it: a month within the date span of a
  stored extract (its first to its last record's month, or the year of a STATS19 file),
  a quarter with all three months covered. Other periods are gaps, not zeros;
* a stock (``stock:`` in the plan) is counted at each period's end, not over it: with
  ``ends``, the records in post on the period's last day (started on or before it, ended
  on or after it or not at all), for the periods from the one ending on or after
  ``listed_from`` to the last one ending by the latest date the records hold; as a
  ``snapshot``, the rows of the period's latest snapshot date, a period with no snapshot
  being a gap;
* a share (``share:``) is the percentage of the counted records that also pass its test,
  with the two counts as numerator and denominator (a period with no record has none);
* on a coded column, text or integer (at most :data:`CODED_MAX` distinct values), a test
  that can match no stored record (``equals`` a value none has, ``in`` a list none has) is
  an error listing the nearest valid values, and so is a listed text that no record has
  but that is nearly one that some have (a misspelling, :data:`TYPO_CUTOFF`): a
  misspelt status, or a severity code 7, would otherwise count nothing, silently. A
  listed code that simply does not occur in this extract is fine. Where a codebook
  defines the column's codes (STATS19, :data:`planwatch.plan.records.STATS19_CODES`),
  those are valid too, stored or not (a code no casualty has this year counts zero),
  and any other value is an error. On a text column of more values (LSOA names) a test
  none of whose values a record has is an error too, found by looking up the listed
  values alone.

The definition is read on every call, so changing it in the plan needs no new load.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import Location, PlanError, Problem, StoreError
from planwatch.plan.records import Join, RecordQuery, Test
from planwatch.store.schema import CODED_SQL_TYPE, record_columns, record_relation, record_table

if TYPE_CHECKING:  # pandas is imported where a frame is built (fast start-up)
    import pandas as pd

#: A text column with at most this many distinct values is a coded column (offence codes,
#: statuses, districts), whose test values must occur in the data.
CODED_MAX = 500
#: Nearest valid values offered for an impossible value, and how close they must be.
NEAREST = 3
NEAREST_CUTOFF = 0.4
#: Of a text column of more than :data:`CODED_MAX` values, the stored texts most alike an
#: impossible value (Jaro-Winkler) among which the nearest are picked as for a coded column.
NEAREST_POOL = 50
#: A value this close (difflib ratio) to a stored value that is not the same is taken for a
#: misspelling of it.
TYPO_CUTOFF = 0.8

_TRUNC = {"month": "month", "quarter": "quarter"}  # calendar quarters are financial quarters
MONTHS = {"month": 1, "quarter": 3}
#: A share is shown in percent.
PERCENT = 100.0


def records_frame(
    con: duckdb.DuckDBPyConnection,
    query: RecordQuery,
    area: str,
    *,
    by_area: bool = False,
    by: str | None = None,
) -> pd.DataFrame:
    """The measure frame of ``query``; ``area`` labels force-level rows (the plan's area).

    ``by_area``: one row per period and value of the source's area column instead (every
    area, the measure's own ``area`` filter not applied; 0 where an area has none).
    ``by``: one row per period and value of that column of the source (e.g. a staff
    group), in the ``category`` column; the measure's filters apply.
    """
    import pandas as pd

    sql = records_sql(con, query, area, by_area=by_area, by=by)
    return pd.DataFrame() if sql is None else con.execute(*sql).df()


def records_sql(
    con: duckdb.DuckDBPyConnection,
    query: RecordQuery,
    area: str,
    *,
    by_area: bool = False,
    by: str | None = None,
) -> tuple[str, list[Any]] | None:
    """The query behind :func:`records_frame` and its parameters (the plan's values checked
    against the stored records first); ``None`` when no records of the source are stored."""
    table = record_table(query.source)
    stored = record_columns(con, table)
    if not stored:
        return None
    needed = [query.date_column, *(t.column for t in query.tests())]
    needed += [
        c for c in (query.of, query.stock_end, query.area_column if query.area else None) if c
    ]
    missing = sorted({c for c in needed if c not in stored})
    if missing:
        raise StoreError(
            f"measure '{query.measure_id}' uses column(s) {', '.join(missing)} of record source "
            f"'{query.source}', which the stored records do not have",
            expected=f"the records loaded again with the plan's mapping ('planwatch ingest "
            f"records {query.source} ...')",
        )
    # coded text (store/schema.py): tested on its codes, read as its text where it is
    # counted or grouped by (decoded by a join, for those columns only)
    coded = {c for c, t in stored.items() if t == CODED_SQL_TYPE}
    tests = _Coded(table, coded)
    read = [query.date_column, query.of, query.stock_end, by]
    read.append(query.area_column if by_area else None)
    rows = record_relation(con, table, {c for c in read if c})
    _check_values(con, tests, query)
    params: list[Any] = []
    where = _where(query.where, params, tests) if query.where is not None else "TRUE"
    if by_area and not query.area_column:
        raise StoreError(
            f"record source '{query.source}' has no area column to break measure "
            f"'{query.measure_id}' down by",
            expected="'area:' in the record source",
        )
    if query.area and not by_area:
        area = tests.test(str(query.area_column), "lower({}) = lower(?)")
        where = f"({where}) AND {area}"
        params.append(query.area)
    if by is not None and by not in stored:
        raise StoreError(
            f"record source '{query.source}' has no column '{by}' to break measure "
            f"'{query.measure_id}' down by",
            expected="one of " + ", ".join(c for c in stored if c not in ("load_id", "source_row")),
        )
    # by area: each area's own rows; else one row per period labelled with the area
    group = (
        f"coalesce(trim({by}::VARCHAR), '')"
        if by
        else f"coalesce(trim({query.area_column}), '')"
        if by_area
        else "''"
    )
    value = {
        "count": "count(*)",
        "count_distinct": f"count(DISTINCT {query.of})",
        "sum": f"sum({query.of})",
    }[query.aggregate]
    # a share: the part of the counted records that also pass the share's test, in percent
    share_params: list[Any] = []
    share = _where(query.share, share_params, tests) if query.share is not None else None
    measured = (
        f"{value} AS v, " + (f"{value} FILTER (WHERE {share})" if share else "NULL") + " AS n"
    )
    params = share_params + params  # the share's test comes first in the query's text
    trunc = _TRUNC[query.frequency]
    date_col = query.date_column
    if query.stock == "snapshot":
        # each period's latest snapshot date of the source (whatever the filters keep)
        periods = f"""periods AS (
            SELECT date_trunc('{trunc}', {date_col}) AS p, max({date_col}) AS _last
            FROM {rows} GROUP BY ALL
        )"""
        counted = f"""counted AS (
            SELECT per.p AS p, {group} AS a, {measured}
            FROM {rows} JOIN periods per ON {date_col} = per._last WHERE {where} GROUP BY ALL
        )"""
    elif query.stock == "span":
        step = f"INTERVAL {MONTHS[query.frequency]} MONTH"
        # periods from the one holding listed_from to the latest date the extract knows of,
        # each with its last day; a period ending after that date is not known yet
        periods = f"""bounds AS (
            SELECT greatest(max({date_col}), max({query.stock_end})) AS top FROM {rows}
        ), periods AS (
            SELECT p, (p + {step} - INTERVAL 1 DAY)::DATE AS _last FROM (
                SELECT unnest(generate_series(date_trunc('{trunc}', ?::DATE)::TIMESTAMP,
                                              (SELECT top FROM bounds)::TIMESTAMP, {step})) AS p
            ) WHERE (p + {step} - INTERVAL 1 DAY)::DATE BETWEEN ? AND (SELECT top FROM bounds)
        )"""
        counted = f"""counted AS (
            SELECT per.p AS p, {group} AS a, {measured}
            FROM periods per JOIN {rows}
              ON {date_col} <= per._last AND ({query.stock_end} IS NULL OR {query.stock_end} >= per._last)
            WHERE {where} GROUP BY ALL
        )"""
        params = [query.listed_from, query.listed_from, *params]
    else:
        months_needed = MONTHS[query.frequency]
        periods = f"""spans AS (
            SELECT date_trunc('month', period_first) AS a, date_trunc('month', period_last) AS b
            FROM loads WHERE load_id IN (SELECT DISTINCT load_id FROM {table})
        ), months AS (
            SELECT DISTINCT unnest(generate_series(a, b, INTERVAL 1 MONTH)) AS m FROM spans
        ), periods AS (
            SELECT date_trunc('{trunc}', m) AS p FROM months GROUP BY ALL
            HAVING count(*) = {months_needed}
        )"""
        counted = f"""counted AS (
            SELECT date_trunc('{trunc}', {date_col}) AS p, {group} AS a, {measured}
            FROM {rows} WHERE {where} GROUP BY ALL
        )"""
    shown = (
        f"CASE WHEN v > 0 THEN n * {PERCENT} / v END::DOUBLE" if share else "coalesce(v, 0)::DOUBLE"
    )
    sql = f"""
        WITH {periods}, areas AS (
            {f"SELECT DISTINCT {group} AS a FROM {rows}" if by or by_area else "SELECT '' AS a"}
        ), {counted}
        SELECT p::DATE AS period_start, ? AS frequency,
               CASE WHEN ? THEN a ELSE ? END AS area, {"a" if by else "?"} AS category,
               {shown} AS value, {"n" if share else "NULL"}::DOUBLE AS numerator,
               {"v" if share else "NULL"}::DOUBLE AS denominator, 'ok' AS status
        FROM periods CROSS JOIN areas LEFT JOIN counted USING (p, a) ORDER BY p, a
    """
    params += [query.frequency, by_area, query.area or area, *([] if by else [query.source])]
    return sql, params


class _Coded:
    """SQL for a test on a column of ``table``, on its codes where it is coded: the test
    is made on the column's texts in ``record_values`` and the rows kept are those whose
    code is one of the texts' that pass (a NULL stays NULL: no code)."""

    def __init__(self, table: str, coded: set[str]) -> None:
        self.table, self.coded = table, coded

    def codes(self, column: str, test: str = "TRUE") -> str:
        """The codes of ``column``'s texts passing ``test`` (SQL on ``value``)."""
        return (
            f"(SELECT code FROM record_values WHERE table_name = '{self.table}' "
            f"AND column_name = '{column}' AND {test})"
        )

    def distinct(self, column: str) -> str:
        """The distinct texts (not NULL) ``column`` holds: of a coded column, those of its
        codes in use (a text of records since replaced is not one)."""
        used = f"SELECT DISTINCT {column} FROM {self.table} WHERE {column} IS NOT NULL"
        if column not in self.coded:
            return used
        return (
            f"SELECT value FROM record_values WHERE table_name = '{self.table}' "
            f"AND column_name = '{column}' AND code IN ({used})"
        )

    def present(self, column: str) -> str:
        """The distinct texts of ``column`` (lower case) that are among the list given as
        the query's one parameter (lower case): of a coded column, those of its codes in use."""
        if column not in self.coded:
            return (
                f"SELECT DISTINCT lower({column}) FROM {self.table} "
                f"WHERE list_contains(?, lower({column}))"
            )
        return (
            f"SELECT DISTINCT lower(_t.value) FROM record_values _t "
            f"WHERE _t.table_name = '{self.table}' AND _t.column_name = '{column}' "
            f"AND list_contains(?, lower(_t.value)) "
            f"AND EXISTS (SELECT 1 FROM {self.table} _r WHERE _r.{column} = _t.code)"
        )

    def test(self, column: str, sql: str) -> str:
        """``sql`` (``{}`` for the column's text) on ``column``, false where it is NULL."""
        if column not in self.coded:
            return "(" + sql.format(column) + ")"
        return f"({column} IN {self.codes(column, sql.format('value'))})"


def _where(node: Test | Join, params: list[Any], coded: _Coded) -> str:
    if isinstance(node, Join):
        glue = " AND " if node.how == "all" else " OR "
        parts = [_where(p, params, coded) for p in node.parts]
        return "(" + glue.join(parts or ["TRUE"]) + ")"
    col = node.column
    text = "lower({})" if node.type == "text" else "{}"  # stored trimmed
    if node.op == "is_true":
        return f"({col} = {'TRUE' if node.positive else 'FALSE'})"
    if node.op == "is_empty":  # a coded column's NULL is NULL too
        return f"({col} IS {'' if node.positive else 'NOT '}NULL)"
    if node.op == "equals":
        params.append(node.values[0])
        return coded.test(col, f"{text} = ?")
    if node.op in ("in", "not_in"):
        params.append(list(node.values))
        test = coded.test(col, f"list_contains(?, {text})")
        return test if node.op == "in" else f"({col} IS NULL OR NOT {test})"
    if node.op == "contains":
        params.append(node.values[0])
        return coded.test(col, f"contains({text}, ?)")
    if node.op == "matches":
        params.append(node.values[0])
        return coded.test(col, "regexp_matches({}, ?)")
    params += list(node.values[:2])
    return coded.test(col, "{} BETWEEN ? AND ?")


def _check_values(con: duckdb.DuckDBPyConnection, coded: _Coded, query: RecordQuery) -> None:
    """Every value a text or integer column is tested for (``equals``, ``in``, ``not_in``,
    the measure's area) can be one a record has (see the module docstring):

    * a column with a codebook (:attr:`RecordQuery.codes`): each value is one of its codes
      or a stored value;
    * a coded column (at most :data:`CODED_MAX` distinct values): some listed value is a
      stored one, and no text value is a misspelling of one;
    * a text column of more distinct values (names of places): some listed value is a
      stored one, found by looking for the listed values alone (one query).
    """
    problems: list[Problem] = []
    asked: list[tuple[str, str, tuple[Any, ...]]] = [
        (t.column, t.type, t.values)
        for t in query.tests()
        if t.type in ("text", "integer") and t.op in ("equals", "in", "not_in")
    ]
    if query.area and query.area_column:
        asked.append((query.area_column, "text", (query.area.strip().lower(),)))
    known: dict[str, list[Any] | None] = {}
    for column, kind, values in asked:
        book = query.codes_of(column)
        if book is not None and all(int(v) in book for v in values):
            continue  # a code the codebook defines is valid with no record having it
        if column not in known:
            known[column] = _stored_values(con, coded, column, kind)
        valid = known[column]
        if book is not None:
            allowed = {*book, *(valid or [])}
            impossible = [v for v in values if int(v) not in allowed]
            problems += [_impossible(query, column, v, sorted(allowed)) for v in impossible]
        elif valid is not None and kind == "integer":
            if not any(int(v) in valid for v in values):
                problems += [_impossible(query, column, v, valid) for v in values]
        elif valid is not None:
            lowered = {v.lower() for v in valid}
            none_match = not any(str(v) in lowered for v in values)
            for value in values:
                if str(value) in lowered:
                    continue
                typo = difflib.get_close_matches(str(value), list(lowered), n=1, cutoff=TYPO_CUTOFF)
                if none_match or typo:
                    problems.append(_impossible(query, column, value, valid))
        elif kind == "text":  # too many values to list: are any of the asked ones stored?
            found = con.execute(coded.present(column), [list(values)]).fetchall()
            if not found:
                problems += [
                    _impossible(query, column, v, _nearest_stored(con, coded, column, str(v)))
                    for v in values
                ]
    if problems:
        raise PlanError(problems=problems)


def _stored_values(
    con: duckdb.DuckDBPyConnection, coded: _Coded, column: str, kind: str
) -> list[Any] | None:
    """The distinct values ``column`` holds, sorted (text: one spelling of those told apart
    by case only), or ``None`` if it holds more than :data:`CODED_MAX`."""
    if kind == "integer":
        found = con.execute(f"{coded.distinct(column)} LIMIT {CODED_MAX + 1}").fetchall()
        return sorted(int(r[0]) for r in found) if len(found) <= CODED_MAX else None
    # stored text is trimmed at ingest; spellings told apart by case are one value
    found = con.execute(f"{coded.distinct(column)} LIMIT {CODED_MAX * 4 + 1}").fetchall()
    spellings = sorted(str(r[0]) for r in found)
    first = {v.lower(): v for v in reversed(spellings)}  # the first in sorted order
    return sorted(first.values()) if len(first) <= CODED_MAX else None


def _nearest_stored(
    con: duckdb.DuckDBPyConnection, coded: _Coded, column: str, value: str
) -> list[str]:
    """The stored texts of a column of many nearest ``value``: the
    :data:`NEAREST_POOL` most alike by DuckDB's Jaro-Winkler similarity, of which
    difflib picks as for a coded column (an error's message only: not on a clean run)."""
    pool = con.execute(
        f"SELECT v FROM ({coded.distinct(column)}) _d(v) "
        f"ORDER BY jaro_winkler_similarity(lower(v), ?) DESC, v LIMIT {NEAREST_POOL}",
        [value],
    ).fetchall()
    return [str(r[0]) for r in pool]


def _impossible(query: RecordQuery, column: str, value: Any, valid: list[Any]) -> Problem:
    """The problem of a tested ``value`` no record of ``column`` can have, with the nearest
    of ``valid`` (numbers by difference, text by difflib, ignoring case)."""
    if isinstance(value, float):  # an integer column's value, typed as a number
        shown = str(int(value))
        near = [str(n) for n in sorted(valid, key=lambda n: (abs(n - value), n))[:NEAREST]]
    else:
        shown = repr(value)
        spelt = {str(v).lower(): str(v) for v in valid}  # compared as tested: case ignored
        close = difflib.get_close_matches(str(value).lower(), list(spelt), NEAREST, NEAREST_CUTOFF)
        near = [repr(spelt[n]) for n in close]
    book = query.codebook if query.codes_of(column) is not None else None
    message = (
        f"measure '{query.measure_id}': {column} {shown} is not a code of the {book} "
        f"and no stored '{query.source}' record has it"
        if book
        else f"measure '{query.measure_id}': no stored '{query.source}' record has {column} {shown}"
    )
    return Problem(
        message,
        Location(field=f"measure '{query.measure_id}' > source > where"),
        expected=(f"a {column} code of the codebook" if book else "a value the records hold")
        + (f": nearest {', '.join(near)}" if near else ""),
    )
