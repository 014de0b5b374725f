"""The scanned read of an offence-level PRC table (planwatch/ingest/prc_scan.py) gives the
very batch the checked reader gives — rows, row numbers, warnings, note — and gives way
to the checked reader, which words the problem, whenever anything is out of the ordinary."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pytest
from ingest_files import PRC_HEADER, write_csv

from planwatch.errors import IngestError
from planwatch.ingest import prc, prc_scan
from planwatch.ingest.staged import IngestContext


def _run(reader: Any, path: Path, ctx: IngestContext) -> tuple[list[tuple[Any, ...]], Any, str]:
    """The staged rows (file order), the file record and the kind of object they are in."""
    con = duckdb.connect()
    try:
        batch = reader(con, path, str(path), ctx, 0)
        table = batch.tables["prc_offences"]
        rows = con.execute(f"SELECT * FROM {table} ORDER BY source_row").fetchall()
        kind = con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        (record,) = batch.files
        return rows, record, str(kind[0] if kind else None)
    finally:
        con.close()


def _same_as_checked(path: Path, ctx: IngestContext, *, scanned: bool = True) -> None:
    """The scanned read (a view over the ENUM table, unless ``scanned`` is false: it gave
    way) and the checked reader stage the same rows and file record."""
    rows, record, kind = _run(prc.stage_prc, path, ctx)
    want_rows, want_record, _ = _run(prc._stage_checked, path, ctx)
    assert kind == ("VIEW" if scanned else "LOCAL TEMPORARY")
    assert rows == want_rows
    assert record == want_record


def _ctx(tmp_path: Path, codes: dict[str, str] | None = None) -> IngestContext:
    return IngestContext(tmp_path, offence_codes=codes or {})


def test_real_table_scanned_as_the_checked_reader_reads_it(
    shared_data: Path, tmp_path: Path
) -> None:
    lookup = shared_data / "lookups" / "ho-offence-code-to-policeuk-category.csv"
    with lookup.open(encoding="utf-8") as fh:
        codes = {r["Offence Code"]: r["Offence Description"] for r in csv.DictReader(fh)}
    table = shared_data / "prc-pfa-2017-18.csv"
    _same_as_checked(table, _ctx(tmp_path, codes))
    _same_as_checked(table, _ctx(tmp_path))  # the note says the codes were not checked


def _awkward_rows(years: int) -> list[list[str]]:
    """Offence-level rows with what real tables hold: '&' for 'and', a force with one row a
    quarter, composite codes repeated, negative counts, thousands separators, quoted
    commas and quotes, a code with spaces."""
    rows = []
    for y in range(years):
        fy = f"{2017 - y}/{(2018 - y) % 100:02d}"
        for q in ("1", "2", "3", "4"):
            force = "Avon & Somerset" if y % 2 else "Avon and Somerset"
            for code, desc, group, sub in (
                ("34A", "Robbery of business property", "Robbery", "Robbery"),
                (" 28E ", "Burglary - residential", "Theft offences", "Burglary"),
                ("1/4.1/4.10/4.2", "Homicide", "Violence against the person", "Homicide"),
                ("1/4.1/4.10/4.2", "Death by dangerous driving", "Violence against the person", "Homicide"),
                ("8N", 'Assault, with "intent"', "Violence against the person", "Violence with injury"),
            ):  # fmt: skip
                for name in (force, "Essex"):
                    count = -2 if code == "34A" and y == 3 else 1200 + y
                    rows.append([fy, q, name, desc, group, sub, code, f"{count:,}"])
        if y == years - 1:  # seen once, far from the first line: not in the sample
            rows.append([fy, "1", "Action Fraud", "Fraud recorded by AF", "Fraud offences", "Fraud: AF", "AF", "9"])  # fmt: skip
    return rows


def _types(con: duckdb.DuckDBPyConnection, like: str) -> set[str]:
    return {t for (t,) in con.execute("SELECT type_name FROM duckdb_types() WHERE type_name LIKE ?", [like]).fetchall()}  # fmt: skip


def test_ordinary_table_read_once_with_typed_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain counts and every value sampled: DuckDB's reader types the columns itself and
    the text read (its ENUMs named without ``_typed``) never runs."""
    monkeypatch.setattr(prc_scan, "MIN_STRIDE", 1)  # every line of a small file sampled
    rows = [[*r[:7], r[7].replace(",", "")] for r in _awkward_rows(years=1)]  # no '&'s
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    _same_as_checked(path, _ctx(tmp_path))
    con = duckdb.connect()
    prc.stage_prc(con, path, "prc.csv", _ctx(tmp_path), 0)
    assert "prc_scan_0_typed_force" in _types(con, "prc_scan_0_typed_%")
    assert not _types(con, "prc_scan_0_f%")  # no text read's ENUM (prc_scan_0_force)
    (view,) = con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'prc_ready_0'").fetchone()  # type: ignore[misc]  # fmt: skip
    assert "prc_scan_0_q" in view and "prc_scan_0_c" in view  # ' 28E ' is stored trimmed
    assert "prc_scan_0_f" not in view  # every force stored as written: no join to its map


