from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planwatch.errors import PeriodError
from planwatch.periods import (
    CalendarYear,
    FinancialYear,
    Month,
    Quarter,
    Rolling12,
    month_range,
    parse_month,
    parse_period,
    parse_quarter,
    quarter_from_parts,
    quarter_range,
)


@pytest.mark.parametrize(
    "label",
    [
        "2023/24 Q1",
        "2023/24-Q1",
        "2023/24Q1",
        "Q1 2023/24",
        "2023-24 Q1",
        "2023/2024 Q1",
        "q1 2023/24",
        " 2023/24  Q1 ",
    ],
)
def test_quarter_label_forms(label: str) -> None:
    assert parse_period(label) == Quarter(2023, 1)


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("2023-06", Month(2023, 6)),
        ("2023-06-01", Month(2023, 6)),
        ("Jun-23", Month(2023, 6)),
        ("June 2023", Month(2023, 6)),
        ("Sept 2018", Month(2018, 9)),
        ("2023/24", FinancialYear(2023)),
        ("2015/2016", FinancialYear(2015)),
        ("2019", CalendarYear(2019)),
        ("12 months to December 2019", Rolling12(Month(2019, 12))),
        ("12 months to 2023/24 Q1", Rolling12(Month(2023, 6))),
    ],
)
def test_other_label_forms(label: str, expected: object) -> None:
    assert parse_period(label) == expected


@pytest.mark.parametrize(
    "label", ["2023/25 Q1", "2023/24 Q5", "2023-13", "Smarch 2023", "", "last quarter"]
)
def test_unparseable_labels_say_what_was_expected(label: str) -> None:
    with pytest.raises(PeriodError) as info:
        parse_period(label)
    assert "expected" in str(info.value)


def test_quarter_months_and_dates() -> None:
    q = Quarter(2023, 4)
    assert q.label == "2023/24 Q4"
    assert q.slug == "2023-24-Q4"
    assert [m.label for m in q.months()] == ["2024-01", "2024-02", "2024-03"]
    assert q.start == date(2024, 1, 1) and q.end == date(2024, 3, 31)
    assert Quarter(2023, 1).previous == Quarter(2022, 4)
    assert Quarter(2023, 1).same_quarter_last_year == Quarter(2022, 1)


def test_month_to_quarter_boundaries() -> None:
    assert Month(2023, 3).quarter == Quarter(2022, 4)
    assert Month(2023, 4).quarter == Quarter(2023, 1)
    assert Month(2023, 12).quarter == Quarter(2023, 3)


def test_rolling_windows() -> None:
    window = Rolling12.ending(Quarter(2023, 1))
    assert window.label == "12 months to June 2023"
    assert window.months()[0] == Month(2022, 7)
    assert window.previous.end_month == Month(2022, 6)


def test_parts_from_home_office_columns() -> None:
    assert quarter_from_parts("2017/18", 1) == Quarter(2017, 1)
    assert quarter_from_parts("2017/18", "Q4") == Quarter(2017, 4)
    with pytest.raises(PeriodError, match="not a quarter number"):
        quarter_from_parts("2017/18", "5")


def test_typed_parsers_reject_other_kinds() -> None:
    with pytest.raises(PeriodError, match="not a quarter"):
        parse_quarter("2023-06")
    with pytest.raises(PeriodError, match="not a month"):
        parse_month("2023/24 Q1")


def test_ranges_are_inclusive() -> None:
    assert len(quarter_range(Quarter(2016, 1), Quarter(2023, 1))) == 29
    assert len(month_range(Month(2018, 1), Month(2019, 2))) == 14


@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=1, max_value=4))
def test_quarter_label_round_trips(fy: int, q: int) -> None:
    quarter = Quarter(fy, q)
    assert parse_period(quarter.label) == quarter
    assert parse_period(quarter.slug) == quarter
    assert all(m.quarter == quarter for m in quarter.months())


@given(st.integers(min_value=1990 * 12, max_value=2100 * 12))
def test_month_label_round_trips(index: int) -> None:
    month = Month.from_index(index)
    assert parse_period(month.label) == month
    assert parse_period(month.long_label) == month


def test_a_label_read_again_gives_the_same_period_and_a_bad_one_fails_each_time() -> None:
    # parse_period remembers labels read without a source; an error is not remembered
    assert parse_period("2023/24 Q1") == parse_period("2023/24 Q1") == Quarter(2023, 1)
    for _ in range(2):
        with pytest.raises(PeriodError, match="cannot read '2023/24 Q5'"):
            parse_period("2023/24 Q5")
