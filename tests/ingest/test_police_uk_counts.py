"""data.police.uk files are stored as monthly counts; the checks hold across files and chunks."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_files import STREET_HEADER, file_sha, street_rows, write_csv

from planwatch.errors import IngestError
from planwatch.ingest import police_uk_scan
from planwatch.ingest.police_uk_scan import StreetFile
from planwatch.periods import Month
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading

COUNTS_SQL = "SELECT * EXCLUDE (load_id) FROM police_uk_counts ORDER BY ALL"
LSOA = 8  # column index of "LSOA name"
CRIME_TYPE = 9


def stored(project: Path, sql: str = COUNTS_SQL) -> list[tuple[object, ...]]:
    with reading(project) as con:
        return con.execute(sql).fetchall()


def three_months(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        write_csv(
            folder / f"2018-0{m}-essex-street.csv", STREET_HEADER, street_rows(f"2018-0{m}", 8 * m)
        )
        for m in (1, 2, 3)
    ]


def test_rows_are_counted_by_local_area_crime_type_and_outcome(tmp_path: Path) -> None:
    rows = street_rows("2018-01", 8)  # ASB rows 0 and 4; burglary odd rows; violence 2 and 6
    rows[1][LSOA] = "Colchester 014B"
    rows[2][LSOA] = ""  # no location: counted under area ''
    rows[3][LSOA] = "Southend-on-Sea 021C"
    rows[5][LSOA] = "Colchester 001A"
    rows[6][LSOA] = "Somewhere"  # not an LSOA name: kept whole
    path = write_csv(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows)
    (load,) = ingest(tmp_path / "p", "police_uk", [path]).loads
    assert load.rows == 8
    burglary, violence, asb = "Burglary", "Violence and sexual offences", "Anti-social behaviour"
    open_ = "Under investigation"
    january = Month(2018, 1).start
    assert stored(tmp_path / "p") == [
        (january, "Essex Police", "", violence, open_, 1),
        (january, "Essex Police", "Chelmsford", asb, None, 2),
        (january, "Essex Police", "Chelmsford", burglary, open_, 1),
        (january, "Essex Police", "Colchester", burglary, open_, 2),
        (january, "Essex Police", "Somewhere", violence, open_, 1),
        (january, "Essex Police", "Southend-on-Sea", burglary, open_, 1),
    ]


def test_a_crime_id_repeated_under_another_crime_type_is_found(tmp_path: Path) -> None:
    """The repeat is found by Crime ID alone, whatever the rest of the row says."""
    paths = three_months(tmp_path / "in")
    rows = street_rows("2018-02", 16)
    rows[9] = list(rows[1])
    rows[9][CRIME_TYPE] = "Robbery"
    write_csv(paths[1], STREET_HEADER, rows)
    with pytest.raises(IngestError) as caught:
        ingest(tmp_path / "p", "police_uk", paths)
    (problem,) = caught.value.problems
    assert problem.message.startswith("duplicate row: Crime ID")
    assert (problem.location.file, problem.location.row) == (str(paths[1]), 11)
    assert not (tmp_path / "p" / "planwatch.duckdb").exists()


def test_files_read_in_separate_chunks_give_the_same_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = three_months(tmp_path / "in")
    together = ingest(tmp_path / "one", "police_uk", paths)
    monkeypatch.setattr(police_uk_scan, "CHUNK_BYTES", 1)  # one file a chunk
    apart = ingest(tmp_path / "three", "police_uk", paths)
    assert [r.rows for r in apart.loads] == [r.rows for r in together.loads] == [8, 16, 24]
    assert stored(tmp_path / "three") == stored(tmp_path / "one")
    per_file = "SELECT load_id, month, sum(count) FROM police_uk_counts GROUP BY ALL ORDER BY 1"
    assert [n for *_, n in stored(tmp_path / "three", per_file)] == [8, 16, 24]


def test_a_repeat_in_a_later_chunk_names_its_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = three_months(tmp_path / "in")
    rows = street_rows("2018-03", 24)
    rows[20] = list(rows[5])
    write_csv(paths[2], STREET_HEADER, rows)
    monkeypatch.setattr(police_uk_scan, "CHUNK_BYTES", 1)
    with pytest.raises(IngestError) as caught:
        ingest(tmp_path / "p", "police_uk", paths)
    (problem,) = caught.value.problems
    assert (problem.location.file, problem.location.row) == (str(paths[2]), 22)


def test_a_hash_collision_alone_is_not_a_repeat(tmp_path: Path) -> None:
    """Repeats are screened by a 64-bit hash of the Crime ID, then confirmed on the IDs."""
    path = write_csv(
        tmp_path / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 9)
    )
    file = StreetFile(path, str(path), Month(2018, 1), "essex", tuple(STREET_HEADER))
    assert police_uk_scan._repeated_crime_id(file) is None
    rows = street_rows("2018-01", 9)
    rows[7] = list(rows[2])
    write_csv(path, STREET_HEADER, rows)
    problem = police_uk_scan._repeated_crime_id(file)
    assert problem is not None and problem.location.row == 9


def test_blank_crime_type_names_the_row(tmp_path: Path) -> None:
    rows = street_rows("2018-01", 12)
    rows[10][CRIME_TYPE] = ""
    path = write_csv(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows)
    with pytest.raises(IngestError) as caught:
        ingest(tmp_path / "p", "police_uk", [path])
    (problem,) = caught.value.problems
    assert (problem.message, problem.location.row, problem.location.field) == (
        "'Crime type' is blank",
        12,
        "Crime type",
    )


def test_same_street_files_twice_change_nothing(tmp_path: Path) -> None:
    paths = three_months(tmp_path / "in")
    project = tmp_path / "p"
    first = ingest(project, "police_uk", paths)
    before = file_sha(project / "planwatch.duckdb")
    again = ingest(project, "police_uk", [tmp_path / "in"])
    assert again.loads == ()
    assert [load_id for _, load_id in again.already_loaded] == [r.load_id for r in first.loads]
    assert file_sha(project / "planwatch.duckdb") == before


def test_utf8_file_with_byte_order_mark(tmp_path: Path) -> None:
    rows = street_rows("2018-01", 6)
    rows[1][LSOA] = "Ynys M\u00f4n 001A"
    path = write_csv(
        tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows, encoding="utf-8-sig"
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    (load,) = ingest(tmp_path / "p", "police_uk", [path]).loads
    assert load.rows == 6
    assert stored(
        tmp_path / "p", "SELECT area, sum(count) FROM police_uk_counts GROUP BY ALL ORDER BY 1"
    ) == [("Chelmsford", 5), ("Ynys M\u00f4n", 1)]


def test_header_only_file_is_rejected(tmp_path: Path) -> None:
    paths = three_months(tmp_path / "in")
    write_csv(paths[1], STREET_HEADER, [])
    with pytest.raises(IngestError) as caught:
        ingest(tmp_path / "p", "police_uk", paths)
    (problem,) = caught.value.problems
    assert (problem.message, problem.location.file) == (
        "the file has a header but no data rows",
        str(paths[1]),
    )


def test_chunks_read_at_once_report_their_bad_rows_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two chunks are read at once (each on a cursor of its own, with its own rejects
    tables): a bad row in each is named in file order, the slow first chunk's first, and a
    good load of the same files read one chunk at a time stores the same counts."""
    assert police_uk_scan.SCANS_IN_FLIGHT >= 2
    monkeypatch.setattr(police_uk_scan, "CHUNK_BYTES", 1)  # a chunk a file
    folder = tmp_path / "in"
    folder.mkdir()
    sizes = {1: 40, 2: 3000, 3: 40, 4: 40, 5: 10, 6: 40}  # chunk 2 slower than the next
    paths = {
        m: write_csv(
            folder / f"2018-0{m}-essex-street.csv", STREET_HEADER, street_rows(f"2018-0{m}", n)
        )
        for m, n in sizes.items()
    }
    at_once = ingest(tmp_path / "at-once", "police_uk", [folder])
    monkeypatch.setattr(police_uk_scan, "SCANS_IN_FLIGHT", 1)
    one_by_one = ingest(tmp_path / "one-by-one", "police_uk", [folder])
    assert [r.rows for r in at_once.loads] == [r.rows for r in one_by_one.loads]
    assert stored(tmp_path / "at-once") == stored(tmp_path / "one-by-one")
    for m, row in ((2, 2900), (5, 7)):
        rows = street_rows(f"2018-0{m}", sizes[m])
        rows[row][5] = "north"  # Latitude
        write_csv(paths[m], STREET_HEADER, rows)
    monkeypatch.setattr(police_uk_scan, "SCANS_IN_FLIGHT", 2)
    with pytest.raises(IngestError) as caught:
        ingest(tmp_path / "bad", "police_uk", [folder])
    assert [(p.location.file, p.location.row, p.message) for p in caught.value.problems] == [
        (str(paths[2]), 2902, "'Latitude' is 'north'"),
        (str(paths[5]), 9, "'Latitude' is 'north'"),
    ]
