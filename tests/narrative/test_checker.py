"""The claim checker against sentences made wrong on purpose: each wrong fact is found,
with its kind, and the true sentence passes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hand_built import analysis, change
from series_built import plan_measure, point, quarterly

from planwatch.narrative.checker import ClaimKind, check_key_point, verified
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint

MEASURE = plan_measure()
#: Rose twice, then fell three quarters in a row; the latest is the lowest since 2022/23 Q2.
SERIES = quarterly([100, 110, 120, 115, 108, 101])
#: No quarter a year before: one change, 108 to 101.
SHORT = quarterly([120, 115, 108, 101])
#: A steady fall: the latest quarter is the lowest of all eight.
FALLING = quarterly([180, 170, 160, 150, 140, 130, 120, 110])


def _point(kind: str, series: object = SERIES, measure: object = MEASURE) -> KeyPoint:
    kp = point(series, measure, kind)  # type: ignore[arg-type]
    assert kp is not None, kind
    return kp


def kinds(
    kp: KeyPoint, text: str, series: object = SERIES, measure: object = MEASURE
) -> set[ClaimKind]:
    wrong = replace(kp, text=text)
    return {p.kind for p in check_key_point(wrong, series, measure)}  # type: ignore[arg-type]


def test_true_sentences_pass() -> None:
    for kind in ("run", "changes"):
        assert check_key_point(_point(kind), SERIES, MEASURE) == ()
    assert check_key_point(_point("change_previous", SHORT), SHORT, MEASURE) == ()
    assert check_key_point(_point("extreme", FALLING), FALLING, MEASURE) == ()


def test_runs_of_the_wrong_length_or_way_are_found() -> None:
    run = _point("run")
    assert kinds(
        run, "Recorded offences decreased in 2023/24 Q1, after two consecutive increases."
    ) == {"run"}
    assert kinds(run, run.text.replace("three quarters", "two quarters")) == {"run"}
    assert kinds(run, run.text.replace("after two consecutive", "after three consecutive")) == {
        "run"
    }
    assert kinds(run, run.text.replace("decreased in each", "increased in each")) == {"run"}
    assert kinds(run, run.text.replace("to 2023/24 Q1", "to 2022/23 Q4")) == {"period"}


def test_changes_with_a_wrong_number_direction_or_size_are_found() -> None:
    change = _point("change_previous", SHORT)  # 108 to 101: a fall of 6.5%
    assert "decreased by 6.5% to 101 in 2023/24 Q1, from 108 in 2022/23 Q4" in change.text

    def wrong(text: str) -> set[ClaimKind]:
        return kinds(change, text, SHORT)

    # a wrong number is found; the size, re-derived from the series, is still right
    assert wrong(change.text.replace("to 101", "to 102")) == {"value"}
    assert wrong(change.text.replace("from 108", "from 180")) == {"value"}
    assert wrong(change.text.replace("6.5%", "6.4%")) == {"size"}
    assert wrong(change.text.replace("decreased", "increased")) == {"direction"}


def test_joined_changes_with_a_wrong_number_direction_size_or_verdict_are_found() -> None:
    joined = _point("changes")  # 101 against 110 a year before and 108 a quarter before
    assert joined.text == (
        "Recorded offences stood at 101 in 2023/24 Q1, 8.2% lower than in 2022/23 Q1 (110) "
        "and 6.5% lower than in 2022/23 Q4 (108); the change since 2022/23 Q4 is not "
        "statistically significant; the series moves in long swings, so a change of this size "
        "is within its usual movement."
    )
    assert kinds(joined, joined.text.replace("(110)", "(111)")) == {"value"}
    assert kinds(joined, joined.text.replace("8.2%", "8.0%")) == {"size"}
    assert kinds(joined, joined.text.replace("6.5% lower", "6.5% higher")) == {"direction"}
    assert kinds(joined, joined.text.replace("at 101", "at 100")) == {"value"}
    claimed = joined.text.replace("is not statistically", "is statistically")
    assert kinds(joined, claimed) == {"significance"}
    # the year's change was not tested: a verdict on it is wrong either way
    assert kinds(joined, joined.text.replace("since 2022/23 Q4", "since 2022/23 Q1")) == {
        "significance"
    }
    dropped = joined.text.replace(" and 6.5% lower than in 2022/23 Q4 (108)", "")
    assert kinds(joined, dropped) == {"value"}  # a comparison in the evidence is not told
    stable = joined.text.replace("stood at", "remained stable at")
    assert kinds(joined, stable) == {"size"}  # 8.2% is not stable


def test_extremes_that_reach_back_to_the_wrong_period_are_found() -> None:
    extreme = _point("extreme", FALLING)
    assert "is the lowest of all eight quarters in the series" in extreme.text
    assert kinds(extreme, extreme.text.replace("all eight", "all seven"), FALLING) == {"extreme"}
    assert kinds(extreme, extreme.text.replace("(110)", "(111)"), FALLING) == {"value"}
    assert kinds(extreme, extreme.text.replace("lowest", "highest"), FALLING) == {"extreme"}
    since = extreme.text.replace("of all eight quarters in the series", "since 2021/22 Q3")
    assert kinds(extreme, since, FALLING) == {"extreme"}  # it is on record: nothing is as low
    dipped = quarterly([100, 90, 150, 140, 130, 120, 110, 105, 95])
    low = _point("extreme", dipped)
    assert low.text.endswith("is the lowest since 2021/22 Q2.")
    assert check_key_point(low, dipped, MEASURE) == ()
    assert kinds(low, low.text.replace("2021/22 Q2", "2021/22 Q1"), dipped) == {"extreme"}


def test_significance_wording_must_match_the_test() -> None:
    tested = change(101, 108, significant=False, p_value=0.4, method="poisson_rate_ratio_exact")
    (point_,) = measure_key_points(analysis(changes=(tested,)), MEASURE)
    assert point_.text.endswith("; this is not statistically significant.")
    assert check_key_point(point_, SHORT, MEASURE) == ()
    claimed = point_.text.replace("not statistically significant", "statistically significant")
    assert kinds(point_, claimed, SHORT) == {"significance"}
    untested = replace(point_, significant=None, evidence={**point_.evidence, "p_value": None})
    assert {p.kind for p in check_key_point(untested, SHORT, MEASURE)} == {"significance"}


def test_periods_and_names_the_series_does_not_have_are_found() -> None:
    single = _point("change_previous", SHORT)
    assert "period" in kinds(single, single.text.replace("2022/23 Q4", "2015/16 Q4"), SHORT)
    named = plan_measure(name="All Crime Harm")
    lowered = single.text.replace("Recorded offences", "all Crime Harm")
    assert kinds(single, lowered, SHORT, named) == {"name"}


@pytest.mark.parametrize("unit", ["percent", "number"])
def test_verified_keeps_true_points_and_explains_the_rest(unit: str) -> None:
    m = plan_measure(unit=unit, decimals=1)
    good = _point("run", SERIES, m)
    bad = replace(good, text=good.text.replace("three quarters", "four quarters"), key="m:run:bad")
    kept, problems = verified((good, bad), SERIES, m)
    assert kept == (good,)
    assert [p.key for p in problems] == ["m:run:bad"]
    assert "four quarters" in str(problems[0]) and "3 decreases in a row" in str(problems[0])


def test_trend_sentences_must_match_the_fit_and_end_at_the_latest_period() -> None:
    from hand_built import trend

    rising = quarterly([100 + 3 * i for i in range(29)])
    fitted = trend(first_label="2016/17 Q1", last_label="2023/24 Q1", pct_per_year=4.2)
    (kp,) = measure_key_points(analysis(trend=fitted), MEASURE)
    assert (
        "upward trend in recorded offences from 2016/17 Q1 to 2023/24 Q1 (about 4.2% a year)"
        in kp.text
    )
    assert check_key_point(kp, rising, MEASURE) == ()
    assert kinds(kp, kp.text.replace("upward", "downward"), rising) == {"direction"}
    assert kinds(kp, kp.text.replace("4.2%", "4.5%"), rising) == {"size"}
    assert kinds(kp, kp.text.replace("to 2023/24 Q1", "to 2022/23 Q4"), rising) == {"period"}
