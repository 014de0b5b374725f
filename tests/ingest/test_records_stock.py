"""Stock measures from records: a headcount at each period's end, not a flow over it.

Two layouts a workforce unit exports: a staff list with start and leaving dates (counted as
those in post on each period's last day) and snapshot rows (one row per person and
snapshot date; a period counts its latest snapshot). Counted by hand below.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from ingest_files import write_csv

from planwatch.errors import PlanError
from planwatch.measures.build import build_series
from planwatch.measures.windows import rolling12, window_total
from planwatch.measures.workforce import snapshot_table
from planwatch.periods import Quarter
from planwatch.plan.load import parse_plan
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading
from planwatch.store.records import records_frame
from planwatch.store.selectors import area_frame, measure_frame, record_query

PLAN = """\
metadata: {title: T, organisation: O, area: Anyshire, plan_period: 2024-2028}
record_sources:
  - name: staff
    noun: people
    id: person
    date: start_date
    area: district
    columns:
      person: {header: Person ID}
      role: {header: Role}
      start_date: {type: date, header: Start Date, format: "%d/%m/%Y"}
      end_date: {type: date, header: End Date, format: "%d/%m/%Y"}
      district: {header: District}
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
  - id: specials
    name: Special Constables in post
    unit: number
    aggregation: last
    polarity: up_is_good
    source:
      kind: records
      records: staff
      where: {column: role, equals: special constable}
      stock: {ends: end_date, listed_from: 2023-04-01}
  - id: officers
    name: Police officers
    unit: number
    aggregation: last
    source: {kind: records, records: workforce, stock: snapshot,
             where: {column: staff_group, equals: officer}}
  - id: em_officers
    name: Ethnic minority police officers
    unit: number
    aggregation: last
    source:
      kind: records
      records: workforce
      stock: snapshot
      where: [{column: staff_group, equals: officer}, {column: ethnic_minority, is_true: true}]
  - id: em_share
    name: Ethnic minority employees as a share of the workforce
    unit: percent
    aggregation: proportion
    benchmark: {label: Economically active ethnic minority population, value: 9.6}
    source: {kind: records, records: workforce, stock: snapshot,
             share: {column: ethnic_minority, is_true: true}}
