"""Hand-built analysis results for narrative tests (no engine needed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from planwatch.analysis.results import (
    BenchmarkGap,
    ChangeResult,
    ExtremeResult,
    InterruptedResult,
    MeasureAnalysis,
    ProportionResult,
    RunResult,
    SPCResult,
    SPCSignal,
    TrendResult,
    TwoProportionResult,
    VarianceRow,
    WindowComparison,
)
from planwatch.plan.models import DataLag, Measure, SeriesSource


def measure(**kw: Any) -> Measure:
    base: dict[str, Any] = {
        "id": "m",
        "name": "Recorded offences",
        "source": SeriesSource(series="m"),
    }
    base.update(kw)
    return Measure(**base)


def analysis(**kw: Any) -> MeasureAnalysis:
    base: dict[str, Any] = {
        "measure_id": "m",
        "latest_label": "2023/24 Q1",
        "latest_value": 100.0,
        "data_lag_periods": 0,
    }
    base.update(kw)
    return MeasureAnalysis(**base)


def trend(**kw: Any) -> TrendResult:
    base: dict[str, Any] = dict(
        method="poisson_glm",
        first_label="2016/17 Q1",
        last_label="2023/24 Q1",
        n_periods=29,
        direction="up",
        pct_per_year=4.2,
        ci_low=2.0,
        ci_high=6.5,
        p_value=0.001,
        significant=True,
        strength="moderate",
        low_counts=False,
        dispersion=1.1,
    )
    base.update(kw)
    return TrendResult(**base)


def change(
    current: float,
    comparison: float,
    *,
    kind: str = "previous_period",
    current_label: str = "2023/24 Q1",
    comparison_label: str = "2022/23 Q4",
    significant: bool | None = None,
    p_value: float | None = None,
    method: str | None = None,
) -> ChangeResult:
    pct = None if comparison == 0 else (current - comparison) / comparison * 100
    direction = "up" if current > comparison else "down" if current < comparison else "flat"
    return ChangeResult(
        kind,
        current_label,
        current,
        comparison_label,
        comparison,
        current - comparison,
        pct,  # type: ignore[arg-type]
        direction,
        significant,
        p_value,
        method,
    )  # type: ignore[arg-type]


AUDIENCE = change(
    122_057,
    147_489,
    kind="rolling12_previous",
    current_label="12 months to June 2023",
    comparison_label="12 months to June 2022",
)

__all__ = [
    "AUDIENCE",
    "BenchmarkGap",
    "DataLag",
    "ExtremeResult",
    "InterruptedResult",
    "ProportionResult",
    "RunResult",
    "SPCResult",
    "SPCSignal",
    "TwoProportionResult",
    "VarianceRow",
    "WindowComparison",
    "analysis",
    "change",
    "date",
    "measure",
    "trend",
]
