"""Many extract files in one load (a month of each force): read together in one pass when
clean, and told file by file — which file, which row — when not, the store unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_files import file_sha, write_csv
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN, crime

from planwatch.errors import IngestError
from planwatch.plan.load import parse_plan
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading

PLAN = parse_plan(RECORDS_PLAN)


def extracts(tmp_path: Path, n: int = 3) -> list[Path]:
    """``n`` files of the same layout, with distinct crime references."""
    paths = []
    for i in range(n):
        rows = [[f"F{i}-{r[0]}", *r[1:]] for r in CRIME_ROWS]
        paths.append(write_csv(tmp_path / f"force{i}-2023-04.csv", CRIME_HEADER, rows))
    return paths


def _refused(tmp_path: Path, paths: list[Path], match: str) -> None:
    project = tmp_path / "p"
    first = write_csv(tmp_path / "base.csv", CRIME_HEADER, [crime("B1", 1, "01/04/2023", "8N")])
    ingest(project, "records", [first], record_source="crimes", plan=PLAN)
    before = file_sha(project / "planwatch.duckdb")
    with pytest.raises(IngestError, match=match):
        ingest(project, "records", paths, record_source="crimes", plan=PLAN)
    assert file_sha(project / "planwatch.duckdb") == before


def test_each_record_keeps_its_own_file_and_row(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    result = ingest(tmp_path / "p", "records", paths, record_source="crimes", plan=PLAN)
    assert [load.rows for load in result.loads] == [len(CRIME_ROWS)] * 3
    with reading(tmp_path / "p") as con:
        rows = con.execute(
            "SELECT l.file_name, r.source_row FROM records_crimes r JOIN loads l USING (load_id) "
            "WHERE crime_ref = 'F2-C5' ORDER BY item"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM records_crimes").fetchone() == (
            3 * len(CRIME_ROWS),
        )
    # C5 is the fifth and sixth data rows: spreadsheet rows 6 and 7 of the third file
    assert rows == [(str(paths[2]), 6), (str(paths[2]), 7)]


def test_files_with_their_columns_in_another_order(tmp_path: Path) -> None:
    a, b = extracts(tmp_path, 2)
    order = list(reversed(range(len(CRIME_HEADER))))
    rows = [[f"R-{r[0]}", *r[1:]] for r in CRIME_ROWS]
    write_csv(b, [CRIME_HEADER[i] for i in order], [[row[i] for i in order] for row in rows])
    ingest(tmp_path / "p", "records", [a, b], record_source="crimes", plan=PLAN)
    with reading(tmp_path / "p") as con:
        assert con.execute(
            "SELECT recorded_date::VARCHAR, property_value FROM records_crimes WHERE crime_ref = 'R-C7'"
        ).fetchall() == [("2023-06-04", 1200.0)]


def test_a_bad_date_in_the_third_file_names_that_file_and_row(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    rows = [list(r) for r in CRIME_ROWS]
    rows[6][2] = "2023-13-01"
    write_csv(paths[2], CRIME_HEADER, rows)
    _refused(tmp_path, paths, r"'Recorded Date' is '2023-13-01' \(.*force2-2023-04.csv, row 8")


def test_a_duplicate_inside_the_second_file(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    rows = [[f"F1-{r[0]}", *r[1:]] for r in [*CRIME_ROWS, CRIME_ROWS[0]]]
    write_csv(paths[1], CRIME_HEADER, rows)
    _refused(
        tmp_path,
        paths,
        r"duplicate row: record id \(F1-C1, 1\) already appears at row 2 \(.*force1-2023-04.csv, row 13\)",
    )


def test_a_record_in_two_files(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    write_csv(paths[2], CRIME_HEADER, [["F0-C3", *CRIME_ROWS[2][1:]]])
    _refused(
        tmp_path, paths, r"duplicate record id \(F0-C3, 1\): also in .*force0-2023-04.csv row 4"
    )


def test_a_file_with_a_header_only(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    write_csv(paths[1], CRIME_HEADER, [])
    _refused(tmp_path, paths, r"force1-2023-04.csv.*\); expected at least one data row")


def test_a_short_row_in_one_file(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    with paths[1].open("a", encoding="utf-8") as fh:
        fh.write("C99,1,03/04/2023\r\n")
    _refused(tmp_path, paths, r"the row has 3 fields \(.*force1-2023-04.csv, row 13\)")


def test_a_windows_1252_file_among_utf8_files(tmp_path: Path) -> None:
    paths = extracts(tmp_path)
    rows = [[f"W-{r[0]}", *r[1:-1], "Café door forced"] for r in CRIME_ROWS]
    rows = [[c.replace("–", "-") for c in r] for r in rows]  # no en dash in Windows-1252
    write_csv(paths[1], CRIME_HEADER, rows, encoding="cp1252")
    ingest(tmp_path / "p", "records", paths, record_source="crimes", plan=PLAN)
    with reading(tmp_path / "p") as con:
        assert con.execute(
            "SELECT count(*) FROM records_crimes WHERE crime_ref LIKE 'W-%'"
        ).fetchone() == (len(CRIME_ROWS),)


def test_personal_data_is_warned_about_once_a_load(tmp_path: Path) -> None:
    text = RECORDS_PLAN.replace(
        "      district: {type: text, header: District}\n",
        "      district: {type: text, header: District}\n      victim: {type: text, header: Victim Name}\n",
    )
    result = ingest(
        tmp_path / "p", "records", extracts(tmp_path), record_source="crimes", plan=parse_plan(text)
    )
    assert sum("'Victim Name' looks like personal data" in w for w in result.warnings) == 1


@pytest.mark.parametrize(
    ("column", "field"), [(7, "District"), (10, "Property Value"), (2, "Recorded Date")]
)
def test_a_nul_byte_in_one_file(tmp_path: Path, column: int, field: str) -> None:
    paths = extracts(tmp_path)
    # past the first 8 KiB, where a NUL byte would make it a binary file
    rows = [crime(f"P{i}", 1, "01/04/2023", "8N") for i in range(200)] + [
        list(r) for r in CRIME_ROWS
    ]
    rows[204][column] += "\0"
    write_csv(paths[1], CRIME_HEADER, rows)
    _refused(tmp_path, paths, rf"'{field}' holds a NUL byte \(.*force1-2023-04.csv, row 206")


@pytest.mark.parametrize("other", ["csv", "parquet"])
def test_a_record_in_two_chunks_or_read_two_ways(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    """Ids are hashed part by part as the load is read (planwatch/ingest/records.py,
    ``_id_hashes``): a record in two files is found whether the files were read in
    different chunks or one of them file by file (Parquet), and named the same way."""
    from planwatch.ingest import records

    monkeypatch.setattr(records, "CHUNK_BYTES", 1)  # every file a chunk of its own
    paths = extracts(tmp_path)
    rows = [["F0-C3", *CRIME_ROWS[2][1:]], ["X-1", *CRIME_ROWS[0][1:]]]
    if other == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        paths[2] = tmp_path / "force2-2023-04.parquet"
        pq.write_table(
            pa.table({h: [r[i] for r in rows] for i, h in enumerate(CRIME_HEADER)}), paths[2]
        )
    else:
        write_csv(paths[2], CRIME_HEADER, rows)
    # a file read file by file is staged first (its load number is lower), so it is named first
    first, second = (
        ("force2-2023-04.parquet row 1", "force0-2023-04.csv, row 4")
        if other == "parquet"
        else ("force0-2023-04.csv row 4", "force2-2023-04.csv, row 2")
    )
    _refused(
        tmp_path, paths, rf"duplicate record id \(F0-C3, 1\): also in .*{first} \(.*{second}\)"
    )


def test_files_loaded_already_are_hashed_not_read_and_listed_as_given(tmp_path: Path) -> None:
    """A second load of the same extracts (CSV files read together, and a Parquet file read
    on its own) finds every file by its SHA-256 — the CSV files hashed on the parsing
    threads — lists them in the order given, with the load that holds each, and writes
    nothing."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = extracts(tmp_path)
    extra = tmp_path / "force9-2023-04.parquet"
    rows = [[f"P-{r[0]}", *r[1:]] for r in CRIME_ROWS]
    pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(CRIME_HEADER)}), extra)
    project = tmp_path / "p"
    first = ingest(project, "records", [*paths, extra], record_source="crimes", plan=PLAN)
    load_of = {load.file_name: load.load_id for load in first.loads}
    before = file_sha(project / "planwatch.duckdb")
    given = [paths[2], extra, paths[0], paths[1]]
    again = ingest(project, "records", given, record_source="crimes", plan=PLAN)
    assert again.loads == ()
    assert list(again.already_loaded) == [(str(p), load_of[str(p)]) for p in given]
    assert file_sha(project / "planwatch.duckdb") == before


