"""Data that exist only for part of a year (the plan's ``part_year``; issue 13), from a
series through the real engine to its sentences: every figure over a period that takes in a
month the series never has says what it is of, in the sentence ("the 12 months to June 2023
(11 months each: August, which has no data, is left out)") and in the evidence
(``compared``: the months compared and left out). The test reads each sentence itself: the
months it names as left out are exactly those of the period the series never has, and each
figure it states is the sum (or mean) over the months it says it compared."""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, plan_measure

from planwatch.analysis.engine import analyse_measure
from planwatch.analysis.results import to_jsonable
from planwatch.formatting import number
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.periods import Month, Quarter, Rolling12, month_range, parse_period, quarter_range
from planwatch.plan.models import Measure, PartYear

AUGUST = 8
LAST_MONTH = REPORT_QUARTER.last_month  # June 2023
NUMBER = r"\d[\d,]*(?:\.\d+)?"
MONTH = r"[A-Z][a-z]+ \d{4}"
NAMES = r"[A-Z][a-z]+(?:(?:, | and )[A-Z][a-z]+)*"
#: What a figure over part of a year is of, as a reader reads it.
NOTE = re.compile(
    rf"(\w+) months?( each)?: ({NAMES}), which (?:has|have) no data, (?:is|are) left out"
)
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
#: A 12-month window's figure, before the window ("to 1,100 in the 12 months to June 2023")
#: or in brackets after it ("in the 12 months to June 2022 (1,035; ...").
WINDOW_BEFORE = re.compile(rf"\b({NUMBER}) in the 12 months to ({MONTH})")
WINDOW_AFTER = re.compile(rf"in the 12 months to ({MONTH}) \(({NUMBER})[;)]")
SO_FAR = re.compile(
    rf"^So far this financial year \((\w+) to ({MONTH})(?:; (.+?))?\), .+? totalled ({NUMBER}), "
    rf".+? in the same months of \d{{4}}/\d{{2}} \(({NUMBER})\)\.$"
)
AVERAGES = re.compile(
    rf"averaged ({NUMBER}) a month in (\d{{4}})(?: \(January to (\w+)(?:; (.+?))?\))?, against "
    rf"({NUMBER}) a month in (\d{{4}})(?: \((.+?)\))?: "
)


def school_year(
    values: list[int], without: tuple[int, ...], gap: int | None = None
) -> MeasureSeries:
    """Monthly values to June 2023, none in the months the series never has (nor at ``gap``)."""
    periods = month_range(LAST_MONTH.shift(-(len(values) - 1)), LAST_MONTH)
    kept: list[float | None] = [
        None if p.month in without or i == gap else float(v)
        for i, (p, v) in enumerate(zip(periods, values, strict=True))
    ]
    return MeasureSeries("m", "month", periods, tuple(kept), without_months=without)


def part_year_measure(without: tuple[int, ...], frequency: str = "month") -> Measure:
    return plan_measure(
        frequency=frequency,
        part_year=PartYear(without=without, note="No sessions then."),
        analyses=("rolling12", "short_term", "extremes"),
    )


def points(series: MeasureSeries, measure: Measure) -> tuple[KeyPoint, ...]:
    analysis = analyse_measure(series, measure, (), REPORT_QUARTER)
    return measure_key_points(analysis, measure, series)


def shape(months: tuple[Month, ...], without: tuple[int, ...]) -> tuple[int, tuple[str, ...]]:
    """How many months a figure over ``months`` is of, and the names of those left out."""
    left = [m for m in months if m.month in without]
    names = tuple(dict.fromkeys(calendar.month_name[m.month] for m in left))
    return len(months) - len(left), names


def notes(text: str) -> list[tuple[int, tuple[str, ...], bool]]:
    """Every note a sentence carries: months compared, the names left out, "each"."""
    return [
        (WORDS.get(n, 0) or int(n), tuple(re.split(r", | and ", names)), bool(each))
        for n, each, names in NOTE.findall(text)
    ]


