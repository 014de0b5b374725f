"""Reference tables: offence weights, population, and the Home Office offence code lookup.

In: CSV/XLSX/ODS files —
* weights: ``Offence Code, Weight`` and optional ``Offence, Police.uk Category``; the
  ONS crime severity join (``ONS_COUNTS_code``, ``ONS_SEVERITY_weight``,
  ``ONS_COUNTS_description``, ``POLICE_UK_CAT_MAP_category``) is read as it is;
* population: ``area, year, population`` (our own simple layout);
* offence codes: ``Offence Code, Offence Description, Offence Group, Offence
  Subgroup, Police.uk Category`` (the Home Office lookup).
Out: a :class:`~planwatch.ingest.staged.StagedBatch` for ``offence_weights``,
``population`` or ``offence_codes``. Weights and codes replace the stored table
whole; population replaces the areas and years it covers.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.checks import (
    blank_problems,
    duplicate_problems,
    map_distinct,
    number_problems,
)
from planwatch.ingest.source import (
    Checks,
    Column,
    NewFile,
    StagedTable,
    file_reader,
    register_table,
)
from planwatch.ingest.staged import IngestContext, StagedBatch, StagedFile, span_label
from planwatch.store.names import canonical_force

WEIGHT_COLUMNS = (
    Column("Offence Code", "code", aliases=("ONS_COUNTS_code", "offence_code")),
    Column("Weight", "weight", aliases=("ONS_SEVERITY_weight",)),
    Column(
        "Offence",
        "offence",
        required=False,
        aliases=("ONS_COUNTS_description", "Offence Description"),
    ),
    Column(
        "Police.uk Category",
        "category",
        required=False,
        aliases=("POLICE_UK_CAT_MAP_category", "policeuk_category"),
    ),
)
POPULATION_COLUMNS = (
    Column("area", "area"),
    Column("year", "year"),
    Column("population", "population"),
)
CODE_COLUMNS = (
    Column("Offence Code", "code"),
    Column("Offence Description", "description"),
    Column("Offence Group", "grp"),
    Column("Offence Subgroup", "subgroup"),
    Column("Police.uk Category", "category", required=False),
)
#: Years a population estimate may be for (sanity bounds on the year column).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _opt(raw: StagedTable, key: str) -> str:
    return key if key in raw.present else "NULL::VARCHAR"


def _weights(
    con: duckdb.DuckDBPyConnection, raw: StagedTable, display: str, index: int
) -> tuple[str, str, str]:
    problems = number_problems(con, raw, "weight", "Weight", display, whole=False)
    problems += blank_problems(
        con, raw, "code", "Offence Code", display, "a Home Office offence code"
    )
    if problems:
        raise IngestError(problems=problems)
    table = f"weights_ready_{index}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT 0 AS _file, code AS offence_code, {_opt(raw, "offence")} AS offence,
            {_opt(raw, "category")} AS policeuk_category, replace(weight, ',', '')::DOUBLE AS weight FROM {raw.table} ORDER BY rowid"""
    )
    return table, "offence_weights", "reference"


def _population(
    con: duckdb.DuckDBPyConnection, raw: StagedTable, display: str, index: int
) -> tuple[str, str, str]:
    problems = number_problems(con, raw, "population", "population", display, whole=False)
    problems += number_problems(con, raw, "year", "year", display)
    bad_year = con.execute(
        f"SELECT {raw.row_sql()}, year FROM {raw.table} WHERE TRY_CAST(year AS INTEGER) NOT BETWEEN {FIRST_YEAR} AND {LAST_YEAR} LIMIT 1"
    ).fetchone()
    if bad_year:
        problems.append(
            Problem(
                f"'year' is {bad_year[1]!r}",
                Location(file=display, row=bad_year[0], field="year"),
                expected=f"a year from {FIRST_YEAR} to {LAST_YEAR}",
            )
        )
    problems += blank_problems(con, raw, "area", "area", display, "an area name")
    if problems:
        raise IngestError(problems=problems)
    # Force names take their canonical spelling; other areas (e.g. districts) are kept as given.
    areas, _ = map_distinct(con, raw, ("area",), lambda a: canonical_force(a) or a, display, "area")
    table = f"population_ready_{index}"
    register_table(
        con,
        "pop_area_map",
        pd.DataFrame([(k[0], v) for k, v in areas.items()], columns=["raw", "area"]),
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT 0 AS _file, {raw.row_sql("r")} AS source_row, m.area,
            r.year::INTEGER AS year, replace(r.population, ',', '')::DOUBLE AS population
            FROM {raw.table} r JOIN pop_area_map m ON m.raw = r.area ORDER BY r.rowid"""
    )
    dupes = duplicate_problems(con, table, ("area", "year"), display, "area and year")
    if dupes:
        raise IngestError(problems=dupes)
    con.execute(f"ALTER TABLE {table} DROP COLUMN source_row")
    first, last = con.execute(f"SELECT min(year), max(year) FROM {table}").fetchone()  # type: ignore[misc]
    return table, "population", span_label(first, last)


def _codes(
    con: duckdb.DuckDBPyConnection, raw: StagedTable, display: str, index: int
) -> tuple[str, str, str]:
    table = f"codes_ready_{index}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS SELECT 0 AS _file, {raw.row_sql()} AS source_row, code AS offence_code,
            description AS offence_description, grp AS offence_group, subgroup AS offence_subgroup,
            {_opt(raw, "category")} AS policeuk_category FROM {raw.table} ORDER BY rowid"""
    )
    problems = duplicate_problems(con, table, ("offence_code",), display, "offence code")
    problems += blank_problems(
        con, raw, "code", "Offence Code", display, "a Home Office offence code"
    )
    if problems:
        raise IngestError(problems=problems)
    con.execute(f"ALTER TABLE {table} DROP COLUMN source_row")
    return table, "offence_codes", "reference"


Builder = Callable[[duckdb.DuckDBPyConnection, StagedTable, str, int], tuple[str, str, str]]


def _whole(kind: str, build: Builder) -> Checks:
    """The checks of a reference table: ``build`` checks the staged rows into one store table
    and says what they cover."""

    def check(con: duckdb.DuckDBPyConnection, new: NewFile, _: IngestContext) -> StagedBatch:
        table, store_table, covered = build(con, new.raw, new.display, new.index)
        batch = StagedBatch(kind, tables={store_table: table})
        batch.files.append(StagedFile(new.display, new.sha, new.raw.rows, periods_covered=covered))
        return batch

    return check


stage_weights = file_reader("weights", WEIGHT_COLUMNS, _whole("weights", _weights))
stage_population = file_reader("population", POPULATION_COLUMNS, _whole("population", _population))
stage_offence_codes = file_reader("offence_codes", CODE_COLUMNS, _whole("offence_codes", _codes))
