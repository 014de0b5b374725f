"""The workforce table from a frame by group: percentages, percentage-point differences,
the pooled row and the benchmark gap (hand-worked figures)."""

from __future__ import annotations

import pytest
from measure_frames import frame, row

from planwatch.measures.workforce import snapshot_table
from planwatch.periods import Quarter
from planwatch.plan.models import Benchmark

FIRST, SECOND = Quarter(2022, 4), Quarter(2023, 4)


def share(q: Quarter, group: str, num: float, den: float) -> dict[str, object]:
    start = q.first_month
    return row(start.year, start.month, num / den * 100, frequency="quarter", category=group,
               numerator=num, denominator=den)  # fmt: skip


def test_groups_pooled_and_a_group_missing_at_one_date() -> None:
    rows = [
        share(FIRST, "Police officers", 30, 1000), share(SECOND, "Police officers", 45, 1000),
        share(FIRST, "Police staff", 60, 500), share(SECOND, "Police staff", 55, 500),
        share(SECOND, "Special Constables", 4, 100),  # none a year earlier
        share(Quarter(2023, 2), "Police officers", 1, 1),  # neither date: left out
    ]  # fmt: skip
    table = snapshot_table(frame(rows), "em", FIRST, SECOND,
                           benchmark=Benchmark(label="Economically active", value=9.6))  # fmt: skip
    by = {r.group: r for r in table.rows}
    assert [r.group for r in table.rows] == [
        "Police officers", "Police staff", "Special Constables", "All"
    ]  # fmt: skip
    assert (by["Police officers"].first, by["Police officers"].second) == (3.0, 4.5)
    assert by["Police officers"].difference_pp == pytest.approx(1.5)
    assert by["Police staff"].difference_pp == pytest.approx(-1.0)
    specials = by["Special Constables"]
    assert (specials.first, specials.second, specials.difference_pp) == (None, 4.0, None)
    # pooled: 90 of 1,500 (6.0%) then 104 of 1,600 (6.5%), not the groups' mean
    assert by["All"].first == pytest.approx(6.0) and by["All"].second == pytest.approx(6.5)
    assert table.benchmark_gap_pp == pytest.approx(6.5 - 9.6)


def test_no_benchmark_no_gap() -> None:
    table = snapshot_table(frame([share(SECOND, "Staff", 1, 4)]), "em", FIRST, SECOND)
    assert table.benchmark is None and table.benchmark_gap_pp is None
    assert table.rows[-1].second == 25.0 and table.rows[-1].first is None