def value_of(series: MeasureSeries, month: Month) -> float:
    i = series.index_of(month)
    assert i is not None
    v = series.values[i]
    assert v is not None, f"a figure over {month.label}, which has no data"
    return v


def windows_told(text: str) -> list[tuple[str, Rolling12]]:
    """The 12-month windows a sentence states a figure for, with the figure as shown."""
    found = [(v, w) for v, w in WINDOW_BEFORE.findall(text)]
    found += [(v, w) for w, v in WINDOW_AFTER.findall(text)]
    out = []
    for shown, window in found:
        period = parse_period(window)
        assert isinstance(period, Month)
        out.append((shown, Rolling12(period)))
    return out


def check_windows(kp: KeyPoint, series: MeasureSeries, without: tuple[int, ...]) -> int:
    """Each 12-month figure is the sum over the months its note says it compared, and the
    sentence's notes name exactly the months each window leaves out; how many were read."""
    told = windows_told(kp.text)
    said = notes(kp.text)
    shapes = [shape(w.months(), without) for _, w in told]
    for (shown, window), (n, names) in zip(told, shapes, strict=True):
        compared = [m for m in window.months() if m.month not in without]
        assert n == len(compared) and names, kp.text
        assert (n, names, shapes.count((n, names)) > 1) in said, kp.text
        assert shown == number(sum(value_of(series, m) for m in compared)), (window, kp.text)
        entry = next(c for c in kp.evidence["compared"] if c["period"] == window.label)
        assert entry["months_compared"] == [m.label for m in compared]
        assert entry["months_left_out"] == [m.label for m in window.months() if m.month in without]
    assert {(n, names) for n, names, _ in said} <= set(shapes), kp.text
    return len(told)


def check_so_far(kp: KeyPoint, series: MeasureSeries, without: tuple[int, ...]) -> None:
    found = SO_FAR.match(kp.text)
    assert found, kp.text
    first_name, last_s, note, now_s, before_s = found.groups()
    last = parse_period(last_s)
    assert isinstance(last, Month) and first_name == "April"
    span = month_range(Month(last.year if last.month >= 4 else last.year - 1, 4), last)
    n, names = shape(span, without)
    assert (notes(note or "") == [(n, names, False)]) == bool(names), kp.text
    compared = [m for m in span if m.month not in without]
    assert now_s == number(sum(value_of(series, m) for m in compared))
    assert before_s == number(sum(value_of(series, m.shift(-12)) for m in compared))


def check_averages(kp: KeyPoint, series: MeasureSeries, without: tuple[int, ...]) -> None:
    found = AVERAGES.search(kp.text)
    assert found, kp.text
    now_s, year_s, to, note_now, old_s, before_s, note_before = found.groups()
    last = list(calendar.month_name).index(to) if to else 12
    so_far = tuple(Month(int(year_s), k) for k in range(1, last + 1))
    whole = tuple(Month(int(before_s), k) for k in range(1, 13))
    for months, note, shown in ((so_far, note_now, now_s), (whole, note_before, old_s)):
        n, names = shape(months, without)
        said = notes(note or "")
        assert [(m, s) for m, s, _ in said] == ([(n, names)] if names else []), kp.text
        compared = [value_of(series, m) for m in months if m.month not in without]
        places = len(shown.partition(".")[2])
        assert shown == number(sum(compared) / len(compared), places), kp.text


