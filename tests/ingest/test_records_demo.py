"""The demo's crime extract: its record-based measures count what the extract was made
to hold, and the columns the plan does not map never reach the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.demo.generate import generate_demo_project
from planwatch.demo.records import expected_counts
from planwatch.plan.load import load_plan
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.selectors import measure_frame

SEED = 2024


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files = generate_demo_project(tmp_path_factory.mktemp("demo") / "anyshire", SEED)
    ingest(files.root, "records", list(files.records))  # the plan's only record source
    return files.root


@pytest.mark.parametrize("measure", ["rural_crime", "dog_theft"])
def test_record_measures_count_what_the_extract_holds(demo: Path, measure: str) -> None:
    plan = load_plan(demo / "plan.yaml")
    frame = measure_frame(demo, plan, measure)
    counted = {d: int(v) for d, v in zip(frame["period_start"], frame["value"], strict=True)}
    assert counted == {q.start: n for q, n in expected_counts(SEED)[measure].items()}
    assert plan.measure_definition(measure)


def test_unmapped_columns_never_reach_the_store(demo: Path) -> None:
    with reading(demo) as con:
        columns = {r[0] for r in con.execute("DESCRIBE records_crimes").fetchall()}
    assert not columns & {"victim_name", "location_address", "mo_text"}
    data = (demo / "planwatch.duckdb").read_bytes()
    assert b"High Street" not in data and b"left on foot" not in data
