"""A district breakdown of a measure: count, change on a year ago, rate per 1,000, rank,
districts grouped into the plan's local policing areas — from records and tidy series."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "ingest"))
from ingest_files import write_csv
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN

from planwatch.measures.areas import area_table
from planwatch.periods import Quarter
from planwatch.plan.load import parse_plan
from planwatch.services.ingest import ingest
from planwatch.store.selectors import area_frame

Q1 = Quarter(2023, 1)  # April-June 2023


def test_record_measure_by_district(tmp_path: Path) -> None:
    plan = parse_plan(RECORDS_PLAN)
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS)
    ingest(tmp_path / "p", "records", [path], record_source="crimes", plan=plan)
    frame = area_frame(tmp_path / "p", plan, "domestic_abuse")
    table = area_table(frame, "domestic_abuse", Q1, populations={"Northtown": 1000.0})
    # DA: C1, C2 in Northtown; C4 in Southvale.
    assert [(r.area, r.value, r.rank, r.rate_per_1000, r.previous) for r in table.rows] == [
        ("Northtown", 2.0, 1, 2.0, None),
        ("Southvale", 1.0, 2, None, None),
    ]


def test_series_by_district_with_change_and_lpa_groups(tmp_path: Path) -> None:
    rows = (
        "asb,2022/23 Q1,7000,\nasb,2023/24 Q1,6787,\n"
        "asb,2022/23 Q1,500,Colchester\nasb,2023/24 Q1,602,Colchester\n"
        "asb,2022/23 Q1,600,Tendring\nasb,2023/24 Q1,552,Tendring\n"
        "asb,2022/23 Q1,300,Braintree\nasb,2023/24 Q1,240,Braintree\n"
    )
    path = tmp_path / "m.csv"
    path.write_text("measure,period,value,area\n" + rows)
    ingest(tmp_path / "p", "measures", [path])
    plan = parse_plan(
        """
metadata: {title: t, organisation: o, area: Essex, plan_period: 2024-2028}
departments:
  - {id: north, name: North LPA, areas: [Colchester, Tendring]}
  - {id: west, name: West LPA, areas: [Braintree]}
measures: [{id: asb, name: ASB, source: {kind: series, series: asb}}]
priorities: [{number: 1, title: P, objective: O, measures: [asb]}]
"""
    )
    table = area_table(
        area_frame(tmp_path / "p", plan, "asb"), "asb", Q1, groups=plan.district_groups()
    )
    colchester, tendring, braintree = table.rows
    assert (colchester.area, colchester.value, colchester.change) == ("Colchester", 602, 102)
    assert colchester.change_pct == pytest.approx(20.4) and colchester.group == "North LPA"
    assert (tendring.rank, tendring.change, braintree.rank) == (2, -48, 3)
    assert [(g.area, g.value, g.previous, g.rank) for g in table.groups] == [
        ("North LPA", 1154, 1100, 1),
        ("West LPA", 240, 300, 2),
    ]