def test_sampled_lines_are_whole_lines_from_across_the_file(tmp_path: Path) -> None:
    lines = [f"{i},{'x' * (i % 50)}" for i in range(20_000)]
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sample = prc_scan.sample_lines(path)
    stride = prc_scan.sample_stride(path.stat().st_size)
    assert prc_scan.MIN_STRIDE <= stride <= prc_scan.MAX_STRIDE
    assert abs(len(sample) - path.stat().st_size / stride) <= 1  # one a stride
    assert {line.decode() for line in sample} <= set(lines)
    assert int(sample[-1].split(b",")[0]) > 19_000  # reaches the end of the file
    (tmp_path / "empty.csv").write_bytes(b"")
    assert prc_scan.sample_lines(tmp_path / "empty.csv") == ()


def test_awkward_values_and_values_the_sample_missed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prc_scan, "MIN_STRIDE", prc_scan.MAX_STRIDE)  # a sparse sample
    rows = _awkward_rows(years=100)
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    assert path.stat().st_size > 4 * prc_scan.MAX_STRIDE  # sampled at several places
    _same_as_checked(path, _ctx(tmp_path))
    rows_, record, _ = _run(prc.stage_prc, path, _ctx(tmp_path))
    assert len(rows_) == len(rows) == record.rows
    assert any("negative counts" in w.message for w in record.warnings)
    con = duckdb.connect()
    prc.stage_prc(con, path, "prc.csv", _ctx(tmp_path), 0)
    assert "prc_scan_0_all_code" in _types(con, "%_all_%")  # 'AF' not sampled: widened


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("blank description", 3),  # allowed: stored as NULL by the checked reader
        ("quoted empty description", 3),
        ("bad count", 7),
    ],
)
def test_out_of_the_ordinary_fields_go_to_the_checked_reader(
    tmp_path: Path, change: str, field: int
) -> None:
    rows = _awkward_rows(years=2)
    value = {"blank description": "", "bad count": "12x"}.get(change, '""')
    path = tmp_path / "prc.csv"
    lines = [",".join(PRC_HEADER)]
    for i, row in enumerate(rows):
        cells = [f'"{c}"' if ("," in c or '"' in c) and not c.startswith('"') else c for c in (c.replace('"', '""') for c in row)]  # fmt: skip
        if i == 7:
            cells[field] = value
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if change == "bad count":
        with pytest.raises(IngestError) as caught:
            prc.stage_prc(duckdb.connect(), path, "prc.csv", _ctx(tmp_path), 0)
        (problem,) = caught.value.problems
        assert problem.message == "'Number of Offences' is '12x'" and problem.location.row == 9
    else:
        _same_as_checked(path, _ctx(tmp_path), scanned=False)


