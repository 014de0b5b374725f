"""A force-level measure never adds district rows into the force total (the reported case:
force ASB 6,787 became 7,941 once two districts' rows were loaded into the same series)."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_plans import make_plan

from planwatch.errors import PlanError
from planwatch.services.ingest import ingest
from planwatch.store.selectors import measure_frame

HEADER = "measure,period,value,area\n"


def _load(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "m.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    project = tmp_path / "p"
    ingest(project, "measures", [path])
    return project


def _plan(area: str | None = None):  # type: ignore[no-untyped-def]
    source: dict[str, object] = {"kind": "series", "series": "asb"}
    if area:
        source["area"] = area
    return make_plan({"id": "asb", "name": "ASB", "source": source})


def test_district_rows_stay_out_of_the_force_total(tmp_path: Path) -> None:
    project = _load(
        tmp_path,
        "asb,2023/24 Q1,6787,\nasb,2023/24 Q1,602,Colchester\nasb,2023/24 Q1,552,Tendring\n",
    )
    force = measure_frame(project, _plan(), "asb")
    assert list(force["value"]) == [6787.0]
    district = measure_frame(project, _plan("Colchester"), "asb")
    assert list(district["value"]) == [602.0]


def test_the_force_can_be_named_instead_of_left_blank(tmp_path: Path) -> None:
    project = _load(tmp_path, "asb,2023/24 Q1,6787,Essex\nasb,2023/24 Q1,602,Colchester\n")
    assert list(measure_frame(project, _plan(), "asb")["value"]) == [6787.0]


def test_a_force_measure_on_district_rows_only_is_an_error(tmp_path: Path) -> None:
    project = _load(tmp_path, "asb,2023/24 Q1,602,Colchester\nasb,2023/24 Q1,552,Tendring\n")
    with pytest.raises(
        PlanError, match=r"rows only for areas Colchester, Tendring, none for Essex"
    ):
        measure_frame(project, _plan(), "asb")


def test_blank_and_named_force_rows_for_one_period_are_an_error(tmp_path: Path) -> None:
    project = _load(tmp_path, "asb,2023/24 Q1,6787,\nasb,2023/24 Q1,6787,Essex\n")
    with pytest.raises(PlanError, match=r"two force-level rows for 2023/24 Q1"):
        measure_frame(project, _plan(), "asb")
