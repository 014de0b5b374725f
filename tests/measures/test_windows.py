"""Window totals: sums for counts, pooled proportions, means for other units, gaps honest."""

from __future__ import annotations

from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import expected_periods, rolling12, window_rule, window_total
from planwatch.periods import (
    CalendarYear,
    FinancialYear,
    Month,
    Quarter,
    Rolling12,
    month_range,
    quarter_range,
)


def monthly(
    values: list[float | None],
    *,
    start: Month = Month(2022, 4),
    unit: str = "count",
    suspect: tuple[int, ...] = (),
) -> MeasureSeries:
    periods = month_range(start, start.shift(len(values) - 1))
    return MeasureSeries("m", "month", periods, tuple(values), suspect=suspect, unit=unit)


def test_counts_sum_over_a_quarter_and_a_financial_year() -> None:
    s = monthly([float(i) for i in range(1, 25)])  # Apr 2022 .. Mar 2024
    q = window_total(s, Quarter(2022, 1))
    assert q is not None and q.value == 1 + 2 + 3 and q.complete and q.n_periods_expected == 3
    fy = window_total(s, FinancialYear(2023))
    assert fy is not None and fy.value == sum(range(13, 25)) and fy.label == "2023/24"


def test_calendar_year_partly_outside_series_is_incomplete() -> None:
    s = monthly([1.0] * 12)  # Apr 2022 .. Mar 2023
    cy = window_total(s, CalendarYear(2022))
    assert cy is not None
    assert (cy.value, cy.n_periods_present, cy.n_periods_expected, cy.complete) == (
        9.0,
        9,
        12,
        False,
    )


def test_gaps_and_suspect_values_are_not_filled() -> None:
    s = monthly([10.0, None, 10.0, 428.0] + [10.0] * 8, suspect=(3,))
    w = window_total(s, Rolling12.ending(Month(2023, 3)))
    assert w is not None
    assert w.value == 100.0 and w.n_periods_present == 10 and not w.complete


def test_no_data_gives_none() -> None:
    s = monthly([None, None, None])
    assert window_total(s, Quarter(2022, 1)) is None
    assert window_total(s, Quarter(2030, 1)) is None


def test_proportions_pool_numerators_and_denominators() -> None:
    periods = quarter_range(Quarter(2022, 1), Quarter(2022, 4))
    s = MeasureSeries(
        "p",
        "quarter",
        periods,
        (50.0, 10.0, 50.0, 50.0),
        numerators=(50.0, 1.0, 50.0, 50.0),
        denominators=(100.0, 10.0, 100.0, 100.0),
        unit="percent",
    )
    assert window_rule(s) == "proportion"
    w = window_total(s, FinancialYear(2022))
    assert w is not None and w.complete
    assert abs(w.value - 100 * 151 / 310) < 1e-12  # not the mean of the percentages (40.0)


def test_other_units_take_the_mean() -> None:
    s = monthly([4.98, 5.18, 5.35], unit="hours")
    w = window_total(s, Quarter(2022, 1))
    assert w is not None and abs(w.value - (4.98 + 5.18 + 5.35) / 3) < 1e-12


def test_quarterly_series_in_a_window_not_on_quarter_boundaries_is_incomplete() -> None:
    periods = quarter_range(Quarter(2021, 1), Quarter(2022, 4))
    s = MeasureSeries("q", "quarter", periods, tuple(float(i) for i in range(8)))
    aligned = window_total(s, Rolling12.ending(Quarter(2022, 4)))
    assert aligned is not None and aligned.complete and aligned.value == 4 + 5 + 6 + 7
    skewed = window_total(s, Rolling12(Month(2023, 2)))
    assert skewed is not None and not skewed.complete and skewed.n_periods_expected == 3


def test_rolling12_has_one_entry_per_period() -> None:
    s = monthly([1.0] * 14)
    r = rolling12(s)
    assert len(r) == 14
    assert r[10] is not None and not r[10].complete and r[10].value == 11.0
    assert (
        r[11] is not None
        and r[11].complete
        and r[11].value == 12.0
        and r[11].label == "12 months to March 2023"
    )
    assert r[13] is not None and r[13].complete and r[13].value == 12.0


def test_expected_periods_are_cached_by_frequency_and_window() -> None:
    expected_periods.cache_clear()
    window = Rolling12.ending(Quarter(2023, 1))
    quarters, covered = expected_periods("quarter", window)
    assert covered and quarters == tuple(quarter_range(Quarter(2022, 2), Quarter(2023, 1)))
    months, _ = expected_periods("month", window)
    assert months == window.months()
    again, _ = expected_periods("quarter", Rolling12.ending(Quarter(2023, 1)))
    assert again is quarters  # an equal window hits the cache
    info = expected_periods.cache_info()
    assert (info.hits, info.misses) == (1, 2)


def test_cached_periods_give_the_same_totals_for_two_series() -> None:
    a = monthly([1.0] * 12)
    b = monthly([2.0] * 12)
    window = FinancialYear(2022)
    ta, tb = window_total(a, window), window_total(b, window)
    assert ta is not None and tb is not None and (ta.value, tb.value) == (12.0, 24.0)
