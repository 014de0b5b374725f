"""A record column of text that is not an id is stored as a code, its text in
``record_values`` (planwatch/store/schema.py, store version 4): what is read back is the
text loaded, codes stay the same from load to load, and a version-3 store, whose text
columns hold text, reads and loads as before."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from ingest_files import file_sha, write_csv
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN, crime

from planwatch.plan.load import parse_plan
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.schema import (
    CODED_SQL_TYPE,
    SCHEMA_VERSION,
    record_columns,
    record_relation,
)
from planwatch.store.selectors import measure_frame

PLAN = parse_plan(RECORDS_PLAN)
TEXT = ["offence_code", "district", "property_type", "property_status"]
MEASURES = ["domestic_abuse", "dog_thefts", "rural_crime", "business_crime"]


def _stored(project: Path) -> tuple[dict[str, str], list[tuple[object, ...]], dict[str, int]]:
    """The table's column types as stored, its rows read back (text decoded), and each
    coded text's code."""
    with reading(project) as con:
        types = record_columns(con, "records_crimes")
        rows = con.execute(
            f"SELECT * EXCLUDE (load_id) FROM {record_relation(con, 'records_crimes')} "
            "ORDER BY crime_ref, item"
        ).fetchall()
        codes = {
            f"{c}={v}": int(k)
            for c, k, v in con.execute(
                "SELECT column_name, code, value FROM record_values WHERE table_name = 'records_crimes'"
            ).fetchall()
        }
    return types, rows, codes


def _counts(project: Path) -> dict[str, list[tuple[str, float]]]:
    return {
        m: [
            (str(p), float(v))
            for p, v in measure_frame(project, PLAN, m)[["period_start", "value"]].itertuples(
                index=False
            )
        ]
        for m in MEASURES
    }


def test_text_is_stored_as_codes_and_read_back_as_loaded(tmp_path: Path) -> None:
    project = tmp_path / "p"
    ingest(project, "records", [write_csv(tmp_path / "a.csv", CRIME_HEADER, CRIME_ROWS)], record_source="crimes", plan=PLAN)  # fmt: skip
    types, rows, codes = _stored(project)
    assert all(types[c] == CODED_SQL_TYPE for c in TEXT) and types["crime_ref"] == "VARCHAR"
    # each text of a column once, blanks stored as nothing (NULL), not as a text
    assert sorted(k for k in codes if k.startswith("district=")) == ["district=Northtown", "district=Southvale"]  # fmt: skip
    assert "property_type=" not in codes
    by_ref = {(r[1], r[2]): r for r in rows}
    c5 = by_ref[("C5", 1)]
    assert (c5[4], c5[8], c5[9], c5[10]) == ("49", "Northtown", "Pet animal – dog", "Stolen")
    assert by_ref[("C1", 1)][9] is None  # a blank property type
    # a second load: the texts known keep their codes, new ones get the next
    more = [crime("C20", 1, "05/06/2023", "8N", district="Westfield", ptype="Pedal cycle")]
    ingest(project, "records", [write_csv(tmp_path / "b.csv", CRIME_HEADER, more)], record_source="crimes", plan=PLAN)  # fmt: skip
    _, rows_after, codes_after = _stored(project)
    assert {k: v for k, v in codes_after.items() if k in codes} == codes
    assert codes_after["district=Westfield"] == max(v for k, v in codes.items() if k.startswith("district=")) + 1  # fmt: skip
    assert next(r for r in rows_after if r[1] == "C20")[8:10] == ("Westfield", "Pedal cycle")
    assert [r for r in rows_after if r[1] != "C20"] == rows


