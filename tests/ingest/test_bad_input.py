"""Bad input: each case names file, row or field and what was expected, and leaves the
store file byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import pytest
from children import CHILD_TIMEOUT
from ingest_files import (
    GROUP_HEADER,
    PRC_HEADER,
    PRC_ROWS,
    STREET_HEADER,
    file_sha,
    street_rows,
    write_csv,
    write_xlsx,
)
from mounts import tmpfs

from planwatch.cli.init import example_plan_text
from planwatch.errors import IngestError, PlanwatchError, StoreError
from planwatch.ingest import police_uk_scan
from planwatch.ingest.files import ABANDONED_AFTER_SECONDS, MAX_ZIP_RATIO, WORK_PREFIX
from planwatch.ingest.source import unreadable
from planwatch.services.ingest import ingest

Check = Callable[[], None]
MIB = 1 << 20
#: A temporary folder too small for the test archive's 2 MB of CSV (a tmpfs of this size).
SMALL_TMPFS = MIB
#: Members of the zip a test load is killed while inflating (about 10 MB each).
KILLED_ZIP_MEMBERS = 12


def rejected(project: Path, kind: str, path: Path) -> IngestError:
    with pytest.raises(IngestError) as caught:
        ingest(project, kind, [path])
    return caught.value


def only(err: PlanwatchError):  # type: ignore[no-untyped-def]
    assert len(err.problems) == 1, err.render()
    return err.problems[0]


def test_wrong_file_type_png_named_csv(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = tmp_path / "prc.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    p = only(rejected(project, "prc", path))
    assert "PNG image" in p.message and p.location.file == str(path)
    assert p.expected is not None and "CSV, XLSX or ODS" in p.expected
    unchanged()


def test_wrong_file_type_spreadsheet_for_police_uk(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    path = write_xlsx(
        tmp_path / "2018-01-essex-street.xlsx", STREET_HEADER, street_rows("2018-01", 3)
    )
    p = only(rejected(project, "police_uk", path))
    assert "XLSX" in p.message and p.expected is not None and "police.uk CSV" in p.expected
    unchanged()


def test_truncated_zip(project: Path, tmp_path: Path, unchanged: Check) -> None:
    month = write_csv(
        tmp_path / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 400)
    )
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(month, "2018-01/2018-01-essex-street.csv")
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    p = only(rejected(project, "police_uk", archive))
    assert "truncated" in p.message and p.location.file == str(archive)
    assert p.expected == "a complete zip file (download it again)"
    unchanged()


def test_empty_file(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    p = only(rejected(project, "prc", path))
    assert p.message == "the file is empty" and p.location.file == str(path)
    unchanged()


def test_header_only_file(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, [])
    p = only(rejected(project, "prc", path))
    assert "no data rows" in p.message
    unchanged()


def test_renamed_column_suggests_nearest(project: Path, tmp_path: Path, unchanged: Check) -> None:
    header = [h if h != "Offence Code" else "Offence Cde" for h in PRC_HEADER]
    path = write_csv(tmp_path / "prc.csv", header, PRC_ROWS)
    p = only(rejected(project, "prc", path))
    assert p.message == "missing column 'Offence Code'"
    assert (p.location.file, p.location.row, p.location.field) == (str(path), 1, "Offence Code")
    assert p.suggestion == "Offence Cde"
    unchanged()


def test_missing_column_in_measures(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(tmp_path / "m.csv", ["measure", "period", "vlaue"], [["x", "2023-06", "1"]])
    p = only(rejected(project, "measures", path))
    assert p.message == "missing column 'value'" and p.suggestion == "vlaue"
    unchanged()


def test_non_numeric_count_gives_row(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[2][7] = "twelve"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert p.message == "'Number of Offences' is 'twelve'"
    assert (p.location.row, p.location.field) == (4, "Number of Offences")  # header is row 1
    assert p.expected == "a whole number"
    unchanged()


def test_negative_count_in_group_table_is_an_error(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    rows = [
        ["2017/18", "1", "Essex", "Robbery", "120", "1800000"],
        ["2017/18", "1", "Kent", "Robbery", "-3", "1800000"],
    ]
    path = write_csv(tmp_path / "groups.csv", GROUP_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert p.message == "'Number of Offences' is '-3'" and p.location.row == 3
    assert p.expected == "a whole number (0 or more)"
    unchanged()


def test_negative_population_is_an_error(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(
        tmp_path / "pop.csv",
        ["area", "year", "population"],
        [["Essex", "2020", "1800000"], ["Kent", "2020", "-1"]],
    )
    p = only(rejected(project, "population", path))
    assert (p.location.row, p.location.field) == (3, "population") and "0 or more" in (
        p.expected or ""
    )
    unchanged()


def test_duplicate_rows(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = [*PRC_ROWS, PRC_ROWS[1]]
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert p.message.startswith("duplicate row") and "at row 3" in p.message
    assert p.location.row == len(rows) + 1
    unchanged()


def test_duplicate_measure_rows(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        ["measure", "period", "value"],
        [["x", "2023-06", "1"], ["x", "Jun-23", "2"]],
    )
    p = only(rejected(project, "measures", path))
    assert p.message.startswith("duplicate row") and p.location.row == 3
    unchanged()


def test_unknown_force_with_suggestion(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[5][2] = "Esex"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert p.message == "unknown force 'Esex'" and p.suggestion == "Essex"
    assert (p.location.row, p.location.field) == (7, "Force Name")
    unchanged()


def test_unknown_offence_code_with_suggestion(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[3][6] = "28X"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert p.message == "unknown offence code '28X'" and p.suggestion in {"28E", "28F"}
    assert (p.location.row, p.location.field) == (5, "Offence Code")
    unchanged()


def test_unparseable_period_label(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(
        tmp_path / "m.csv",
        ["measure", "period", "value"],
        [["x", "2023-06", "1"], ["x", "2023 Q5", "2"]],
    )
    p = only(rejected(project, "measures", path))
    assert "cannot read '2023 Q5' as a period" in p.message
    assert (p.location.row, p.location.field) == (3, "period")
    unchanged()


def test_unparseable_financial_year(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[0][0] = "2017/19"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert "2017/19" in p.message and p.location.row == 2 and p.expected == "2017/18"
    unchanged()


def test_year_period_is_not_a_month_or_quarter(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    path = write_csv(tmp_path / "m.csv", ["measure", "period", "value"], [["x", "2023/24", "1"]])
    p = only(rejected(project, "measures", path))
    assert "financial year" in p.message and "quarter" in (p.expected or "")
    unchanged()


def test_police_uk_month_not_matching_file_name(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    rows = street_rows("2018-01", 20)
    rows[7][1] = "2018-02"
    path = write_csv(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows)
    p = only(rejected(project, "police_uk", path))
    assert (
        p.message == "'Month' is '2018-02'"
        and p.location.row == 9
        and p.expected == "2018-01, the month in the file name"
    )
    unchanged()


def test_police_uk_bad_file_name(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(tmp_path / "essex-january.csv", STREET_HEADER, street_rows("2018-01", 3))
    p = only(rejected(project, "police_uk", path))
    assert p.expected == "YYYY-MM-<force>-street.csv"
    unchanged()


def test_police_uk_duplicate_crime_id(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = street_rows("2018-01", 10)
    rows[6] = list(rows[3])
    path = write_csv(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows)
    p = only(rejected(project, "police_uk", path))
    assert p.message.startswith("duplicate row: Crime ID") and p.location.row == 8
    unchanged()


def test_police_uk_missing_column(project: Path, tmp_path: Path, unchanged: Check) -> None:
    header = [h if h != "Crime type" else "Crime_typ" for h in STREET_HEADER]
    path = write_csv(tmp_path / "2018-01-essex-street.csv", header, street_rows("2018-01", 3))
    p = only(rejected(project, "police_uk", path))
    assert p.message == "missing column 'Crime type'" and p.suggestion == "Crime_typ"
    unchanged()


def test_police_uk_error_found_while_earlier_files_are_counted(
    project: Path, tmp_path: Path, unchanged: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files are counted while the next are checked: a bad header in the last file is the
    error, whatever the earlier files' counting (a chunk each, still being read) was doing,
    and their counts leave nothing behind."""
    monkeypatch.setattr(police_uk_scan, "CHUNK_BYTES", 1)  # a chunk a file: many in flight
    folder = tmp_path / "in"
    folder.mkdir()
    for m in range(1, 9):
        write_csv(
            folder / f"2018-0{m}-essex-street.csv", STREET_HEADER, street_rows(f"2018-0{m}", 400)
        )
    header = [h if h != "Crime type" else "Crime_typ" for h in STREET_HEADER]
    last = write_csv(folder / "2018-09-essex-street.csv", header, street_rows("2018-09", 3))
    p = only(rejected(project, "police_uk", folder))
    assert p.message == "missing column 'Crime type'" and p.location.file == str(last)
    unchanged()


