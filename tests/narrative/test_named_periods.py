"""Two statement kinds of the reference update (issue 12): a calendar year's monthly
average against an earlier year's ("averaged 203 a month in 2023 (January to June),
against 188 a month in 2020"), and the latest quarter against a quarter the plan names
("In 2023/24 Q1, ... stood at 9,120, 51.7% higher than in 2016/17 Q1 (6,010)"). From
generated series to sentence, every sentence passes the claim checker and states the
numbers worked out here from the series; sentences made wrong on purpose are caught."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import event, given, settings
from hypothesis import strategies as st
from series_built import REPORT_QUARTER, key_points, monthly, plan_measure, quarterly

from planwatch.formatting import pct, quantity, rounded
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.checker import check_key_point
from planwatch.narrative.model import KeyPoint
from planwatch.periods import Month
from planwatch.plan.models import Measure

#: Counts with a gap one time in twenty, so that whole years with data are common.
counts = st.integers(min_value=0, max_value=19).flatmap(
    lambda k: st.none() if k == 0 else st.integers(min_value=0, max_value=400).map(float)
)


def _one(points: tuple[KeyPoint, ...], kind: str) -> KeyPoint | None:
    found = [p for p in points if p.kind == kind]
    assert len(found) <= 1
    return found[0] if found else None


def _mean(series: MeasureSeries, months: list[Month]) -> float | None:
    """The months' mean, worked out here; ``None`` when any month has no usable value."""
    by_period = {p: v for _, p, v in series.usable()}
    values = [by_period.get(m) for m in months]
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None) / len(values)


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(counts, min_size=18, max_size=48),
    lag=st.integers(min_value=0, max_value=4),
    named=st.one_of(st.none(), st.integers(min_value=2019, max_value=2022)),
    unit=st.sampled_from(["count", "currency"]),
)
def test_calendar_year_averages_are_true_to_the_series(
    values: list[float | None], lag: int, named: int | None, unit: str
) -> None:
    values = values[: len(values) - lag] + [None] * lag  # data that stop short of June
    series = monthly(values)
    measure = plan_measure(
        frequency="month",
        unit=unit,
        decimals=0,
        compare_period=None if named is None else str(named),
    )
    kp = _one(key_points(series, measure), "calendar_years")
    with_data = [p for _, p, _ in series.usable()]
    latest = max(with_data) if with_data else None
    assert isinstance(latest, Month | None)
    year = 2023
    earlier = named if named is not None else year - 1
    so_far = [Month(year, k) for k in range(1, latest.month + 1)] if latest else []
    now = _mean(series, so_far) if latest is not None and latest.year == year else None
    before = _mean(series, [Month(earlier, k) for k in range(1, 13)])
    no_size = before == 0 and unit == "currency"  # no percentage from 0, and not a count
    if now is None or before is None or len(so_far) < 3 or no_size:
        assert kp is None
        event("no average told")
        return
    event("an average told")
    assert kp is not None
    assert check_key_point(kp, series, measure, REPORT_QUARTER) == (), kp.text
    # small counts' averages are shown to a decimal, more when that would show two
    # different averages alike; the difference is that of the values as shown
    places = 1 if unit == "count" and min(now, before) < 50 else 0
    while places < 2 and now != before and rounded(now, places) == rounded(before, places):
        places += 1
    shown_now, shown_before = quantity(now, unit, places), quantity(before, unit, places)
    assert f"averaged {shown_now} a month in {year}" in kp.text
    assert f"against {shown_before} a month in {earlier}" in kp.text
    assert (shown_now == shown_before) == kp.text.endswith(": the same."), kp.text
    if before >= 50 and shown_now != shown_before and "% " in kp.text:
        way = "higher" if now > before else "lower"
        assert f": {pct((now - before) / before * 100)} {way}." in kp.text
    assert kp.direction == ("up" if now > before else "down" if now < before else "flat")


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(counts, min_size=8, max_size=40),
    back=st.integers(min_value=1, max_value=39),
    percent=st.booleans(),
)
def test_the_named_quarter_comparison_is_true_to_the_series(
    values: list[float | None], back: int, percent: bool
) -> None:
    values[-1] = values[-1] if values[-1] is not None else 120.0  # the report quarter has data
    series = quarterly(values)
    back = min(back, len(values) - 1)
    named = REPORT_QUARTER.shift(-back)
    measure = plan_measure(
        compare_period=named.label,
        unit="percent" if percent else "count",
        decimals=1 if percent else 0,
    )
    kp = _one(key_points(series, measure), "named_quarter")
    now, before = values[-1], values[-1 - back]
    if back <= 4 or before is None:
        assert kp is None
        event("no comparison told")
        return
    event("a comparison told")
    assert kp is not None
    assert check_key_point(kp, series, measure, REPORT_QUARTER) == (), kp.text
    unit = measure.unit
    assert kp.text.startswith(f"In {REPORT_QUARTER.label}, ")
    assert f"stood at {quantity(now, unit, measure.decimals)}, " in kp.text
    assert f"in {named.label} ({quantity(before, unit, measure.decimals)})." in kp.text
    if now == before:
        assert "the same as" in kp.text
    else:
        assert (" higher than" in kp.text or " more than" in kp.text) == (now > before)


