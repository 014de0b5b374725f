"""Home Office police recorded crime (PRC) tables.

In: a PFA open-data table (CSV, XLSX or ODS; header ``Financial Year, Financial
Quarter, Force Name, Offence Description, Offence Group, Offence Subgroup, Offence
Code, Number of Offences``) or the group-level compilation (``Force Name, Offence
Group, Number of Offences, Population, ...``: no offence codes).
Out: a :class:`~planwatch.ingest.staged.StagedBatch` with TEMP tables for
``prc_offences`` (``level`` ``offence`` or ``group``) and, from the compilation,
``population`` (one row per force and financial year, ``year`` = the year the
financial year starts).

Rules (each breach is reported with file, row and field; nothing is stored):

* counts are whole numbers. The offence-level table may hold negative counts: the
  Home Office publishes them where offences recorded earlier were cancelled later
  (they are kept and listed as a warning). Negative counts in the group-level table,
  and negative populations, are errors;
* financial year and quarter make a valid quarter; force names are known (``&`` and
  ``and`` are the same; see :mod:`planwatch.store.names`); offence codes are in the
  Home Office lookup when it has been loaded;
* one row per force, quarter and offence code. Composite codes (``1/4.1/4.10/4.2``,
  homicide) are published as several rows that add up, so they may repeat. In the
  group-level table a row repeated exactly is a duplicate, while rows sharing a key
  with different counts are parts of one figure: they are added, with a warning.

An offence-level CSV is read by :mod:`planwatch.ingest.prc_scan` (once, as ENUMs) and
checked on those rows; anything out of the ordinary there, the group-level table and
spreadsheets take the checked reader (every field staged as text, then typed), which
words every problem. Both give the same batch: rows, row numbers, warnings, note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.checks import duplicate_problems, map_distinct, number_problems, unknown_name
from planwatch.ingest.prc_scan import (
    COLUMNS,
    OFFENCE_LEVEL_ONLY,
    Fingerprint,
    sample_lines,
    stage_scan,
)
from planwatch.ingest.source import (
    Column,
    NewFile,
    StagedTable,
    file_reader,
    match_header,
    values_table,
)
from planwatch.ingest.staged import IngestContext, StagedBatch, StagedFile, span_label
from planwatch.periods import Quarter, quarter_from_parts
from planwatch.store.names import (
    CANONICAL_FORCES,
    DEMO_FORCES,
    canonical_force,
    canonical_group,
)

#: A code joining several Home Office codes, published as one row per component.
COMPOSITE_CODE_MARK = "/"
#: Largest bitmap (in bits: 32 MiB) the duplicate check of a scanned table marks its keys
#: in; beyond it (forces x quarters x codes) the keys are counted in a hash table instead.
#: 5 million rows of the PFA layout need 5.5 million bits (docs/performance.md).
MAX_KEY_BITS = 1 << 28


def _checked(con: duckdb.DuckDBPyConnection, new: NewFile, ctx: IngestContext) -> StagedBatch:
    """Check and stage one PRC table."""
    raw, display = new.raw, new.display
    level = "group" if "population" in raw.present else "offence"
    if level == "offence":
        _require(raw, display)
    problems = number_problems(
        con, raw, "count", "Number of Offences", display, negative_ok=level == "offence"
    )
    if level == "group":
        problems += number_problems(con, raw, "population", "Population", display, whole=False)
    quarters, bad_q = map_distinct(
        con,
        raw,
        ("fy", "fq"),
        lambda fy, fq: quarter_from_parts(fy or "", fq or ""),
        display,
        "Financial Year",
    )
    forces, bad_f = map_distinct(
        con, raw, ("force",), lambda f: canonical_force(f or ""), display, "Force Name",
        describe=unknown_name("force", "Force Name", CANONICAL_FORCES),
    )  # fmt: skip
    problems += bad_q + bad_f
    if level == "offence" and ctx.offence_codes:
        _, bad_c = map_distinct(
            con, raw, ("code",), lambda c: c if (c or '').strip() in ctx.offence_codes else None, display, "Offence Code",
            describe=unknown_name("offence code", "Offence Code", ctx.offence_codes),
        )  # fmt: skip
        problems += bad_c
    if problems:
        raise IngestError(problems=problems)
    table = _build(con, raw, level, quarters, forces, new.index)
    warnings = _duplicates(con, table, level, display)
    if level == "offence":
        warnings += _negatives(con, table, "source_row", display)
    batch = _batch(table, level, quarters, raw.rows, new.sha, display, ctx, warnings)
    if level == "group":
        batch.tables["population"] = _population(
            con, raw, quarters, forces, new.index, display, warnings
        )
    return batch


#: The checked reader: every field staged as text, every problem worded.
_stage_checked = file_reader("prc", COLUMNS, _checked)


def stage_prc(
    con: duckdb.DuckDBPyConnection, path: Path, display: str, ctx: IngestContext, index: int
) -> StagedBatch:
    """Read, check and stage one PRC table (file number ``index`` of this ingest).

    The file's SHA-256 is read on a thread while DuckDB reads its rows (a file already
    loaded stops that read and is skipped); a file holding a NUL byte takes the checked
    reader, as does anything :func:`stage_scan` gives way on."""
    fingerprint = Fingerprint(path, lambda sha: sha in ctx.known_files)
    table = f"prc_scan_{index}"
    try:
        staged = stage_scan(con, path, display, sample_lines(path), fingerprint, table, _known(ctx))
    finally:
        sha, has_nul = fingerprint.result()
    if sha in ctx.known_files or has_nul:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        staged = None
        if sha in ctx.known_files:
            return StagedBatch("prc", already_loaded=[(display, ctx.known_files[sha])])
    batch = _scanned(con, staged, sha, display, ctx, index) if staged else None
    if batch is not None:
        return batch
    if staged is not None:
        con.execute(f"DROP TABLE {staged.table}")
    return _stage_checked(con, path, display, ctx, index)


def _known(ctx: IngestContext) -> dict[str, list[str]]:
    """Values the text columns of an offence-level table are likely to hold: the forces
    (``&`` for ``and`` too) and the offence code lookup's codes, descriptions, groups and
    subgroups (a force's own subgroup, such as CIFAS's, is one row a quarter)."""
    forces = [*CANONICAL_FORCES, *DEMO_FORCES]
    return {
        "force": forces + [f.replace(" and ", " & ") for f in forces if " and " in f],
        "code": list(ctx.offence_codes),
        "description": list(ctx.offence_codes.values()),
        "grp": sorted(ctx.offence_names),
        "subgroup": sorted(ctx.offence_names),
    }


def _scanned(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    sha: str,
    display: str,
    ctx: IngestContext,
    index: int,
) -> StagedBatch | None:
    """The batch of an offence-level table read by :func:`stage_scan`, checked set-based on
    its distinct values; ``None`` at the first problem (the checked reader words it)."""
    quarters, bad = map_distinct(
        con, staged, ("fy", "fq"), lambda fy, fq: quarter_from_parts(fy or "", fq or ""), display, "Financial Year",
    )  # fmt: skip
    forces, bad_f = map_distinct(con, staged, ("force",), lambda f: canonical_force(f or ""), display, "Force Name")  # fmt: skip
    bad += bad_f
    codes = [c for (c,) in con.execute(f"SELECT DISTINCT code FROM {staged.table}").fetchall()]
    if bad or (ctx.offence_codes and any(c.strip() not in ctx.offence_codes for c in codes)):
        return None
    prefix = f"prc_scan_{index}"
    qids = {q: i for i, q in enumerate(sorted(set(quarters.values())))}
    _mapped(
        con, f"{prefix}_q", staged.table, ("fy", "fq"),
        (("fy_start", "SMALLINT"), ("quarter", "TINYINT"), ("period_start", "DATE"), ("qid", "INTEGER")),
        {k: (q.fy_start, q.q, q.start, qids[q]) for k, q in quarters.items()},
    )  # fmt: skip
    ids = {f: i for i, f in enumerate(sorted(set(forces.values())))}
    _mapped(
        con, f"{prefix}_f", staged.table, ("force",), (("canonical", "VARCHAR"), ("fid", "INTEGER")),
        {k: (f, ids[f]) for k, f in forces.items()},
    )  # fmt: skip
    trimmed = sorted({c.strip() for c in codes})
    _mapped(
        con, f"{prefix}_c", staged.table, ("code",),
        (("offence_code", "VARCHAR"), ("cid", "INTEGER"), ("composite", "BOOLEAN")),
        {(c,): (c.strip(), trimmed.index(c.strip()), COMPOSITE_CODE_MARK in c) for c in codes},
    )  # fmt: skip
    groups = [g for (g,) in con.execute(f"SELECT DISTINCT grp FROM {staged.table}").fetchall()]
    _mapped(
        con, f"{prefix}_g", staged.table, ("grp",), (("canonical", "VARCHAR"),),
        {(g,): (canonical_group(g),) for g in groups},
    )  # fmt: skip
    # One row per force, quarter and offence code (composite codes aside): each key a
    # number below len(qids) * len(ids) * len(trimmed), marked in a bitmap (or counted).
    keys = len(qids) * len(ids) * len(trimmed)
    key = f"(q.qid::BIGINT * {len(ids)} + f.fid) * {len(trimmed)} + c.cid"
    distinct = (
        f"bit_count(bitstring_agg({key}, 0::BIGINT, {keys - 1}::BIGINT))"
        if keys <= MAX_KEY_BITS
        else f"count(DISTINCT {key})"
    )
    repeated = con.execute(
        f"""SELECT count(*) - {distinct}
            FROM {staged.table} s JOIN {prefix}_q q USING (fy, fq) JOIN {prefix}_f f USING (force)
            JOIN {prefix}_c c USING (code) WHERE NOT c.composite"""
    ).fetchone()
    if repeated is None or repeated[0]:
        return None
    # A column whose every value is stored as written (the usual case) is its own text: no
    # join to its map for each row of the store write (a fifth of a CPU-second at 5M rows).
    stored = {
        "force": ("f.canonical", all(raw == f for (raw, *_), f in forces.items())),
        "grp": ("g.canonical", all(canonical_group(g) == g for g in groups)),
        "code": ("c.offence_code", all(c == c.strip() for c in codes)),
    }
    value = {k: f"s.{k}::VARCHAR" if same else mapped for k, (mapped, same) in stored.items()}
    joins = "".join(
        f" JOIN {prefix}_{k[0]} {k[0]} USING ({k})" for k, (_, same) in stored.items() if not same
    )
    view = f"prc_ready_{index}"
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {view} AS
        SELECT 0 AS _file, {staged.row_sql("s")} AS source_row, 'offence' AS level,
               q.fy_start, q.quarter, q.period_start, {value["force"]} AS force,
               s.description::VARCHAR AS offence_description, {value["grp"]} AS offence_group,
               s.subgroup::VARCHAR AS offence_subgroup, {value["code"]} AS offence_code, s.count
        FROM {staged.table} s JOIN {prefix}_q q USING (fy, fq){joins}"""
    )
    warnings = _negatives(con, staged.table, staged.row_sql(), display)
    return _batch(view, "offence", quarters, staged.rows, sha, display, ctx, warnings)


