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
``police_uk_counts`` data.police.uk street-level crimes and anti-social behaviour,
                     counted at ingest by month (first day), *Falls within*,
                     local area (district from the LSOA name, '' if none),
                     crime type and last outcome category (ASB: none). Store
                     version 1 kept every row (``police_uk_street``);
                     :func:`upgrade` turns those rows into counts.
``observations``     tidy measures CSV rows; ``status`` is ``ok``, ``suspect``,
                     ``confirmed`` or ``rejected``.
``offence_weights``  ONS Crime Severity Score weights by offence code.
``offence_codes``    Home Office offence code lookup (code, group, subgroup,
                     description, police.uk category).
``population``       population by area and year.
``revisions``        figures a newer release changed: key, old value, new value.
``load_warnings``    warnings raised while loading (suspect values, notes).
``record_sources``   one row per record source loaded (``planwatch ingest records``):
                     its table, id, date and area columns and the typed columns
                     stored; only the columns the plan maps are kept.
``records_<name>``   one table per record source: ``load_id``, ``source_row`` and
                     the mapped columns in their declared types
                     (:func:`ensure_record_table`), but for text that is not a
                     record id: stored as a code (``UINTEGER``), its text in
                     ``record_values``. Read through :func:`record_relation`, which
                     gives every column its text back.
``record_values``    each coded record column's texts: table, column, code, text.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import duckdb

from planwatch.errors import StoreError

#: Bumped when a table changes shape; stored in ``store_meta``.
#: 2: data.police.uk rows (``police_uk_street``) became monthly counts (``police_uk_counts``).
#: 3: record-level extracts (``record_sources`` and one ``records_<name>`` table per source).
SCHEMA_VERSION = 4
#: The version-1 table of data.police.uk rows, converted by :func:`upgrade`.
OLD_POLICE_UK_TABLE = "police_uk_street"
#: An LSOA name ends in a space and a four-character code: "Colchester 001A".
LSOA_SUFFIX = len(" 001A")

#: Source kinds a load can have (the ``planwatch ingest`` sub-commands).
SOURCE_KINDS = (
    "prc", "police_uk", "measures", "weights", "population", "offence_codes", "records",
)  # fmt: skip
#: A record source's table is this prefix and its name (a plan-checked identifier).
RECORD_TABLE_PREFIX = "records_"
#: SQL types of record columns, by the type the plan declares.
RECORD_SQL_TYPES = {
    "text": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE", "flag": "BOOLEAN",
}  # fmt: skip

