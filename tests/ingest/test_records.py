"""`planwatch ingest records`: only mapped columns stored, measures counted from the plan's
definitions, a definition changed without a new load, bad input refused with the store unchanged."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from ingest_files import file_sha, write_csv, write_ods
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN, crime

from planwatch.errors import IngestError, NotFoundError, PlanError, StoreError
from planwatch.periods import Quarter
from planwatch.plan.load import parse_plan
from planwatch.project import Project
from planwatch.services.analyse import run_analysis
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.schema import record_relation
from planwatch.store.selectors import measure_frame

PLAN = parse_plan(RECORDS_PLAN)
APRIL, MAY, JUNE = date(2023, 4, 1), date(2023, 5, 1), date(2023, 6, 1)


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    project = tmp_path / "p"
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS)
    ingest(project, "records", [path], record_source="crimes", plan=PLAN)
    return project


def monthly(project: Path, measure_id: str, plan: object = PLAN) -> dict[date, float]:
    frame = measure_frame(project, plan, measure_id)  # type: ignore[arg-type]
    assert set(frame["frequency"]) <= {"quarter"}
    return dict(zip(frame["period_start"], frame["value"], strict=True))


def test_the_write_ahead_log_is_private_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB writes a load to the store's write-ahead log first (left behind if the
    process dies before the checkpoint): it is no more readable than the store."""
    import planwatch.services.ingest as service

    modes: list[int] = []
    write = service.write_batches

    def spy(*args: object, **kwargs: object) -> object:
        records = write(*args, **kwargs)  # type: ignore[arg-type]
        wal = tmp_path / "p" / "planwatch.duckdb.wal"  # committed, not yet checkpointed
        modes.append(stat.S_IMODE(wal.stat().st_mode))
        return records

    monkeypatch.setattr(service, "write_batches", spy)
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS)
    old = os.umask(0o022)  # a usual umask: files readable by all
    try:
        ingest(tmp_path / "p", "records", [path], record_source="crimes", plan=PLAN)
    finally:
        os.umask(old)
    assert modes == [0o600]


def test_only_mapped_columns_are_stored_and_the_file_is_private(loaded: Path) -> None:
    store = loaded / "planwatch.duckdb"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    with reading(loaded) as con:
        columns = [r[0] for r in con.execute("DESCRIBE records_crimes").fetchall()]
        text = con.execute("SELECT * FROM records_crimes").df().to_csv()
    assert columns == ["load_id", "source_row", *PLAN.record_source("crimes").columns]
    assert "Victim of" not in text and "rear door" not in text
    assert store.read_bytes().find(b"Victim of C1") == -1


def test_typed_columns(loaded: Path) -> None:
    with reading(loaded) as con:
        row = con.execute(
            "SELECT recorded_date, domestic_abuse, rural, item, property_value FROM records_crimes "
            "WHERE crime_ref = 'C5' AND item = 2"
        ).fetchone()
    assert row == (date(2023, 5, 9), False, True, 2, 650.0)


def test_record_measures_counted_from_their_definitions(tmp_path: Path, loaded: Path) -> None:
    # Quarterly measures: April-June 2023 is 2023/24 Q1, covered in all three months.
    assert monthly(loaded, "domestic_abuse") == {APRIL: 3.0}
    assert monthly(loaded, "dog_thefts") == {APRIL: 2.0}
    assert monthly(loaded, "rural_crime") == {APRIL: 2.0}
    assert monthly(loaded, "business_crime") == {APRIL: 1.0}
    assert PLAN.measure_definition("domestic_abuse") == (
        "crimes flagged domestic abuse, by recorded date"
    )


def test_monthly_counts_have_zeros_where_the_source_covers_the_month(loaded: Path) -> None:
    text = RECORDS_PLAN.replace(
        "  - id: domestic_abuse\n    name: Domestic abuse offences\n",
        "  - id: domestic_abuse\n    name: Domestic abuse offences\n    frequency: month\n",
    )
    plan = parse_plan(text)
    frame = measure_frame(loaded, plan, "domestic_abuse")
    assert list(zip(frame["period_start"], frame["value"], strict=True)) == [
        (APRIL, 2.0), (MAY, 1.0), (JUNE, 0.0)
    ]  # fmt: skip


