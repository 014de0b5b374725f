"""Short-term changes, exact Poisson test, runs, extremes and 12-month windows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from planwatch.analysis.shortterm import (
    compare,
    count_model,
    extreme,
    latest_window,
    period_change,
    poisson_two_count_p,
    run_of_moves,
    window_change,
    window_comparison,
)
from planwatch.periods import Month, Quarter, Rolling12

from .helpers import monthly, quarterly


def test_reference_audience_change_is_a_17_2_percent_decrease() -> None:
    # 12 months to June 2023: 122,057 against 147,489 the 12 months before:
    # (122057 - 147489) / 147489 = -25432 / 147489 = -0.17243 -> "decreased by 17.2%"
    change = compare(
        "rolling12_previous",
        ("12 months to June 2023", 122_057),
        ("12 months to June 2022", 147_489),
    )
    assert change.abs_change == -25_432
    assert change.pct_change is not None and round(change.pct_change, 1) == -17.2
    assert change.direction == "down"
    assert change.significant is None and change.method is None  # no test asked for


def test_pct_change_against_zero_is_none() -> None:
    change = compare("previous_period", ("b", 4), ("a", 0))
    assert change.pct_change is None and change.direction == "up"


def test_exact_poisson_test_hand_worked() -> None:
    # 10 against 0 over equal lengths: given 10 events, each falls in the first period with
    # probability 1/2, so P(all 10 in one period, either way) = 2 * 0.5**10 = 0.00195
    assert poisson_two_count_p(10, 0) == pytest.approx(2 * 0.5**10)
    # unequal exposures: 91 days against 92 days -> p0 = 91/183
    assert poisson_two_count_p(120, 95, 91, 92) == pytest.approx(
        stats.binomtest(120, 215, 91 / 183).pvalue, rel=1e-9
    )
    assert poisson_two_count_p(0, 0) == 1.0


def test_previous_period_and_same_quarter_last_year_with_the_test() -> None:
    # Two years of quarters with the same seasonal shape each year and a drop at the end.
    # Changed for issue 11: the change is now judged against the season (expected counts
    # m = season's rate per day x days) and the series' own history of the same comparison.
    s = quarterly([100, 110, 105, 90, 120, 115, 100, 60])
    prev = period_change(s, 1, count=True)
    assert prev is not None and prev.kind == "previous_period"
    assert (prev.current_label, prev.comparison_label) == ("2017/18 Q4", "2017/18 Q3")
    assert prev.abs_change == -40 and prev.pct_change == pytest.approx(-40.0)
    assert prev.n_history == 6  # the six earlier quarter-on-quarter moves
    # those moves vary no more than Poisson counts would about the seasons (expected
    # counts: Q4s, Jan-Mar, 90 and 60 over 90 + 90 days; Q3s, Oct-Dec, 105 and 100 over
    # 92 + 92 days), so the variance is the Poisson one and t = D / sqrt(P) on the df
    q4 = 90 * (90 + 60) / (90 + 90)
    q3 = 92 * (105 + 100) / (92 + 92)
    assert prev.method == "serial_rate_ratio_t" and prev.variance_ratio == 1.0
    model = count_model(s)
    assert (model.m[7], model.m[6]) == (pytest.approx(q4), pytest.approx(q3))
    contrast = np.zeros(8)
    contrast[7], contrast[6] = 1 / q4, -1 / q3
    through = contrast @ model.residual_maker
    poisson = float(through @ np.diag(model.m) @ through)
    # with two values a season, fitting the seasons halves each period's Poisson variance
    assert poisson == pytest.approx((1 / q4 + 1 / q3) / 2)
    t = (60 / q4 - 100 / q3) / math.sqrt(poisson)
    assert prev.df is not None
    assert prev.p_value == pytest.approx(2 * stats.t.sf(abs(t), prev.df), rel=1e-9)
    year = period_change(s, 4, count=True)
    assert (
        year is not None
        and year.kind == "same_period_last_year"
        and year.comparison_label == "2016/17 Q4"
    )
    assert year.significant is None and year.untested_reason is not None  # 3 earlier: too few
    # a small change in small counts is not significant
    small = period_change(quarterly([5, 6, 7, 6, 5, 8, 6, 7, 5, 6]), 1, count=True)
    assert small is not None and small.significant is False
    # non-counts get no test
    pct = period_change(quarterly([50.5, 52.1], unit="percent"), 1, count=False)
    assert pct is not None and pct.significant is None and pct.p_value is None


def test_no_comparison_across_a_gap_or_a_held_out_value() -> None:
    assert period_change(quarterly([5, None, 7]), 1, count=True) is None
    assert period_change(quarterly([5, 6, 7], suspect=(1,)), 1, count=True) is None
    # the latest *usable* value is the one compared
    latest_held = period_change(quarterly([5, 6, 7], suspect=(2,)), 1, count=True)
    assert latest_held is not None and latest_held.current_value == 6


def test_runs() -> None:
    # "decreased in each of the last three quarters"
    r = run_of_moves(quarterly([10, 12, 11, 9, 8]))
    assert r is not None and (r.direction, r.length, r.previous_direction, r.previous_length) == (
        "down",
        3,
        "up",
        1,
    )
    # "increased this quarter after decreases in the previous two"
    r = run_of_moves(quarterly([10, 12, 11, 9, 13]))
    assert r is not None and (r.direction, r.length, r.previous_direction, r.previous_length) == (
        "up",
        1,
        "down",
        2,
    )
    # a gap ends the run
    r = run_of_moves(quarterly([20, 15, None, 9, 8, 7]))
    assert r is not None and (r.length, r.previous_direction) == (2, None)
    # no change is "flat"
    r = run_of_moves(quarterly([3, 4, 4]))
    assert r is not None and r.direction == "flat"
    assert run_of_moves(quarterly([3])) is None


def test_extremes() -> None:
    # lowest since 2018/19 Q1: that quarter (index 8, value 50) is the last one at least as low
    values = [80, 82, 79, 85, 81, 78, 76, 77, 50, 70, 72, 69, 66, 64, 60, 58, 55]
    e = extreme(quarterly(values))
    assert e is not None and e.kind == "lowest" and not e.on_record
    assert e.since_label == "2018/19 Q1" and e.n_periods_compared == 7
    # highest on record
    e = extreme(quarterly([5, 6, 7, 4, 8, 9]))
    assert e is not None and e.kind == "highest" and e.on_record and e.since_label is None
    # a value that beats fewer than a year of periods is not news
    assert extreme(quarterly([5, 9, 8, 7, 8.5])) is None


def test_twelve_month_windows_and_baseline() -> None:
    # monthly data April 2019 to June 2023 (51 months); each month of a year has the same value
    yearly = {2019: 10.0, 2020: 8.0, 2021: 9.0, 2022: 12.0, 2023: 7.0}
    values = [
        yearly[m.year if m.month >= 7 else m.year - 1]
        if not (m.year == 2019 and m.month < 7)
        else 11.0
        for m in _months(51)
    ]
    s = monthly(values, first=Month(2019, 4))
    window = latest_window(s)
    assert window == Rolling12(Month(2023, 6))
    change = window_change(s, window, window.previous, "rolling12_previous", count=True)
    assert (
        change is not None
        and change.current_value == 12 * 12.0
        and change.comparison_value == 12 * 9.0
    )
    comparison = window_comparison(s, window)
    assert comparison is not None and comparison.current_label == "12 months to June 2023"
    assert [v for _, v in comparison.previous_values] == [108.0, 96.0, 120.0]
    assert comparison.higher_than_all and not comparison.lower_than_all  # 144 beats 108, 96 and 120
    baseline = window_change(s, window, Rolling12(Month(2019, 12)), "baseline", count=True)
    assert (
        baseline is None
    )  # the 12 months to December 2019 are not all in the data (starts April 2019)


def test_window_lower_than_any_of_the_previous_three_years() -> None:
    s = quarterly(
        [30, 30, 30, 30, 28, 28, 28, 28, 29, 29, 29, 29, 25, 25, 25, 25], first=Quarter(2019, 1)
    )
    window = latest_window(s)
    assert window is not None
    comparison = window_comparison(s, window)
    assert (
        comparison is not None
        and comparison.lower_than_all
        and len(comparison.previous_values) == 3
    )
    # an incomplete current window gives no comparison
    assert (
        window_comparison(quarterly([30, 30, None, 30, 28, 28, 28, 28]), Rolling12(Month(2018, 3)))
        is None
    )


def _months(n: int) -> list[Month]:
    return [Month(2019, 4).shift(i) for i in range(n)]