MONTHLY_KINDS = ("rolling12", "changes", "windows", "year_to_date", "calendar_years")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.integers(60, 400), min_size=26, max_size=40),
    without=st.sets(st.integers(1, 12), min_size=1, max_size=2).map(lambda s: tuple(sorted(s))),
    gap=st.one_of(st.none(), st.integers(0, 39)),
)
def test_every_figure_over_part_of_a_year_says_what_it_is_of(
    values: list[int], without: tuple[int, ...], gap: int | None
) -> None:
    """A monthly series that never has one or two months of the year (and sometimes a real
    gap): each sentence passes the independent checker, names exactly the months its
    windows leave out, and states totals that are the sums over the months it compared."""
    series, m = school_year(values, without, gap), part_year_measure(without)
    for kp in points(series, m):
        assert check_key_point(kp, series, m, REPORT_QUARTER) == (), kp.text
        json.dumps(to_jsonable(kp), allow_nan=False)  # what a machine reads
        if kp.kind in ("rolling12", "windows") or (
            kp.kind == "changes" and "12 months" in kp.evidence["current_label"]
        ):
            assert check_windows(kp, series, without) >= 2
            event(f"{kp.kind} over part of a year")
        elif kp.kind == "year_to_date":
            check_so_far(kp, series, without)
            event("year so far")
        elif kp.kind == "calendar_years":
            check_averages(kp, series, without)
            event("calendar years")
        elif kp.kind not in MONTHLY_KINDS:
            assert not NOTE.search(kp.text), kp.text  # a single month, a span: nothing left out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(st.integers(100, 900), min_size=10, max_size=16),
    without=st.sets(st.integers(1, 12), min_size=1, max_size=2).map(lambda s: tuple(sorted(s))),
)
def test_a_quarter_that_covers_part_of_its_months_says_which(
    values: list[int], without: tuple[int, ...]
) -> None:
    """A quarterly series whose quarters lack the declared months (July to September of a
    school-year series is July and September): every quarter and 12-month window a sentence
    states a figure for, and that leaves months out, is followed by a note naming them."""
    periods = quarter_range(REPORT_QUARTER.shift(-(len(values) - 1)), REPORT_QUARTER)
    series = MeasureSeries(
        "m", "quarter", periods, tuple(float(v) for v in values), without_months=without
    )
    m = part_year_measure(without, "quarter")
    quarter = re.compile(r"(?<!since )(?<!from )\b(\d{4}/\d{2} Q[1-4])\b(?! to \d)")
    for kp in points(series, m):
        assert check_key_point(kp, series, m, REPORT_QUARTER) == (), kp.text
        if kp.kind not in ("changes", "change_previous", "change_last_year", "run", "extreme"):
            continue
        said = {(n, names) for n, names, _ in notes(kp.text)}
        for found in quarter.finditer(kp.text):
            q = parse_period(found.group(1))
            assert isinstance(q, Quarter)
            n, names = shape(q.months(), without)
            if names:
                event("a quarter of part of its months")
                assert (n, names) in said, (found.group(1), kp.text)
                entry = next(c for c in kp.evidence["compared"] if c["period"] == q.label)
                assert len(entry["months_compared"]) == n


def rolling12_point(
    without: tuple[int, ...] = (AUGUST,),
) -> tuple[KeyPoint, MeasureSeries, Measure]:
    values = [100 + (7 * i) % 23 for i in range(36)]
    series, m = school_year(values, without), part_year_measure(without)
    kp = next(p for p in points(series, m) if p.kind == "rolling12")
    return kp, series, m


def test_a_12_month_change_of_a_school_year_series() -> None:
    kp, series, m = rolling12_point()
    totals = [
        sum(value_of(series, x) for x in w.months() if x.month != AUGUST)
        for w in (Rolling12(LAST_MONTH), Rolling12(LAST_MONTH.shift(-12)))
    ]
    assert (kp.evidence["current_value"], kp.evidence["comparison_value"]) == tuple(totals)
    assert (
        f"in the 12 months to June 2023, from {number(totals[1])} in the 12 months to June 2022 "
        "(11 months each: August, which has no data, is left out)"
    ) in kp.text
    assert kp.evidence["compared"][0] == {
        "period": "12 months to June 2023",
        "months_compared": [x.label for x in Rolling12(LAST_MONTH).months() if x.month != 8],
        "months_left_out": ["2022-08"],
    }
    assert check_key_point(kp, series, m, REPORT_QUARTER) == ()


