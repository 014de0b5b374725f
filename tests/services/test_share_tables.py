"""The share table on the run (services/workforce.py): built for a share with
``table_by`` only, from the store, at the report's quarter and the same quarter a year
earlier — for a measure counted by month, at each quarter's last month (a snapshot at
the end of May is not June's)."""

from __future__ import annotations

import pytest

from planwatch.periods import Month, Quarter
from planwatch.project import Project
from planwatch.services.analyse import run_analysis
from planwatch.services.ingest import ingest
from planwatch.services.workforce import with_share_tables

Q = Quarter(2023, 1)
PLAN = """\
metadata: {title: T, organisation: O, area: Anyshire, plan_period: 2024-2028}
record_sources:
  - name: workforce
    noun: employees
    id: [person, as_at]
    date: as_at
    columns:
      person: {header: Person ID}
      as_at: {type: date, header: As At}
      staff_group: {header: Staff Group}
      ethnic_minority: {type: flag, header: Ethnic Minority}
measures:
  - id: by_month
    name: Ethnic minority employees (monthly)
    unit: percent
    aggregation: proportion
    frequency: month
    benchmark: {label: Population, value: 9.6}
    source: {kind: records, records: workforce, stock: snapshot, table_by: staff_group,
             share: {column: ethnic_minority, is_true: true}}
  - id: by_quarter
    name: Ethnic minority employees
    unit: percent
    aggregation: proportion
    source: {kind: records, records: workforce, stock: snapshot, table_by: staff_group,
             share: {column: ethnic_minority, is_true: true}}
  - id: no_table
    name: Ethnic minority employees (no table)
    unit: percent
    aggregation: proportion
    source: {kind: records, records: workforce, stock: snapshot,
             share: {column: ethnic_minority, is_true: true}}
priorities: [{number: 1, title: P, objective: O, measures: [by_month, by_quarter, no_table]}]
"""
# 30 June 2022: officers 1 of 2, staff 1 of 1; 31 May 2023: officers 1 of 1 (not June's);
# 30 June 2023: officers 2 of 3, staff 0 of 2.
ROWS = """\
Person ID,As At,Staff Group,Ethnic Minority
O1,2022-06-30,Officer,Y
O2,2022-06-30,Officer,N
S1,2022-06-30,Staff,Y
O1,2023-05-31,Officer,Y
O1,2023-06-30,Officer,Y
O2,2023-06-30,Officer,N
O3,2023-06-30,Officer,Y
S1,2023-06-30,Staff,N
S2,2023-06-30,Staff,N
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("share")
    (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    data = root / "workforce.csv"
    data.write_text(ROWS, encoding="utf-8")
    ingest(root, "records", [data], record_source="workforce")
    return Project.at(root)


def test_each_table_by_share_gets_its_table_at_the_two_quarter_ends(project: Project) -> None:
    run = with_share_tables(project, run_analysis(project, Q))
    results = {m.measure.id: m for p in run.priorities for m in p.measures}
    assert results["no_table"].share_table is None
    monthly, quarterly = results["by_month"].share_table, results["by_quarter"].share_table
    assert monthly is not None and quarterly is not None
    assert (monthly.first, monthly.second) == (Month(2022, 6), Month(2023, 6))
    assert (quarterly.first, quarterly.second) == (Quarter(2022, 1), Q)
    for table in (monthly, quarterly):
        rows = {r.group: r for r in table.rows}
        assert rows["Officer"].counts == ((1, 2), (2, 3))  # not May's snapshot
        assert rows["Staff"].counts == ((1, 1), (0, 2))
        assert rows["All"].counts == ((2, 3), (2, 5))
        assert rows["All"].second == pytest.approx(40.0)
    assert monthly.benchmark_gap_pp == pytest.approx(40.0 - 9.6)
    assert quarterly.benchmark is None


def test_no_store_means_no_table(tmp_path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    project = Project.at(tmp_path)
    run = run_analysis(project, Q)
    assert with_share_tables(project, run) is run