def _mapped(
    con: duckdb.DuckDBPyConnection,
    name: str,
    table: str,
    keys: tuple[str, ...],
    columns: Sequence[tuple[str, str]],
    values: Mapping[tuple[Any, ...], tuple[Any, ...]],
) -> None:
    """TEMP table ``name``: each ``keys`` of ``values`` (the distinct ones of ``table``, typed
    as there: its ENUMs) with the ``columns`` that ``values`` gives for it. Made empty from
    ``table``'s own column types (no row of it read), then filled in one statement."""
    items = list(values.items())
    lists = [[k[i] for k, _ in items] for i in range(len(keys))]
    lists += [[v[i] for _, v in items] for i in range(len(columns))]
    empty = ", ".join([*keys, *(f"NULL::{t} AS {c}" for c, t in columns)])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {empty} FROM {table} LIMIT 0")
    unnest = ", ".join(
        [f"unnest(?::VARCHAR[]) AS {k}" for k in keys]
        + [f"unnest(?::{t}[]) AS {c}" for c, t in columns]
    )
    con.execute(f"INSERT INTO {name} BY NAME SELECT {unnest}", lists)


def _batch(
    table: str,
    level: str,
    quarters: dict[tuple[str | None, ...], Quarter],
    rows: int,
    sha: str,
    display: str,
    ctx: IngestContext,
    warnings: list[Problem],
) -> StagedBatch:
    """The batch of one checked table: its rows in TEMP ``table``, its file record."""
    batch = StagedBatch("prc", tables={"prc_offences": table})
    first, last = min(quarters.values()), max(quarters.values())
    note = (
        ""
        if level == "group" or ctx.offence_codes
        else "offence codes not checked: load the Home Office offence code lookup first"
    )
    batch.files.append(
        StagedFile(
            display,
            sha,
            rows,
            first.start,
            last.start,
            span_label(first, last),
            warnings,
            note=f"{level} level" + (f"; {note}" if note else ""),
        )
    )
    return batch