def test_duplicate_across_spellings_is_worded_by_the_checked_reader(tmp_path: Path) -> None:
    rows = _awkward_rows(years=2)
    twin = [*rows[0]]
    twin[2] = "Avon & Somerset"  # the same force, quarter and code as row 2
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, [*rows, twin])
    with pytest.raises(IngestError) as caught:
        prc.stage_prc(duckdb.connect(), path, "prc.csv", _ctx(tmp_path), 0)
    (problem,) = caught.value.problems
    assert problem.message == (
        "duplicate row: force, quarter and offence code (Avon and Somerset, 2017, 1, 34A) "
        "already appears at row 2"
    )
    assert problem.location.row == len(rows) + 2


def test_windows_1252_table_goes_to_the_checked_reader(tmp_path: Path) -> None:
    rows = [[*r[:3], r[3] + " – £", *r[4:]] for r in _awkward_rows(years=2)]
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows, encoding="cp1252")
    assert b"\xa3" in path.read_bytes()  # really Windows-1252, not UTF-8
    _same_as_checked(path, _ctx(tmp_path), scanned=False)
    staged, _, _ = _run(prc.stage_prc, path, _ctx(tmp_path))
    assert staged[0][7].endswith(" – £")  # offence_description, read as Windows-1252


def test_nul_byte_goes_to_the_checked_reader(tmp_path: Path) -> None:
    """Whether a file holds a NUL byte is known only once its SHA-256 thread is done: the
    scanned rows are let go and the checked reader names the row and field."""
    rows = _awkward_rows(years=3)
    rows[100][3] = "Robbery\0of business property"  # past the first 8 KB
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    with pytest.raises(IngestError) as caught:
        prc.stage_prc(duckdb.connect(), path, "prc.csv", _ctx(tmp_path), 0)
    (problem,) = caught.value.problems
    assert problem.message == "'Offence Description' holds a NUL byte"
    assert (problem.location.row, problem.location.field) == (102, "Offence Description")


def test_file_already_loaded_is_skipped_and_its_rows_let_go(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, _awkward_rows(years=3))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    con = duckdb.connect()
    batch = prc.stage_prc(con, path, "prc.csv", IngestContext(tmp_path, known_files={sha: 7}), 0)
    assert batch.already_loaded == [("prc.csv", 7)] and not batch.files and not batch.tables
    tables = con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'prc%'")
    assert tables.fetchall() == []


@pytest.mark.parametrize("count", ["1.5", "0x10", "7.25"])
@pytest.mark.parametrize("separators", [False, True], ids=["typed read", "text read"])
def test_count_that_is_not_whole_is_an_error_not_rounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: str, separators: bool
) -> None:
    """DuckDB's own casts to an integer round '1.5' to 2 and read '0x10' as 16; neither
    read keeps such a count: the checked reader names its row."""
    monkeypatch.setattr(prc_scan, "MIN_STRIDE", 1)
    rows = _awkward_rows(years=1)
    if not separators:  # plain counts: the typed read, not the text read, takes the file
        rows = [[*r[:7], r[7].replace(",", "")] for r in rows if "&" not in r[2]]
    rows[5][7] = count
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    with pytest.raises(IngestError) as caught:
        prc.stage_prc(duckdb.connect(), path, "prc.csv", _ctx(tmp_path), 0)
    (problem,) = caught.value.problems
    assert problem.message == f"'Number of Offences' is {count!r}"
    assert (problem.location.row, problem.expected) == (7, "a whole number")


def test_whole_count_written_with_a_point_zero_is_read_as_the_checked_reader_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prc_scan, "MIN_STRIDE", 1)
    rows = [[*r[:7], r[7].replace(",", "")] for r in _awkward_rows(years=1)]
    rows[5][7] = "1201.0"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    _same_as_checked(path, _ctx(tmp_path))
    staged, _, _ = _run(prc.stage_prc, path, _ctx(tmp_path))
    assert 1201 in {row[-1] for row in staged}
