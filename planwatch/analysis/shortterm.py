"""Short-term changes: on the previous period, on the same period last year, runs of
moves, record highs and lows, 12-month windows against earlier ones and a baseline.

In: a :class:`~planwatch.measures.series.MeasureSeries` (gaps are ``None``; suspect
values are held out) and whether its values are counts.
Out: :class:`ChangeResult`, :class:`RunResult`, :class:`ExtremeResult` and
:class:`WindowComparison` from :mod:`planwatch.analysis.results`.

For counts, a change between two periods is tested with the exact conditional
(binomial) test of two Poisson counts with the periods' lengths in days as exposure
(Przyborowski & Wilenski 1940; methodology §4). Nothing else here is a test.
"""

from __future__ import annotations

import math
from datetime import date
from functools import lru_cache
from typing import Literal

from planwatch.analysis.constants import ALPHA, PERIODS_PER_YEAR
from planwatch.analysis.dist import binomial_two_sided_p, normal_two_sided_p
from planwatch.analysis.results import (
    ChangeResult,
    Direction,
    ExtremeResult,
    RunResult,
    WindowComparison,
)
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import WindowValue, window_total
from planwatch.periods import MONTHS_PER_YEAR, Month, Quarter, Rolling12

ChangeKind = Literal["previous_period", "same_period_last_year", "rolling12_previous", "baseline"]

#: Name of the exact test of two Poisson counts (conditional binomial test).
POISSON_TEST = "poisson_rate_ratio_exact"
#: Name of its over-dispersed (quasi-Poisson) form.
QUASI_POISSON_TEST = "quasi_poisson_rate_ratio"
#: How many earlier 12-month windows "lower than in any of the previous N years" looks at.
PREVIOUS_WINDOWS = 3


def direction(delta: float) -> Direction:
    if delta > 0:
        return "up"
    if delta < 0:
        return "down"
    return "flat"


def poisson_two_count_p(
    a: float, b: float, exposure_a: float = 1.0, exposure_b: float = 1.0
) -> float:
    """Two-sided exact p-value for H0 "same rate" given counts ``a`` and ``b``: conditional
    on a + b, ``a`` is Binomial(a + b, exposure_a / (exposure_a + exposure_b))."""
    total = round(a + b)
    if total == 0:
        return 1.0
    return binomial_two_sided_p(round(a), total, exposure_a / (exposure_a + exposure_b))


def quasi_poisson_two_count_p(
    a: float, b: float, exposure_a: float, exposure_b: float, dispersion: float
) -> float:
    """Two-sided p for "same rate" when counts vary ``dispersion`` times more than Poisson:
    the conditional binomial test in its normal form with the variance scaled,
    z = (a - n p0) / sqrt(dispersion n p0 (1 - p0)) (quasi-likelihood; methodology §4.2)."""
    n = a + b
    if n == 0:
        return 1.0
    p0 = exposure_a / (exposure_a + exposure_b)
    return normal_two_sided_p((a - n * p0) / math.sqrt(dispersion * n * p0 * (1.0 - p0)))


def _is_whole(value: float) -> bool:
    return value >= 0 and float(value).is_integer()


def compare(
    kind: ChangeKind,
    current: tuple[str, float],
    comparison: tuple[str, float],
    *,
    count_exposures: tuple[float, float] | None = None,
    alpha: float = ALPHA,
    dispersion: float | None = None,
) -> ChangeResult:
    """``current`` against ``comparison`` (label, value). With ``count_exposures`` (the two
    lengths, e.g. in days) and whole-number values, the two counts are tested: exactly
    when they vary as Poisson counts do, or — when ``dispersion`` (the series' Pearson
    chi2/df about its trend) is above 1 — by the quasi-Poisson version of the same test."""
    (cur_label, cur), (cmp_label, cmp) = current, comparison
    delta = cur - cmp
    pct = pct_change(cur, cmp)
    significant: bool | None = None
    p: float | None = None
    method: str | None = None
    if count_exposures is not None and _is_whole(cur) and _is_whole(cmp):
        if dispersion is not None and dispersion > 1.0:
            p, method = (
                quasi_poisson_two_count_p(cur, cmp, *count_exposures, dispersion),
                QUASI_POISSON_TEST,
            )
        else:
            p, method = poisson_two_count_p(cur, cmp, *count_exposures), POISSON_TEST
        significant = p < alpha
    return ChangeResult(
        kind, cur_label, cur, cmp_label, cmp, delta, pct, direction(delta), significant, p, method
    )


