"""How numbers and periods are written."""

from __future__ import annotations

from planwatch.narrative.wording import (
    count_word,
    mid_sentence,
    number,
    pct,
    period_list,
    period_phrase,
    pp,
    quantity,
)


def test_numbers() -> None:
    assert (
        number(122_057) == "122,057"
        and number(-0.001, 2) == "0.00"
        and number(1234.5, 1) == "1,234.5"
    )
    assert (
        pct(-17.24) == "17.2%"
        and pp(-7.11) == "7.1 percentage points"
        and pp(1.04) == "1.0 percentage point"
    )
    assert (
        quantity(4.1, "percent") == "4.1%"
        and quantity(5.35, "hours", 2) == "5.35 hours"
        and quantity(1200, "currency") == "£1,200"
    )


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


def test_words() -> None:
    assert (
        mid_sentence("Anti-social behaviour") == "anti-social behaviour"
        and mid_sentence("ASB incidents") == "ASB incidents"
    )
    assert (
        count_word(1, "quarter") == "one quarter"
        and count_word(3, "month") == "three months"
        and count_word(12, "month") == "12 months"
    )
