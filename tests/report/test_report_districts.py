"""The district table (issue 13): a count measure whose source has districts shows the
quarter by district in the report, each district counted once, grouped into the plan's
local policing areas, with totals that add up to the force's own figure. Built from a
real project: a tidy CSV with force and district rows ingested into the store, analysed
and reported by the same service as ``planwatch report``."""

from __future__ import annotations

from pathlib import Path

import pytest
from html_tables import html_table

from planwatch.periods import Quarter
from planwatch.project import Project
from planwatch.report.tables import ALL_DISTRICTS, FORCE_FIGURE, NOT_IN_A_DISTRICT
from planwatch.services.analyse import run_analysis
from planwatch.services.areas import with_district_tables
from planwatch.services.ingest import ingest
from planwatch.services.report import generate_report
from planwatch.store.selectors import series_areas

Q1 = Quarter(2023, 1)
PLAN = """
metadata: {title: Plan, organisation: Office, area: Essex, plan_period: 2024-2028}
departments:
  - {id: north, name: North LPA, areas: [Colchester, Tendring]}
  - {id: west, name: West LPA, areas: [Braintree]}
measures:
  - {id: asb, name: ASB incidents, source: {kind: series, series: asb}, analyses: [short_term]}
  - {id: share, name: ASB repeat share, unit: percent, aggregation: mean, decimals: 1,
     source: {kind: series, series: share}, analyses: [short_term]}
priorities: [{number: 1, title: Safer streets, objective: Less ASB, measures: [asb, share]}]
"""
# The force's own figure and three districts' (the rest of the force is not in a district
# shown); a percentage measure by district, which must not be added up.
ROWS = (
    "asb,2022/23 Q1,7000,\nasb,2023/24 Q1,6787,\n"
    "asb,2022/23 Q1,500,Colchester\nasb,2023/24 Q1,602,Colchester\n"
    "asb,2022/23 Q1,600,Tendring\nasb,2023/24 Q1,552,Tendring\n"
    "asb,2022/23 Q1,300,Braintree\nasb,2023/24 Q1,240,Braintree\n"
    "share,2022/23 Q1,20.5,\nshare,2023/24 Q1,21.5,\n"
    "share,2022/23 Q1,30.1,Colchester\nshare,2023/24 Q1,31.0,Colchester\n"
    "share,2022/23 Q1,10.1,Tendring\nshare,2023/24 Q1,11.0,Tendring\n"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("districts")
    (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    data = root / "asb.csv"
    data.write_text("measure,period,value,area\n" + ROWS, encoding="utf-8")
    ingest(root, "measures", [data])
    return Project.at(root)


def test_the_breakdown_rides_on_the_run(project):
    run = with_district_tables(project, run_analysis(project, Q1))
    results = {m.measure.id: m for m in run.priorities[0].measures}
    areas = results["asb"].areas
    assert areas is not None
    assert [(r.area, r.value) for r in areas.rows] == [
        ("Colchester", 602.0),
        ("Tendring", 552.0),
        ("Braintree", 240.0),
    ]
    assert results["share"].areas is None  # percentages by district are not added up


def test_the_report_shows_each_district_once_with_totals_that_add_up(project, tmp_path: Path):
    files = generate_report(project, Q1, pdf=False, out_dir=tmp_path, chart_data=False)
    page = files.html.read_text(encoding="utf-8")
    rows = html_table(page, "ASB incidents by district")
    header, body = rows[0], rows[1:]
    assert header == [
        "District",
        "Local policing area",
        "2023/24 Q1",
        "2022/23 Q1",
        "Change",
        "Change (%)",
        "Rank",
    ]
    by = {r[0]: r for r in body}
    assert [r[0] for r in body] == [
        "Colchester",
        "Tendring",
        "North LPA total",
        "Braintree",
        "West LPA total",
        ALL_DISTRICTS,
        NOT_IN_A_DISTRICT,
        FORCE_FIGURE,
    ]
    assert by["Colchester"][2:] == ["602", "500", "+102", "+20.4%", "1"]
    assert by["North LPA total"][2:5] == ["1,154", "1,100", "+54"]
    assert by["West LPA total"][2:5] == ["240", "300", "\u221260"]

    def n(text: str) -> int:
        return int(text.replace(",", "").replace("\u2212", "-"))

    districts = [r for r in body if r[0] in ("Colchester", "Tendring", "Braintree")]
    # each district once: the district rows add up to all districts, and so do the
    # local policing area totals (never added in again)
    assert sum(n(r[2]) for r in districts) == n(by[ALL_DISTRICTS][2]) == 1394
    assert n(by["North LPA total"][2]) + n(by["West LPA total"][2]) == 1394
    assert n(by[ALL_DISTRICTS][3]) == 1400
    # with the part not recorded against these districts, the rows add up to the force's figure
    assert n(by[ALL_DISTRICTS][2]) + n(by[NOT_IN_A_DISTRICT][2]) == n(by[FORCE_FIGURE][2]) == 6787
    assert n(by[ALL_DISTRICTS][3]) + n(by[NOT_IN_A_DISTRICT][3]) == n(by[FORCE_FIGURE][3]) == 7000
    assert "ASB repeat share by district" not in page


def test_no_store_means_no_breakdown(run, tmp_path):
    assert with_district_tables(Project.at(tmp_path), run) is run


#: A national tidy file: each force's own rows under its name, and one of Essex's districts.
NATIONAL_ROWS = (
    "asb,2022/23 Q1,7000,Essex\nasb,2023/24 Q1,6787,Essex\n"
    "asb,2022/23 Q1,4000,Kent\nasb,2023/24 Q1,4100,Kent\n"
    "asb,2022/23 Q1,3000,Norfolk\nasb,2023/24 Q1,2900,Norfolk\n"
    "asb,2022/23 Q1,500,Colchester\nasb,2023/24 Q1,602,Colchester\n"
    "asb,2022/23 Q1,300,Braintree\nasb,2023/24 Q1,240,Braintree\n"
)


def _national(root: Path, area: str, own_rows: str = "") -> Project:
    root.mkdir()
    (root / "plan.yaml").write_text(PLAN.replace("area: Essex", f"area: {area}"), encoding="utf-8")
    data = root / "national.csv"
    data.write_text("measure,period,value,area\n" + NATIONAL_ROWS + own_rows, encoding="utf-8")
    ingest(root, "measures", [data])
    return Project.at(root)


def _breakdown(project: Project) -> list[str] | None:
    run = with_district_tables(project, run_analysis(project, Q1))
    areas = {m.measure.id: m for m in run.priorities[0].measures}["asb"].areas
    return None if areas is None else [r.area for r in areas.rows]


def test_other_forces_of_a_national_file_are_no_districts_of_a_force(tmp_path: Path):
    # one plan run for each force (report-areas): Kent and Norfolk are not Essex's districts
    assert _breakdown(_national(tmp_path / "essex", "Essex")) == ["Colchester", "Braintree"]


def test_the_forces_are_the_breakdown_of_an_area_that_is_no_force(tmp_path: Path):
    # a region's plan: its forces are its breakdown
    region = "asb,2022/23 Q1,15000,\nasb,2023/24 Q1,14787,\n"
    assert _breakdown(_national(tmp_path / "region", "Eastern Region", region)) == [
        "Essex",
        "Kent",
        "Norfolk",
        "Colchester",
        "Braintree",
    ]


def test_each_series_areas_are_read_in_one_query(tmp_path: Path):
    project = _national(tmp_path / "essex", "Essex", "share,2023/24 Q1,20.5,\n")
    assert series_areas(project, ["ASB", "share", "none"]) == {
        "asb": ("Braintree", "Colchester", "Essex", "Kent", "Norfolk")
    }
