"""``table_by`` on a share of a record source (issue 13, the workforce table): the column
the report's table breaks the share down by, checked when the plan loads."""

from __future__ import annotations

import pytest

from planwatch.errors import PlanError
from planwatch.plan.load import parse_plan
from planwatch.plan.models import RecordsSource

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
  - id: em_share
    name: Ethnic minority employees
    unit: percent
    aggregation: proportion
    source: {kind: records, records: workforce, stock: snapshot, table_by: staff_group,
             share: {column: ethnic_minority, is_true: true}}
  - id: officers
    name: Officers
    unit: number
    aggregation: last
    source: {kind: records, records: workforce, stock: snapshot,
             where: {column: staff_group, equals: officer}}
  - id: asb
    name: ASB
    source: {kind: series, series: asb}
priorities: [{number: 1, title: P, objective: O, measures: [em_share, officers, asb]}]
"""


def test_a_share_names_the_column_of_its_table() -> None:
    source = parse_plan(PLAN).measure("em_share").source
    assert isinstance(source, RecordsSource) and source.table_by == "staff_group"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # not one of the source's mapped columns: the nearest named, every one listed
        ("table_by: staff_group,", "table_by: staff_grop,",
         r"measure 'em_share': record source 'workforce' has no column 'staff_grop' "
         r"\(plan.yaml:\d+, field 'measure 'em_share' > source > table_by'\); expected one of "
         r"person, as_at, staff_group, ethnic_minority; did you mean 'staff_group'\?"),
        # a column of the file that the plan does not map is not stored, so not a column
        ("table_by: staff_group,", "table_by: department,",
         r"record source 'workforce' has no column 'department'.*expected one of person, "
         r"as_at, staff_group, ethnic_minority"),
        # a measure that is not a share has no table by group
        ("where: {column: staff_group, equals: officer}}",
         "where: {column: staff_group, equals: officer}, table_by: staff_group}",
         r"measure 'officers': 'table_by' breaks a share down by 'staff_group', but the "
         r"measure has no 'share' \(plan.yaml:\d+, field 'measure 'officers' > source > "
         r"table_by'\); expected a 'share:' test on the measure, or no 'table_by'"),
        # only a record source has columns to break down by
        ("source: {kind: series, series: asb}", "source: {kind: series, series: asb, table_by: x}",
         r"unknown field 'table_by' \(plan.yaml:\d+, field 'measure 'asb' > source > table_by'\)"),
    ],
)  # fmt: skip
def test_a_bad_table_by_is_a_plan_error(old: str, new: str, message: str) -> None:
    assert old in PLAN
    with pytest.raises(PlanError, match=message):
        parse_plan(PLAN.replace(old, new))
