"""The share table's cells (report/tables.py ``share_table``), from a table made by
``snapshot_table`` of a small frame: the one formatter, the measure's decimals, periods
or days as the columns, and no benchmark rows without a benchmark."""

from __future__ import annotations

from datetime import date

import pandas as pd

from planwatch.measures.workforce import snapshot_table
from planwatch.periods import Quarter
from planwatch.plan.models import Benchmark
from planwatch.report.tables import GAP_ROW, share_table

BEFORE, LATEST = Quarter(2022, 1), Quarter(2023, 1)
# officers 1 of 8 then 3 of 9; staff 2 of 4 then 2 of 5: pooled 3 of 12 then 5 of 14
FRAME = pd.DataFrame(
    {
        "period_start": [BEFORE.start, LATEST.start, BEFORE.start, LATEST.start],
        "category": ["Officer", "Officer", "Staff", "Staff"],
        "numerator": [1, 3, 2, 2],
        "denominator": [8, 9, 4, 5],
    }
)


def test_a_stock_is_shown_at_each_quarters_last_day_with_the_benchmark() -> None:
    bench = Benchmark(label="Population", value=9.6)
    table = snapshot_table(FRAME, "m", BEFORE, LATEST, benchmark=bench)
    shown = share_table(table, "Share", "staff_group", "percent", 1)
    assert shown.headers == (
        "Staff group",
        "30 June 2022",
        "30 June 2023",
        "Difference (percentage points)",
    )
    assert LATEST.end == date(2023, 6, 30)
    assert "30 June 2022 and 30 June 2023" in shown.caption
    assert shown.rows == (
        ("Officer", "12.5%", "33.3%", "+20.8"),  # 100/8, 300/9, 33.33 - 12.5
        ("Staff", "50.0%", "40.0%", "−10.0"),
        ("All", "25.0%", "35.7%", "+10.7"),  # pooled 3/12 and 5/14, not the groups' mean
        ("Benchmark: Population", "–", "9.6%", "–"),
        (GAP_ROW, "–", "–", "+26.1"),  # 35.71 - 9.6
    )


def test_a_flow_is_shown_by_period_and_without_a_benchmark_has_no_gap() -> None:
    table = snapshot_table(FRAME, "m", BEFORE, LATEST)
    shown = share_table(table, "Share", "group", "percent", 0, stock=False)
    assert shown.headers[1:3] == ("2022/23 Q1", "2023/24 Q1")
    # a difference in points takes at least the decimals of fmt.pp_decimals
    assert shown.rows == (
        ("Officer", "13%", "33%", "+20.8"),
        ("Staff", "50%", "40%", "−10.0"),
        ("All", "25%", "36%", "+10.7"),
    )