#: How a record id's text is stored: zstd, not the dictionary and FSST analysis DuckDB
#: tries on every text column by default, which on ids (nearly every value distinct)
#: doubles the id's cost in the write (two million demo ids written alone: 0.43 to 0.51 s
#: of CPU against 0.80 to 1.00, 13 MB against 9). DuckDB releases before 1.4 store
#: them uncompressed instead.
ID_TEXT_COMPRESSION = "zstd"
#: How a flag (``BOOLEAN``) is stored where DuckDB can (:data:`FLAG_COMPRESSION_FROM`):
#: roaring bitmaps, where DuckDB by default tries every method on every row group and
#: picks bit-packing. Ten million flags (one in seven true) written alone to a database
#: file, best of three: 0.18 s of CPU against 0.39, in as many blocks (session 9).
FLAG_COMPRESSION = "roaring"
#: The first DuckDB release that stores a flag as roaring bitmaps when told to: 1.4
#: refuses the method for a BOOLEAN and 1.5 accepts it but stores the flags uncompressed,
#: so before 2.0 DuckDB chooses.
FLAG_COMPRESSION_FROM = (2, 0)
#: The SQL type a record text column other than an id is stored as: a code, its text in
#: ``record_values`` (:func:`encode_records`, :func:`record_relation`). DuckDB stores a
#: code as a small bit-packed integer, where text costs it a dictionary and FSST analysis
#: of every value: the demo's four coded columns, two million rows written alone, took
#: 0.46 to 0.61 s of CPU as codes against 0.97 to 1.17 as text. No declared type is
#: stored as this type, so a column of it is a coded one.
CODED_SQL_TYPE = "UINTEGER"

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
CREATE TABLE IF NOT EXISTS police_uk_counts (
    load_id INTEGER NOT NULL,
    month DATE NOT NULL,
    falls_within VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    crime_type VARCHAR NOT NULL,
    last_outcome_category VARCHAR,
    count BIGINT NOT NULL
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
CREATE TABLE IF NOT EXISTS record_sources (
    name VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    id_columns VARCHAR[] NOT NULL,
    date_column VARCHAR NOT NULL,
    area_column VARCHAR,
    columns VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS record_values (
    table_name VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    code UINTEGER NOT NULL,
    value VARCHAR NOT NULL
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
    "police_uk_counts",
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


def area_sql(lsoa_name: str) -> str:
    """SQL for the local area of an LSOA name: "Colchester 001A" -> "Colchester".

    A name that does not end in a space and a four-character code is kept whole;
    no name gives ''.
    """
    return (
        f"CASE WHEN {lsoa_name}[-{LSOA_SUFFIX}] = ' ' THEN left({lsoa_name}, -{LSOA_SUFFIX}) "
        f"ELSE coalesce({lsoa_name}, '') END"
    )


def schema_version(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> int:
    """The store version recorded in ``store_meta`` (1 if none is recorded)."""
    table = f"{catalog}.store_meta" if catalog else "store_meta"
    row = con.execute(f"SELECT max(value) FROM {table} WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row and row[0] is not None else 1


def check_version(con: duckdb.DuckDBPyConnection, path: object) -> None:
    """Raise if the store (default catalog) was written by a newer planwatch than this one.

    An older store is upgraded in place (:func:`upgrade`) before this is called.
    """
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"{path} was written by a newer planwatch (store version {found}; this one reads {SCHEMA_VERSION})",
            expected="the planwatch version that wrote the store, or a newer one",
        )


def upgrade(con: duckdb.DuckDBPyConnection) -> bool:
    """Bring the store (default catalog) up to :data:`SCHEMA_VERSION` in ONE transaction.

    Version 1 -> 2: every stored data.police.uk row becomes part of a monthly count
    (same month, force, crime type and load; area from the LSOA name). Version 2 -> 3:
    the record-source catalogue (``record_sources``) is added; nothing stored changes.
    Version 3 -> 4: the coded texts' table (``record_values``) is added; stored text
    columns stay text.
    Returns whether anything changed. On any failure nothing does.
    """
    found = schema_version(con)
    if found >= SCHEMA_VERSION:
        return False
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(DDL)
        old = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            f"WHERE table_name = '{OLD_POLICE_UK_TABLE}' AND table_catalog = current_database()"
        ).fetchone()
        if old and old[0]:
            con.execute(
                f"""INSERT INTO police_uk_counts
                    SELECT load_id, month, coalesce(falls_within, ''), {area_sql("lsoa_name")},
                           crime_type, last_outcome_category, count(*)
                    FROM {OLD_POLICE_UK_TABLE} GROUP BY ALL"""
            )
            con.execute(f"DROP TABLE {OLD_POLICE_UK_TABLE}")
        con.execute(
            "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


def has_schema(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> bool:
    """Whether the store in ``catalog`` (default: any attached) has been set up.

    Read from ``duckdb_tables()``: the same answer as ``information_schema.tables``, which
    costs about 40 ms on a store's first query (a fifth of ``planwatch status``)."""
    where = "table_name = 'loads'" + (f" AND database_name = '{catalog}'" if catalog else "")
    row = con.execute(f"SELECT count(*) FROM duckdb_tables() WHERE {where}").fetchone()
    return bool(row and row[0])


def record_table(name: str) -> str:
    """The store table of record source ``name``."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise StoreError(f"'{name}' is not a record source name", expected="a-z, 0-9 and _")
    return RECORD_TABLE_PREFIX + name


def record_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The columns of a stored record table and their SQL types as stored ({} if there is
    no table): a coded text column's is :data:`CODED_SQL_TYPE`."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? AND table_catalog = current_database() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return {str(c): str(t) for c, t in rows}


def record_relation(
    con: duckdb.DuckDBPyConnection, table: str, columns: Collection[str] | None = None
) -> str:
    """SQL for the rows of record table ``table`` with each coded column of ``columns``
    (default: every one) as its text: the table itself if none is coded (a version-3
    store's), else a subquery decoding each code from ``record_values`` (a join the size
    of the column's texts; a column not asked for keeps its codes)."""
    coded = [
        c
        for c, t in record_columns(con, table).items()
        if t == CODED_SQL_TYPE and (columns is None or c in columns)
    ]
    if not coded:
        return table
    texts = ", ".join(f"_v{i}.value AS {c}" for i, c in enumerate(coded))
    joins = " ".join(
        f"LEFT JOIN (SELECT code, value FROM record_values WHERE table_name = '{table}' "
        f"AND column_name = '{c}') _v{i} ON _r.{c} = _v{i}.code"
        for i, c in enumerate(coded)
    )
    return f"(SELECT _r.* REPLACE ({texts}) FROM {table} _r {joins})"


def encode_records(con: duckdb.DuckDBPyConnection, table: str, staged: str) -> str:
    """The staged rows of ``table`` (text in every column) with each text of a column the
    table codes as its code: texts new to the column get the next codes (in sorted order)
    in ``record_values``. Returns the view of the coded rows; run inside the load's
    transaction. A text the staged rows hold as an Arrow dictionary is looked up once per
    distinct value, not once per row."""
    coded = [c for c, t in record_columns(con, table).items() if t == CODED_SQL_TYPE]
    if not coded:
        return staged
    for c in coded:
        con.execute(
            f"""INSERT INTO record_values
                SELECT ?, ?, (SELECT coalesce(max(code), 0) FROM record_values
                              WHERE table_name = ? AND column_name = ?)
                             + row_number() OVER (ORDER BY v), v
                FROM (SELECT DISTINCT {c} AS v FROM {staged} WHERE {c} IS NOT NULL)
                WHERE v NOT IN (SELECT value FROM record_values
                                WHERE table_name = ? AND column_name = ?)""",
            [table, c, table, c, table, c],
        )
    codes = ", ".join(f"_v{i}.code AS {c}" for i, c in enumerate(coded))
    joins = " ".join(
        f"LEFT JOIN (SELECT code, value FROM record_values WHERE table_name = '{table}' "
        f"AND column_name = '{c}') _v{i} ON _s.{c} = _v{i}.value"
        for i, c in enumerate(coded)
    )
    view = "records_coded"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT _s.* REPLACE ({codes}) FROM {staged} _s {joins}"
    )
    return view


def ensure_record_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: dict[str, str],
    *,
    id_columns: tuple[str, ...],
    date_column: str,
    area_column: str | None,
    replace: bool = False,
) -> str:
    """Create (or widen) the table of record source ``name``; returns its name.

    ``columns``: column -> declared type (text, integer, number, date, flag). A column the
    plan now maps that the table lacks is added (earlier records hold nothing in it); a
    column whose type changed is refused unless ``replace`` (then the column is converted
    and the caller replaces every record of the source). Run inside the load's transaction.
    """
    table = record_table(name)
    wanted = {c: RECORD_SQL_TYPES[t] for c, t in columns.items()}
    # as stored: text that is not an id as a code, an id's text compressed (on creation)
    stored_as = {
        c: CODED_SQL_TYPE if t == "VARCHAR" and c not in id_columns else t
        for c, t in wanted.items()
    }
    stored = record_columns(con, table)
    as_declared = {c: "VARCHAR" if t == CODED_SQL_TYPE else t for c, t in stored.items()}
    changed = [c for c, t in wanted.items() if c in stored and as_declared[c] != t]
    if changed and not replace:
        raise StoreError(
            f"record source '{name}' stores {', '.join(f'{c} as {as_declared[c]}' for c in changed)}, "
            "but the plan now declares " + ", ".join(f"{c} as {columns[c]}" for c in changed),
            expected="the type the records were stored with, or load them again with --replace",
        )
    for c in changed:  # every stored record is about to be replaced: convert what it can
        to = stored_as[c]
        plain = CODED_SQL_TYPE not in (to, stored[c])  # a code means nothing as another type
        con.execute(
            f"ALTER TABLE {table} ALTER {c} SET DATA TYPE {to} USING "
            + (f"TRY_CAST({c} AS {to})" if plain else f"NULL::{to}")
        )
        con.execute(
            "DELETE FROM record_values WHERE table_name = ? AND column_name = ?", [table, c]
        )
    if not stored:
        cols = ", ".join(
            f"{c} {t}" + _compression(t, id_column=c in id_columns) for c, t in stored_as.items()
        )
        con.execute(
            f"CREATE TABLE {table} (load_id INTEGER NOT NULL, source_row INTEGER NOT NULL, {cols})"
        )
    for c, t in stored_as.items():
        if c not in stored and stored:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {c} {t}")
    con.execute(
        "INSERT OR REPLACE INTO record_sources VALUES (?, ?, ?, ?, ?, ?)",
        [
            name,
            table,
            list(id_columns),
            date_column,
            area_column,
            ", ".join(f"{c} {t}" for c, t in columns.items()),
        ],
    )
    return table


def _compression(sql_type: str, *, id_column: bool) -> str:
    """The ``USING COMPRESSION`` clause a new record column is created with ('' where
    DuckDB chooses): a record id's text :data:`ID_TEXT_COMPRESSION`, a flag
    :data:`FLAG_COMPRESSION` on DuckDB releases that store it so."""
    if id_column and sql_type == "VARCHAR":
        return f" USING COMPRESSION {ID_TEXT_COMPRESSION}"
    if sql_type == "BOOLEAN" and _duckdb_release() >= FLAG_COMPRESSION_FROM:
        return f" USING COMPRESSION {FLAG_COMPRESSION}"
    return ""


def _duckdb_release() -> tuple[int, int]:
    """The installed DuckDB's major and minor version (``duckdb.__version__``, "2.0.1")."""
    major, minor = (int(part) for part in duckdb.__version__.split(".")[:2])
    return major, minor
