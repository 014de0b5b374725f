"""Quarters of a part-year series that cover different numbers of months (the plan's
``part_year``; issue 13), from a series through the real engine to its sentences: a
quarter is set only against quarters covering as many months. 2023/24 Q2 of a series
without July and August is of September only, so it is compared with 2022/23 Q2 (also of
September only) and never with 2023/24 Q1 (three months), which the sentence says; a run's
moves and an extreme's comparison are among quarters covering as many months; and the
claim checker refuses a sentence that sets unlike quarters against each other.

The test reads each sentence itself (its own coverage of a quarter, restated from the
quarter's months): every quarter a comparison names covers as many months as the others,
each figure it states is the series' value, each size and direction is true of the two
values, and each run and extreme is true among the quarters it was told over."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from series_built import plan_measure

from planwatch.analysis.engine import analyse_measure
from planwatch.analysis.results import ChangeResult, MeasureAnalysis, RunResult
from planwatch.analysis.shortterm import extreme, period_change, run_of_moves
from planwatch.formatting import number, pct
from planwatch.measures.series import MeasureSeries
from planwatch.narrative import templates as t
from planwatch.narrative.checker import ClaimProblem, check_key_point
from planwatch.narrative.keypoints import measure_key_points
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.relations import Related
from planwatch.periods import MONTHS_PER_QUARTER, Quarter, parse_period, quarter_range
from planwatch.plan.models import Measure, PartYear

JULY, AUGUST = 7, 8
#: The quarter the worked examples end in: 2023/24 Q2, July to September 2023.
Q2_2023 = Quarter(2023, 2)
NUMBER = r"\d[\d,]*(?:\.\d+)?"
QUARTER = r"\d{4}/\d{2} Q[1-4]"
WORDS = {"no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
WORDS |= {"seven": 7, "eight": 8, "nine": 9}
ANALYSES = ("rolling12", "short_term", "extremes", "spc")
#: Half the last place of a percentage shown to one decimal, and room for binary floats.
PCT_HALF = 0.05
FLOAT_SLACK = 1e-9
#: Why the previous quarter is not compared, as a reader reads it.
NOT_COMPARED = re.compile(
    rf"No change from ({QUARTER}) is given: that quarter covers (\w+) months?, "
    r"this one covers (\w+)\."
)
#: Kinds whose sentences set every quarter they name against the others.
COMPARING = frozenset(
    {"change_previous", "change_last_year", "changes", "named_quarter", "sub_change", "run"}
    | {"extreme", "share", "proportion_gap"}
)
#: Findings told from the movements between adjacent quarters.
MOVEMENTS = frozenset({"spc", "pattern", "quarter_season"})
MOVED = re.compile(
    rf"(increased|decreased) by ({NUMBER})% to ({NUMBER}) in ({QUARTER})[^,]*, "
    rf"from ({NUMBER}) in ({QUARTER})"
)
COUNTS = re.compile(
    rf"(rose|fell) from ({NUMBER}) in ({QUARTER})[^,]*? to ({NUMBER}) in ({QUARTER})"
)
THAN = re.compile(rf"({NUMBER})% (higher|lower) than in ({QUARTER}) \(({NUMBER})")
MORE = re.compile(rf"\b(\w+|{NUMBER}) (more|fewer) than in ({QUARTER}) \(")
SAME = re.compile(
    rf"(?:(?:with|and) ({QUARTER}) \({NUMBER}; the same\)|the same as in ({QUARTER}))"
)
COMPARED_WITH = re.compile(rf"(?:with|and) ({QUARTER}) \(({NUMBER}); ({NUMBER})% (higher|lower)")
#: What a figure over part of a year is of, after a period or in the brackets after its value.
LEFT_OUT = re.compile(
    r" \(\w+ months?(?: each)?: [^)]*left out\)|; \w+ months?(?: each)?: [^;)]*left out"
)
AFTER = r"(?: \([^)]*\))?(?:, after (\w+) consecutive (increases|decreases))?"
EVERY = re.compile(
    rf"(increased|decreased) in each of the last (\w+) quarters, to ({QUARTER}){AFTER}"
)
BROKE = re.compile(
    rf"(increased|decreased) in ({QUARTER})(?: \([^)]*\))?, after (\w+) consecutive "
    r"(increases|decreases)"
)
SINCE = re.compile(
    rf"(?:has|have) (risen|fallen) in each quarter since ({QUARTER}), (\w+) quarters in a row "
    rf"to ({QUARTER}){AFTER}"
)
EXTREME = re.compile(
    rf"The ({QUARTER}) figure for .+? \(({NUMBER})[^)]*\) is the (highest|lowest) "
    rf"(?:of all (\w+) quarters(?: covering (\w+) months?)? in the series|"
    rf"(?:of any quarter covering (\w+) months? )?"
    rf"(?:since ({QUARTER})|for \w+ years \(since ({QUARTER})))"
)


def covers(q: Quarter, without: tuple[int, ...]) -> int:
    """How many months of ``q`` the series has (restated here from the quarter's months)."""
    return sum(m.month not in without for m in q.months())


def uneven(without: tuple[int, ...]) -> bool:
    """The quarters of a year cover different numbers of months (those covering any)."""
    return len({covers(Quarter(2023, k), without) for k in range(1, 5)} - {0}) > 1


def word(text: str) -> int:
    return WORDS[text] if text in WORDS else int(text.replace(",", ""))


def quarters_series(
    values: list[int],
    without: tuple[int, ...],
    latest: Quarter = Q2_2023,
    *,
    gap: int | None = None,
    per_month: bool = False,
) -> MeasureSeries:
    """Quarterly values to ``latest`` (none at ``gap``); ``per_month``: each value scaled to
    the months its quarter covers, as real counts are (a one-month quarter is low)."""
    periods = quarter_range(latest.shift(-(len(values) - 1)), latest)
    kept: list[float | None] = [
        None
        if i == gap
        else float(v * covers(p, without) // MONTHS_PER_QUARTER if per_month else v)
        for i, (p, v) in enumerate(zip(periods, values, strict=True))
    ]
    return MeasureSeries("m", "quarter", periods, tuple(kept), without_months=without)


def part_year_measure(without: tuple[int, ...], analyses: tuple[str, ...] = ANALYSES) -> Measure:
    return plan_measure(
        frequency="quarter",
        part_year=PartYear(without=without, note="No sessions then."),
        analyses=analyses,
    )


def run_pipeline(
    series: MeasureSeries, m: Measure, latest: Quarter = Q2_2023
) -> tuple[MeasureAnalysis, tuple[KeyPoint, ...]]:
    analysis = analyse_measure(series, m, (), latest)
    return analysis, measure_key_points(analysis, m, series)


def value_at(series: MeasureSeries, label: str) -> float:
    q = parse_period(label)
    assert isinstance(q, Quarter)
    i = series.index_of(q)
    assert i is not None, label
    v = series.values[i]
    assert v is not None, f"a figure for {label}, which has no data"
    return v


def quarter(label: str) -> Quarter:
    q = parse_period(label)
    assert isinstance(q, Quarter), label
    return q


def shows(size: str, true: float) -> bool:
    """A percentage as shown (one decimal) is the true one rounded: a half either way, as
    the true value's binary form may fall on either side of it."""
    return abs(float(size) - true) <= PCT_HALF + FLOAT_SLACK


def sign(x: float) -> int:
    return (x > 0) - (x < 0)


def check_figures(kp: KeyPoint, body: str, series: MeasureSeries) -> None:
    """Each figure a comparison states is the series' value for its quarter, and each size
    and direction is that of the two values it is between (read without the notes on what
    each figure is of)."""
    body = LEFT_OUT.sub("", body)
    sizes = [*MOVED.findall(body), *COUNTS.findall(body), *THAN.findall(body)]
    sizes += [*COMPARED_WITH.findall(body), *MORE.findall(body), *SAME.findall(body)]
    assert sizes or "little changed" in body, kp.text
    stated = re.findall(rf"({NUMBER}) in ({QUARTER})", body)
    stated += [(v, q) for q, v in re.findall(rf"(?:in|with|and) ({QUARTER}) \(({NUMBER})", body)]
    for shown, label in stated:
        assert shown == number(value_at(series, label)), (label, kp.text)
    for verb, size, now_s, now, old_s, before in MOVED.findall(body):
        cur, old = value_at(series, now), value_at(series, before)
        assert (now_s, old_s) == (number(cur), number(old)), kp.text
        assert sign(cur - old) == (1 if verb == "increased" else -1), kp.text
        assert shows(size, abs(cur - old) / old * 100), kp.text
    for verb, _, before, _, now in COUNTS.findall(body):
        cur, old = value_at(series, now), value_at(series, before)
        assert sign(cur - old) == (1 if verb == "rose" else -1), kp.text
    latest = kp.evidence.get("current_label")
    joined = [(s, w, q) for s, w, q, _ in THAN.findall(body)]
    joined += [(s, w, q) for q, _, s, w in COMPARED_WITH.findall(body)]
    for size, way, before in joined:
        assert isinstance(latest, str)
        cur, old = value_at(series, latest), value_at(series, before)
        assert sign(cur - old) == (1 if way == "higher" else -1), kp.text
        assert shows(size, abs(cur - old) / old * 100), kp.text
    for stable, same in SAME.findall(body):
        assert isinstance(latest, str)
        assert value_at(series, latest) == value_at(series, stable or same), kp.text
    for n, way, before in MORE.findall(body):
        assert isinstance(latest, str)
        cur, old = value_at(series, latest), value_at(series, before)
        assert (word(n), sign(cur - old)) == (abs(cur - old), 1 if way == "more" else -1), kp.text


def check_run(kp: KeyPoint, series: MeasureSeries, without: tuple[int, ...]) -> int:
    """The moves a run sentence claims, back from the latest quarter: each between adjacent
    quarters with data covering as many months, each the way it says; the run as long as
    such moves go; how many moves it claims."""
    every, broke, since = EVERY.search(kp.text), BROKE.search(kp.text), SINCE.search(kp.text)
    if since:
        verb, start, n_s, when, prev_s, prev_verb = since.groups()
        verb = "increased" if verb == "risen" else "decreased"
        assert quarter(start) == quarter(when).shift(-word(n_s)), kp.text
    elif every:
        verb, n_s, when, prev_s, prev_verb = every.groups()
    else:
        assert broke, kp.text
        verb, when, prev_s, prev_verb = broke.groups()
        n_s = "one"
    ways = [1 if verb == "increased" else -1] * word(n_s)
    if prev_s is not None:
        ways += [1 if prev_verb == "increases" else -1] * word(prev_s)
    last = series.labels.index(quarter(when).label)
    for k, way in enumerate(ways):
        i = last - k
        a, b = quarter(series.labels[i - 1]), quarter(series.labels[i])
        assert covers(a, without) == covers(b, without), (a.label, b.label, kp.text)
        cur, prev = series.values[i], series.values[i - 1]
        assert cur is not None and prev is not None, kp.text
        assert sign(cur - prev) == way, kp.text
    # the run before (or, when none is told, this one) ends where the like moves turn
    end = last - len(ways)
    if end > 0 and covers(quarter(series.labels[end - 1]), without) == covers(
        quarter(series.labels[end]), without
    ):
        cur, prev = series.values[end], series.values[end - 1]
        if cur is not None and prev is not None:
            assert sign(cur - prev) != ways[-1], kp.text
    return len(ways)


def check_extreme(kp: KeyPoint, series: MeasureSeries, without: tuple[int, ...]) -> None:
    """An extreme is true among the quarters it was told over: those covering as many
    months as the latest, which the sentence says whenever the quarters are uneven."""
    found = EXTREME.search(kp.text)
    assert found, kp.text
    when, shown, kind, n_all, all_cover, any_cover, since, years_since = found.groups()
    latest = parse_period(when)
    assert isinstance(latest, Quarter)
    current = value_at(series, when)
    assert shown == number(current), kp.text
    covering = all_cover or any_cover
    assert (covering is not None) == uneven(without), kp.text
    if covering is not None:
        assert word(covering) == covers(latest, without), kp.text
    last = series.labels.index(latest.label)
    like = [
        (i, v)
        for i, p, v in series.usable()
        if i < last and covers(quarter(p.label), without) == covers(latest, without)
    ]
    assert len(like) == len([x for x in series.usable() if x[0] < last]) or uneven(without)
    beats = {i: (v < current if kind == "highest" else v > current) for i, v in like}
    back = since or years_since
    if back is None:
        assert all(beats.values()) and word(n_all) == len(like) + 1, kp.text
        return
    start = series.labels.index(parse_period(back).label)
    assert start in beats and not beats[start], kp.text  # as extreme, and covering as many
    assert all(b for i, b in beats.items() if i > start), kp.text


def check_point(
    kp: KeyPoint, series: MeasureSeries, m: Measure, analysis: MeasureAnalysis, report: Quarter
) -> None:
    without = series.without_months
    assert analysis.latest_label is not None
    latest = quarter(analysis.latest_label)
    assert check_key_point(kp, series, m, report) == (), kp.text
    told = NOT_COMPARED.search(kp.text)
    body = NOT_COMPARED.sub("", kp.text)
    if told:
        event("the previous quarter is said not to be compared")
        assert kp.kind in ("change_last_year", "changes"), kp.text
        named = parse_period(told.group(1))
        assert named == latest.previous, kp.text
        assert (word(told.group(2)), word(told.group(3))) == (
            covers(latest.previous, without),
            covers(latest, without),
        )
        assert covers(latest.previous, without) != covers(latest, without), kp.text
    if kp.kind in COMPARING:
        named_quarters = {quarter(q) for q in re.findall(QUARTER, body)}
        coverage = {covers(q, without) for q in named_quarters}
        assert len(coverage) <= 1, kp.text
        if len(named_quarters) > 1 and uneven(without):
            event(f"{kp.kind}: quarters of like coverage in an uneven series")
    if kp.kind in MOVEMENTS:
        assert not uneven(without), kp.text
    if kp.kind in ("change_last_year", "change_previous", "changes"):
        check_figures(kp, body, series)
    elif kp.kind == "run":
        n = check_run(kp, series, without)
        event(f"a run of {n} moves" + (" in uneven quarters" if uneven(without) else ""))
    elif kp.kind == "extreme":
        check_extreme(kp, series, without)
        event("an extreme" + (" among like quarters" if uneven(without) else ""))


def leaves_a_month_in_every_quarter(without: frozenset[int]) -> bool:
    return all(covers(Quarter(2023, k), tuple(without)) > 0 for k in range(1, 5))


#: Months left out one in each quarter, alike: every quarter covers as many months.
EVEN = ((4, 7, 10, 1), (5, 8, 11, 2), (6, 9, 12, 3), (4, 5, 7, 8, 10, 11, 1, 2))
withouts = st.one_of(
    st.sets(st.integers(1, 12), min_size=1, max_size=5)
    .filter(leaves_a_month_in_every_quarter)
    .map(lambda s: tuple(sorted(s))),
    st.sampled_from(EVEN).map(lambda s: tuple(sorted(s))),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    level=st.integers(0, 600),
    values=st.lists(st.integers(0, 120), min_size=6, max_size=24),
    without=withouts,
    q=st.integers(1, 4),
    gap=st.one_of(st.none(), st.integers(0, 23)),
    per_month=st.booleans(),
    slope=st.integers(-40, 40),
)
def test_no_key_point_sets_quarters_of_unlike_coverage_against_each_other(
    level: int,
    values: list[int],
    without: tuple[int, ...],
    q: int,
    gap: int | None,
    per_month: bool,
    slope: int,
) -> None:
    """A quarterly series that never has some months (random months, random counts, the
    latest quarter any of the four, sometimes a gap, sometimes counts scaled to the months
    each quarter covers, often rising or falling): every sentence passes the checker; no comparison, run or extreme
    sets quarters covering different numbers of months against each other; every figure,
    size and direction stated is the series'; the latest quarter is compared with the
    previous one exactly when both cover as many months, and otherwise the year's change
    says why not."""
    latest = Quarter(2023, q)
    moving = [max(level + v + slope * i, 0) for i, v in enumerate(values)]  # runs, records
    series = quarters_series(moving, without, latest, gap=gap, per_month=per_month)
    m = part_year_measure(without)
    analysis, points = run_pipeline(series, m, latest)
    event("uneven quarters" if uneven(without) else "even quarters")
    for kp in points:
        check_point(kp, series, m, analysis, latest)
    last = analysis.latest_label
    if last is None:
        return
    now = parse_period(last)
    assert isinstance(now, Quarter)
    before = now.previous
    previous_usable = before.label in series.labels and any(
        p == before for _, p, _ in series.usable()
    )
    alike = covers(now, without) == covers(before, without)
    with_previous = [
        kp
        for kp in points
        if kp.evidence.get("comparison_label") == before.label
        or any(c["comparison_label"] == before.label for c in kp.evidence.get("comparisons", ()))
    ]
    assert bool(with_previous) == (alike and previous_usable)
    year = [kp for kp in points if kp.kind in ("change_last_year", "changes")]
    year = [kp for kp in year if kp.evidence.get("current_label") == last]
    for kp in year:
        should_say = previous_usable and not alike
        assert bool(NOT_COMPARED.search(kp.text)) == should_say, kp.text
        assert ("not_compared" in kp.evidence) == should_say


# --- the wording, worked ----------------------------------------------------------------


def school_year_quarters(latest: Quarter = Q2_2023) -> tuple[MeasureSeries, Measure]:
    """Five years of quarters without July and August: every Q2 is of September only."""
    without = (JULY, AUGUST)
    periods = quarter_range(latest.shift(-19), latest)
    values = [100 + (5 * i) % 11 if p.q == 2 else 300 + (7 * i) % 23 for i, p in enumerate(periods)]
    return quarters_series(values, without, latest), part_year_measure(without)


def test_a_one_month_quarter_is_compared_with_the_same_quarter_a_year_before_only() -> None:
    series, m = school_year_quarters()
    analysis, points = run_pipeline(series, m)
    kinds = {c.kind for c in analysis.changes}
    assert "previous_period" not in kinds and "same_period_last_year" in kinds
    kp = next(p for p in points if p.kind == "change_last_year")
    now, old = value_at(series, "2023/24 Q2"), value_at(series, "2022/23 Q2")
    assert kp.text == (
        f"Recorded offences {'increased' if now > old else 'decreased'} by "
        f"{pct((now - old) / old * 100)} to {number(now)} in "
        f"2023/24 Q2, from {number(old)} in 2022/23 Q2 (one month each: July and August, which "
        "have no data, are left out); this is not statistically significant. No change from "
        "2023/24 Q1 is given: that quarter covers three months, this one covers one."
    )
    assert kp.evidence["not_compared"] == {
        "period": "2023/24 Q1",
        "months_covered": 3,
        "latest_months_covered": 1,
    }
    assert check_key_point(kp, series, m, Q2_2023) == ()


def test_the_quarter_after_a_one_month_quarter_is_not_compared_with_it() -> None:
    q3 = Q2_2023.shift(1)
    series, m = school_year_quarters(q3)
    assert period_change(series, 1, count=True) is None
    _, points = run_pipeline(series, m, q3)
    kp = next(p for p in points if p.kind == "change_last_year")
    assert kp.text.endswith(
        "No change from 2023/24 Q2 is given: that quarter covers one month, this one covers three."
    )
    assert check_key_point(kp, series, m, q3) == ()


def test_quarters_covering_as_many_months_are_still_compared() -> None:
    """2023/24 Q4 and Q3 both cover three months: the quarter's change is told as ever."""
    q4 = Q2_2023.shift(2)
    series, m = school_year_quarters(q4)
    change = period_change(series, 1, count=True)
    assert change is not None and change.comparison_label == "2023/24 Q3"
    _, points = run_pipeline(series, m, q4)
    kp = next(p for p in points if p.kind == "changes")
    assert "than in 2023/24 Q3 (" in kp.text and not NOT_COMPARED.search(kp.text)


def test_a_run_ends_at_a_move_between_quarters_of_unlike_coverage() -> None:
    """Q3 rises from a one-month Q2 by construction: the run counts only Q3 to Q4 to Q1."""
    without = (JULY, AUGUST)
    q1 = Quarter(2023, 1)
    values = [300, 100, 300, 310, 305, 90, 300, 310, 320]  # to 2023/24 Q1; Q2s are low
    series = quarters_series(values, without, q1)
    run = run_of_moves(series)
    assert run == RunResult("up", 2, None, 0)
    plain = replace(series, without_months=())
    assert run_of_moves(plain) == RunResult("up", 3, "down", 2)  # across the short Q2s
    _, points = run_pipeline(series, part_year_measure(without), q1)
    kp = next(p for p in points if p.kind == "run")
    assert kp.text == "Recorded offences increased in each of the last two quarters, to 2023/24 Q1."


def test_an_extreme_is_among_quarters_covering_as_many_months() -> None:
    """The one-month Q2s are always lowest: a three-month quarter's low is told among
    three-month quarters, and a Q2's among Q2s, each sentence saying so."""
    without = (JULY, AUGUST)
    q1 = Quarter(2023, 1)
    values = [400 - 10 * i if i % 4 != 1 else 100 - i for i in range(21)]  # Q1 2018 to Q1 2023
    series = quarters_series(values, without, q1)
    plain = replace(series, without_months=())
    assert extreme(plain) is None  # the Q2s, lower still, are set against it
    found = extreme(series)
    assert found is not None and found.kind == "lowest" and found.on_record
    assert found.n_periods_compared == 15  # the 15 earlier quarters of three months
    _, points = run_pipeline(series, part_year_measure(without), q1)
    kp = next(p for p in points if p.kind == "extreme")
    assert kp.text == (
        f"The 2023/24 Q1 figure for recorded offences ({number(values[-1])}) is the lowest of "
        "all 16 quarters covering three months in the series."
    )
    assert kp.evidence["months_covered"] == 3
    assert check_key_point(kp, series, part_year_measure(without), q1) == ()
    q2 = q1.shift(1)
    series = quarters_series([*values, 50], without, q2)
    _, points = run_pipeline(series, part_year_measure(without), q2)
    kp = next(p for p in points if p.kind == "extreme")
    assert kp.text == (
        "The 2023/24 Q2 figure for recorded offences (50; one month: July and August, which "
        "have no data, are left out) is the lowest of all six quarters covering one month in "
        "the series."
    )


def test_an_extreme_since_a_quarter_says_which_quarters_it_is_among() -> None:
    without = (AUGUST,)
    q1 = Quarter(2023, 1)
    values = [300, 200, 310, 320, 330, 210, 340, 350, 500, 220, 370, 380, 390, 230, 400, 410, 420]
    series = quarters_series(values, without, q1)
    _, points = run_pipeline(series, part_year_measure(without), q1)
    kp = next(p for p in points if p.kind == "extreme")
    assert kp.text == (
        "The 2023/24 Q1 figure for recorded offences (420) is the highest of any quarter "
        "covering three months for two years (since 2021/22 Q1)."
    )
    assert check_key_point(kp, series, part_year_measure(without), q1) == ()


def test_even_quarters_are_compared_as_ever() -> None:
    """Without April, July, October and January every quarter covers two months: nothing
    is left uncompared and an extreme needs no words on coverage."""
    without = (1, 4, 7, 10)
    values = [100 + 5 * i for i in range(12)]
    series = quarters_series(values, without)
    change = period_change(series, 1, count=True)
    assert change is not None and change.comparison_label == "2023/24 Q1"
    _, points = run_pipeline(series, part_year_measure(without))
    kp = next(p for p in points if p.kind == "extreme")
    assert " covering " not in kp.text and "of all 12 quarters in the series" in kp.text


def test_a_control_chart_of_uneven_quarters_is_not_told() -> None:
    """Limits from three-month quarters and one-month ones would flag a short quarter for
    being short: the chart's finding is left out, as the usual lowest quarter is."""
    values = [300.0, 300.0, 300.0, 300.0] * 4 + [300.0, 1000.0]
    periods = quarter_range(Q2_2023.shift(-(len(values) - 1)), Q2_2023)
    series = MeasureSeries("m", "quarter", periods, tuple(values), without_months=(AUGUST,))
    m = part_year_measure((AUGUST,), ("spc",))
    plain = m.model_copy(update={"part_year": None})
    assert any(p.kind == "spc" for p in run_pipeline(replace(series, without_months=()), plain)[1])
    assert not any(p.kind == "spc" for p in run_pipeline(series, m)[1])


# --- the checker refuses ----------------------------------------------------------------


def problems(kp: KeyPoint, series: MeasureSeries, m: Measure, q: Quarter) -> list[ClaimProblem]:
    return list(check_key_point(kp, series, m, q))


def test_the_checker_refuses_a_change_on_a_quarter_of_unlike_coverage() -> None:
    series, m = school_year_quarters()
    _, points = run_pipeline(series, m)
    year = next(p for p in points if p.kind == "change_last_year")
    now, old = value_at(series, "2023/24 Q2"), value_at(series, "2023/24 Q1")
    way = "up" if now > old else "down"
    c = ChangeResult(
        "previous_period", "2023/24 Q2", now, "2023/24 Q1", old, now - old,
        (now - old) / old * 100, way,
    )  # fmt: skip
    s = t.Subject("Recorded offences", without=(JULY, AUGUST))
    evidence = {**year.evidence, "comparison_label": "2023/24 Q1", "comparison_value": old}
    wrong = replace(year, kind="change_previous", text=t.change_text(s, c, None), evidence=evidence)
    found = problems(wrong, series, m, Q2_2023)
    # its numbers and notes are right: it is refused only for what it compares
    assert found and all("covering as many months" in p.expected for p in found), found
    assert problems(year, series, m, Q2_2023) == []


def test_the_checker_refuses_a_run_across_quarters_of_unlike_coverage() -> None:
    without = (JULY, AUGUST)
    q1 = Quarter(2023, 1)
    series = quarters_series([300, 100, 300, 310, 305, 90, 300, 310, 320], without, q1)
    m = part_year_measure(without)
    _, points = run_pipeline(series, m, q1)
    kp = next(p for p in points if p.kind == "run")
    across = t.run_text(
        t.Subject("Recorded offences", without=without), RunResult("up", 3, "down", 1), "2023/24 Q1"
    )
    assert (
        across == "Recorded offences increased in each of the last three quarters, to 2023/24 Q1."
    )
    found = problems(replace(kp, text=across), series, m, q1)
    assert any(p.kind == "run" and "covering as many months" in p.expected for p in found), found


def test_the_checker_refuses_an_extreme_among_quarters_of_unlike_coverage() -> None:
    without = (AUGUST,)
    q1 = Quarter(2023, 1)
    values = [300, 200, 310, 320, 330, 210, 340, 350, 500, 220, 370, 380, 390, 230, 400, 410, 420]
    series = quarters_series(values, without, q1)
    m = part_year_measure(without)
    _, points = run_pipeline(series, m, q1)
    kp = next(p for p in points if p.kind == "extreme")
    assert problems(kp, series, m, q1) == []
    for old, new in (
        (" of any quarter covering three months", ""),  # among every quarter, Q2s too
        ("covering three months", "covering two months"),  # not what 2023/24 Q1 covers
    ):
        wrong = replace(kp, text=kp.text.replace(old, new))
        assert wrong.text != kp.text
        found = problems(wrong, series, m, q1)
        assert found and all(p.kind == "extreme" for p in found), (new, found)


def test_the_checker_reads_why_the_previous_quarter_is_not_compared() -> None:
    series, m = school_year_quarters()
    _, points = run_pipeline(series, m)
    kp = next(p for p in points if p.kind == "change_last_year")
    said = (
        "No change from 2023/24 Q1 is given: that quarter covers three months, this one covers one."
    )
    assert kp.text.endswith(said)
    for new in (
        said.replace("three months", "two months"),  # not what 2023/24 Q1 covers
        said.replace("covers one", "covers two"),  # nor 2023/24 Q2
        said.replace("2023/24 Q1", "2022/23 Q4"),  # not the previous quarter
    ):
        wrong = replace(kp, text=kp.text.replace(said, new))
        assert problems(wrong, series, m, Q2_2023), new
    # said of quarters that cover as many months (two each, without April and July)
    even = replace(
        kp, text=kp.text.replace(said, said.replace("three", "two").replace("one.", "two."))
    )
    assert even.text != kp.text
    found = problems(
        even, replace(series, without_months=(4, JULY)), part_year_measure((4, JULY)), Q2_2023
    )
    assert [p.expected for p in found] == ["quarters covering as many months are compared"]
    # said by a point of another kind
    assert problems(replace(kp, kind="rolling12"), series, m, Q2_2023)


def test_the_checker_refuses_a_usual_lowest_quarter_of_uneven_quarters() -> None:
    values = [300.0, 200.0, 300.0, 300.0] * 6 + [300.0]
    periods = quarter_range(Quarter(2023, 1).shift(-(len(values) - 1)), Quarter(2023, 1))
    plain = MeasureSeries("m", "quarter", periods, tuple(values))
    m = part_year_measure((AUGUST,), ("short_term",))
    no_part = m.model_copy(update={"part_year": None})
    _, points = run_pipeline(plain, no_part, Quarter(2023, 1))
    kp = next(p for p in points if p.kind == "quarter_season")
    assert problems(kp, plain, no_part, Quarter(2023, 1)) == []
    part = replace(plain, without_months=(AUGUST,))
    found = problems(kp, part, m, Quarter(2023, 1))
    assert any("quarter-to-quarter movements" in p.expected for p in found), found


# --- the plan's other comparisons -------------------------------------------------------


def long_school_year() -> tuple[MeasureSeries, tuple[int, ...]]:
    """2016/17 Q1 to 2023/24 Q2 without July and August (every Q2 of September only)."""
    without = (JULY, AUGUST)
    periods = quarter_range(Quarter(2016, 1), Q2_2023)
    values = [100 + (5 * i) % 11 if p.q == 2 else 300 + (7 * i) % 23 for i, p in enumerate(periods)]
    return quarters_series(values, without, Q2_2023), without


def kinds_told(
    series: MeasureSeries, m: Measure, related: tuple[Related, ...] = ()
) -> dict[str, KeyPoint]:
    """The key points by kind, each passing the checker."""
    analysis = analyse_measure(series, m, (), Q2_2023)
    points = measure_key_points(analysis, m, series, related=related)
    others = {r.measure.id: r.series for r in related}
    for kp in points:
        assert check_key_point(kp, series, m, Q2_2023, others) == (), kp.text
    return {kp.kind: kp for kp in points}


def test_the_plans_named_quarter_and_window_start_only_when_alike() -> None:
    """The plan's comparison quarter and a short window's first quarter are set against the
    latest only when they cover as many months (a Q2 against a Q2, not a Q1)."""
    series, without = long_school_year()
    for start, told in (("Q1", False), ("Q2", True)):
        m = part_year_measure(without, ("short_term",)).model_copy(
            update={"compare_period": f"2016/17 {start}", "trend_windows": (f"2022/23 {start}",)}
        )
        points = kinds_told(series, m)
        assert ("named_quarter" in points) == told, start
        assert ("sub_change" in points) == told, start
        if told:
            assert "than in 2016/17 Q2 (" in points["named_quarter"].text


def test_a_survey_share_is_not_tested_against_a_quarter_of_unlike_coverage() -> None:
    series, without = long_school_year()
    counts = tuple(v for v in series.values if v is not None)
    survey = replace(
        series,
        values=tuple(50.0 for _ in counts),
        numerators=tuple(c / 2 for c in counts),
        denominators=counts,
        unit="percent",
    )
    m = part_year_measure(without, ("proportion",)).model_copy(
        update={"unit": "percent", "aggregation": "proportion", "decimals": 1}
    )
    analysis = analyse_measure(survey, m, (), Q2_2023)
    assert {t.second.label for t in analysis.proportion_tests} == {"2023/24 Q1", "2022/23 Q2"}
    gaps = [kp for kp in measure_key_points(analysis, m, survey) if kp.kind == "proportion_gap"]
    assert [kp.evidence["second_label"] for kp in gaps] == ["2022/23 Q2"]


def test_a_pattern_of_quarter_to_quarter_changes_is_not_told_of_uneven_quarters() -> None:
    series, without = long_school_year()
    other = plan_measure(id="all", name="All crime", source={"kind": "series", "series": "all"})
    like = replace(series, measure_id="all", without_months=())
    m = part_year_measure(without, ("short_term",)).model_copy(update={"pattern_like": "all"})
    plain = m.model_copy(update={"part_year": None})
    related = (Related(other, like),)
    assert "pattern" in kinds_told(replace(series, without_months=()), plain, related=related)
    assert "pattern" not in kinds_told(series, m, related=related)


def test_a_share_only_of_a_whole_covering_as_many_months() -> None:
    """A part without July and August against a whole with every month: its Q2 share would
    be one month of the part against three of the whole, so none is told; against a whole
    the plan says has the same months, it is."""
    series, without = long_school_year()
    whole_series = replace(
        series, measure_id="whole", values=tuple(4 * v for v in series.values if v is not None)
    )
    m = part_year_measure(without, ("short_term",)).model_copy(update={"part_of": "whole"})
    whole = plan_measure(
        id="whole", name="All offences", source={"kind": "series", "series": "whole"}
    )
    assert "share" not in kinds_told(series, m, (Related(whole, whole_series),))
    same = whole.model_copy(update={"part_year": PartYear(without=without, note="As the part.")})
    shared = kinds_told(series, m, (Related(same, whole_series),))
    assert "against 25.0% in 2022/23 Q2 (" in shared["share"].text
