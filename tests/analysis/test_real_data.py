"""Real Home Office police recorded crime (OGL, ../shared/data): the analysis gives
sensible answers that agree with the robust check. The test reads the file with pandas;
the analysis itself only sees the series."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from planwatch.analysis.engine import analyse_areas, analyse_measure
from planwatch.analysis.shortterm import extreme
from planwatch.analysis.trend import fit_trend
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Quarter, quarter_from_parts
from planwatch.plan.models import Measure

pytestmark = pytest.mark.shared
FILE = "prc-force-offencegroup-quarterly-2002-2024.csv"


@pytest.fixture(scope="module")
def prc(shared_data: Path) -> pd.DataFrame:
    return pd.read_csv(shared_data / FILE)


def series_for(prc: pd.DataFrame, force: str, group: str, first: str = "2016/17") -> MeasureSeries:
    rows = prc[
        (prc["Force Name"] == force)
        & (prc["Offence Group"] == group)
        & (prc["Financial Year"] >= first)
    ]
    rows = rows.sort_values(["Financial Year", "Financial Quarter"])
    periods = tuple(
        quarter_from_parts(fy, q)
        for fy, q in zip(rows["Financial Year"], rows["Financial Quarter"], strict=True)
    )
    return MeasureSeries(
        "crime", "quarter", periods, tuple(float(v) for v in rows["Number of Offences"])
    )


def test_essex_violence_rose_and_the_robust_check_agrees(prc: pd.DataFrame) -> None:
    s = series_for(prc, "Essex", "Violence against the person")
    assert (
        s.periods[0] == Quarter(2016, 1)
        and s.periods[-1] == Quarter(2023, 4)
        and len(s.periods) == 32
    )
    t = fit_trend(s, count=True)
    # counts in the thousands vary far more than Poisson noise: the fit must notice
    assert t.method == "negative_binomial_glm" and t.dispersion is not None and t.dispersion > 10
    assert (
        t.significant and t.direction == "up" and t.pct_per_year is not None and t.pct_per_year > 5
    )
    # the rank check, its variance corrected for the fitted wander (Hamed & Rao 1998),
    # points the same way and is at the edge of significance (p = 0.050 since session 4's
    # error model also allows a pure AR(1)); the result says whether it agrees
    assert t.mann_kendall is not None and t.mann_kendall.s > 0 and t.mann_kendall.p_value < 0.1
    assert t.agrees_with_robust_check == t.mann_kendall.significant
    assert not t.low_counts
    # the first year averaged about 8,450 a quarter, the last about 15,400
    assert t.fitted[0] < t.fitted[-1]


def test_extreme_agrees_with_the_raw_numbers(prc: pd.DataFrame) -> None:
    s = series_for(prc, "Essex", "Violence against the person")
    e = extreme(s)
    values = [v for v in s.values if v is not None]
    latest = values[-1]
    assert e is not None and e.kind == "lowest"
    since = [p.label for p in s.periods].index(e.since_label) if e.since_label else -1
    # every quarter after since_label and before the latest is higher; since_label is not
    assert all(v > latest for v in values[since + 1 : -1])
    assert since == -1 or values[since] <= latest
    assert e.n_periods_compared == len(values) - since - 2


def test_whole_measure_on_real_data_is_consistent(prc: pd.DataFrame) -> None:
    s = series_for(prc, "Essex", "Robbery")
    m = Measure.model_validate(
        {
            "id": "crime",
            "name": "Robbery",
            "source": {"kind": "prc"},
            "analyses": ["trend", "short_term", "extremes", "rolling12", "spc"],
        }
    )
    a = analyse_measure(s, m, [], Quarter(2023, 4))
    assert a.latest_label == "2023/24 Q4" and a.latest_value == 345
    previous = a.changes[0]
    assert previous.comparison_value == 356 and previous.direction == "down"
    # robbery counts vary more than Poisson about their trend, so the change test allows for
    # it: since issue 11 by the series' own history of quarter-on-quarter moves
    assert a.trend is not None and a.trend.dispersion is not None and a.trend.dispersion > 1
    assert previous.method == "serial_rate_ratio_t" and previous.significant is False
    assert previous.variance_ratio is not None and previous.variance_ratio > 1
    assert a.spc is not None and a.spc.lower_limit < a.spc.mean < a.spc.upper_limit
    assert a.windows is not None and a.windows.current_value == 442 + 393 + 356 + 345


def test_funnel_across_the_forces(prc: pd.DataFrame) -> None:
    year = prc[(prc["Financial Year"] == "2023/24") & (prc["Offence Group"] == "Robbery")]
    # a real gap: Devon & Cornwall has only Q3 and Q4 of 2023/24, so a year total would be
    # half a year; only forces with all four quarters are compared
    quarters = year.groupby("Force Name")["Financial Quarter"].nunique()
    full = year[year["Force Name"].isin(quarters[quarters == 4].index)]
    assert "Devon & Cornwall" not in set(full["Force Name"])
    counts = full.groupby("Force Name")["Number of Offences"].sum().to_dict()
    population = full.groupby("Force Name")["Population"].first().to_dict()
    f = analyse_areas(counts, population, overdispersion=True)
    assert len(f.points) == 42
    assert f.overall_rate_per_1000 == pytest.approx(
        sum(counts.values()) / sum(population.values()) * 1000
    )
    # robbery is concentrated in big cities: far more spread than Poisson noise
    assert f.overdispersion is not None and f.overdispersion > 5
    plain = analyse_areas(counts, population)
    assert sum(p.outside_998 for p in f.points) < sum(p.outside_998 for p in plain.points)
