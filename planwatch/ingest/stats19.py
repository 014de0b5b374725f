"""STATS19 road casualty files (Department for Transport, Road Safety Data).

In: the collision and casualty CSV files in the published layout
(``dft-road-casualty-statistics-{collision,casualty}-YYYY.csv``, a calendar year each, or
the provisional ``...-provisional-mid-year-unvalidated-YYYY.csv``, January to June), files
or folders, with
either spelling of the identity columns (``collision_index`` or the older
``accident_index``; ``collision_severity`` or ``accident_severity``), and the codebook
(``variable,code,label,is_missing``, from the DfT *Road Safety Open Dataset Data
Guide*). Vehicle files are skipped with a note: casualties are counted.
Out: a :class:`~planwatch.ingest.records.RecordBatch` for the built-in record source
``stats19_casualties`` (:data:`planwatch.plan.records.STATS19_CASUALTIES`): one record
per casualty with its collision's date and police force (named as planwatch names
forces), severities, class, type, sex, age band, the DfT severity-adjustment
probabilities and ``ksi_weight`` (1 for a fatal casualty, else the adjusted probability
of serious), so a measure can count KSIs (``casualty_severity`` 1 or 2) or sum
``ksi_weight`` for the adjusted count.

Rules (each breach is reported with file, row and field; nothing is stored): the
codebook is given; every coded column below holds a code the codebook lists for it;
collision dates are ``DD/MM/YYYY``; every casualty's collision is in the collision
files; one casualty per collision and casualty reference; then the checks of every
record source (:mod:`planwatch.ingest.records`).
"""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import duckdb

from planwatch.errors import IngestError, Location, Problem
from planwatch.ingest.checks import map_distinct, unknown_name
from planwatch.ingest.files import read_first_line, sha256_of
from planwatch.ingest.records import RecordBatch, bad_rows
from planwatch.ingest.source import Column, StagedTable, header_key, stage_table
from planwatch.ingest.staged import IngestContext
from planwatch.periods import Month
from planwatch.plan.records import STATS19_CASUALTIES
from planwatch.store.names import canonical_force

#: The codebook's header.
CODEBOOK_HEADER = ("variable", "code", "label", "is_missing")
#: Collision date format in the published files.
DATE_FORMAT = "%d/%m/%Y"
COLLISION_COLUMNS = (
    Column("collision_index", "collision_index", aliases=("accident_index",)),
    Column("police_force", "police_force"),
    Column("collision_severity", "collision_severity", aliases=("accident_severity",)),
    Column("date", "date"),
    Column("urban_or_rural_area", "urban_or_rural_area", required=False),
)
CASUALTY_COLUMNS = (
    Column("collision_index", "collision_index", aliases=("accident_index",)),
    Column("vehicle_reference", "vehicle_reference"),
    Column("casualty_reference", "casualty_reference"),
    Column("casualty_class", "casualty_class"),
    Column("casualty_severity", "casualty_severity"),
    Column("casualty_type", "casualty_type"),
    Column("sex_of_casualty", "sex_of_casualty"),
    Column("age_band_of_casualty", "age_band_of_casualty"),
    Column("adjusted_serious", "adjusted_serious", False, ("casualty_adjusted_severity_serious",)),
    Column("adjusted_slight", "adjusted_slight", False, ("casualty_adjusted_severity_slight",)),
)
#: Coded columns checked against the codebook: staged key -> codebook variable.
COLLISION_CODED = {
    "police_force": "police_force",
    "collision_severity": "collision_severity",
    "urban_or_rural_area": "urban_or_rural_area",
}
CASUALTY_CODED = {
    "casualty_class": "casualty_class",
    "casualty_severity": "casualty_severity",
    "casualty_type": "casualty_type",
    "sex_of_casualty": "sex_of_casualty",
    "age_band_of_casualty": "age_band_of_casualty",
}
#: The DfT's provisional files for the first half of a year are named
#: ``dft-road-casualty-statistics-collision-provisional-mid-year-unvalidated-2023.csv``:
#: they cover January to June (:data:`MID_YEAR_LAST`), not the whole year.
MID_YEAR = re.compile(r"mid[-_ ]?year", re.I)
MID_YEAR_LAST = 6
#: casualty_severity code for a fatal casualty (codebook: 1 Fatal, 2 Serious, 3 Slight).
FATAL = "1"