priorities: [{number: 1, title: P, objective: O, measures: [specials, officers, em_officers]}]
"""
STAFF_HEADER = ["Person ID", "Name", "Role", "Start Date", "End Date", "District"]
#: Specials in post on 30 June 2023: P1 P2 P3 (joined that day) P4 (left that day) P8 -> 5;
#: on 30 September: P1 P3 P8 -> 3 (P2 left 31 August); on 31 December: P1 P3 P6 P8 -> 4.
#: The latest date the extract knows is 15 January 2024, so 2023/24 Q4 is not counted yet;
#: periods before April 2023 are not counted (the extract lists only who was in post since).
STAFF_ROWS = [
    ["P1", "A. Smith", "Special Constable", "10/01/2020", "", "Northtown"],
    ["P2", "B. Jones", "Special Constable", "15/05/2023", "31/08/2023", "Northtown"],
    ["P3", "C. Patel", "special constable", "30/06/2023", "", "Southvale"],
    ["P4", "D. Brown", "Special Constable", "01/03/2021", "30/06/2023", "Southvale"],
    ["P5", "E. Green", "Constable", "01/09/2019", "", "Northtown"],
    ["P6", "F. White", "Special Constable", "02/10/2023", "", "Northtown"],
    ["P7", "G. Black", "Special Constable", "01/01/2022", "28/02/2023", "Northtown"],
    ["P8", "H. Grey", "Special Constable", "01/01/2018", "15/01/2024", "Southvale"],
]
WORKFORCE_HEADER = ["Person ID", "As At", "Staff Group", "Ethnic Minority"]
#: Officers at 31 March 2023: 3 (1 ethnic minority); at 31 May: 4 (2); at 30 June: 5 (3).
WORKFORCE_ROWS = [
    *[[p, "2023-03-31", "Officer", em] for p, em in (("O1", "Y"), ("O2", "N"), ("O3", "N"))],
    ["S1", "2023-03-31", "Staff", "Y"],
    *[
        [p, "2023-05-31", "Officer", em]
        for p, em in (("O1", "Y"), ("O2", "N"), ("O3", "N"), ("O4", "Y"))
    ],
    *[
        [p, "2023-06-30", "Officer", em]
        for p, em in (("O1", "Y"), ("O2", "N"), ("O4", "Y"), ("O5", "N"), ("O6", "Y"))
    ],
    ["S1", "2023-06-30", "Staff", "Y"],
    ["S2", "2023-06-30", "Staff", "N"],
]
Q1, Q2, Q3 = date(2023, 4, 1), date(2023, 7, 1), date(2023, 10, 1)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("stock")
    plan = parse_plan(PLAN)
    staff = write_csv(tmp / "staff.csv", STAFF_HEADER, STAFF_ROWS)
    workforce = write_csv(tmp / "workforce.csv", WORKFORCE_HEADER, WORKFORCE_ROWS)
    ingest(tmp / "p", "records", [staff], record_source="staff", plan=plan)
    ingest(tmp / "p", "records", [workforce], record_source="workforce", plan=plan)
    return tmp / "p"


def values(project: Path, measure_id: str, text: str = PLAN) -> dict[date, float]:
    frame = measure_frame(project, parse_plan(text), measure_id)
    return dict(zip(frame["period_start"], frame["value"], strict=True))


def test_those_in_post_on_each_quarters_last_day(project: Path) -> None:
    assert values(project, "specials") == {Q1: 5.0, Q2: 3.0, Q3: 4.0}


def test_in_post_on_each_months_last_day(project: Path) -> None:
    monthly = PLAN.replace(
        "    name: Special Constables in post\n", "    name: Special Constables in post\n"
        "    frequency: month\n"
    )  # fmt: skip
    counts = values(project, "specials", monthly)
    # April 2023 (P1 P4 P7-gone P8 -> 3) to December; January 2024 ends after the 15th
    assert counts[date(2023, 4, 1)] == 3.0
    assert counts[date(2023, 5, 1)] == 4.0  # P2 joined 15 May
    assert counts[date(2023, 8, 1)] == 4.0  # P2 in post on 31 August, the day they left
    assert counts[date(2023, 9, 1)] == 3.0
    assert min(counts) == date(2023, 4, 1) and max(counts) == date(2023, 12, 1)


def test_a_stock_by_district(project: Path) -> None:
    frame = area_frame(project, parse_plan(PLAN), "specials")
    q1 = frame[frame["period_start"] == Q1]
    assert dict(zip(q1["area"], q1["value"], strict=True)) == {"Northtown": 2.0, "Southvale": 3.0}


def test_a_snapshot_counts_the_periods_latest_snapshot(project: Path) -> None:
    # 2022/23 Q4: the 31 March snapshot; 2023/24 Q1: 30 June (not May's, not both added)
    assert values(project, "officers") == {date(2023, 1, 1): 3.0, Q1: 5.0}
    assert values(project, "em_officers") == {date(2023, 1, 1): 1.0, Q1: 3.0}


def test_a_month_without_a_snapshot_is_a_gap_not_a_zero(project: Path) -> None:
    monthly = PLAN.replace(
        "    name: Police officers\n", "    name: Police officers\n    frequency: month\n"
    )
    assert values(project, "officers", monthly) == {
        date(2023, 3, 1): 3.0, date(2023, 5, 1): 4.0, date(2023, 6, 1): 5.0
    }  # fmt: skip


def test_a_stock_series_is_never_added_up_over_a_year(project: Path) -> None:
    plan = parse_plan(PLAN)
    measure = plan.measure("specials")
    series = build_series(measure_frame(project, plan, "specials"), measure)
    assert series.values == (5.0, 3.0, 4.0)
    window = rolling12(series)[-1]
    assert window is not None and not window.complete  # three quarters of four
    assert window.value == pytest.approx(4.0)  # a level: the mean, never the sum 12


def test_the_definition_in_words() -> None:
    plan = parse_plan(PLAN)
    assert plan.measure_definition("specials") == (
        "people with role 'special constable', in post on the last day of each period "
        "(from start date to end date)"
    )
    assert plan.measure_definition("officers") == (
        "employees with staff group 'officer', at the latest snapshot in each period (by as at)"
    )
    assert Quarter(2023, 1).end == date(2023, 6, 30)


def test_a_share_at_each_snapshot(project: Path) -> None:
    plan = parse_plan(PLAN)
    frame = measure_frame(project, plan, "em_share")
    # 31 March: 2 of 4 employees (O1, S1); 30 June: 4 of 7 (O1, O4, O6, S1)
    assert list(frame["numerator"]) == [2.0, 4.0] and list(frame["denominator"]) == [4.0, 7.0]
    assert list(frame["value"]) == [50.0, pytest.approx(400 / 7)]
    series = build_series(frame, plan.measure("em_share"))
    pooled = window_total(series, Quarter(2023, 1))
    assert pooled is not None and pooled.value == pytest.approx(400 / 7)
    assert plan.measure_definition("em_share") == (
        "percentage flagged ethnic minority of employees, at the latest snapshot in each "
        "period (by as at)"
    )


def test_the_workforce_table_by_staff_group(project: Path) -> None:
    plan = parse_plan(PLAN)
    measure = plan.measure("em_share")
    with reading(project) as con:
        frame = records_frame(con, record_query(plan, measure), "Anyshire", by="staff_group")
    table = snapshot_table(
        frame, "em_share", Quarter(2022, 4), Quarter(2023, 1), benchmark=measure.benchmark
    )
    rows = {r.group: r for r in table.rows}
    assert list(rows) == ["Officer", "Staff", "All"]
    officer, staff, everyone = rows["Officer"], rows["Staff"], rows["All"]
    assert (officer.first, officer.second) == (pytest.approx(100 / 3), 60.0)
    assert officer.difference_pp == pytest.approx(60 - 100 / 3)
    assert (staff.first, staff.second, staff.difference_pp) == (100.0, 50.0, -50.0)
    # pooled from the counts (4 of 7), not the mean of the groups' percentages
    assert (everyone.first, everyone.second) == (50.0, pytest.approx(400 / 7))
    assert table.benchmark_gap_pp == pytest.approx(400 / 7 - 9.6)


def test_a_share_needs_a_proportion_in_percent() -> None:
    with pytest.raises(PlanError, match=r"a share is a percentage of the records counted, so "
                       r"the measure needs unit: percent and aggregation: proportion"):  # fmt: skip
        parse_plan(PLAN.replace("    unit: percent\n    aggregation: proportion\n", ""))
    with pytest.raises(PlanError, match=r"record source 'workforce' has no column 'ethnic'"):
        parse_plan(PLAN.replace("share: {column: ethnic_minority", "share: {column: ethnic"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("stock: {ends: end_date, listed_from: 2023-04-01}", "stock: {ends: end_date}",
         r"needs 'listed_from: YYYY-MM-DD'"),
        ("stock: {ends: end_date, listed_from: 2023-04-01}",
         "stock: {ends: end_date, listed_from: 2023-04-01, snapshot: true}", r"not both or neither"),
        ("stock: {ends: end_date, listed_from: 2023-04-01}",
         "stock: {ends: district, listed_from: 2023-04-01}",
         r"'district' is a text column, not a date"),
        ("stock: {ends: end_date, listed_from: 2023-04-01}",
         "stock: {ends: end_dat, listed_from: 2023-04-01}",
         r"no column 'end_dat'.*did you mean 'end_date'"),
        ("    unit: number\n    aggregation: last\n    polarity: up_is_good\n", "",
         r"measure 'specials': a stock is counted at a date, so the measure needs unit: number "
         r"and aggregation: last \(it has unit: count, aggregation: sum\)"),
        ("stock: snapshot,", "stock: snapshots,",
         r"stock 'snapshots' is not a kind of stock; expected 'snapshot' or \{ends"),
    ],
)  # fmt: skip
def test_a_badly_declared_stock_is_a_plan_error(old: str, new: str, message: str) -> None:
    assert old in PLAN
    with pytest.raises(PlanError, match=message):
        parse_plan(PLAN.replace(old, new, 1))
