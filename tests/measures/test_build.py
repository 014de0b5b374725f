"""build_series on frames shaped like the store selector's output."""

from __future__ import annotations

import pytest
from measure_frames import frame, measure, row

from planwatch.errors import AnalysisError
from planwatch.measures.build import build_series
from planwatch.periods import Month, Quarter


def test_monthly_counts_sum_to_complete_financial_quarters_only() -> None:
    rows = [row(2023, m, 10.0 * m) for m in (4, 5, 6, 7, 8)]  # Q1 complete, Q2 has two months
    s = build_series(frame(rows), measure(frequency="quarter"))
    assert s.periods == (Quarter(2023, 1),)
    assert s.values == (40.0 + 50.0 + 60.0,)
    partial = build_series(frame(rows), measure(frequency="quarter"), partial_quarters=True)
    assert partial.values == (150.0, 150.0)


def test_rows_across_areas_and_categories_are_summed() -> None:
    rows = [
        row(2023, 4, 1.0, area="North", category="8N"),
        row(2023, 4, 2.0, area="South", category="8N"),
        row(2023, 4, 4.0, area="South", category="30C"),
    ]
    s = build_series(frame(rows), measure(frequency="month"))
    assert s.values == (7.0,)


def test_gaps_stay_gaps_on_a_full_axis_from_series_start() -> None:
    months = [1, 2, 3, 4, 5, 6, 7, 10, 11, 12]  # police.uk Essex: no August or September 2018
    rows = [row(2018, m, 100.0 + m) for m in months]
    s = build_series(frame(rows), measure(frequency="month", series_start="2017-12"))
    assert s.periods[0] == Month(2017, 12) and s.periods[-1] == Month(2018, 12)
    assert len(s.periods) == 13
    assert s.gaps() == (Month(2017, 12), Month(2018, 8), Month(2018, 9))
    assert s.values[s.index_of(Month(2018, 7)) or 0] == 107.0


def test_data_before_series_start_and_after_end_is_left_out() -> None:
    rows = [row(2022, m, 1.0) for m in range(1, 13)]
    s = build_series(
        frame(rows), measure(frequency="month", series_start="2022-03"), end=Month(2022, 10)
    )
    assert (s.periods[0], s.periods[-1]) == (Month(2022, 3), Month(2022, 10))
    q = build_series(frame(rows), measure(frequency="quarter"), end=Quarter(2022, 2))
    assert q.periods == (
        Quarter(2021, 4),
        Quarter(2022, 1),
        Quarter(2022, 2),
    )  # Jan-Mar 2022 is 2021/22 Q4
    assert q.values == (3.0, 3.0, 3.0)


def test_suspect_rows_keep_their_value_but_are_held_out() -> None:
    rows = [row(2022, 6, 428.0, status="suspect"), row(2023, 6, 4.10)]
    s = build_series(frame(rows), measure(frequency="month", unit="percent", aggregation="mean"))
    assert s.values[0] == 428.0 and s.suspect == (0,)
    assert [v for _, _, v in s.usable()] == [4.10]
    confirmed = build_series(
        frame([row(2022, 6, 428.0, status="confirmed")]), measure(frequency="month")
    )
    assert confirmed.suspect == ()


def test_harm_weighted_totals_multiply_counts_by_offence_weights() -> None:
    rows = [
        row(2023, 4, 10.0, category="8N"),
        row(2023, 4, 2.0, category="1"),
        row(2023, 5, 3.0, category="8N"),
    ]
    s = build_series(
        frame(rows),
        measure(frequency="month", aggregation="harm_weighted"),
        weights={"8N": 1.5, "1": 5000.0},
    )
    assert s.values == (10 * 1.5 + 2 * 5000.0, 3 * 1.5)


def test_harm_weighted_without_a_weight_names_the_offence() -> None:
    rows = [row(2023, 4, 10.0, category="8N"), row(2023, 4, 1.0, category="99Z")]
    with pytest.raises(AnalysisError, match="99Z"):
        build_series(
            frame(rows),
            measure(aggregation="harm_weighted", frequency="month"),
            weights={"8N": 1.0},
        )
    with pytest.raises(AnalysisError, match="no offence weights"):
        build_series(frame(rows), measure(aggregation="harm_weighted", frequency="month"))