def test_changing_a_definition_needs_no_new_load(loaded: Path) -> None:
    store = loaded / "planwatch.duckdb"
    before = file_sha(store)
    # Dog thefts counted as rows (two dogs stolen in C5 count twice) and by value.
    rows = parse_plan(RECORDS_PLAN.replace(
        "      aggregate: count_distinct\n      of: crime_ref\n  - id: rural_crime",
        "      aggregate: count\n  - id: rural_crime",
    ))  # fmt: skip
    assert monthly(loaded, "dog_thefts", rows) == {APRIL: 3.0}
    value = parse_plan(RECORDS_PLAN.replace(
        "      aggregate: count_distinct\n      of: crime_ref\n  - id: rural_crime",
        "      aggregate: sum\n      of: property_value\n  - id: rural_crime",
    ))  # fmt: skip
    assert monthly(loaded, "dog_thefts", value) == {APRIL: 800 + 650 + 1200.0}
    assert file_sha(store) == before


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("{column: offence_code, not_in: ['49', '34B']}", 5),  # C1 C2 C3 C4 C8
        ("{column: district, contains: SOUTH}", 3),  # C3 C4 C10
        ("{column: offence_code, matches: '^[0-9]+$'}", 4),  # code 49: C5 C6 C9 C10
        ("{column: property_value, between: [100, 800]}", 3),  # C5 (both items) C6 C9
        ("{column: property_type, is_empty: true}", 5),  # C1 C2 C3 C4 C10
        ("{any: [{column: domestic_abuse, is_true: true}, {column: business, is_true: true}]}", 4),
        ("{column: rural, is_true: false}", 8),
    ],
)
def test_each_filter(loaded: Path, where: str, expected: int) -> None:
    text = RECORDS_PLAN.replace("where: {column: domestic_abuse, is_true: true}", f"where: {where}")
    assert monthly(loaded, "domestic_abuse", parse_plan(text)) == {APRIL: float(expected)}


def test_an_area_selects_its_records(loaded: Path) -> None:
    text = RECORDS_PLAN.replace(
        "where: {column: domestic_abuse, is_true: true},",
        "where: {column: domestic_abuse, is_true: true}, area: southvale,",
    )
    plan = parse_plan(text)
    frame = measure_frame(loaded, plan, "domestic_abuse")
    assert list(frame["area"]) == ["southvale"] and list(frame["value"]) == [1.0]
    assert PLAN.measure_definition("domestic_abuse") != plan.measure_definition("domestic_abuse")


def test_an_impossible_value_names_the_nearest_valid_ones(loaded: Path) -> None:
    text = RECORDS_PLAN.replace("property_status, in: [stolen,", "property_status, in: [stolne,")
    store = loaded / "planwatch.duckdb"
    before = file_sha(store)
    with pytest.raises(PlanError) as err:
        measure_frame(loaded, parse_plan(text), "dog_thefts")
    assert "no stored 'crimes' record has property_status 'stolne'" in str(err.value)
    assert "nearest 'Stolen'" in str(err.value)
    assert file_sha(store) == before
    assert not (loaded / "planwatch.duckdb.wal").exists()


#: The domestic abuse measure of RECORDS_PLAN, to be given another condition.
DA_WHERE = "where: {column: domestic_abuse, is_true: true}"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        # items 1 and 2 are stored: 7 is no item of any crime
        ("{column: item, in: [7]}", r"no stored 'crimes' record has item 7 .*nearest 2, 1$"),
        ("{column: item, equals: 9}", r"no stored 'crimes' record has item 9 .*nearest 2, 1$"),
    ],
)
def test_an_impossible_value_of_an_integer_column_names_the_nearest_valid_ones(
    loaded: Path, where: str, message: str
) -> None:
    store = loaded / "planwatch.duckdb"
    before = file_sha(store)
    plan = parse_plan(RECORDS_PLAN.replace(DA_WHERE, f"where: {where}"))
    with pytest.raises(PlanError, match=message) as err:
        measure_frame(loaded, plan, "domestic_abuse")
    assert "measure 'domestic_abuse'" in str(err.value)
    assert file_sha(store) == before