Codebook = dict[str, dict[str, str]]


def stage_stats19(
    con: duckdb.DuckDBPyConnection, paths: list[Path], ctx: IngestContext
) -> RecordBatch:
    """Find, check and stage the casualties of every collision and casualty file under ``paths``."""
    files = _csv_files(paths)
    kinds = {f: _kind(f) for f in files}
    books = [f for f, k in kinds.items() if k == "codebook"]
    if not books:
        raise IngestError(
            "no STATS19 codebook among the files",
            location=Location(file=", ".join(str(p) for p in paths)),
            expected="the codebook CSV (variable,code,label,is_missing), e.g. stats19-codebook-2024.csv",
        )
    codebook = _codebook(books[0])
    collisions = [f for f, k in kinds.items() if k == "collision"]
    casualties = [f for f, k in kinds.items() if k == "casualty"]
    if not casualties or not collisions:
        raise IngestError(
            f"no STATS19 {'casualty' if not casualties else 'collision'} file among the files",
            location=Location(file=", ".join(str(p) for p in paths)),
            expected="collision and casualty CSV files in the DfT layout",
        )
    _stage_collisions(con, collisions, codebook, ctx)
    batch = RecordBatch.of(STATS19_CASUALTIES)
    for path in casualties:
        display = str(path)
        sha = sha256_of(path)
        if sha in ctx.known_files:
            batch.already_loaded.append((display, ctx.known_files[sha]))
            continue
        index = len(batch.files)
        raw = stage_table(
            con, path, CASUALTY_COLUMNS, f"s19_cas_{index}", display=display, workdir=ctx.workdir
        )
        _check_codes(con, raw, CASUALTY_CODED, codebook, display)
        batch.add(con, _joined(con, raw, display, index), display, sha)
        staged = batch.files[-1]  # a STATS19 file covers whole calendar years ...
        if staged.period_first and staged.period_last:
            staged.period_first = date(staged.period_first.year, 1, 1)
            # ... but a provisional mid-year file only January to June (its months with
            # no casualties then are zero; the months after it are not covered)
            last = MID_YEAR_LAST if MID_YEAR.search(path.name) else 12
            end = max(staged.period_last, Month(staged.period_last.year, last).end)
            staged.period_last = Month(end.year, end.month).end
            staged.periods_covered = (
                f"{staged.period_first.year}-01 to {Month(end.year, end.month).label}"
            )
        skipped = [str(f) for f, k in kinds.items() if k == "vehicle"]
        if skipped:
            batch.files[-1].note += "; vehicle files skipped (casualties are counted)"
    return batch.finish(con)


def _csv_files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        out += sorted(f for f in p.rglob("*.csv") if f.is_file()) if p.is_dir() else [p]
    return out


def _kind(path: Path) -> str:
    header = {header_key(h) for h in next(csv.reader([read_first_line(path)]), [])}
    if {header_key(h) for h in CODEBOOK_HEADER} <= header:
        return "codebook"
    if "casualty reference" in header:
        return "casualty"
    if "vehicle type" in header:
        return "vehicle"
    if header & {"collision severity", "accident severity"}:
        return "collision"
    raise IngestError(
        "not a STATS19 collision, casualty or vehicle file, nor the codebook",
        location=Location(file=str(path), row=1),
        expected="a DfT road safety data CSV (with collision_index or accident_index)",
    )


def _codebook(path: Path) -> Codebook:
    book: Codebook = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            book.setdefault(row["variable"].strip(), {})[row["code"].strip()] = row["label"].strip()
    return book


def _check_codes(
    con: duckdb.DuckDBPyConnection,
    raw: StagedTable,
    coded: dict[str, str],
    codebook: Codebook,
    display: str,
) -> None:
    problems: list[Problem] = []
    for key, variable in coded.items():
        if key not in raw.present:
            continue
        codes = codebook.get(variable, {})
        _, bad = map_distinct(
            con, raw, (key,), lambda v, codes=codes: v if (v or "").strip() in codes else None,
            display, variable, describe=unknown_name(f"{variable} code", variable, codes),
        )  # fmt: skip
        problems += bad
    if problems:
        raise IngestError(problems=problems)


