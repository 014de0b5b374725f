"""Frames shaped like ``planwatch.store.selectors.measure_frame`` output, for tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from planwatch.frames import MEASURE_FRAME_COLUMNS
from planwatch.plan.models import Measure, SeriesSource


def measure(**kw: Any) -> Measure:
    base: dict[str, Any] = {"id": "m", "name": "A measure", "source": SeriesSource(series="m")}
    base.update(kw)
    return Measure(**base)


def row(
    y: int,
    m: int,
    value: float | None,
    *,
    frequency: str = "month",
    area: str = "Essex",
    category: str = "all",
    numerator: float | None = None,
    denominator: float | None = None,
    status: str = "ok",
) -> dict[str, Any]:
    return {
        "period_start": date(y, m, 1),
        "frequency": frequency,
        "area": area,
        "category": category,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "status": status,
    }


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(MEASURE_FRAME_COLUMNS))