def test_an_integer_value_that_simply_does_not_occur_is_counted_zero(loaded: Path) -> None:
    """As with text: a list of which some value occurs is fine (items 3 may come later)."""
    plan = parse_plan(RECORDS_PLAN.replace(DA_WHERE, "where: {column: item, in: [2, 3]}"))
    assert monthly(loaded, "domestic_abuse", plan) == {APRIL: 1.0}  # C5 has a second item


def test_a_revised_extract_revises_its_records_and_keeps_the_rest(
    tmp_path: Path, loaded: Path
) -> None:
    revised = [crime("C2", 1, "17/04/2023", "105A", da="N")]  # no longer domestic abuse
    path = write_csv(tmp_path / "crimes-v2.csv", CRIME_HEADER, revised)
    (load,) = ingest(loaded, "records", [path], record_source="crimes", plan=PLAN).loads
    assert (load.replaced_rows, load.unmentioned_rows) == (1, len(CRIME_ROWS) - 1)
    assert monthly(loaded, "domestic_abuse") == {APRIL: 2.0}
    with reading(loaded) as con:
        assert con.execute("SELECT count(*) FROM records_crimes").fetchone() == (len(CRIME_ROWS),)


def test_xlsx_and_parquet_read_like_csv(tmp_path: Path) -> None:
    frame = pd.DataFrame(CRIME_ROWS, columns=CRIME_HEADER)
    xlsx, parquet = tmp_path / "crimes.xlsx", tmp_path / "crimes.parquet"
    frame.to_excel(xlsx, index=False)
    with duckdb.connect() as con:
        con.register("f", frame)
        con.execute(f"COPY f TO '{parquet}' (FORMAT parquet)")
    for path in (xlsx, parquet):
        project = tmp_path / path.suffix[1:]
        ingest(project, "records", [path], record_source="crimes", plan=PLAN)
        assert monthly(project, "dog_thefts") == {APRIL: 2.0}


def test_an_ods_file_reads_like_csv(tmp_path: Path) -> None:
    """An ODS extract (read by python-calamine, written here as LibreOffice writes one: the
    zipped content.xml of the tests' ODS writer) counts and stores what its CSV does."""
    csv_path = write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS)
    ods_path = write_ods(tmp_path / "crimes.ods", CRIME_HEADER, CRIME_ROWS)
    assert ods_path.read_bytes()[:2] == b"PK"  # a zipped spreadsheet, not text
    counted: dict[str, dict[str, dict[date, float]]] = {}
    stored: dict[str, list[tuple[object, ...]]] = {}
    for path in (csv_path, ods_path):
        project = tmp_path / path.suffix[1:]
        (load,) = ingest(project, "records", [path], record_source="crimes", plan=PLAN).loads
        assert load.rows == len(CRIME_ROWS) and load.file_name.endswith(path.name)
        counted[path.suffix] = {m: monthly(project, m) for m in MEASURES}
        with reading(project) as con:
            rows = record_relation(con, "records_crimes")
            stored[path.suffix] = con.execute(
                f"SELECT * EXCLUDE (load_id) FROM {rows} ORDER BY source_row"
            ).fetchall()
    assert counted[".ods"] == counted[".csv"]
    assert counted[".ods"]["dog_thefts"] == {APRIL: 2.0}
    assert stored[".ods"] == stored[".csv"]


#: RECORDS_PLAN's measures of the crime extract.
MEASURES = ("domestic_abuse", "dog_thefts", "rural_crime", "business_crime")