def test_rates_per_1000_from_a_given_or_stored_population() -> None:
    rows = [
        row(2023, 4, 150.0, frequency="quarter", category="a", denominator=1_500_000.0),
        row(2023, 4, 300.0, frequency="quarter", category="b", denominator=1_500_000.0),
    ]
    m = measure(aggregation="rate_per_1000", unit="rate_per_1000")
    assert build_series(frame(rows), m).values == pytest.approx((0.3,))
    assert build_series(frame(rows), m, population=900_000.0).values == pytest.approx((0.5,))
    bare = [row(2023, 4, 150.0, frequency="quarter")]
    with pytest.raises(AnalysisError, match="no population for 2023/24 Q1"):
        build_series(frame(bare), m)


def test_proportions_pool_numerators_and_denominators_in_percent() -> None:
    rows = [
        row(2023, 1, None, numerator=30.0, denominator=40.0),
        row(2023, 2, None, numerator=10.0, denominator=60.0),
        row(2023, 3, None, numerator=5.0, denominator=100.0),
    ]
    s = build_series(
        frame(rows), measure(aggregation="proportion", unit="percent", frequency="quarter")
    )
    assert s.periods == (Quarter(2022, 4),)
    assert s.values == pytest.approx((100 * 45 / 200,))
    assert s.numerators == (45.0,) and s.denominators == (200.0,)


def test_proportion_without_counts_falls_back_to_the_published_percentage() -> None:
    s = build_series(
        frame([row(2023, 4, 71.5, frequency="quarter")]),
        measure(aggregation="proportion", unit="percent"),
    )
    assert s.values == (71.5,) and s.numerators == (None,)


def test_means_and_stocks() -> None:
    rows = [row(2023, 4, 4.98), row(2023, 5, 5.18), row(2023, 6, 5.35)]
    mean = build_series(frame(rows), measure(aggregation="mean", unit="hours"))
    assert mean.values == pytest.approx(((4.98 + 5.18 + 5.35) / 3,))
    heads = [
        row(2023, 4, 260.0),
        row(2023, 5, 270.0),
        row(2023, 6, 250.0, area="a"),
        row(2023, 6, 16.0, area="b"),
    ]
    last = build_series(frame(heads), measure(aggregation="last", unit="count"))
    assert last.values == (266.0,)


def test_monthly_measure_cannot_be_built_from_quarterly_rows() -> None:
    with pytest.raises(AnalysisError, match=r"monthly but its data for 2023/24 Q1 is quarterly"):
        build_series(frame([row(2023, 4, 1.0, frequency="quarter")]), measure(frequency="month"))


def test_bad_frames_are_named() -> None:
    with pytest.raises(AnalysisError, match="lacks column"):
        build_series(frame([row(2023, 4, 1.0)]).drop(columns=["status"]), measure())
    with pytest.raises(AnalysisError, match="frequency 'week'"):
        build_series(frame([row(2023, 4, 1.0, frequency="week")]), measure())


def test_no_rows_gives_an_empty_series() -> None:
    s = build_series(frame([]), measure())
    assert s.periods == () and s.values == ()


def test_plain_columns_build_the_same_series_as_a_frame() -> None:
    # the analysis passes the store's rows as plain columns (no pandas): NULL numbers None
    rows = [
        row(2023, 4, 1.0, area="North", category="8N"),
        row(2023, 4, None, area="South", category="8N", status="suspect"),
        row(2023, 5, 4.0, area="South", category="30C"),
        row(2023, 6, 2.0, numerator=1.0, denominator=4.0),
    ]
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    for m in (measure(frequency="month"), measure(aggregation="proportion", unit="percent")):
        assert build_series(columns, m) == build_series(frame(rows), m)
    assert build_series(columns, measure(frequency="month")).suspect == (0,)
    with pytest.raises(AnalysisError, match="lacks column"):
        build_series({k: v for k, v in columns.items() if k != "status"}, measure())