def _require(raw: StagedTable, display: str) -> None:
    """The offence-level table needs description, subgroup and code: report the missing ones."""
    if all(key in raw.present for key in OFFENCE_LEVEL_ONLY):
        return
    needed = [
        Column(c.name, c.key, True, c.aliases)
        for c in COLUMNS
        if c.required or c.key in OFFENCE_LEVEL_ONLY
    ]
    match_header(raw.header, needed, display)


def _build(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    level: str,
    quarters: dict[tuple[str | None, ...], Quarter],
    forces: dict[tuple[str | None, ...], str],
    index: int,
) -> str:
    values_table(
        con,
        "prc_q_map",
        (("fy", "VARCHAR"), ("fq", "VARCHAR"), ("fy_start", "SMALLINT"), ("quarter", "TINYINT"), ("period_start", "DATE")),
        [(k[0], k[1], q.fy_start, q.q, q.start) for k, q in quarters.items()],
    )  # fmt: skip
    values_table(
        con,
        "prc_f_map",
        (("force", "VARCHAR"), ("canonical", "VARCHAR")),
        [(k[0], f) for k, f in forces.items()],
    )
    groups = con.execute(f"SELECT DISTINCT grp FROM {raw.table}").fetchall()
    values_table(
        con,
        "prc_g_map",
        (("grp", "VARCHAR"), ("canonical", "VARCHAR")),
        [(g, canonical_group(g or "")) for (g,) in groups],
    )
    offence = level == "offence"
    table = f"prc_ready_{index}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT 0 AS _file, {raw.row_sql("r")} AS source_row, '{level}' AS level,
               q.fy_start, q.quarter, q.period_start,
               f.canonical AS force, {"r.description" if offence else "NULL"} AS offence_description,
               g.canonical AS offence_group, {"r.subgroup" if offence else "NULL"} AS offence_subgroup,
               {"trim(r.code)" if offence else "NULL"} AS offence_code,
               replace(r.count, ',', '')::BIGINT AS count
        FROM {raw.table} r
        JOIN prc_q_map q ON q.fy IS NOT DISTINCT FROM r.fy AND q.fq IS NOT DISTINCT FROM r.fq
        JOIN prc_f_map f ON f.force IS NOT DISTINCT FROM r.force
        JOIN prc_g_map g ON g.grp IS NOT DISTINCT FROM r.grp"""
    )
    return table


def _duplicates(
    con: duckdb.DuckDBPyConnection, table: str, level: str, display: str
) -> list[Problem]:
    if level == "offence":
        problems = duplicate_problems(
            con, table, ("force", "fy_start", "quarter", "offence_code"), display, "force, quarter and offence code",
            where=f"offence_code NOT LIKE '%{COMPOSITE_CODE_MARK}%'",
        )  # fmt: skip
        if problems:
            raise IngestError(problems=problems)
        return []
    exact = duplicate_problems(
        con,
        table,
        ("force", "fy_start", "quarter", "offence_group", "count"),
        display,
        "force, quarter, offence group and count",
    )
    if exact:
        raise IngestError(problems=exact)
    parts = con.execute(
        f"""SELECT force, offence_group, count(*) AS n, min(source_row) FROM
            (SELECT force, offence_group, fy_start, quarter, min(source_row) AS source_row FROM {table}
             GROUP BY ALL HAVING count(*) > 1) GROUP BY ALL ORDER BY 4"""
    ).fetchall()
    return [
        Problem(
            f"{n} quarters have more than one row for {force}, {group}: their counts are added together",
            Location(file=display, row=row),
        )
        for force, group, n, row in parts
    ]


def _negatives(con: duckdb.DuckDBPyConnection, table: str, row: str, display: str) -> list[Problem]:
    """The warning for negative counts, at the first such row (``row``: its SQL in ``table``)."""
    n, first = con.execute(f"SELECT count(*), min({row}) FROM {table} WHERE count < 0").fetchone()  # type: ignore[misc]
    if not n:
        return []
    return [
        Problem(
            f"{n} rows have negative counts (Home Office adjustments for offences cancelled after the quarter they were recorded in); kept as published",
            Location(file=display, row=first, field="Number of Offences"),
        )
    ]


def _population(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    quarters: dict[tuple[str | None, ...], Quarter],
    forces: dict[tuple[str | None, ...], str],
    index: int,
    display: str,
    warnings: list[Problem],
) -> str:
    table = f"prc_pop_{index}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT 0 AS _file, f.canonical AS area, q.fy_start::INTEGER AS year,
               max(replace(r.population, ',', '')::DOUBLE) AS population,
               count(DISTINCT r.population) AS versions, min({raw.row_sql("r")}) AS first_row
        FROM {raw.table} r
        JOIN prc_q_map q ON q.fy IS NOT DISTINCT FROM r.fy AND q.fq IS NOT DISTINCT FROM r.fq
        JOIN prc_f_map f ON f.force IS NOT DISTINCT FROM r.force
        WHERE r.population IS NOT NULL GROUP BY ALL"""
    )
    for area, year, row in con.execute(
        f"SELECT area, year, first_row FROM {table} WHERE versions > 1 ORDER BY first_row LIMIT 10"
    ).fetchall():
        warnings.append(
            Problem(
                f"more than one population for {area} in {year}/{(year + 1) % 100:02d}: the largest is kept",
                Location(file=display, row=row, field="Population"),
            )
        )
    con.execute(f"ALTER TABLE {table} DROP COLUMN versions")
    con.execute(f"ALTER TABLE {table} DROP COLUMN first_row")
    return table