def _with_column(column: str) -> str:
    """RECORDS_PLAN with one more mapped column of the crimes source."""
    return RECORDS_PLAN.replace(
        "      district: {type: text, header: District}\n",
        f"      district: {{type: text, header: District}}\n      {column}\n",
    )


@pytest.mark.parametrize(
    ("column", "header"),
    [
        ("born: {type: date, header: Date of Birth, format: '%d/%m/%Y'}", "Date of Birth"),
        ("born: {type: text, header: DOB}", "DOB"),
        ("victim_dob: {type: date, header: Victim Born, format: '%d/%m/%Y'}", "Victim Born"),
    ],
)
def test_a_date_of_birth_column_is_warned_about(tmp_path: Path, column: str, header: str) -> None:
    """By its header or its column name: the warning names the file's column."""
    path = write_csv(
        tmp_path / "crimes.csv",
        [*CRIME_HEADER, header],
        [[*r, f"{10 + i:02d}/01/1980"] for i, r in enumerate(CRIME_ROWS)],
    )
    plan = parse_plan(_with_column(column))
    result = ingest(tmp_path / "p", "records", [path], record_source="crimes", plan=plan)
    (warning,) = [w for w in result.warnings if "personal data" in w]
    assert warning.startswith(f"column '{header}' looks like personal data from its name")
    assert monthly(tmp_path / "p", "dog_thefts", plan) == {APRIL: 2.0}  # stored, as mapped


def test_a_measure_counts_by_another_date_column(tmp_path: Path) -> None:
    """``date:`` on a measure counts its records by that date: a crime committed in one
    quarter and recorded in the next counts in each by its own date."""
    column = "committed_date: {type: date, header: Committed Date, format: '%d/%m/%Y'}"
    plan = parse_plan(_with_column(column).replace("priorities:", _BY_DATE + "priorities:", 1))
    # recorded January to June 2023 (2022/23 Q4 and 2023/24 Q1); three crimes recorded in
    # Q1 were committed in Q4 (C1 and C2 in March, C4 in February), none the other way
    early = [
        crime("C20", 1, "10/01/2023", "8N"),
        crime("C21", 1, "15/02/2023", "8N"),
        crime("C22", 1, "30/03/2023", "8N"),
    ]
    committed = {"C1": "28/03/2023", "C2": "31/03/2023", "C4": "14/02/2023"}
    rows = [[*r, committed.get(r[0], r[2])] for r in [*early, *CRIME_ROWS]]
    path = write_csv(tmp_path / "crimes.csv", [*CRIME_HEADER, "Committed Date"], rows)
    project = tmp_path / "p"
    ingest(project, "records", [path], record_source="crimes", plan=plan)
    q4, q1 = date(2023, 1, 1), date(2023, 4, 1)
    recorded_q1 = len({r[0] for r in CRIME_ROWS})  # C1 to C10
    assert monthly(project, "by_recorded", plan) == {q4: 3.0, q1: float(recorded_q1)}
    assert monthly(project, "by_committed", plan) == {q4: 3.0 + 3, q1: recorded_q1 - 3.0}
    assert plan.measure_definition("by_committed") == "crimes, by committed date"


_BY_DATE = """  - id: by_committed
    name: Crimes, by committed date
    source: {kind: records, records: crimes, date: committed_date,
             aggregate: count_distinct, of: crime_ref}
  - id: by_recorded
    name: Crimes, by recorded date
    source: {kind: records, records: crimes, aggregate: count_distinct, of: crime_ref}
"""


def test_personal_data_in_a_mapped_column_is_warned_about(tmp_path: Path) -> None:
    text = RECORDS_PLAN.replace(
        "      district: {type: text, header: District}\n",
        "      district: {type: text, header: District}\n      victim: {type: text, header: Victim Name}\n",
    )
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS)
    result = ingest(
        tmp_path / "p", "records", [path], record_source="crimes", plan=parse_plan(text)
    )
    assert any("'Victim Name' looks like personal data" in w for w in result.warnings)
    clean = ingest(tmp_path / "q", "records", [path], record_source="crimes", plan=PLAN)
    assert not any("personal data" in w for w in clean.warnings)


