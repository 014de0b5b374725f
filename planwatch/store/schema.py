"""The store's tables, in one place.

In: a DuckDB connection whose default catalog is the project store.
Out: the tables below, created if absent (``ensure_schema``). Nothing else in
planwatch writes DDL.

Tables
------
``loads``            one row per file loaded: name, SHA-256, source kind, rows,
                     periods covered, when, which earlier load it replaced.
``prc_offences``     Home Office police recorded crime; ``level`` is ``offence``
                     (PFA open-data table, one row per offence code) or ``group``
                     (group-level compilation, offence group only).
``police_uk_street`` data.police.uk street-level rows, all 12 columns; ``month`` is
                     the first day of the month; anti-social behaviour rows have
                     an empty ``crime_id``.
``observations``     tidy measures CSV rows; ``status`` is ``ok``, ``suspect``,
                     ``confirmed`` or ``rejected``.
``offence_weights``  ONS Crime Severity Score weights by offence code.
``offence_codes``    Home Office offence code lookup (code, group, subgroup,
                     description, police.uk category).
``population``       population by area and year.
``revisions``        figures a newer release changed: key, old value, new value.
``load_warnings``    warnings raised while loading (suspect values, notes).
"""

from __future__ import annotations

import duckdb

#: Bumped when a table changes shape; stored in ``store_meta``.
SCHEMA_VERSION = 1

#: Source kinds a load can have (the ``planwatch ingest`` sub-commands).
SOURCE_KINDS = ("prc", "police_uk", "measures", "weights", "population", "offence_codes")

#: Statuses an observation can have. ``suspect`` and ``rejected`` are kept out of analysis.
OBSERVATION_STATUSES = ("ok", "suspect", "confirmed", "rejected")
USABLE_STATUSES = ("ok", "confirmed")

DDL = """
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS loads (
    load_id INTEGER PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,
    rows BIGINT NOT NULL,
    period_first DATE,
    period_last DATE,
    periods_covered VARCHAR,
    loaded_at TIMESTAMP NOT NULL,
    replaced_load_id INTEGER,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS prc_offences (
    load_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    level VARCHAR NOT NULL,
    fy_start SMALLINT NOT NULL,
    quarter TINYINT NOT NULL,
    period_start DATE NOT NULL,
    force VARCHAR NOT NULL,
    offence_description VARCHAR,
    offence_group VARCHAR NOT NULL,
    offence_subgroup VARCHAR,
    offence_code VARCHAR,
    count BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS police_uk_street (
    load_id INTEGER NOT NULL,
    crime_id VARCHAR,
    month DATE NOT NULL,
    reported_by VARCHAR,
    falls_within VARCHAR,
    longitude DOUBLE,
    latitude DOUBLE,
    location VARCHAR,
    lsoa_code VARCHAR,
    lsoa_name VARCHAR,
    crime_type VARCHAR NOT NULL,
    last_outcome_category VARCHAR,
    context VARCHAR
);
CREATE TABLE IF NOT EXISTS observations (
    load_id INTEGER NOT NULL,
    source_row INTEGER NOT NULL,
    series VARCHAR NOT NULL,
    period_kind VARCHAR NOT NULL,
    period_label VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    area VARCHAR NOT NULL DEFAULT '',
    note VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'ok'
);
CREATE TABLE IF NOT EXISTS offence_weights (
    load_id INTEGER NOT NULL,
    offence_code VARCHAR NOT NULL,
    offence VARCHAR,
    policeuk_category VARCHAR,
    weight DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS offence_codes (
    load_id INTEGER NOT NULL,
    offence_code VARCHAR NOT NULL,
    offence_description VARCHAR,
    offence_group VARCHAR,
    offence_subgroup VARCHAR,
    policeuk_category VARCHAR
);
CREATE TABLE IF NOT EXISTS population (
    load_id INTEGER NOT NULL,
    area VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    population DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    load_id INTEGER NOT NULL,
    replaced_load_id INTEGER,
    table_name VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    old_value DOUBLE,
    new_value DOUBLE,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS load_warnings (
    load_id INTEGER NOT NULL,
    file_name VARCHAR,
    row_number INTEGER,
    field VARCHAR,
    message VARCHAR NOT NULL
);
"""

#: Tables holding data rows, each with a ``load_id`` column.
DATA_TABLES = (
    "prc_offences",
    "police_uk_street",
    "observations",
    "offence_weights",
    "offence_codes",
    "population",
)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet (idempotent)."""
    con.execute(DDL)
    con.execute(
        "INSERT INTO store_meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
        [str(SCHEMA_VERSION)],
    )


def has_schema(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> bool:
    """Whether the store in ``catalog`` (default: the current one) has been set up."""
    where = "table_name = 'loads'" + (f" AND table_catalog = '{catalog}'" if catalog else "")
    row = con.execute(f"SELECT count(*) FROM information_schema.tables WHERE {where}").fetchone()
    return bool(row and row[0])