def test_a_version_3_store_of_text_columns_reads_and_loads_as_before(tmp_path: Path) -> None:
    """A store written before codes keeps its text columns as text: its measures count
    the same, a new load adds to them as text, and the store is marked version 4."""
    coded, old = tmp_path / "coded", tmp_path / "old"
    first = write_csv(tmp_path / "a.csv", CRIME_HEADER, CRIME_ROWS)
    for project in (coded, old):
        ingest(project, "records", [first], record_source="crimes", plan=PLAN)
    with duckdb.connect(str(old / "planwatch.duckdb")) as con:  # as version 3 wrote it
        decoded = record_relation(con, "records_crimes")
        con.execute(f"CREATE TABLE text_rows AS SELECT * FROM {decoded}")
        con.execute("DROP TABLE records_crimes")
        con.execute("ALTER TABLE text_rows RENAME TO records_crimes")
        con.execute("DROP TABLE record_values")
        con.execute("UPDATE store_meta SET value = '3' WHERE key = 'schema_version'")
    assert _counts(old) == _counts(coded)
    more = [crime("C21", 1, "07/06/2023", "34B", ptype="pet animal – dog", status="Stolen")]
    for project in (coded, old):
        ingest(project, "records", [write_csv(tmp_path / "b.csv", CRIME_HEADER, more)], record_source="crimes", plan=PLAN)  # fmt: skip
    assert _counts(old) == _counts(coded)
    types, rows, _ = _stored(old)
    assert all(types[c] == "VARCHAR" for c in TEXT)
    assert rows == _stored(coded)[1]
    with reading(old) as con:
        assert con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)  # fmt: skip


def test_a_load_failing_after_its_texts_got_codes_leaves_the_store_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New texts are given codes inside the load's transaction: a load failing after that
    (here: the rows written, then the disk said no) leaves the store byte for byte as it
    was, codes and all, and the same file loads afterwards."""
    import planwatch.store.services as services

    project = tmp_path / "p"
    ingest(project, "records", [write_csv(tmp_path / "a.csv", CRIME_HEADER, CRIME_ROWS)], record_source="crimes", plan=PLAN)  # fmt: skip
    store = project / "planwatch.duckdb"
    before, (_, _, codes) = file_sha(store), _stored(project)
    replace = services._replace

    def failing(*args: object, **kwargs: object) -> object:
        replace(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError("the disk said no")

    monkeypatch.setattr(services, "_replace", failing)
    path = write_csv(tmp_path / "b.csv", CRIME_HEADER, [crime("C30", 1, "01/04/2023", "8N", district="Newdistrict")])  # fmt: skip
    with pytest.raises(OSError, match="the disk said no"):
        ingest(project, "records", [path], record_source="crimes", plan=PLAN)
    assert file_sha(store) == before
    monkeypatch.setattr(services, "_replace", replace)
    ingest(project, "records", [path], record_source="crimes", plan=PLAN)
    _, rows, after = _stored(project)
    assert {
        k: v for k, v in after.items() if k in codes
    } == codes and "district=Newdistrict" in after
    assert [r[8] for r in rows if r[1] == "C30"] == ["Newdistrict"]


def test_flags_and_ids_are_stored_with_the_compression_chosen_for_them(tmp_path: Path) -> None:
    """A new record table's flags as roaring bitmaps where DuckDB stores them so, its ids'
    text zstd-compressed (planwatch/store/schema.py, ``_compression``); what is read back
    is what was loaded, unknown flags (NULL) among them."""
    from planwatch.store.schema import FLAG_COMPRESSION_FROM, _duckdb_release

    project = tmp_path / "p"
    rows = [*CRIME_ROWS, crime("C30", 1, "05/06/2023", "8N", da="")]
    plan = parse_plan(
        RECORDS_PLAN.replace(
            "{type: flag, header: DA Flag}", "{type: flag, header: DA Flag, false: [N, 'No']}"
        )
    )
    ingest(project, "records", [write_csv(tmp_path / "a.csv", CRIME_HEADER, rows)], record_source="crimes", plan=plan)  # fmt: skip
    with reading(project) as con:
        con.execute("CHECKPOINT")
        used = dict(
            con.execute(
                "SELECT c.name, string_agg(DISTINCT s.compression) FROM pragma_storage_info('records_crimes') s "
                "JOIN pragma_table_info('records_crimes') c ON c.cid = s.column_id "
                "WHERE s.segment_type <> 'VALIDITY' GROUP BY ALL"
            ).fetchall()
        )
        flags = con.execute(
            "SELECT crime_ref, domestic_abuse, rural FROM records_crimes ORDER BY crime_ref, item"
        ).fetchall()
    roaring = _duckdb_release() >= FLAG_COMPRESSION_FROM
    assert all(
        (used[f] == "Roaring") == roaring for f in ("domestic_abuse", "rural", "business")
    ), used
    if _duckdb_release() >= (1, 4):
        assert used["crime_ref"] == "ZSTD", used
    by_ref = {r[0]: r[1:] for r in flags}
    assert by_ref["C1"] == (True, False) and by_ref["C3"] == (False, True)
    assert by_ref["C30"][0] is None  # blank, and the spellings leave blank out: unknown