def test_values_that_look_like_emails_or_phone_numbers_are_warned_about(tmp_path: Path) -> None:
    text = RECORDS_PLAN.replace(
        "      district: {type: text, header: District}\n",
        "      district: {type: text, header: District}\n      contact: {type: text, header: Ref 2}\n"
        "      notes: {type: text, header: Ref 3}\n",
    )
    header = [*CRIME_HEADER, "Ref 2", "Ref 3"]
    rows = [[*r, f"victim{i}@example.org", "Door forced"] for i, r in enumerate(CRIME_ROWS)]
    path = write_csv(tmp_path / "crimes2.csv", header, rows)
    result = ingest(
        tmp_path / "q", "records", [path], record_source="crimes", plan=parse_plan(text)
    )
    (warning,) = [w for w in result.warnings if "Ref" in w]  # not 'Ref 3', free text
    assert (
        "'Ref 2' looks like personal data from its values (they look like email addresses)"
        in warning
    )
    rows = [[*r, f"+44 7700 900{i:03d}", "Door forced"] for i, r in enumerate(CRIME_ROWS)]
    path = write_csv(tmp_path / "crimes3.csv", header, rows)
    result = ingest(
        tmp_path / "r", "records", [path], record_source="crimes", plan=parse_plan(text)
    )
    (warning,) = [w for w in result.warnings if "Ref" in w]
    assert warning.startswith(
        "column 'Ref 2' looks like personal data from its values (they look like phone numbers)"
    )


# --- bad input: a clear error, and the store byte-for-byte unchanged ------------------------


def _refused(project: Path, path: Path, match: str, plan: object = PLAN, name: str = "crimes",
             error: type[Exception] = IngestError) -> None:  # fmt: skip
    store = project / "planwatch.duckdb"
    before = file_sha(store)
    with pytest.raises(error, match=match):
        ingest(project, "records", [path], record_source=name, plan=plan)  # type: ignore[arg-type]
    assert file_sha(store) == before
    assert not (project / "planwatch.duckdb.wal").exists()


def test_a_mapped_column_the_file_lacks(tmp_path: Path, loaded: Path) -> None:
    header = [h if h != "DA Flag" else "DA Flg" for h in CRIME_HEADER]
    path = write_csv(tmp_path / "bad.csv", header, CRIME_ROWS)
    _refused(loaded, path, r"missing column 'DA Flag' .*did you mean 'DA Flg'")


def test_an_unparseable_date_names_its_row(tmp_path: Path, loaded: Path) -> None:
    rows = [list(r) for r in CRIME_ROWS]
    rows[3][2] = "31/04/2023"
    path = write_csv(tmp_path / "bad.csv", CRIME_HEADER, rows)
    _refused(
        loaded,
        path,
        r"'Recorded Date' is '31/04/2023' \(.*bad.csv, row 5, field 'Recorded Date'\); expected a date like 31/03/2024",
    )


def test_a_flag_with_undeclared_values(tmp_path: Path, loaded: Path) -> None:
    rows = [list(r) for r in CRIME_ROWS]
    rows[6][4] = "maybe"
    path = write_csv(tmp_path / "bad.csv", CRIME_HEADER, rows)
    _refused(
        loaded,
        path,
        r"'DA Flag' is 'maybe' \(.*row 8, field 'DA Flag'\); expected one of 'y', 'yes'",
    )


def test_duplicate_record_ids(tmp_path: Path, loaded: Path) -> None:
    rows = [*CRIME_ROWS, CRIME_ROWS[2]]
    path = write_csv(tmp_path / "bad.csv", CRIME_HEADER, rows)
    _refused(
        loaded, path, r"duplicate row: record id \(C3, 1\) already appears at row 4 \(.*row 13\)"
    )