def _days(start: date, end: date) -> float:
    return float((end - start).days + 1)


@lru_cache(maxsize=1024)
def period_days(period: Month | Quarter) -> float:
    """Days in a month or quarter (cached: the same periods recur across series)."""
    return _days(period.start, period.end)


def _held_values(series: MeasureSeries) -> list[float | None]:
    held = set(series.suspect)
    return [None if i in held else v for i, v in enumerate(series.values)]


def latest_index(series: MeasureSeries) -> int | None:
    """Index of the latest period with a usable value."""
    held = set(series.suspect)
    for i in range(len(series.values) - 1, -1, -1):
        if series.values[i] is not None and i not in held:
            return i
    return None


def period_change(
    series: MeasureSeries,
    lag: int,
    *,
    count: bool,
    alpha: float = ALPHA,
    dispersion: float | None = None,
) -> ChangeResult | None:
    """The latest value against the value ``lag`` periods earlier (``None`` if either is missing)."""
    last = latest_index(series)
    if last is None or last - lag < 0:
        return None
    values = _held_values(series)
    cur, old = values[last], values[last - lag]
    if cur is None or old is None:
        return None
    p_cur, p_old = series.periods[last], series.periods[last - lag]
    ppy = PERIODS_PER_YEAR[series.frequency]
    kind: ChangeKind = "same_period_last_year" if lag == ppy else "previous_period"
    exposures = (period_days(p_cur), period_days(p_old)) if count else None
    return compare(
        kind,
        (p_cur.label, cur),
        (p_old.label, old),
        count_exposures=exposures,
        alpha=alpha,
        dispersion=dispersion,
    )


def run_of_moves(series: MeasureSeries) -> RunResult | None:
    """Consecutive moves in one direction ending at the latest value, and the run before
    it. A gap (or held-out value) ends a run: moves are only between adjacent periods."""
    values = _held_values(series)
    last = latest_index(series)
    if last is None:
        return None
    moves: list[Direction] = []
    i = last
    while i > 0 and values[i] is not None and values[i - 1] is not None:
        cur, prev = values[i], values[i - 1]
        assert cur is not None and prev is not None
        moves.append(direction(cur - prev))
        i -= 1
    if not moves:
        return None
    head = moves[0]
    length = _prefix_length(moves, head)
    rest = moves[length:]
    if not rest:
        return RunResult(head, length, None, 0)
    return RunResult(head, length, rest[0], _prefix_length(rest, rest[0]))


def _prefix_length(moves: list[Direction], value: Direction) -> int:
    n = 0
    for move in moves:
        if move != value:
            break
        n += 1
    return n


def extreme(series: MeasureSeries, *, min_periods: int | None = None) -> ExtremeResult | None:
    """Whether the latest value is the highest or lowest for at least ``min_periods``
    earlier periods (default: one year), or on record. The more notable of the two is given.
    ``since_label`` is the last earlier period at least as extreme."""
    last = latest_index(series)
    if last is None:
        return None
    need = PERIODS_PER_YEAR[series.frequency] if min_periods is None else min_periods
    earlier = [(i, p, v) for i, p, v in series.usable() if i < last]
    if not earlier:
        return None
    current = series.values[last]
    assert current is not None
    best: ExtremeResult | None = None
    best_span = -1
    kinds: tuple[Literal["highest", "lowest"], ...] = ("highest", "lowest")
    for kind in kinds:
        beaten = 0
        since: str | None = None
        span = last  # periods back to the start of the series
        for i, p, v in reversed(earlier):
            as_extreme = v >= current if kind == "highest" else v <= current
            if as_extreme:
                since, span = p.label, last - i
                break
            beaten += 1
        if beaten >= need and span > best_span:
            best_span = span
            best = ExtremeResult(kind, since is None, since, beaten)
    return best


