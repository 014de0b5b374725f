"""Table builders and number formatting, against hand-worked values."""

from __future__ import annotations

from datetime import date

from planwatch import formatting as fmt
from planwatch.analysis.results import ChangeResult, ProportionResult, VarianceRow
from planwatch.periods import Month
from planwatch.report.tables import change_table, proportion_table, variance_table
from planwatch.report.view import caveats, paragraphs


def test_variance_year_to_date_compares_like_with_like():
    row = VarianceRow(
        "2023/24 variance to 2022/23",
        ("Apr", "May", "Jun"),
        (10.0, 12.0, None),
        (8.0, 15.0, 20.0),
        (2.0, -3.0, None),
    )
    table = variance_table(row, "Sickness")
    assert table.headers == ("Financial year", "Apr", "May", "Jun", "Year to date")
    assert table.rows[0] == ("2023/24", "10", "12", "–", "22")
    assert table.rows[1] == ("2022/23", "8", "15", "20", "23")  # to date: April and May only
    assert table.rows[2] == ("Variance", "+2", "−3", "–", "−1")


def test_variance_with_an_unusual_label_falls_back_to_plain_words():
    row = VarianceRow("Officers", ("Apr",), (1.0,), (2.0,), (-1.0,))
    assert [r[0] for r in variance_table(row, "Sickness").rows] == [
        "This year",
        "Last year",
        "Variance",
    ]


def test_proportion_table():
    table = proportion_table(
        (ProportionResult("2023/24 Q1", 361, 500, 0.722, 0.681, 0.760),), "Confidence"
    )
    assert table.rows == (("2023/24 Q1", "361", "500", "72.2%", "68.1% to 76.0%"),)


def test_change_table_names_the_comparison_and_the_test():
    change = ChangeResult(
        "same_period_last_year", "2023-06", 90.0, "2022-06", 120.0, -30.0, -25.0, "down", None
    )
    table = change_table((change,), "ASB", "count")
    assert table.rows == (
        ("Same period last year (June 2022)", "90", "120", "−30", "−25.0%", "Not tested"),
    )


def test_number_formats():
    assert fmt.number(1234.5) == "1,235" and fmt.number(-2.5) == "−3" and fmt.number(None) == "–"
    assert fmt.number(1234.56, 1) == "1,234.6"
    assert fmt.value(72.44, "percent", 1) == "72.4%"
    assert fmt.value(1200, "currency") == "£1,200"
    assert fmt.signed(-0.04, 1) == "0.0" and fmt.signed(3.05, 1, "%") == "+3.1%"
    assert fmt.long_date(date(2023, 8, 5)) == "5 August 2023"
    assert fmt.month_label(Month(2023, 6)) == "June 2023" and fmt.month_label(None) == "not known"


def test_commentary_paragraphs():
    assert paragraphs("One\nline.\n\n  Two.  \n\n\n") == ("One line.", "Two.")


def test_caveats_name_the_data_lag(run):
    survey = run.priorities[1].measures[0]
    text = caveats(survey)
    assert text[0].startswith("Data lag: the latest figures are for 2022/23 Q4, 1 quarter behind")
    assert all(t.endswith(".") for t in text)