def _stage_collisions(
    con: duckdb.DuckDBPyConnection, paths: list[Path], codebook: Codebook, ctx: IngestContext
) -> None:
    """Every collision file's rows, checked, in TEMP table ``s19_collisions`` (ISO dates, force names)."""
    parts = []
    for i, path in enumerate(paths):
        display = str(path)
        raw = stage_table(
            con, path, COLLISION_COLUMNS, f"s19_col_{i}", display=display, workdir=ctx.workdir
        )
        _check_codes(con, raw, COLLISION_CODED, codebook, display)
        parsed = f"try_strptime(trim(date), '{DATE_FORMAT}')"
        problems = bad_rows(
            con, raw, f"{parsed} IS NULL", "date", "date", display, None,
            "a date like 31/03/2024 (DD/MM/YYYY)",
        )  # fmt: skip
        if problems:
            raise IngestError(problems=problems)
        rural = "urban_or_rural_area" if "urban_or_rural_area" in raw.present else "NULL"
        parts.append(
            f"SELECT trim(collision_index) AS collision_index, strftime({parsed}, '%Y-%m-%d') AS date, "
            f"trim(police_force) AS police_force_code, trim(collision_severity) AS collision_severity, "
            f"{rural} AS urban_or_rural_area FROM {raw.table}"
        )
    con.execute("CREATE OR REPLACE TEMP TABLE s19_collisions AS " + " UNION ALL ".join(parts))
    forces = codebook.get("police_force", {})
    con.execute("CREATE OR REPLACE TEMP TABLE s19_forces (code VARCHAR, name VARCHAR)")
    con.executemany(
        "INSERT INTO s19_forces VALUES (?, ?)",
        [[code, canonical_force(label) or label] for code, label in forces.items()],
    )


def _joined(
    con: duckdb.DuckDBPyConnection, raw: StagedTable, display: str, index: int
) -> StagedTable:
    """The casualty rows with their collision's date, force and severity, in file order."""
    orphans = con.execute(
        f"""SELECT {raw.row_sql("c")}, c.collision_index FROM {raw.table} c
            ANTI JOIN s19_collisions k ON k.collision_index = trim(c.collision_index)
            ORDER BY c.rowid LIMIT 10"""
    ).fetchall()
    if orphans:
        raise IngestError(
            problems=[
                Problem(
                    f"casualty of collision {ref!r}, which is in no collision file given",
                    Location(file=display, row=row, field="collision_index"),
                    expected="the collision file of the same year alongside the casualty file",
                )
                for row, ref in orphans
            ]
        )
    serious = "c.adjusted_serious" if "adjusted_serious" in raw.present else "NULL"
    slight = "c.adjusted_slight" if "adjusted_slight" in raw.present else "NULL"
    weight = (
        f"CASE WHEN trim(c.casualty_severity) = '{FATAL}' THEN '1' ELSE {serious} END"
        if serious != "NULL"
        else f"CASE WHEN trim(c.casualty_severity) IN ('{FATAL}', '2') THEN '1' ELSE '0' END"
    )
    table = f"s19_joined_{index}"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {table} AS
        SELECT trim(c.collision_index) AS collision_index, c.casualty_reference, c.vehicle_reference,
               k.date, f.name AS police_force, k.police_force_code, k.collision_severity,
               c.casualty_severity, c.casualty_class, c.casualty_type, c.sex_of_casualty,
               c.age_band_of_casualty, k.urban_or_rural_area, {serious} AS adjusted_serious,
               {slight} AS adjusted_slight, {weight} AS ksi_weight
        FROM {raw.table} c
        JOIN s19_collisions k ON k.collision_index = trim(c.collision_index)
        JOIN s19_forces f ON f.code = k.police_force_code
        ORDER BY c.rowid"""
    )
    return StagedTable(
        table, raw.rows, raw.first_row, frozenset(STATS19_CASUALTIES.columns), raw.header
    )
