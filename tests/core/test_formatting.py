"""How numbers and periods are written: one rounding rule and one minus sign everywhere."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from planwatch.formatting import (
    MINUS,
    count_change,
    count_word,
    join_words,
    mid_sentence,
    number,
    pct,
    period_list,
    period_phrase,
    period_text,
    pp,
    quantity,
    signed,
    value,
)


def test_numbers() -> None:
    assert number(122_057) == "122,057" and number(-0.001, 2) == "0.00"
    assert number(1234.5, 1) == "1,234.5" and number(None) == "–" and number(float("nan")) == "–"
    assert pct(-17.24) == "17.2%" and pp(-7.11) == "7.1 percentage points"
    assert pp(1.04) == "1.0 percentage point" and pp(1, 2) == "1.00 percentage point"
    assert quantity(4.1, "percent", 1) == "4.1%" and quantity(5.35, "hours", 2) == "5.35 hours"
    assert quantity(1200, "currency") == "£1,200" and value(5.35, "hours", 2) == "5.35"


def test_halves_round_away_from_zero_on_the_number_as_written() -> None:
    # The old sentence formatter rounded half to even on the binary float: 1,234 and 2.67.
    assert number(1234.5) == "1,235" and number(2.5) == "3" and number(-2.5) == f"{MINUS}3"
    assert number(2.675, 2) == "2.68" and number(0.125, 2) == "0.13"


def test_one_minus_sign() -> None:
    assert number(-1234) == "−1,234" and signed(-12) == "−12" and signed(12) == "+12"
    assert signed(0.004, 2) == "0.00" and signed(-0.004, 2) == "0.00"
    assert "-" not in number(-0.5, 1) + signed(-3.25, 1, "%")


def test_percentage_points_to_the_measures_decimals() -> None:
    # The reference update quotes a fall of 0.98 points in a two-decimal measure.
    assert pp(-0.98, 2) == "0.98 percentage points" and pp(0.98) == "1.0 percentage point"
    assert pp(0.049, 0) == "0.0 percentage points"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3))
def test_number_is_the_decimal_rounding(x: float, decimals: int) -> None:
    shown = number(x, decimals)
    expected = Decimal(str(x)).quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP")
    assert Decimal(shown.replace(",", "").replace(MINUS, "-")) == expected
    assert "-" not in shown and (shown.startswith(MINUS) == (expected < 0))


def test_periods() -> None:
    assert period_list(("2018-08", "2018-09")) == "August and September 2018"
    assert (
        period_list(("2018-12", "2019-01", "2019-03")) == "December 2018 and January and March 2019"
    )
    assert period_list(("2019/20 Q2", "2019/20 Q3")) == "2019/20 Q2 and 2019/20 Q3"
    assert period_phrase("12 months to June 2023") == "the 12 months to June 2023"
    assert (
        period_phrase("2022-06") == "June 2022" and period_phrase("not a period") == "not a period"
    )
    assert period_text("2023/24-Q1") == "2023/24 Q1" and period_text(None) == "–"


def test_measure_names_keep_the_plans_capitals() -> None:
    """Fails on the old code: "all Crime Harm", "special Constables"."""
    assert mid_sentence("Anti-social behaviour") == "anti-social behaviour"
    assert mid_sentence("ASB incidents") == "ASB incidents"
    assert mid_sentence("All Crime Harm") == "All Crime Harm"
    assert mid_sentence("Special Constables") == "Special Constables"
    assert (
        mid_sentence("Ethnic Minority Economically Active") == "Ethnic Minority Economically Active"
    )
    assert mid_sentence("Burglary in Essex") == "burglary in Essex"


def test_words() -> None:
    assert count_word(1, "quarter") == "one quarter" and count_word(3, "month") == "three months"
    assert count_word(12, "month") == "12 months" and join_words(["a", "b", "c"]) == "a, b and c"
    assert count_change(-11, "employee") == "11 fewer employees"
    assert (
        count_change(1, "officer") == "one more officer" and count_change(0.2, "x") == "no change"
    )