def test_one_bad_file_keeps_out_the_good_ones(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    good = write_csv(tmp_path / "m1.csv", ["measure", "period", "value"], [["x", "2023-06", "1"]])
    bad = write_csv(tmp_path / "m2.csv", ["measure", "period", "value"], [["y", "2023-06", "n/a"]])
    with pytest.raises(IngestError) as caught:
        ingest(project, "measures", [good, bad])
    assert caught.value.problems[0].location.file == str(bad)
    unchanged()


def test_failed_load_into_new_project_creates_no_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(IngestError):
        ingest(tmp_path / "new", "prc", [path])
    assert not (tmp_path / "new" / "planwatch.duckdb").exists()


def test_police_uk_non_numeric_coordinate(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = street_rows("2018-01", 30)
    rows[20][4] = "east"
    path = write_csv(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows)
    p = only(rejected(project, "police_uk", path))
    assert (p.message, p.location.row, p.location.field, p.expected) == (
        "'Longitude' is 'east'",
        22,
        "Longitude",
        "a number",
    )
    unchanged()


def test_row_with_too_many_fields(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[3].append("extra")
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    p = only(rejected(project, "prc", path))
    assert (p.message, p.location.row) == ("the row has 9 fields", 5)
    assert p.expected is not None and p.expected.startswith("8 fields")
    unchanged()


# --- Rows DuckDB cannot read: found from its rejects table, worded by planwatch (issue 16) --

#: Text of DuckDB's own messages, which must never reach a user (it changes between versions).
DUCKDB_WORDS = ("Invalid Input Error", "Possible fixes", "CSV Error", "Conversion Error")


def _own_words(err: PlanwatchError) -> None:
    text = err.render()
    assert not any(word in text for word in DUCKDB_WORDS), text


def test_row_with_too_few_fields(project: Path, tmp_path: Path, unchanged: Check) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[1] = rows[1][:6]
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    err = rejected(project, "prc", path)
    p = only(err)
    assert (p.message, p.location.file, p.location.row) == ("the row has 6 fields", str(path), 3)
    assert p.expected is not None and p.expected.startswith("8 fields")
    _own_words(err)
    unchanged()


def test_every_bad_row_up_to_five_is_named_in_row_order(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    """All at once, as a plan's problems are (before: the first DuckDB stopped at)."""
    rows = [list(PRC_ROWS[i % len(PRC_ROWS)]) for i in range(40)]
    for i in (3, 9, 12, 20, 25, 31, 37):
        rows[i].append("extra")
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    err = rejected(project, "prc", path)
    assert [(p.message, p.location.row) for p in err.problems] == [
        ("the row has 9 fields", i + 2) for i in (3, 9, 12, 20, 25)
    ]
    unchanged()


def test_quote_left_open(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = tmp_path / "m.csv"
    path.write_text('measure,period,value\nx,2023-06,1\ny,"2023-06,2\nz,2023-06,3\n')
    err = rejected(project, "measures", path)
    p = only(err)
    assert p.message == "a quoted value is not closed, or text follows its closing quote"
    assert (p.location.file, p.location.row, p.location.field) == (str(path), 3, "period")
    assert p.expected == 'a value in double quotes, with each quote inside it written twice ("")'
    _own_words(err)
    unchanged()


def test_text_after_a_closing_quote(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = tmp_path / "m.csv"
    path.write_text('measure,period,value\nx,2023-06,1\n"y"z,2023-06,2\n')
    p = only(rejected(project, "measures", path))
    assert (p.location.row, p.location.field) == (3, "measure")
    assert p.message.startswith("a quoted value is not closed")
    unchanged()


def test_row_longer_than_duckdb_reads(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = tmp_path / "m.csv"
    path.write_text(f"measure,period,value\nx,2023-06,1\n{'y' * 3 * MIB},2023-06,2\n")
    err = rejected(project, "measures", path)
    p = only(err)
    assert (p.message, p.location.row) == (f"the row is longer than {2 * MIB:,} bytes", 3)
    _own_words(err)
    unchanged()


def test_line_endings_that_change_are_located(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    """Two exports joined (Unix LF, then Windows CRLF): DuckDB's parser stops; planwatch
    finds the line (before: 'the CSV file cannot be read' and DuckDB's own message)."""
    path = tmp_path / "m.csv"
    path.write_bytes(b"measure,period,value\nx,2023-06,1\ny,2023-06,2\r\nz,2023-06,3\n")
    err = rejected(project, "measures", path)
    p = only(err)
    assert p.message == "the line endings change here (Windows CRLF and Unix LF in one file)"
    assert (p.location.file, p.location.line) == (str(path), 3)
    _own_words(err)
    unchanged()


def test_a_stray_carriage_return_is_located(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"measure,period,value\nx,2023-06,1\ny,2023\r-06,2\n")
    err = rejected(project, "measures", path)
    p = only(err)
    assert p.message == "the line holds a carriage return that ends no line"
    assert (p.location.file, p.location.line) == (str(path), 3)
    _own_words(err)
    unchanged()


def test_csv_no_fault_is_found_in_is_said_to_be_unreadable(tmp_path: Path) -> None:
    """What is said when DuckDB's parser stops and the line endings are not the cause."""
    one = write_csv(tmp_path / "a.csv", ["measure", "period", "value"], [["x", "2023-06", "1"]])
    two = write_csv(tmp_path / "b.csv", ["measure", "period", "value"], [["y", "2023-06", "2"]])
    alone = only(unreadable([(one, "a.csv")]))
    assert (alone.message, alone.location.file) == ("the file cannot be read as CSV", "a.csv")
    both = only(unreadable([(one, "a.csv"), (two, "b.csv")]))
    assert both.message == "one of the files cannot be read as CSV"
    assert both.location.file == "a.csv, b.csv"


def test_bad_row_in_a_windows_1252_file(project: Path, tmp_path: Path, unchanged: Check) -> None:
    """Read again as Windows-1252 (DuckDB's rejects say it is not UTF-8), then the row is named."""
    rows = [["spend", "2023/24 Q1", "4.2", "£ thousands"], ["spend", "2023/24 Q2", "4.3", "£", "x"]]
    path = write_csv(
        tmp_path / "cp.csv", ["measure", "period", "value", "note"], rows, encoding="cp1252"
    )
    p = only(rejected(project, "measures", path))
    assert (p.message, p.location.row) == ("the row has 5 fields", 3)
    unchanged()


def test_police_uk_bad_row_names_its_own_file(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    """Files read together by one read_csv: the rejected row's file is DuckDB's file index."""
    folder = tmp_path / "archive"
    folder.mkdir()
    write_csv(folder / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 30))
    rows = street_rows("2018-02", 30)
    rows[5][5] = "north"
    rows[11].append("extra")
    second = write_csv(folder / "2018-02-essex-street.csv", STREET_HEADER, rows)
    err = rejected(project, "police_uk", folder)
    assert [(p.location.file, p.location.row, p.message) for p in err.problems] == [
        (str(second), 7, "'Latitude' is 'north'"),
        (str(second), 13, "the row has 13 fields"),
    ]
    _own_words(err)
    unchanged()


# --- Hostile archives (issue 15) --------------------------------------------------------

#: Far longer than refusing a zip from its directory takes (inflating the reported bomb
#: took 38.7 s).
QUICK_SECONDS = 5.0
#: Inflated size of the test bombs: big enough that inflating shows, small enough to build.
BOMB_BYTES = 32 * MIB


def _bomb(path: Path, member: str, inflated: int = BOMB_BYTES) -> Path:
    """A zip whose one member is ``inflated`` bytes of one repeated character (~1,000x)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(member, "w") as out:
        for _ in range(inflated // MIB):
            out.write(b"0" * MIB)
    return path


def test_zip_bomb_is_refused_from_its_directory(
    project: Path, tmp_path: Path, scratch: Path, unchanged: Check
) -> None:
    archive = _bomb(tmp_path / "police.zip", "2018-01/2018-01-essex-street.csv")
    started = time.monotonic()
    p = only(rejected(project, "police_uk", archive))
    assert time.monotonic() - started < QUICK_SECONDS
    assert "possible zip bomb" in p.message and f"{BOMB_BYTES:,} bytes" in p.message
    assert (p.location.file, p.location.field) == (
        str(archive),
        "2018-01/2018-01-essex-street.csv",
    )
    assert p.expected == f"at most {MAX_ZIP_RATIO} times, as real data files are"
    unchanged()


def test_zip_bomb_inside_a_spreadsheet_is_refused(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    sheet = write_xlsx(tmp_path / "prc.xlsx", PRC_HEADER, PRC_ROWS)
    with (
        zipfile.ZipFile(sheet, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/media/fill.bin", "w") as out,
    ):
        for _ in range(BOMB_BYTES // MIB):
            out.write(b"\0" * MIB)
    p = only(rejected(project, "prc", sheet))
    assert "possible zip bomb" in p.message and p.location.field == "xl/media/fill.bin"
    unchanged()


def test_full_temporary_folder_is_reported_as_full(
    project: Path, tmp_path: Path, scratch: Path, unchanged: Check
) -> None:
    """A zip of ordinary data that does not fit in the temporary folder: said so, before
    anything is inflated (today: inflated until ENOSPC, then "the zip is damaged")."""
    month = write_csv(
        tmp_path / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 20_000)
    )
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(month, "2018-01/2018-01-essex-street.csv")
    assert month.stat().st_size > SMALL_TMPFS
    with tmpfs(scratch, SMALL_TMPFS):
        p = only(rejected(project, "police_uk", archive))
        assert "damaged" not in p.message
        assert p.message.startswith(f"the temporary folder {scratch}")
        assert f"need {month.stat().st_size:,} bytes" in p.message
        assert p.expected is not None and "TMPDIR" in p.expected
        unchanged()


def test_full_temporary_folder_while_police_uk_counts_are_written(
    project: Path, tmp_path: Path, scratch: Path, unchanged: Check
) -> None:
    """Each chunk's counts go to a file in the load's temporary folder: no room there is said
    to be no room, naming the folder and the file being read, not a traceback."""
    folder = tmp_path / "2018-01"
    folder.mkdir()
    path = write_csv(
        folder / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 200)
    )
    with tmpfs(scratch, SMALL_TMPFS):
        filler = scratch / "filler"
        # fill every byte: the counts cannot be written
        with suppress(OSError), filler.open("wb") as out:
            while True:
                out.write(b"\0" * 4096)
                out.flush()
        try:
            p = only(rejected(project, "police_uk", folder))
        finally:
            filler.unlink()
        assert p.message.startswith(f"No space left on device in the temporary folder {scratch}")
        assert p.location.file == str(path)
        assert p.expected is not None and "TMPDIR" in p.expected
        unchanged()


# --- A full disk while the load commits (issue 15) --------------------------------------

#: Room for a copy of the template project's store (1.6 MB) and its write-ahead log.
STORE_TMPFS = 4 * MIB


#: (bytes left free, kind, rows loaded): a small load that fails writing the write-ahead
#: log, and a big one that fails after DuckDB has filled the store file's free blocks (those
#: bytes change; no table can see them) and appended blocks past its end (cut off again).
FULL_DISKS = [(0, "measures", 200), (MIB, "population", 200_000)]


@contextmanager
def on_a_full_disk(project: Path, where: Path, free: int = 0) -> Iterator[Path]:
    """A copy of ``project`` on a tmpfs whose free bytes, all but ``free``, a filler file takes."""
    with tmpfs(where, STORE_TMPFS) as disk:
        copy = Path(shutil.copytree(project, disk / "proj"))
        stat = os.statvfs(disk)
        (disk / "filler").write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - free))
        yield copy


def _load_file(folder: Path, kind: str, rows: int) -> Path:
    """A file of ``rows`` distinct rows for ``kind``, whose text does not compress."""
    names = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(rows)]
    if kind == "measures":
        return write_csv(
            folder / "m.csv", ["measure", "period", "value"], [[n, "2023-01", 1] for n in names]
        )
    return write_csv(
        folder / "pop.csv",
        ["area", "year", "population"],
        [[n, "2020", i] for i, n in enumerate(names)],
    )


@pytest.mark.parametrize(("free", "kind", "rows"), FULL_DISKS)
def test_disk_full_while_committing_leaves_the_store_as_it_was(
    project: Path, tmp_path: Path, scratch: Path, free: int, kind: str, rows: int
) -> None:
    data = _load_file(tmp_path, kind, rows)
    with on_a_full_disk(project, tmp_path / "disk", free) as copy:
        store = copy / "planwatch.duckdb"
        before, size, content = file_sha(store), store.stat().st_size, store_content(store)
        with pytest.raises(StoreError) as caught:
            ingest(copy, kind, [data])
        p = only(caught.value)
        assert p.message == (
            f"No space left on device while writing the store {store}: nothing was loaded"
        )
        assert "rollback" not in caught.value.render()
        assert sorted(f.name for f in copy.iterdir()) == ["planwatch.duckdb"]  # no .wal
        assert store.stat().st_size == size and store_content(store) == content
        if free == 0:  # nothing reached the store file
            assert file_sha(store) == before, "the failed load changed the store file"
        assert not list(scratch.iterdir())


def store_content(store: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a store, sorted: what a reader of the store can see."""
    with duckdb.connect(str(store), read_only=True) as con:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}


def test_disk_full_from_the_command_line(project: Path, tmp_path: Path) -> None:
    measures = _load_file(tmp_path, "measures", FULL_DISKS[0][2])
    with on_a_full_disk(project, tmp_path / "disk") as copy:
        command = [sys.executable, "-m", "planwatch.cli.main", "ingest", "measures"]
        result = subprocess.run(
            [*command, str(measures), "-p", str(copy)],
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
        assert result.returncode == StoreError.exit_code, result.stderr
        assert "Traceback" not in result.stderr and "rollback" not in result.stderr
        assert "No space left on device" in result.stderr and str(copy) in result.stderr
        assert not (copy / "planwatch.duckdb.wal").exists()


# --- Accepted silently before (issue 15) ------------------------------------------------


def test_header_with_a_needed_column_twice(project: Path, tmp_path: Path, unchanged: Check) -> None:
    path = write_csv(
        tmp_path / "m.csv", ["measure", "period", "value", "Value"], [["x", "2023-06", "1", "2"]]
    )
    p = only(rejected(project, "measures", path))
    assert p.message == "the header has 2 columns named 'value' ('value', 'Value')"
    assert (p.location.file, p.location.row, p.location.field) == (str(path), 1, "value")
    unchanged()


def test_police_uk_header_with_a_column_twice(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    header = [*STREET_HEADER, "Crime type"]
    rows = [[*r, "Burglary"] for r in street_rows("2018-01", 3)]
    path = write_csv(tmp_path / "2018-01-essex-street.csv", header, rows)
    p = only(rejected(project, "police_uk", path))
    assert p.message.startswith("the header has 2 columns named 'Crime type'")
    unchanged()


def test_nul_byte_inside_a_field(project: Path, tmp_path: Path, unchanged: Check) -> None:
    """A NUL past the first 8 KB (where the file is sniffed for binary content)."""
    rows = [[f"series{i}", "2023-06", str(i)] for i in range(1_000)]
    rows[900][0] = "broken\0series"
    path = write_csv(tmp_path / "m.csv", ["measure", "period", "value"], rows)
    p = only(rejected(project, "measures", path))
    assert p.message == "'measure' holds a NUL byte"
    assert (p.location.row, p.location.field) == (902, "measure")
    unchanged()


@pytest.fixture
def planned(project: Path) -> Path:
    """The test project with the example plan: its measure victim_confidence is a percent series."""
    (project / "plan.yaml").write_text(example_plan_text(), encoding="utf-8")
    return project


MEASURES_HEADER = ["measure", "period", "value", "numerator", "denominator"]


@pytest.mark.parametrize("value", ["-50", "150"])
def test_percentage_outside_0_to_100_is_held_out_with_a_warning(
    planned: Path, tmp_path: Path, value: str
) -> None:
    rows = [["victim_confidence", f"2023/24 Q{q}", "71", "71", "100"] for q in (1, 2, 3)]
    rows.append(["victim_confidence", "2023/24 Q4", value, "", ""])
    path = write_csv(tmp_path / "m.csv", MEASURES_HEADER, rows)
    result = ingest(planned, "measures", [path])
    (warning,) = result.warnings
    assert warning.startswith(
        f"victim_confidence 2023/24 Q4 = {float(value):g} is not a percentage: held out as suspect"
    )
    assert f"({path}, row 5, field 'value')" in warning
    assert warning.endswith("expected a percentage from 0 to 100")
    with duckdb.connect(str(planned / "planwatch.duckdb"), read_only=True) as con:
        statuses = con.execute(
            "SELECT period_label, status FROM observations ORDER BY period_label"
        ).fetchall()
    assert [status for _, status in statuses] == ["ok", "ok", "ok", "suspect"]


def test_numerator_greater_than_denominator(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    rows = [
        ["confidence", "2023/24 Q1", "71", "71", "100"],
        ["confidence", "2023/24 Q2", "1", "120", "100"],
    ]
    path = write_csv(tmp_path / "m.csv", MEASURES_HEADER, rows)
    p = only(rejected(project, "measures", path))
    assert p.message == "'numerator' 120 is greater than 'denominator' 100"
    assert (p.location.row, p.location.field) == (3, "numerator")
    unchanged()


def test_series_no_plan_measure_reads_is_a_warning_with_the_nearest(
    planned: Path, tmp_path: Path
) -> None:
    rows = [["victim_confidence", "2023/24 Q1", "71", "71", "100"]]
    rows.append(["victim_confidense", "2023/24 Q1", "70", "70", "100"])
    path = write_csv(tmp_path / "m.csv", MEASURES_HEADER, rows)
    result = ingest(planned, "measures", [path])
    assert result.loads[0].rows == 2
    (warning,) = result.warnings
    assert warning.startswith("no measure in the plan reads the series 'victim_confidense'")
    assert f"({path}, row 3, field 'measure')" in warning
    assert warning.endswith("did you mean 'victim_confidence'?")


def test_work_folder_left_by_kill_9_is_removed_by_the_next_load(
    project: Path, tmp_path: Path, scratch: Path, unchanged: Check
) -> None:
    """A load killed with SIGKILL while inflating a zip leaves its folder (nothing in the
    process can run); the next load removes it."""
    month = write_csv(
        tmp_path / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 100_000)
    )
    archive = tmp_path / "police.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(KILLED_ZIP_MEMBERS):
            z.write(month, f"2018-{n + 1:02d}/2018-{n + 1:02d}-essex-street.csv")
    command = [sys.executable, "-m", "planwatch.cli.main", "ingest", "police-uk", str(archive)]
    child = subprocess.Popen(
        [*command, "-p", str(project)],
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + CHILD_TIMEOUT
        while not list(scratch.glob(f"{WORK_PREFIX}*/zip-*")) and child.poll() is None:
            assert time.monotonic() < deadline, "the load never started inflating"
            time.sleep(0.05)
        child.kill()
    finally:
        child.kill()
        child.wait(timeout=CHILD_TIMEOUT)
    (left,) = scratch.glob(f"{WORK_PREFIX}*")
    past = time.time() - ABANDONED_AFTER_SECONDS - 1
    os.utime(left, (past, past))
    path = write_csv(tmp_path / "empty.csv", PRC_HEADER, [])
    rejected(project, "prc", path)  # any load, even one that fails, sweeps
    unchanged()


def test_police_uk_nul_byte_inside_a_kept_field(
    project: Path, tmp_path: Path, unchanged: Check
) -> None:
    rows = street_rows("2018-01", 200)  # long enough that the NUL is past the sniffed 8 KB
    rows[150][9] = "Burg\0lary"
    path = write_csv(tmp_path / "2018-01-essex-street.csv", STREET_HEADER, rows)
    p = only(rejected(project, "police_uk", path))
    assert (p.message, p.location.row, p.location.field) == (
        "'Crime type' holds a NUL byte",
        152,
        "Crime type",
    )
    unchanged()
