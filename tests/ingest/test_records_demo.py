"""The demo's crime and staff extracts: their record-based measures count what the
extracts were made to hold (flows by recorded date, headcounts and shares in post at
each quarter's end), and the columns the plan does not map never reach the store."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from planwatch.demo.generate import generate_demo_project
from planwatch.demo.records import expected_counts
from planwatch.demo.staff import expected_in_post, people
from planwatch.measures.workforce import snapshot_table
from planwatch.periods import Quarter
from planwatch.plan.load import load_plan
from planwatch.plan.models import Measure
from planwatch.plan.records import compile_query
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.records import records_frame
from planwatch.store.selectors import measure_frame

SEED = 2024


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = generate_demo_project(tmp_path_factory.mktemp("demo") / "anyshire", SEED)
    for extract in files.records:  # each told by its columns (no record source named)
        ingest(files.root, "records", [extract])
    return files.root


@pytest.mark.parametrize("measure", ["rural_crime", "dog_theft"])
def test_record_measures_count_what_the_extract_holds(demo: Path, measure: str) -> None:
    plan = load_plan(demo / "plan.yaml")
    frame = measure_frame(demo, plan, measure)
    counted = {d: int(v) for d, v in zip(frame["period_start"], frame["value"], strict=True)}
    assert counted == {q.start: n for q, n in expected_counts(SEED)[measure].items()}
    assert plan.measure_definition(measure)


@pytest.mark.parametrize(
    ("column", "header"), [("domestic_abuse", "DA Flag"), ("business", "Business Flag")]
)
@pytest.mark.parametrize("flagged", [True, False])
def test_flags_count_what_the_generated_extract_holds(
    demo: Path, column: str, header: str, flagged: bool
) -> None:
    """Crimes flagged (or not) domestic abuse or business, by quarter of recorded date, as
    the generated CSV holds them counted with the csv module alone."""
    (extract,) = (demo / "data" / "records").glob("*-crime-extract.csv")
    crimes: dict[date, set[str]] = {}
    spellings: set[str] = set()
    with extract.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            _, month, year = (int(x) for x in row["Recorded Date"].split("/"))
            quarter = date(year, 3 * ((month - 1) // 3) + 1, 1)  # financial = calendar quarters
            crimes.setdefault(quarter, set())
            spellings.add(row[header])
            if (row[header] == "Y") == flagged:
                crimes[quarter].add(row["Crime Reference"])
    assert spellings <= {"Y", "N"}  # the generator's spellings: both are the plan's defaults
    plan = load_plan(demo / "plan.yaml")
    measure = Measure.model_validate(
        {"id": "flagged", "name": "Flagged", "source": {
            "kind": "records", "records": "crimes", "where": {"column": column, "is_true": flagged},
            "aggregate": "count_distinct", "of": "crime_ref"}}
    )  # fmt: skip
    with reading(demo) as con:
        frame = records_frame(
            con, compile_query(measure, plan.record_source("crimes")), plan.metadata.area
        )
    counted = {p.date(): v for p, v in zip(frame["period_start"], frame["value"], strict=True)}
    assert counted == {q: float(len(refs)) for q, refs in crimes.items()}
    if column == "business" or not flagged:  # the generator flags no crime domestic abuse
        assert all(len(refs) > 0 for refs in crimes.values())


def test_unmapped_columns_never_reach_the_store(demo: Path) -> None:
    with reading(demo) as con:
        columns = {r[0] for r in con.execute("DESCRIBE records_crimes").fetchall()}
    assert not columns & {"victim_name", "location_address", "mo_text"}
    data = (demo / "planwatch.duckdb").read_bytes()
    assert b"High Street" not in data and b"left on foot" not in data


@pytest.mark.parametrize(
    ("measure", "group"),
    [("special_constables", "Special Constable"), ("police_officers", "Police officer")],
)
def test_headcounts_are_the_people_in_post_at_each_quarter_end(
    demo: Path, measure: str, group: str
) -> None:
    plan = load_plan(demo / "plan.yaml")
    frame = measure_frame(demo, plan, measure)
    assert len(frame) == 29  # 2016/17 Q1 to 2023/24 Q1: the extract lists everyone from April 2016
    for start, value in zip(frame["period_start"], frame["value"], strict=True):
        quarter = next(q for q in _quarters() if q.start == start)
        assert int(value) == expected_in_post(SEED, group, quarter.end), quarter


def _quarters() -> list[Quarter]:
    return [Quarter(y, q) for y in range(2016, 2024) for q in range(1, 5)]


def test_the_ethnic_minority_share_by_staff_group(demo: Path) -> None:
    """The workforce table: the share by staff group at two quarter ends, pooled, and the
    benchmark's gap — counted from the records as the people were made."""
    plan = load_plan(demo / "plan.yaml")
    measure = plan.measure("ethnic_minority_in_post")
    with reading(demo) as con:
        frame = records_frame(
            con,
            compile_query(measure, plan.record_source("staff")),
            plan.metadata.area,
            by="staff_group",
        )
    before, latest = Quarter(2022, 1), Quarter(2023, 1)
    table = snapshot_table(frame, measure.id, before, latest, benchmark=measure.benchmark)
    rows = {r.group: r for r in table.rows}
    assert set(rows) == {"Police officer", "Police staff", "PCSO", "Special Constable", "All"}
    for group in ("Police officer", "PCSO"):
        stated = [
            p for p in people(SEED)
            if p.group.name == group and p.start <= latest.end
            and (p.leave is None or p.leave >= latest.end) and p.ethnicity != "Not stated"
        ]  # fmt: skip
        minority = sum(p.ethnicity != "White" for p in stated)
        assert rows[group].counts[1] == (minority, len(stated))
        assert rows[group].second == pytest.approx(100 * minority / len(stated))
    assert table.benchmark is not None and table.benchmark.value == 9.6
    assert table.benchmark_gap_pp == pytest.approx(rows["All"].second - 9.6)


def test_names_in_the_staff_extract_never_reach_the_store(demo: Path) -> None:
    with reading(demo) as con:
        columns = {r[0] for r in con.execute("DESCRIBE records_staff").fetchall()}
    assert not columns & {"surname", "forename", "rank_or_grade", "department", "fte"}
    data = (demo / "planwatch.duckdb").read_bytes()
    assert b"Okafor" not in data and b"Amira" not in data
