"""Expected values for the demo's invented series, set in advance.

In: a period axis and the shape of a series (level, % change a year, seasonality,
steps and event effects). Out: the expected value per period (numpy array), and
seeded random draws around it (Poisson for counts, binomial for survey answers,
normal for measured quantities such as hours).

Every demo series is *expected value × noise*; the expected value is
``level × (1 + pct_per_year/100) ** years × season × steps × events``, so the
trend a series was given can be recovered by a log-linear fit (tests/demo).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from planwatch.periods import Month, Quarter

MONTHS_PER_YEAR = 12
QUARTERS_PER_YEAR = 4


@dataclass(frozen=True)
class Shape:
    """How a series is expected to move.

    ``season`` has 12 factors (April first) for monthly series or 4 (Q1 first) for
    quarterly; ``steps`` multiply every period from a month onwards; ``events``
    multiply single months (e.g. lockdown).
    """

    level: float  # expected value in the first period, before season and events
    pct_per_year: float = 0.0
    season: tuple[float, ...] = ()
    steps: tuple[tuple[Month, float], ...] = ()
    events: Mapping[Month, float] = field(default_factory=dict)


def rng_for(seed: int, name: str) -> np.random.Generator:
    """A generator for one named series: adding a series never shifts another's draws."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


@cache
def _months_of(period: Month | Quarter) -> tuple[Month, ...]:
    return period.months() if isinstance(period, Quarter) else (period,)


def _season_index(period: Month | Quarter) -> int:
    if isinstance(period, Quarter):
        return period.q - 1
    return (period.month - 4) % MONTHS_PER_YEAR  # April first, as in the financial year


def expected(shape: Shape, periods: Sequence[Month | Quarter]) -> np.ndarray:
    """Expected value per period. A quarter's step and event factors are the mean of its months'."""
    if not periods:
        return np.zeros(0)
    per_year = QUARTERS_PER_YEAR if isinstance(periods[0], Quarter) else MONTHS_PER_YEAR
    first = periods[0].index
    out = np.empty(len(periods))
    for i, period in enumerate(periods):
        years = (period.index - first) / per_year
        value = shape.level * (1 + shape.pct_per_year / 100) ** years
        if shape.season:
            value *= shape.season[_season_index(period)]
        months = _months_of(period)
        value *= sum(_month_factor(shape, m) for m in months) / len(months)
        out[i] = value
    return out


def _month_factor(shape: Shape, month: Month) -> float:
    factor = shape.events.get(month, 1.0)
    for start, step in shape.steps:
        if month.index >= start.index:
            factor *= step
    return factor


def poisson(rng: np.random.Generator, means: np.ndarray) -> np.ndarray:
    draws: np.ndarray = rng.poisson(np.maximum(means, 0.0)).astype(np.int64)
    return draws


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    return rng.binomial(n.astype(np.int64), np.clip(p, 0.0, 1.0)).astype(np.int64)


def normal(rng: np.random.Generator, means: np.ndarray, sd: float) -> np.ndarray:
    return means + rng.normal(0.0, sd, size=len(means))
