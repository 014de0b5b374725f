"""Key point texts from hand-built analysis results (snapshots reviewed on purpose)."""

from __future__ import annotations

from hand_built import (
    AUDIENCE,
    BenchmarkGap,
    DataLag,
    ExtremeResult,
    InterruptedResult,
    ProportionResult,
    RunResult,
    SPCResult,
    SPCSignal,
    TwoProportionResult,
    VarianceRow,
    WindowComparison,
    analysis,
    change,
    date,
    measure,
    trend,
)

from planwatch.measures.series import MeasureSeries
from planwatch.narrative.keypoints import (
    MAX_KEY_POINTS_PER_PRIORITY,
    measure_key_points,
    priority_points,
    rank,
)
from planwatch.periods import Month


def texts(a, m, series=None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {kp.key: kp.text for kp in measure_key_points(a, m, series)}


def test_rolling_12_months_against_previous_and_baseline_reference_figures() -> None:
    m = measure(id="audience", name="Audience numbers", polarity="up_is_good")
    baseline = change(
        122_057,
        209_700,
        kind="baseline",
        current_label="12 months to June 2023",
        comparison_label="12 months to December 2019",
    )
    (alone,) = measure_key_points(analysis(measure_id="audience", changes=(AUDIENCE,)), m)
    assert alone.text == (
        "Audience numbers decreased by 17.2% to 122,057 in the 12 months to June 2023, "
        "from 147,489 in the 12 months to June 2022."
    )
    assert alone.good_or_bad == "bad" and alone.direction == "down"
    assert alone.significant is None and "significant" not in alone.text
    assert alone.key == "audience:rolling12"
    # two changes from the same 12 months are told in one sentence, the year's first
    (both,) = measure_key_points(analysis(measure_id="audience", changes=(baseline, AUDIENCE)), m)
    assert both.text == (
        "Audience numbers stood at 122,057 in the 12 months to June 2023, 17.2% lower than in "
        "the 12 months to June 2022 (147,489) and 41.8% lower than in the 12 months to "
        "December 2019 (209,700)."
    )
    assert both.kind == "changes" and both.key == "audience:changes:rolling12"
    assert both.good_or_bad == "bad" and both.significant is None


def test_trend_texts() -> None:
    m = measure(name="Violence with injury offences")
    assert texts(analysis(trend=trend()), m) == {
        "m:trend": "There is a statistically significant moderate upward trend in violence with injury offences "
        "from 2016/17 Q1 to 2023/24 Q1 (about 4.2% a year)."
    }
    low = trend(
        strength="very slight", pct_per_year=1.3, p_value=0.4, significant=False, low_counts=True
    )
    assert texts(analysis(trend=low), measure(name="Dog thefts")) == {
        "m:no_trend": "There is a very slight upward movement in dog thefts from 2016/17 Q1 to 2023/24 Q1 "
        "(about 1.3% a year), but it is not statistically significant; numbers are low."
    }
    flat = trend(
        direction="flat", strength="none", pct_per_year=0.1, p_value=0.8, significant=False
    )
    assert texts(analysis(trend=flat), m) == {
        "m:no_trend": "There is no clear trend in violence with injury offences from 2016/17 Q1 to 2023/24 Q1 "
        "(about 0.1% a year)."
    }


def test_a_significant_flag_with_a_large_p_value_is_not_believed() -> None:
    kp = measure_key_points(analysis(trend=trend(p_value=0.2, significant=True)), measure())[0]
    assert kp.significant is False and "not statistically significant" in kp.text


def test_change_with_a_test() -> None:
    c = change(1_205, 1_410, significant=True, p_value=0.0001, method="poisson_rate_ratio_exact")
    (kp,) = measure_key_points(analysis(changes=(c,)), measure(name="Domestic abuse offences"))
    assert kp.text == (
        "Domestic abuse offences decreased by 14.5% to 1,205 in 2023/24 Q1, from 1,410 in 2022/23 Q4; "
        "this is statistically significant."
    )
    assert (kp.good_or_bad, kp.significant, kp.method) == ("good", True, "poisson_rate_ratio_exact")


def test_runs_extremes_and_windows() -> None:
    m = measure(name="Domestic abuse offences")
    a = analysis(
        latest_value=1_205.0,
        run=RunResult("down", 3, None, 0),
        extreme=ExtremeResult("lowest", False, "2018/19 Q1", 29),
        windows=WindowComparison(
            "12 months to June 2023",
            5_020.0,
            (("12 months to June 2022", 5_600.0), ("12 months to June 2021", 5_400.0)),
            True,
            False,
        ),
    )
    assert texts(a, m) == {
        "m:run": "Domestic abuse offences decreased in each of the last three quarters, to 2023/24 Q1.",
        "m:extreme": "The 2023/24 Q1 figure for domestic abuse offences (1,205) is the lowest for five years (since 2018/19 Q1).",
        "m:windows": "The figure for domestic abuse offences in the 12 months to June 2023 (5,020) was lower than in each of "
        "the two earlier years (5,600 in the 12 months to June 2022 and 5,400 in the 12 months to June 2021).",
    }
    broken = analysis(run=RunResult("up", 1, "down", 2))
    assert texts(broken, measure(name="Violence with injury offences"))["m:run"] == (
        "Violence with injury offences increased in 2023/24 Q1, after two consecutive decreases."
    )
    assert "m:run" not in texts(analysis(run=RunResult("up", 1, None, 0)), m)


def test_proportions_benchmarks_and_gaps_in_percentage_points() -> None:
    m = measure(
        name="Ethnic minority share of the workforce",
        unit="percent",
        polarity="up_is_good",
        decimals=1,
    )
    jun23 = ProportionResult("2023-06", 266, 6_488, 266 / 6_488, 0.0364, 0.0461)
    jun22 = ProportionResult("2022-06", 277, 6_472, 277 / 6_472, 0.0381, 0.0481)
    a = analysis(
        proportions=(jun22, jun23),
        proportion_tests=(TwoProportionResult(jun23, jun22, -0.18, -0.86, 0.5, -0.52, 0.6, False),),
        benchmark_gap=BenchmarkGap(
            "2023-06", 4.10, "Economically active ethnic minority population", 11.21, -7.11, "down"
        ),
    )
    assert texts(a, m) == {
        "m:proportion:2023-06": "Ethnic minority share of the workforce stood at 4.1% in June 2023 "
        "(266 of 6,488; 95% confidence interval 3.6% to 4.6%).",
        "m:proportion_gap:2023-06|2022-06": "Ethnic minority share of the workforce stood at 4.1% in June 2023, "
        "0.2 percentage points lower than 4.3% in June 2022; this is not statistically significant.",
        "m:benchmark_gap": "Ethnic minority share of the workforce stood at 4.1% in June 2023, 7.1 percentage points "
        "below the economically active ethnic minority population (11.21%).",
    }


def test_a_survey_change_with_a_proportion_test_is_told_once_by_the_test() -> None:
    m = measure(name="Confidence among victims", unit="percent", polarity="up_is_good", decimals=1)
    q4 = ProportionResult("2022/23 Q4", 140, 230, 140 / 230, 0.545, 0.669)
    q4_before = ProportionResult("2021/22 Q4", 150, 240, 150 / 240, 0.562, 0.684)
    q3 = ProportionResult("2022/23 Q3", 137, 230, 137 / 230, 0.532, 0.656)
    tested = TwoProportionResult(q4, q4_before, -1.6, -0.37, 0.71, -10.3, 7.1, False)
    year = change(
        60.9,
        62.5,
        kind="same_period_last_year",
        current_label="2022/23 Q4",
        comparison_label="2021/22 Q4",
    )
    quarter = change(60.9, 59.6, current_label="2022/23 Q4", comparison_label="2022/23 Q3")
    a = analysis(
        proportions=(q3, q4),
        proportion_tests=(tested,),
        changes=(year, quarter),
        latest_label="2022/23 Q4",
    )
    told = texts(a, m)
    # the year's comparison is the test's (the same two periods are not told again as a
    # change); the quarter's untested change joins it in one sentence, the verdict said once
    assert set(told) == {"m:proportion:2022/23 Q4", "m:changes"}
    assert told["m:changes"] == (
        "Confidence among victims stood at 60.9% in 2022/23 Q4, 1.6 percentage points lower "
        "than in 2021/22 Q4 (62.5%) and 1.3 percentage points higher than in 2022/23 Q3 "
        "(59.6%); the change since 2021/22 Q4 is not statistically significant."
    )


def test_variance_table_summary_from_the_reference_sickness_figures() -> None:
    m = measure(name="Sickness hours lost per officer", unit="hours", decimals=2, frequency="month")
    months = ("Apr", "May", "Jun", "Jul")
    row = VarianceRow(
        "2023/24 variance to 2022/23",
        months,
        (4.98, 5.18, 5.35, None),
        (6.08, 5.46, 5.73, 6.91),
        (-1.10, -0.28, -0.38, None),
    )
    (kp,) = measure_key_points(analysis(variance=(row,)), m)
    assert kp.text == (
        "Compared with the same month of 2022/23, sickness hours lost per officer fell in each of the three months "
        "of 2023/24 with data so far; June: 5.35 hours against 5.73 hours."
    )
    assert kp.good_or_bad == "good"
    staff = VarianceRow(
        "2023/24 variance to 2022/23",
        months[:3],
        (4.40, 4.84, 5.17),
        (5.05, 4.42, 5.34),
        (-0.65, 0.42, -0.17),
    )
    (mixed,) = measure_key_points(analysis(variance=(staff,)), m)
    assert (
        "fell in two and rose in one of the three months" in mixed.text and mixed.direction is None
    )


def test_data_quality_points() -> None:
    m = measure(
        name="Ethnic minority share of the workforce",
        unit="percent",
        decimals=2,
        frequency="month",
        data_lag=DataLag(periods=1, note="survey results arrive a month after the quarter ends"),
    )
    series = MeasureSeries("m", "month", (Month(2022, 6),), (428.0,), suspect=(0,))
    a = analysis(
        latest_label="2022/23 Q4",
        data_lag_periods=1,
        suspect_values=("2022-06",),
        gaps=("2018-08", "2018-09"),
    )
    assert texts(a, m, series) == {
        "m:data_lag": "The latest data available for ethnic minority share of the workforce is to 2022/23 Q4. "
        "Survey results arrive a month after the quarter ends.",
        "m:suspect_value:2022-06": "A value of 428 for June 2022 (ethnic minority share of the workforce) looks like a "
        "data-entry error and is left out until confirmed.",
        "m:gap": "There is no data for ethnic minority share of the workforce for August and September 2018; "
        "the gap is left empty, not estimated.",
    }


def test_spc_and_events() -> None:
    m = measure(name="ASB incidents")
    spc = SPCResult(
        "xmr",
        10,
        2,
        15,
        5,
        13,
        7,
        20,
        (SPCSignal("outside_limits", (28,), "low", True),),
        "special_cause_improving",
        None,
        None,
    )
    event = InterruptedResult(
        "segmented_poisson_glm",
        "Operation Somerton",
        date(2021, 10, 1),
        -23.4,
        (-30.0, -15.0),
        0.001,
        None,
        None,
        True,
    )
    got = {kp.key: kp for kp in measure_key_points(analysis(spc=spc, interrupted=(event,)), m)}
    assert (
        got["m:spc"].text
        == "The control chart (XmR) for ASB incidents shows special-cause variation (a point outside the control limits), an improvement."
    )
    assert got["m:spc"].good_or_bad == "good"
    assert got["m:interrupted:Operation Somerton"].text == (
        "After Operation Somerton (October 2021) the level of ASB incidents showed a fall of about 23.4%; this is statistically significant."
    )
    common = SPCResult("xmr", 10, 2, 15, 5, 13, 7, 20, (), "common_cause", None, None)
    assert measure_key_points(analysis(spc=common), m) == ()


def test_ranking_keeps_a_handful_most_important_first() -> None:
    m = measure()
    a = analysis(
        trend=trend(),
        changes=(
            change(90, 100),
            change(90, 80, kind="same_period_last_year", comparison_label="2022/23 Q1"),
        ),
        run=RunResult("down", 3, None, 0),
        extreme=ExtremeResult("lowest", True, None, 29),
        gaps=("2019/20 Q2",),
        suspect_values=(),
    )
    ranked, notes = priority_points(
        measure_key_points(a, m), per_measure=MAX_KEY_POINTS_PER_PRIORITY
    )
    # the movement first: a significant upward trend and the run of falls against it (one
    # sentence), the record low, the changes (the year's and the quarter's in one sentence,
    # ranked as the year's 12.5%)
    assert [p.kind for p in ranked] == ["trend_and_run", "extreme", "changes"]
    # the gap is a note on the data, for the analyst, not one of the Commissioner's key points
    assert [p.text for p in notes] == [
        "There is no complete data for recorded offences for 2019/20 Q2; the gap is left empty, not estimated."
    ]
    assert [p.importance for p in ranked] == sorted((p.importance for p in ranked), reverse=True)


def test_ranking_caps_points_from_one_measure() -> None:
    a = analysis(
        trend=trend(),
        changes=(
            change(90, 100),
            change(90, 80, kind="same_period_last_year", comparison_label="2022/23 Q1"),
        ),
    )
    b = analysis(measure_id="b", changes=(change(50, 52),))
    pool = list(measure_key_points(a, measure())) + list(measure_key_points(b, measure(id="b")))
    ranked = rank(pool, per_measure=2)
    assert [p.measure for p in ranked].count("m") == 2 and ranked[-1].measure == "b"
