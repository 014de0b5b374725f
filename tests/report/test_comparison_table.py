"""The two-proportion table names what is compared: two periods, or two measures."""

from dataclasses import replace

from planwatch.analysis.proportions import two_proportions, wilson
from planwatch.report.tables import proportion_test_table


def test_rows_name_periods_or_the_other_measure() -> None:
    over_time = two_proportions(wilson("2022/23 Q4", 609, 1000), wilson("2021/22 Q4", 620, 1000))
    between = replace(
        two_proportions(wilson("2022/23 Q4", 609, 1000), wilson("2022/23 Q4", 755, 1000)),
        compared_with="non_victim_confidence",
        compared_with_name="Confidence among non-victims",
    )
    table = proportion_test_table((over_time, between), "Confidence among victims")
    assert table.caption == "Confidence among victims: comparisons (two-proportion z-test)"
    assert table.rows[0][0] == "2022/23 Q4 against 2021/22 Q4"
    assert (
        table.rows[1][0]
        == "Confidence among victims against Confidence among non-victims (2022/23 Q4)"
    )
    assert table.rows[1][1] == "−14.6 points"
    assert table.rows[1][3] == "Yes"
    assert table.rows[0][3] == "No"
