"""The engine: runs what a measure asks for, lag, gaps, suspect values, events, JSON."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import numpy as np
import pytest

from planwatch.analysis.engine import (
    analyse_measure,
    analyse_measures,
    data_lag,
    event_marker,
    up_to,
)
from planwatch.analysis.results import to_jsonable
from planwatch.errors import AnalysisError
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Quarter, month_range, quarter_range
from planwatch.plan.models import Event, Measure

from .helpers import monthly, quarterly

REPORT = Quarter(2023, 1)


def measure(**fields: Any) -> Measure:
    base: dict[str, Any] = {"id": "m", "name": "Measure", "source": {"kind": "prc"}}
    return Measure.model_validate(base | fields)


def crime(n: int = 30, first: Quarter = Quarter(2016, 1)) -> list[float | None]:
    rng = np.random.default_rng(1)
    i = np.arange(n)
    return [
        float(v) for v in rng.poisson(500 * 1.04 ** (i / 4) * np.array([1, 1.1, 1.05, 0.9])[i % 4])
    ]


def test_runs_what_the_measure_asks_for() -> None:
    s = quarterly(crime())  # 2016/17 Q1 .. 2023/24 Q2: one quarter after the report quarter
    m = measure(
        analyses=["trend", "short_term", "extremes", "rolling12", "spc"],
        baseline={"label": "pre-pandemic", "period": "12 months to December 2019"},
    )
    a = analyse_measure(s, m, [], REPORT)
    assert (
        a.latest_label == "2023/24 Q1" and a.data_lag_periods == 0
    )  # data after the report quarter left out
    assert (
        a.trend is not None
        and a.trend.last_label == "2023/24 Q1"
        and a.trend.method == "poisson_glm"
    )
    kinds = [c.kind for c in a.changes]
    assert kinds == ["previous_period", "same_period_last_year", "rolling12_previous", "baseline"]
    baseline = a.changes[-1]
    assert baseline.comparison_label == "12 months to December 2019"
    assert a.run is not None and a.spc is not None and a.windows is not None
    assert a.interrupted == () and a.proportions == () and a.benchmark_gap is None
    json.dumps(to_jsonable(a))  # serialisable as it stands


def test_only_asked_for_analyses_run() -> None:
    a = analyse_measure(quarterly(crime()), measure(analyses=["short_term"]), [], REPORT)
    assert a.trend is None and a.extreme is None and a.spc is None and a.windows is None
    assert [c.kind for c in a.changes] == ["previous_period", "same_period_last_year"]


def test_data_lag_gaps_and_suspect_values() -> None:
    values = crime(27)  # ends 2022/23 Q3: two quarters behind 2023/24 Q1
    values[20] = None
    a = analyse_measure(quarterly(values, suspect=(24,)), measure(), [], REPORT)
    assert a.latest_label == "2022/23 Q3" and a.data_lag_periods == 2
    assert a.gaps == ("2021/22 Q1",) and a.suspect_values == ("2022/23 Q1",)
    assert data_lag(Month(2023, 5), REPORT) == 1 and data_lag(None, REPORT) == 0


def test_no_data_is_a_note_not_a_crash() -> None:
    a = analyse_measure(quarterly([None] * 12), measure(), [], REPORT)
    assert a.latest_value is None and "No data" in a.notes[0]
    assert a.trend is not None and a.trend.method == "insufficient_data"


def test_event_markers_sit_inside_their_period() -> None:
    s = quarterly(crime(20))
    # 16 May 2020 is 45 days into 2020/21 Q1 (index 16, 91 days long)
    marker = event_marker(s, Event(date=date(2020, 5, 16), label="Lockdown"))
    assert marker.period_index == pytest.approx(16 + 45 / 91)
    assert event_marker(s, Event(date=date(2030, 1, 1), label="later")).period_index is None
    events = [
        Event(date=date(2020, 5, 16), label="Lockdown", measures=("m",)),
        Event(date=date(2019, 1, 1), label="Other", measures=("x",)),
    ]
    a = analyse_measure(s, measure(), events, REPORT)
    assert [e.label for e in a.events] == ["Lockdown"]


def test_interrupted_only_when_asked() -> None:
    events = [Event(date=date(2020, 4, 1), label="Operation")]
    s = quarterly(crime())
    assert analyse_measure(s, measure(), events, REPORT).interrupted == ()
    asked = analyse_measure(s, measure(analyses=["trend", "interrupted"]), events, REPORT)
    assert [r.event_label for r in asked.interrupted] == ["Operation"]


def test_proportions_benchmark_and_variance() -> None:
    periods = quarter_range(Quarter(2021, 1), REPORT)
    nums = tuple(float(v) for v in (270, 275, 277, 280, 279, 272, 270, 268, 266))
    dens = tuple(6500.0 for _ in nums)
    pct = tuple(100 * n / d for n, d in zip(nums, dens, strict=True))
    s = MeasureSeries(
        "m", "quarter", periods, pct, numerators=nums, denominators=dens, unit="percent"
    )
    m = measure(
        unit="percent",
        aggregation="proportion",
        analyses=["proportion", "benchmark_gap"],
        benchmark={"label": "Population", "value": 11.21},
        decimals=1,
    )
    a = analyse_measure(s, m, [], REPORT)
    assert len(a.proportions) == 9 and a.proportions[-1].label == "2023/24 Q1"
    assert [t.second.label for t in a.proportion_tests] == ["2022/23 Q4", "2022/23 Q1"]
    assert a.benchmark_gap is not None and a.benchmark_gap.gap_pp_rounded == -7.1  # 4.09% - 11.21%
    hours = monthly([100.0 + i for i in range(27)], first=Month(2021, 4), unit="hours")
    v = analyse_measure(
        hours, measure(unit="hours", frequency="month", analyses=["variance_table"]), [], REPORT
    )
    assert v.variance[0].label == "2023/24 variance to 2022/23" and v.variance[0].variance[:3] == (
        12.0,
        12.0,
        12.0,
    )


def test_batch_equals_one_by_one_and_checks_ids() -> None:
    m = measure(analyses=["trend", "short_term", "extremes"])
    series = [
        quarterly(crime()),
        quarterly([v * 2 if v else v for v in crime()]),
        quarterly(crime(12)),
    ]
    batch = analyse_measures([(s, m) for s in series], [], REPORT)
    for b, s in zip(batch, series, strict=True):
        assert_close(to_jsonable(b), to_jsonable(analyse_measure(s, m, [], REPORT)))
    with pytest.raises(AnalysisError, match="series is for 'other'"):
        analyse_measure(quarterly(crime(), measure_id="other"), m, [], REPORT)


def assert_close(a: Any, b: Any) -> None:
    """Equal JSON, numbers to 1e-7 (a batch fit stops iterating with the slowest series)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            assert_close(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_close(x, y)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-7, abs=1e-12)
    else:
        assert a == b


def test_up_to_cuts_after_the_report_quarter() -> None:
    s = MeasureSeries(
        "m",
        "month",
        month_range(Month(2023, 1), Month(2023, 9)),
        tuple(float(i) for i in range(9)),
        suspect=(8,),
    )
    cut = up_to(s, REPORT)
    assert cut.periods[-1] == Month(2023, 6) and cut.suspect == ()