def test_duplicate_ids_across_the_files_of_one_load(tmp_path: Path, loaded: Path) -> None:
    a = write_csv(tmp_path / "a.csv", CRIME_HEADER, [crime("C50", 1, "01/04/2023", "8N")])
    b = write_csv(tmp_path / "b.csv", CRIME_HEADER, [crime("C50", 1, "02/04/2023", "8N")])
    before = file_sha(loaded / "planwatch.duckdb")
    with pytest.raises(IngestError, match=r"duplicate record id \(C50, 1\): also in .*a.csv row 2"):
        ingest(loaded, "records", [a, b], record_source="crimes", plan=PLAN)
    assert file_sha(loaded / "planwatch.duckdb") == before


def test_a_file_for_the_wrong_source(tmp_path: Path, loaded: Path) -> None:
    path = write_csv(
        tmp_path / "casualties.csv",
        ["collision", "casualty", "date", "police_force", "severity"],
        [["2023170000001", "1", "2023-04-02", "17", "2"]],
    )
    _refused(loaded, path, r"the columns of record source 'casualties', not 'crimes'")


def test_an_unknown_record_source(tmp_path: Path, loaded: Path) -> None:
    path = write_csv(tmp_path / "c.csv", CRIME_HEADER, CRIME_ROWS)
    _refused(loaded, path, r"no record source 'crime'.*did you mean 'crimes'", name="crime",
             error=NotFoundError)  # fmt: skip


def test_a_filter_on_an_unknown_column_is_a_plan_error(loaded: Path) -> None:
    """Analysing a project with loaded records whose plan filters on a column its record
    source does not map: the plan's error, naming the column and the nearest valid ones,
    and the store untouched."""
    text = RECORDS_PLAN.replace("column: property_type, equals", "column: property_typo, equals")
    (loaded / "plan.yaml").write_text(text, encoding="utf-8")
    store = loaded / "planwatch.duckdb"
    before = file_sha(store)
    with pytest.raises(PlanError) as err:
        run_analysis(Project.at(loaded), Quarter(2023, 1))
    message = str(err.value)
    assert "record source 'crimes' has no column 'property_typo'" in message
    assert "did you mean 'property_type'" in message
    assert "expected one of crime_ref, item, recorded_date, offence_code" in message
    assert "plan.yaml" in message and "dog_thefts" in message  # where in the plan
    assert file_sha(store) == before
    assert not (loaded / "planwatch.duckdb.wal").exists()


def test_a_value_of_the_wrong_type_is_a_plan_error() -> None:
    text = RECORDS_PLAN.replace("severity, in: [1, 2]", "severity, in: [1, serious]")
    with pytest.raises(PlanError, match=r"'serious' is not a integer value for 'severity'"):
        parse_plan(text)


def test_an_empty_folder_is_refused(tmp_path: Path, loaded: Path) -> None:
    (tmp_path / "empty").mkdir()
    _refused(loaded, tmp_path / "empty", r"the folder holds no CSV files")


def test_a_changed_column_type_needs_replace(tmp_path: Path, loaded: Path) -> None:
    text = RECORDS_PLAN.replace(
        "item: {type: integer, header: Property Item}", "item: {type: text, header: Property Item}"
    )
    path = write_csv(tmp_path / "more.csv", CRIME_HEADER, [crime("C60", 1, "01/04/2023", "8N")])
    _refused(loaded, path, r"stores item as BIGINT, but the plan now declares item as text",
             plan=parse_plan(text), error=StoreError)  # fmt: skip
    (load,) = ingest(loaded, "records", [path], record_source="crimes", plan=parse_plan(text),
                     replace=True).loads  # fmt: skip
    assert load.replace and load.replaced_rows == len(CRIME_ROWS)
    with reading(loaded) as con:
        rows = record_relation(con, "records_crimes")  # text stored as codes
        assert con.execute(f"SELECT crime_ref, item FROM {rows}").fetchall() == [("C60", "1")]
