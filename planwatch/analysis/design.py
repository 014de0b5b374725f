"""Design matrices for the time-series models: intercept, linear time in years,
and season dummies (quarter or month of the financial year).

In: positions of the periods with data on the series axis (0, 1, 2, ... with gaps
left out, never filled in) and the number of periods a year.
Out: the matrix, the column of the time term, and the row that gives the
deseasonalised trend line (season effects averaged).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Design:
    X: FloatArray
    time_column: int  # index of the linear-time coefficient (years)
    season_columns: tuple[int, ...]
    centre: float  # position (period index) where time is 0
    periods_per_year: int
    seasons: tuple[int, ...]  # seasons with a dummy (the first season present is the reference)

    def line_rows(self, positions: FloatArray) -> FloatArray:
        """Rows giving intercept + slope*t + the average season effect at ``positions``."""
        k = self.X.shape[1]
        rows = np.zeros((positions.shape[0], k))
        rows[:, 0] = 1.0
        rows[:, self.time_column] = (positions - self.centre) / self.periods_per_year
        n_seasons = len(self.seasons) + 1
        for col in self.season_columns:
            rows[:, col] = 1.0 / n_seasons
        return rows


def trend_design(
    positions: IntArray, seasons: IntArray, periods_per_year: int, *, seasonal: bool = True
) -> Design:
    """Intercept, time (years, centred on the middle of the data), and a dummy for every
    season present except the first present (the reference)."""
    centre = float(positions.mean())
    cols: list[FloatArray] = [np.ones(positions.shape[0]), (positions - centre) / periods_per_year]
    present = sorted({int(s) for s in seasons}) if seasonal else []
    dummies = tuple(present[1:])
    cols += [(seasons == s).astype(np.float64) for s in dummies]
    X = np.column_stack(cols)
    return Design(X, 1, tuple(range(2, 2 + len(dummies))), centre, periods_per_year, dummies)
