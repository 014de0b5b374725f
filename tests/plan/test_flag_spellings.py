"""A flag column's own spellings written in YAML as the docs show them (``true: [R]``):
YAML reads the keys ``true``/``false`` as booleans and spellings such as ``1`` as numbers;
the plan takes each as written."""

from __future__ import annotations

import pytest

from planwatch.plan.load import parse_plan
from planwatch.plan.models import FLAG_FALSE, FLAG_TRUE

PLAN = """\
metadata: {title: T, organisation: O, area: Anyshire, plan_period: 2024-2028}
record_sources:
  - name: crimes
    id: crime_ref
    date: recorded
    columns:
      crime_ref: {header: Crime Reference}
      recorded: {type: date}
      rural: COLUMN
measures:
  - id: rural
    name: Rural crimes
    source: {kind: records, records: crimes, where: {column: rural, is_true: true}}
priorities: [{number: 1, title: P, objective: O, measures: [rural]}]
"""


@pytest.mark.parametrize(
    ("column", "true", "false"),
    [
        # the spelling docs/records.md shows: bare YAML keys, which YAML reads as booleans
        ("{type: flag, header: Rural Flag, true: [R], false: [U]}", ("R",), ("U",)),
        # numbers and booleans among the spellings are the text they were written as
        (
            "{type: flag, true: [1, true, Yes], false: [0, false, '']}",
            ("1", "true", "Yes"),
            ("0", "false", ""),
        ),
        # quoted keys, as before
        ('{type: flag, "true": [oui], "false": [non]}', ("oui",), ("non",)),
        # no spellings of its own: the defaults
        ("{type: flag}", FLAG_TRUE, FLAG_FALSE),
    ],
)
def test_flag_spellings_are_read_as_written(
    column: str, true: tuple[str, ...], false: tuple[str, ...]
) -> None:
    plan = parse_plan(PLAN.replace("COLUMN", column))
    (source,) = plan.record_sources
    flag = source.columns["rural"]
    assert (flag.true, flag.false) == (true, false)