def _month_span(series: MeasureSeries) -> tuple[int, int] | None:
    """Month indices of the first and last month the series' periods cover."""
    if not series.periods:
        return None
    first, last = series.periods[0], series.periods[-1]
    first_month = first if isinstance(first, Month) else first.first_month
    last_month = last if isinstance(last, Month) else last.last_month
    return first_month.index, last_month.index


class WindowCache:
    """12-month window values of one series, each computed once (the engine asks for
    the same windows from several analyses)."""

    def __init__(self, series: MeasureSeries) -> None:
        self.series = series
        self._values: dict[Rolling12, WindowValue | None] = {}
        self._span = _month_span(series)

    def complete(self, window: Rolling12) -> WindowValue | None:
        """The window's value, or ``None`` when it has no data or is incomplete."""
        if window not in self._values:
            end = window.end_month.index
            inside = (
                self._span is not None
                and self._span[0] <= end - MONTHS_PER_YEAR + 1
                and end <= self._span[1]
            )
            # a window reaching outside the series cannot be complete: no need to total it
            self._values[window] = window_total(self.series, window) if inside else None
        value = self._values[window]
        return value if value is not None and value.complete else None


def _window_days(window: Rolling12) -> float:
    return _days(window.start, window.end)


def latest_window(series: MeasureSeries) -> Rolling12 | None:
    last = latest_index(series)
    if last is None:
        return None
    period = series.periods[last]
    assert isinstance(period, Month | Quarter)
    return Rolling12.ending(period)


def window_change(
    series: MeasureSeries,
    current: Rolling12,
    earlier: Rolling12,
    kind: ChangeKind,
    *,
    count: bool,
    earlier_label: str | None = None,
    alpha: float = ALPHA,
    cache: WindowCache | None = None,
    dispersion: float | None = None,
) -> ChangeResult | None:
    """12 months against another 12 months; ``None`` unless both windows are complete."""
    cache = cache or WindowCache(series)
    now, then = cache.complete(current), cache.complete(earlier)
    if now is None or then is None:
        return None
    exposures = (_window_days(current), _window_days(earlier)) if count else None
    label = earlier_label or then.label
    return compare(
        kind,
        (now.label, now.value),
        (label, then.value),
        count_exposures=exposures,
        alpha=alpha,
        dispersion=dispersion,
    )


def window_comparison(
    series: MeasureSeries,
    current: Rolling12,
    n_previous: int = PREVIOUS_WINDOWS,
    *,
    cache: WindowCache | None = None,
) -> WindowComparison | None:
    """The 12 months to now against each of the ``n_previous`` 12-month windows before it
    ("lower in the last year than in any of the previous three years"). Incomplete
    windows are left out; ``None`` when the current one is incomplete or none remain."""
    cache = cache or WindowCache(series)
    now = cache.complete(current)
    if now is None:
        return None
    previous: list[tuple[str, float]] = []
    window = current
    for _ in range(n_previous):
        window = window.previous
        value = cache.complete(window)
        if value is not None:
            previous.append((value.label, value.value))
    if not previous:
        return None
    return WindowComparison(
        current_label=now.label,
        current_value=now.value,
        previous_values=tuple(previous),
        lower_than_all=all(now.value < v for _, v in previous),
        higher_than_all=all(now.value > v for _, v in previous),
    )


def pct_change(current: float, previous: float) -> float | None:
    """(current - previous) / previous x 100; ``None`` when previous is 0 (or not finite)."""
    if previous == 0 or not math.isfinite(previous):
        return None
    return 100.0 * (current - previous) / previous
