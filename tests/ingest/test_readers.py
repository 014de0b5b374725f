"""Good input in every supported layout reads to the same stored rows."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
from ingest_files import (
    GROUP_HEADER,
    PRC_HEADER,
    PRC_ROWS,
    STREET_HEADER,
    file_sha,
    street_rows,
    write_csv,
    write_ods,
    write_xlsx,
)

from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.selectors import loads_frame, population_frame, warnings_frame

PRC_SQL = "SELECT force, fy_start, quarter, offence_code, offence_group, offence_subgroup, offence_description, count FROM prc_offences ORDER BY ALL"


def stored(project: Path, sql: str) -> list[tuple[object, ...]]:
    with reading(project) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("writer", [write_xlsx, write_ods], ids=["xlsx", "ods"])
def test_spreadsheets_read_like_csv(tmp_path: Path, writer, prc_csv: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = writer(tmp_path / f"prc.{writer.__name__[-4:]}", PRC_HEADER, PRC_ROWS)
    ingest(tmp_path / "a", "prc", [prc_csv])
    ingest(tmp_path / "b", "prc", [sheet])
    rows = stored(tmp_path / "b", PRC_SQL)
    assert rows == stored(tmp_path / "a", PRC_SQL)
    assert (
        len(rows) == len(PRC_ROWS)
        and ("Essex", 2017, 1, "34A", "Robbery", "Robbery", "Robbery of business property", 100)
        in rows
    )


def test_bom_and_windows_1252_are_read_not_rejected(tmp_path: Path) -> None:
    header = ["measure", "period", "value", "note"]
    bom = tmp_path / "bom.csv"
    bom.write_bytes(
        "\ufeff".encode()
        + b"measure,period,value,note\r\nspend,2023/24 Q1,4.2,\xc2\xa3 thousands \xe2\x80\x93 revised\r\n"
    )
    cp = write_csv(
        tmp_path / "cp.csv",
        header,
        [["spend", "2023/24 Q2", "4.3", "£ thousands – revised"]],
        encoding="cp1252",
    )
    assert b"\xa3" in cp.read_bytes()  # really Windows-1252, not UTF-8
    ingest(tmp_path / "p", "measures", [bom, cp])
    rows = stored(
        tmp_path / "p", "SELECT period_label, value, note FROM observations ORDER BY period_start"
    )
    assert rows == [
        ("2023/24 Q1", 4.2, "£ thousands – revised"),
        ("2023/24 Q2", 4.3, "£ thousands – revised"),
    ]


def test_same_file_twice_changes_nothing(tmp_path: Path, prc_csv: Path) -> None:
    project = tmp_path / "p"
    first = ingest(project, "prc", [prc_csv])
    before = file_sha(project / "planwatch.duckdb")
    again = ingest(project, "prc", [prc_csv])
    assert again.loads == () and again.already_loaded == ((str(prc_csv), first.loads[0].load_id),)
    assert file_sha(project / "planwatch.duckdb") == before


def test_group_compilation_normalises_forces_and_stores_population(tmp_path: Path) -> None:
    rows = [
        ["2017/18", "1", "Avon & Somerset", "Robbery", "300", "1700000"],
        ["2017/18", "2", "Avon & Somerset", "Robbery", "310", "1700000"],
        [
            "2018/19",
            "1",
            "Avon & Somerset",
            "Miscellaneous crimes against society",
            "40",
            "1710000",
        ],
        ["2018/19", "1", "Avon and Somerset", "Robbery", "5", "1710000"],
    ]
    path = write_csv(
        tmp_path / "groups.csv", [*GROUP_HEADER, "Pop Density"], [[*r, "3.1"] for r in rows]
    )
    result = ingest(tmp_path / "p", "prc", [path])
    assert result.loads[0].note == "group level"
    assert stored(tmp_path / "p", "SELECT DISTINCT force, level FROM prc_offences") == [
        ("Avon and Somerset", "group")
    ]
    pop = population_frame(tmp_path / "p", "Avon & Somerset")
    assert pop.to_dict("records") == [
        {"area": "Avon and Somerset", "year": 2017, "population": 1700000.0},
        {"area": "Avon and Somerset", "year": 2018, "population": 1710000.0},
    ]


def test_offence_level_negative_counts_are_kept_with_a_warning(tmp_path: Path) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[4][7] = "-1"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    result = ingest(tmp_path / "p", "prc", [path])
    assert stored(tmp_path / "p", "SELECT count(*) FROM prc_offences WHERE count = -1") == [(1,)]
    (warning,) = result.warnings
    assert warning.startswith("1 rows have negative counts") and "row 6" in warning
    assert len(warnings_frame(tmp_path / "p")) == 1


def test_police_uk_zip_and_folder(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    (folder / "2018-01").mkdir(parents=True)
    (folder / "2018-02").mkdir()
    write_csv(
        folder / "2018-01" / "2018-01-essex-street.csv", STREET_HEADER, street_rows("2018-01", 40)
    )
    write_csv(
        folder / "2018-01" / "2018-01-essex-outcomes.csv", ["Crime ID", "Month"], [["x", "2018-01"]]
    )
    write_csv(
        folder / "2018-02" / "2018-02-essex-street.csv", STREET_HEADER, street_rows("2018-02", 20)
    )
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*.csv")):
            z.write(f, f.relative_to(folder).as_posix())
    from_zip = ingest(tmp_path / "z", "police_uk", [archive])
    from_folder = ingest(tmp_path / "f", "police_uk", [folder])
    for result in (from_zip, from_folder):
        assert [(r.rows, r.periods_covered) for r in result.loads] == [
            (40, "2018-01"),
            (20, "2018-02"),
        ]
        assert (
            result.loads[0].note
            == "1 outcomes/stop-and-search files skipped (not street-level crime)"
        )
    sql = "SELECT * EXCLUDE (load_id) FROM police_uk_counts ORDER BY ALL"
    assert stored(tmp_path / "z", sql) == stored(tmp_path / "f", sql)
    asb = stored(
        tmp_path / "z",
        "SELECT sum(count), count(last_outcome_category) FROM police_uk_counts WHERE crime_type = 'Anti-social behaviour'",
    )
    assert asb == [(15, 0)]  # every 4th of 40 + 20 rows; ASB rows have no outcome
    assert "!2018-01/2018-01-essex-street.csv" in loads_frame(tmp_path / "z")["file_name"].iloc[0]


def test_police_uk_windows_1252_file(tmp_path: Path) -> None:
    rows = street_rows("2018-03", 5)
    rows[2][8] = "Ynys M\u00f4n 001A"
    rows[3][6] = "On or near Caf\u00e9 \u2013 High Street"
    path = write_csv(tmp_path / "2018-03-essex-street.csv", STREET_HEADER, rows, encoding="cp1252")
    assert b"M\xf4n" in path.read_bytes()  # really Windows-1252, not UTF-8
    ingest(tmp_path / "p", "police_uk", [path])
    assert stored(
        tmp_path / "p", "SELECT area, sum(count) FROM police_uk_counts GROUP BY ALL ORDER BY 1"
    ) == [("Chelmsford", 4), ("Ynys M\u00f4n", 1)]


def test_weights_in_simple_layout(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "w.csv",
        ["offence_code", "policeuk_category", "weight"],
        [["34A", "Robbery", "1000.5"], ["28E", "Burglary", "400"]],
    )
    ingest(tmp_path / "p", "weights", [path])
    assert stored(
        tmp_path / "p",
        "SELECT offence_code, policeuk_category, weight FROM offence_weights ORDER BY 1",
    ) == [("28E", "Burglary", 400.0), ("34A", "Robbery", 1000.5)]


def test_police_uk_snake_case_header_beside_the_published_one(tmp_path: Path) -> None:
    """Redistributed copies sometimes rewrite the header in snake_case; both read the same."""
    snake = [h.lower().replace(" ", "_") for h in STREET_HEADER]
    folder = tmp_path / "mixed"
    folder.mkdir()
    write_csv(folder / "2018-01-essex-street.csv", snake, street_rows("2018-01", 8))
    write_csv(folder / "2018-02-essex-street.csv", STREET_HEADER, street_rows("2018-02", 6))
    result = ingest(tmp_path / "p", "police_uk", [folder])
    assert [(r.periods_covered, r.rows) for r in result.loads] == [("2018-01", 8), ("2018-02", 6)]
    rows = stored(
        tmp_path / "p",
        "SELECT month, sum(count), sum(count) FILTER (WHERE last_outcome_category IS NOT NULL), "
        "count(DISTINCT crime_type) FROM police_uk_counts GROUP BY ALL ORDER BY 1",
    )
    assert rows == [(date(2018, 1, 1), 8, 6, 3), (date(2018, 2, 1), 6, 4, 3)]
