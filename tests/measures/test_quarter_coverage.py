"""How many months a quarter of a part-year series covers, and which quarters may be set
against each other (issue 13; measures/windows.months_covered, like_for_like and
uneven_quarters): a quarter only against one covering as many months."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from planwatch.measures.windows import (
    like_for_like,
    months_covered,
    quarter_months,
    uneven_quarters,
)
from planwatch.periods import Month, Quarter, Rolling12

JULY, AUGUST = 7, 8


def test_a_quarter_of_a_series_without_july_and_august() -> None:
    q2, q1 = Quarter(2023, 2), Quarter(2023, 1)
    assert months_covered(q2, (JULY, AUGUST)) == 1  # September only
    assert months_covered(q1, (JULY, AUGUST)) == 3
    assert not like_for_like(q2, q1, (JULY, AUGUST))  # the quarter before: three against one
    assert like_for_like(q2, q2.shift(-4), (JULY, AUGUST))  # the same quarter a year before
    assert like_for_like(q2, q1)  # a series that has every month
    assert months_covered(Rolling12(Month(2023, 9)), (AUGUST,)) == 11
    assert months_covered(Month(2023, 8), (AUGUST,)) == 0


def test_the_months_of_each_financial_quarter() -> None:
    assert [quarter_months(q) for q in range(1, 5)] == [
        (4, 5, 6),
        (7, 8, 9),
        (10, 11, 12),
        (1, 2, 3),
    ]


def test_even_and_uneven_quarters() -> None:
    assert uneven_quarters((AUGUST,))  # Q2 covers two, the others three
    assert not uneven_quarters((4, 7, 10, 1))  # two each
    assert not uneven_quarters((JULY, AUGUST, 9))  # Q2 never has data: the others three each
    assert not uneven_quarters(())


withouts = st.sets(st.integers(1, 12), max_size=11).map(lambda s: tuple(sorted(s)))
quarters = st.builds(Quarter, st.integers(2010, 2030), st.integers(1, 4))


@settings(max_examples=200, deadline=None)
@given(quarters, st.integers(-12, 12), withouts)
def test_like_for_like_is_as_many_months_compared(
    q: Quarter, shift: int, without: tuple[int, ...]
) -> None:
    """Restated from the quarters' months: like for like exactly when both have as many
    months the series is not without, always for the same quarter of another year, and
    the quarters are uneven exactly when two quarters with data differ."""
    other = q.shift(shift)
    counts = [sum(m.month not in without for m in p.months()) for p in (q, other)]
    assert months_covered(q, without) == counts[0]
    assert like_for_like(q, other, without) == (counts[0] == counts[1])
    assert like_for_like(q, q.shift(4 * shift), without)
    year = [sum(m.month not in without for m in Quarter(2023, k).months()) for k in range(1, 5)]
    assert uneven_quarters(without) == (len(set(year) - {0}) > 1)
