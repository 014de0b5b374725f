"""``compare_period``: the earlier period a measure's latest is told against by name — a
quarter for a quarterly measure, a calendar year for a monthly one."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from planwatch.periods import CalendarYear, Quarter
from planwatch.plan.models import Measure, SeriesSource


def _measure(**kw: object) -> Measure:
    return Measure(id="m", name="Offences", source=SeriesSource(series="m"), **kw)  # type: ignore[arg-type]


def test_a_quarterly_measure_names_a_quarter_and_a_monthly_one_a_year() -> None:
    assert _measure(compare_period="Q1 2016/17").comparison_period == Quarter(2016, 1)
    assert _measure(frequency="month", compare_period="2020").comparison_period == CalendarYear(
        2020
    )
    assert _measure().comparison_period is None


@pytest.mark.parametrize(
    ("frequency", "period", "wanted"),
    [("quarter", "2020", "a quarter"), ("month", "2016/17 Q1", "a calendar year")],
)
def test_a_period_of_the_wrong_shape_is_refused(frequency: str, period: str, wanted: str) -> None:
    with pytest.raises(ValidationError, match=wanted):
        _measure(frequency=frequency, compare_period=period)
