"""The plan's links behind the narrative's newer statements: ``trend_windows`` (a trend
over a sub-period), ``part_of`` (a part and its whole) and ``pattern_like`` (one
measure's pattern against another's). Bad values name the field and what was expected."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.plan import parse_plan
from planwatch.plan.models import Measure, SeriesSource


def _measure(**kw: object) -> Measure:
    return Measure(id="m", name="Offences", source=SeriesSource(series="m"), **kw)  # type: ignore[arg-type]


def test_trend_windows_take_a_start_or_last_n_years() -> None:
    m = _measure(trend_windows=("2021/22 Q2", "last 2 years"))
    assert m.trend_windows == ("2021/22 Q2", "last 2 years")
    assert _measure(frequency="month", trend_windows=("2021-04",)).trend_windows == ("2021-04",)


@pytest.mark.parametrize(
    ("frequency", "window"),
    [
        ("quarter", "2021-04"),
        ("month", "2021/22 Q2"),
        ("quarter", "last two years"),
        ("quarter", "2021"),
    ],
)
def test_a_trend_window_of_the_wrong_shape_is_refused(frequency: str, window: str) -> None:
    with pytest.raises(ValidationError, match=r"trend window|period"):
        _measure(frequency=frequency, trend_windows=(window,))


SECOND = """  - id: part
    name: Part offences
    source: {kind: series, series: part}
    frequency: FREQ
    LINK

priorities:"""


def _plan(link: str, *, frequency: str = "quarter") -> str:
    text = example_plan_text()
    first = parse_plan(text).measures[0].id
    second = SECOND.replace("FREQ", frequency).replace("LINK", link.replace("FIRST", first))
    return text.replace("\npriorities:", "\n" + second, 1)


def _first_frequency() -> str:
    plan = parse_plan(example_plan_text())
    return plan.measures[0].frequency


@pytest.mark.parametrize("key", ["part_of", "pattern_like"])
def test_a_link_names_another_measure(key: str) -> None:
    plan = parse_plan(_plan(f"{key}: FIRST", frequency=_first_frequency()))
    assert getattr(plan.measure("part"), key) == plan.measures[0].id


@pytest.mark.parametrize("key", ["part_of", "pattern_like"])
def test_an_unknown_or_own_or_other_frequency_link_is_refused(key: str) -> None:
    with pytest.raises(PlanError, match=f"unknown measure 'nope' in measure 'part', {key}"):
        parse_plan(_plan(f"{key}: nope"), filename="plan.yaml")
    with pytest.raises(PlanError, match=f"measure 'part' names itself in {key}"):
        parse_plan(_plan(f"{key}: part"), filename="plan.yaml")
    other = "month" if _first_frequency() == "quarter" else "quarter"
    with pytest.raises(PlanError, match="a measure of the same frequency"):
        parse_plan(_plan(f"{key}: FIRST", frequency=other), filename="plan.yaml")