def _wrong(kp: KeyPoint, old: str, new: str) -> KeyPoint:
    assert old in kp.text, kp.text
    return replace(kp, text=kp.text.replace(old, new, 1))


def _monthly_case() -> tuple[KeyPoint, MeasureSeries, Measure]:
    # 2022: 150 a month; 2023 so far (January to June): 180 a month, 20.0% higher
    series = monthly([150.0] * 12 + [170.0, 190.0, 180.0, 175.0, 185.0, 180.0])
    measure = plan_measure(frequency="month")
    kp = _one(key_points(series, measure), "calendar_years")
    assert kp is not None
    assert check_key_point(kp, series, measure, REPORT_QUARTER) == (), kp.text
    return kp, series, measure


def test_the_checker_catches_a_wrong_calendar_year_sentence() -> None:
    kp, series, measure = _monthly_case()
    wrong = {
        "value": _wrong(kp, "averaged 180 a month", "averaged 182 a month"),
        "direction": _wrong(kp, "higher.", "lower."),
        "size": _wrong(kp, "20.0%", "25.0%"),
        "period": _wrong(kp, "(January to June)", "(January to May)"),
    }
    for kind, made_wrong in wrong.items():
        problems = check_key_point(made_wrong, series, measure, REPORT_QUARTER)
        assert kind in {p.kind for p in problems}, (kind, made_wrong.text)
    year = _wrong(kp, "a month in 2022", "a month in 2021")
    assert "period" in {p.kind for p in check_key_point(year, series, measure, REPORT_QUARTER)}


def test_the_checker_catches_a_wrong_named_quarter_sentence() -> None:
    series = quarterly([200.0] + [250.0] * 27 + [300.0])  # 2016/17 Q1 .. 2023/24 Q1
    measure = plan_measure(compare_period="2016/17 Q1")
    kp = _one(key_points(series, measure), "named_quarter")
    assert kp is not None and "50.0% higher than in 2016/17 Q1 (200)" in kp.text
    assert check_key_point(kp, series, measure, REPORT_QUARTER) == (), kp.text
    wrong = {
        "value": _wrong(kp, "(200)", "(210)"),
        "direction": _wrong(kp, "higher", "lower"),
        "size": _wrong(kp, "50.0%", "5.0%"),
        "period": _wrong(kp, "than in 2016/17 Q1", "than in 2016/17 Q2"),
    }
    for kind, made_wrong in wrong.items():
        problems = check_key_point(made_wrong, series, measure, REPORT_QUARTER)
        assert kind in {p.kind for p in problems}, (kind, made_wrong.text)


def test_a_level_or_an_average_is_not_averaged_over_the_year() -> None:
    series = monthly([5.0] * 12 + [6.0] * 6)
    for unit in ("hours", "number", "percent", "rate_per_1000"):
        measure = plan_measure(frequency="month", unit=unit, decimals=2)
        assert _one(key_points(series, measure), "calendar_years") is None, unit
    assert _one(key_points(series, plan_measure(frequency="month")), "calendar_years")