def test_the_checker_refuses_a_sentence_that_misstates_what_was_compared() -> None:
    kp, series, m = rolling12_point()
    for old, new in (
        ("August", "July"),  # another month
        ("11 months each", "12 months each"),  # a count that includes the missing month
        ("11 months each", "11 months"),  # "each" dropped: said of one window only
        (" (11 months each: August, which has no data, is left out)", ""),  # not said at all
        (number(kp.evidence["current_value"]), number(kp.evidence["current_value"] + 1)),
    ):
        wrong = replace(kp, text=kp.text.replace(old, new, 1))
        assert wrong.text != kp.text
        assert check_key_point(wrong, series, m, REPORT_QUARTER), new
    # the same sentence about a series the plan does not excuse: no month was left out
    plain = m.model_copy(update={"part_year": None})
    assert check_key_point(kp, series, plain, REPORT_QUARTER)


def test_two_months_left_out_are_named_together() -> None:
    kp, series, m = rolling12_point((7, AUGUST))
    assert "(10 months each: July and August, which have no data, are left out)" in kp.text
    assert check_key_point(kp, series, m, REPORT_QUARTER) == ()


def test_a_calendar_year_is_averaged_like_for_like_not_dropped() -> None:
    """Before issue 13 a year with no August had "no average to tell"; now both years are
    averaged over the months the series has, and the sentence says which."""
    values = [100 + (5 * i) % 17 for i in range(30)]
    series, m = school_year(values, (AUGUST,)), part_year_measure((AUGUST,))
    kp = next(p for p in points(series, m) if p.kind == "calendar_years")
    assert " a month in 2022 (11 months: August, which has no data, is left out): " in kp.text
    assert "in 2023 (January to June)," in kp.text  # no August in it: nothing to say
    check_averages(kp, series, (AUGUST,))
    assert check_key_point(kp, series, m, REPORT_QUARTER) == ()


def test_a_quarterly_series_of_part_quarters_tells_no_usual_lowest_quarter() -> None:
    """Q2 of a series without August is always two months: "usually lowest" by construction."""
    values = [300.0, 200.0, 300.0, 300.0] * 6 + [300.0]
    periods = quarter_range(REPORT_QUARTER.shift(-(len(values) - 1)), REPORT_QUARTER)
    plain = MeasureSeries("m", "quarter", periods, tuple(values))
    part = replace(plain, without_months=(AUGUST,))
    m = part_year_measure((AUGUST,), "quarter")
    no_part = m.model_copy(update={"part_year": None})
    assert any(p.kind == "quarter_season" for p in points(plain, no_part))
    assert not any(p.kind == "quarter_season" for p in points(part, m))


def test_a_quarterly_year_so_far_says_what_it_is_of() -> None:
    """April to September of a series without August: five months, against the same five a
    year before (the checker reads a quarterly series' year so far by its months)."""
    q2 = Quarter(2023, 2)
    periods = quarter_range(Quarter(2020, 1), q2)
    values = tuple(300.0 - 100 * (p.q == 2) + i for i, p in enumerate(periods))
    series = MeasureSeries("m", "quarter", periods, values, without_months=(AUGUST,))
    m = part_year_measure((AUGUST,), "quarter")
    analysis = analyse_measure(series, m, (), q2)
    kp = next(p for p in measure_key_points(analysis, m, series) if p.kind == "year_to_date")
    total = values[-1] + values[-2]
    assert kp.text.startswith(
        "So far this financial year (April to September 2023; five months: August, which has no "
        f"data, is left out), recorded offences totalled {number(total)}, "
    )
    assert check_key_point(kp, series, m, q2) == ()
    assert [c["months_left_out"] for c in kp.evidence["compared"]] == [["2023-08"], ["2022-08"]]
