"""Mann-Kendall trend test with Sen's slope, and the seasonal version.

In: values in time order (``None`` / NaN for a gap: skipped, never filled in), the
period length for the seasonal test; or a matrix of many series (one per row) for the
batch functions the engine uses.
Out: :class:`~planwatch.analysis.results.MannKendallResult`.

Methods: Mann (1945), Kendall (1975) with the tie correction of the variance of S
and a continuity correction; Sen (1968) slope from true time positions (so gaps
keep their width); seasonal test of Hirsch, Slack & Smith (1982): S and var(S)
summed over seasons, slope = median of the within-season slopes. The numbers agree
with pymannkendall's ``original_test`` and ``seasonal_test``
(tests/analysis/test_mannkendall.py). Methodology §3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from planwatch.analysis.constants import ALPHA
from planwatch.analysis.dist import normal_two_sided_p
from planwatch.analysis.results import MannKendallResult
from planwatch.errors import AnalysisError

FloatArray = NDArray[np.float64]

#: Fewest values for a Mann-Kendall test (Gilbert 1987, *Statistical Methods for
#: Environmental Pollution Monitoring*, §16.4 gives the exact table from n = 4;
#: the normal approximation used here is rough below 10, as methodology §3 says).
MIN_VALUES = 4


@lru_cache(maxsize=256)
def _pairs(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Index pairs i < j (cached: the same lengths recur across thousands of series)."""
    i, j = np.triu_indices(n, 1)
    return i, j


def _stats(X: FloatArray, step: float) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per row: S, var(S) with the tie correction, n, and every pairwise slope (NaN
    where a value is missing) with positions ``step`` apart."""
    m = X.shape[1]
    present = ~np.isnan(X)
    n = present.sum(axis=1).astype(np.float64)
    if m < 2:
        empty = np.zeros(X.shape[0])
        return empty, empty, n, np.full((X.shape[0], 1), np.nan)
    i, j = _pairs(m)
    diff = X[:, j] - X[:, i]
    s = np.nansum(np.sign(diff), axis=1)
    equal = X[:, :, None] == X[:, None, :]
    c = equal.sum(axis=2).astype(np.float64)
    ties = np.where(present, (c - 1.0) * (2.0 * c + 5.0), 0.0).sum(axis=1)
    var = (n * (n - 1.0) * (2.0 * n + 5.0) - ties) / 18.0
    slopes = diff / ((j - i) * step)
    return s, var, n, slopes


def _row_medians(values: FloatArray) -> FloatArray:
    """Median of the non-NaN values of each row (NaN for an empty row). Same as
    ``np.nanmedian(values, axis=1)``, without its slow masked-array path."""
    ordered = np.sort(values, axis=1)  # NaN sorts last
    m = (~np.isnan(values)).sum(axis=1)
    rows = np.arange(values.shape[0])
    low = ordered[rows, np.maximum((m - 1) // 2, 0)]
    high = ordered[rows, np.maximum(m // 2, 0)]
    medians: FloatArray = np.where(m > 0, (low + high) / 2.0, np.nan)
    return medians


def _z(s: float, var: float) -> float:
    if var <= 0 or s == 0:
        return 0.0
    return (s - math.copysign(1.0, s)) / math.sqrt(var)


def _results(
    method: str,
    s: FloatArray,
    var: FloatArray,
    pairs: FloatArray,
    n: FloatArray,
    slopes: FloatArray,
    alpha: float,
    per_year: int | None,
) -> list[MannKendallResult | None]:
    medians = _row_medians(slopes)
    out: list[MannKendallResult | None] = []
    for b in range(s.shape[0]):
        if n[b] < MIN_VALUES or not math.isfinite(float(medians[b])):
            out.append(None)
            continue
        z = _z(float(s[b]), float(var[b]))
        p = normal_two_sided_p(z)
        slope = float(medians[b])
        out.append(
            MannKendallResult(
                method=method,
                s=float(s[b]),
                tau=float(s[b] / pairs[b]) if pairs[b] > 0 else 0.0,
                z=z,
                p_value=p,
                sens_slope=slope,
                significant=p < alpha,
                seasonal=method == "seasonal_mann_kendall",
                n=int(n[b]),
                sens_slope_per_year=None if per_year is None else slope * per_year,
            )
        )
    return out


def mann_kendall_batch(
    X: FloatArray, *, alpha: float = ALPHA, periods_per_year: int | None = None
) -> list[MannKendallResult | None]:
    """Mann-Kendall for each row of ``X`` (NaN = gap); ``None`` for rows too short."""
    s, var, n, slopes = _stats(X, 1.0)
    return _results("mann_kendall", s, var, n * (n - 1.0) / 2.0, n, slopes, alpha, periods_per_year)


def seasonal_mann_kendall_batch(
    X: FloatArray, period: int, *, alpha: float = ALPHA
) -> list[MannKendallResult | None]:
    """Seasonal Mann-Kendall for each row: season k holds columns k, k+period, ...
    ``sens_slope`` is in units per period (the per-cycle slope / ``period``)."""
    if period < 2:
        raise AnalysisError(
            f"a seasonal test needs a period of 2 or more; got {period}",
            expected="4 (quarters) or 12 (months)",
        )
    B = X.shape[0]
    s, var, pairs, n = (np.zeros(B) for _ in range(4))
    slopes: list[FloatArray] = []
    for season in range(period):
        ss, vv, nn, sl = _stats(X[:, season::period], float(period))
        s += ss
        var += vv
        n += nn
        pairs += nn * (nn - 1.0) / 2.0
        slopes.append(sl)
    return _results(
        "seasonal_mann_kendall", s, var, pairs, n, np.concatenate(slopes, axis=1), alpha, period
    )


def _row(values: Sequence[float | None]) -> FloatArray:
    return np.array([[math.nan if v is None else float(v) for v in values]], dtype=np.float64)


def mann_kendall(
    values: Sequence[float | None], *, alpha: float = ALPHA, periods_per_year: int | None = None
) -> MannKendallResult:
    """Mann-Kendall test and Sen's slope (units per period; per year too when
    ``periods_per_year`` is given) for one series."""
    result = mann_kendall_batch(_row(values), alpha=alpha, periods_per_year=periods_per_year)[0]
    if result is None:
        raise AnalysisError(
            f"the Mann-Kendall test needs at least {MIN_VALUES} values",
            expected=f"{MIN_VALUES} or more values",
        )
    return result


def seasonal_mann_kendall(
    values: Sequence[float | None], period: int, *, alpha: float = ALPHA
) -> MannKendallResult:
    """Seasonal Mann-Kendall for one series (see :func:`seasonal_mann_kendall_batch`)."""
    result = seasonal_mann_kendall_batch(_row(values), period, alpha=alpha)[0]
    if result is None:
        raise AnalysisError(
            "the seasonal Mann-Kendall test needs at least two years of values",
            expected=f"at least {2 * period} periods",
        )
    return result