def test_a_blank_in_a_number_that_identifies_records_is_told_by_row(tmp_path: Path) -> None:
    """A number that is part of the record id is required: pyarrow reads a blank one as
    nothing (planwatch/ingest/records.py, ``_numbers``), the files go file by file, and
    the blank is named by file and row; a clean load of the same layout is read together."""
    plan = parse_plan(
        RECORDS_PLAN.replace("id: [crime_ref, item]", "id: [crime_ref, property_value]", 1)
    )
    paths = extracts(tmp_path)
    rows = [[f"F1-{r[0]}", *r[1:]] for r in CRIME_ROWS]
    filled = [[*r[:10], r[10] or "1", *r[11:]] for r in rows]
    write_csv(paths[0], CRIME_HEADER, [[f"F0-{r[0][3:]}", *r[1:]] for r in filled])  # no blank
    clean = [
        write_csv(
            tmp_path / f"clean{i}.csv", CRIME_HEADER, [[f"K{i}-{r[0]}", *r[1:]] for r in filled]
        )
        for i in range(2)
    ]
    loaded = ingest(tmp_path / "ok", "records", clean, record_source="crimes", plan=plan)
    assert [load.rows for load in loaded.loads] == [len(CRIME_ROWS)] * 2
    project = tmp_path / "p"
    blank_row = next(i for i, r in enumerate(rows) if not r[10]) + 2  # the header is row 1
    with pytest.raises(
        IngestError, match=rf"'Property Value' is blank \(.*force1-2023-04.csv, row {blank_row}"
    ):
        ingest(
            project,
            "records",
            [paths[0], write_csv(paths[1], CRIME_HEADER, rows)],
            record_source="crimes",
            plan=plan,
        )
    assert not (project / "planwatch.duckdb").exists()
