"""Short-term changes: on the previous period, on the same period last year, runs of
moves, record highs and lows, 12-month windows against earlier ones and a baseline.

In: a :class:`~planwatch.measures.series.MeasureSeries` (gaps are ``None``; suspect
values are held out) and whether its values are counts.
Out: :class:`ChangeResult`, :class:`RunResult`, :class:`ExtremeResult` and
:class:`WindowComparison` from :mod:`planwatch.analysis.results`.

For counts, a change between two periods (or two 12-month windows) is judged against
the series' own history of the same comparison (methodology §4.2): crime counts wander
in long swings, so neighbouring periods are not independent draws and a test that
assumes they are finds "significant" changes that are not there (issue 11).

* The counts expected with no change, ``m_t``, are the series' season-by-season
  average rate per day times the period's days (the Poisson maximum-likelihood fit
  of season + level with days as exposure; no trend).
* A comparison is the contrast ``D = sum_A y / sum_A m - sum_B y / sum_B m`` (0 under no
  change), with Poisson variance ``P = sum_t c_t^2 m_t``. The same contrast is formed at
  every earlier position where both windows have data (shifted back 1, 2, ...
  periods), and the variance beyond Poisson is their average of ``D_k^2 - P_k``
  (unbiased under a stationary level whatever its autocorrelation: the
  "variogram" of the contrast, Matheron, G. (1963) "Principles of geostatistics",
  *Economic Geology* 58:1246-1266; Cressie, N. (1993) *Statistics for Spatial Data*,
  §2.4).
* ``t = D / sqrt(P + excess)`` (the excess taken as 0 when the history shows none) on
  Satterthwaite's degrees of freedom (Satterthwaite,
  F. E. (1946) "An approximate distribution of estimates of variance components",
  *Biometrics Bulletin* 2:110-114), with the variance of the average computed for an
  AR(1) excess whose coefficient comes from the small-sample-corrected lag-1
  autocorrelation (:mod:`planwatch.analysis.autocorr`). Always the t test, never a
  switch to the exact Poisson test when the history happens to show no excess: that
  switch picks the smaller variance by chance and measured 6-8% false positives.
* Only a pair with nothing expected on a side (an all-zero season) gets the exact
  conditional (binomial) test of two Poisson counts (Przyborowski & Wilenski 1940).
* Fewer than :data:`MIN_HISTORY` earlier comparisons: no test (``significant`` is
  ``None``); the size of the change is still given.

Nothing else here is a test.

A quarter of a part-year series (``without_months``) is set only against quarters covering
as many months (:func:`~planwatch.measures.windows.like_for_like`; methodology §11): a
quarter of one month is low against one of three by construction. So the change on the
previous quarter is not made when the two differ (the same quarter a year before always
covers as many), a move between two such quarters ends a run as a gap does, and an
extreme is the highest or lowest among the quarters covering as many months as the latest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from planwatch.analysis.autocorr import RHO_MAX, ar1_correlation, lag1_autocorrelation
from planwatch.analysis.constants import ALPHA, MIN_CYCLES_FOR_TREND, PERIODS_PER_YEAR
from planwatch.analysis.dist import binomial_two_sided_p, t_two_sided_p
from planwatch.analysis.results import (
    ChangeResult,
    Direction,
    ExtremeResult,
    RunResult,
    WindowComparison,
)
from planwatch.analysis.trend import season
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import (
    WindowValue,
    like_for_like,
    series_periods,
    window_total,
)
from planwatch.periods import MONTHS_PER_YEAR, Month, Quarter, Rolling12

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ChangeKind = Literal["previous_period", "same_period_last_year", "rolling12_previous", "baseline"]

#: Name of the exact test of two Poisson counts (conditional binomial test).
POISSON_TEST = "poisson_rate_ratio_exact"
#: Name of the test whose variance comes from the series' own history of the same
#: comparison (module docstring; methodology §4.2).
HISTORY_TEST = "serial_rate_ratio_t"
#: Fewest earlier comparisons of the same shape a change is judged against. Four
#: gives the variance estimate at least about two degrees of freedom at quarterly
#: resolution; fewer and the test would rest on one or two swings of the series.
MIN_HISTORY = 4
#: Fewest degrees of freedom given to the t test (Satterthwaite's value can fall
#: below 1 for very short, strongly autocorrelated histories; t(1) is the honest floor).
MIN_DF = 1.0
#: Rounds of the joint estimate of the excess and its AR coefficient (it settles in two
#: or three; it only sets the degrees of freedom).
FIXED_POINT_STEPS = 3
#: Reason carried when a count change is not tested.
TOO_SHORT = "there are too few earlier periods to judge whether a change of this size is unusual"
#: Corrected lag-1 autocorrelation from which a series is said to "move in long swings"
#: beside a change that is not significant (narrative). The median of the real Home
#: Office group series is 0.53 (issue 11); from here the swings, not the counting
#: noise, set how much a comparison usually moves.
SWINGS_AUTOCORRELATION = 0.5
#: Reason carried when the two windows share periods (a baseline inside the last year).
OVERLAPPING = "the two windows share periods"
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


def _is_whole(value: float) -> bool:
    return value >= 0 and float(value).is_integer()


@dataclass(frozen=True)
class ChangeTest:
    """The verdict of a test of a change in counts, with what it rested on."""

    p_value: float | None
    method: str | None
    autocorrelation: float | None = None
    variance_ratio: float | None = None
    df: float | None = None
    n_history: int | None = None
    untested_reason: str | None = None


def compare(
    kind: ChangeKind,
    current: tuple[str, float],
    comparison: tuple[str, float],
    *,
    test: ChangeTest | None = None,
    alpha: float = ALPHA,
) -> ChangeResult:
    """``current`` against ``comparison`` (label, value): the change and its size, with
    the verdict of ``test`` when one was run (``significant`` is ``p < alpha``)."""
    (cur_label, cur), (cmp_label, cmp) = current, comparison
    delta = cur - cmp
    p = test.p_value if test is not None else None
    return ChangeResult(
        kind,
        cur_label,
        cur,
        cmp_label,
        cmp,
        delta,
        pct_change(cur, cmp),
        direction(delta),
        None if p is None else p < alpha,
        p,
        test.method if test is not None else None,
        autocorrelation=test.autocorrelation if test is not None else None,
        variance_ratio=test.variance_ratio if test is not None else None,
        df=test.df if test is not None else None,
        n_history=test.n_history if test is not None else None,
        untested_reason=test.untested_reason if test is not None else None,
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


@dataclass(frozen=True)
class CountModel:
    """A count series with the counts expected under "no change" (module docstring).

    ``y`` holds the counts (``NaN`` for gaps and held-out values), ``m`` the expected
    counts (season-by-season rate per day times days; 0 where ``y`` is missing),
    ``residual_maker`` the matrix ``I - H`` that turns counts into their residuals
    ``y - m`` (``H`` the fit's hat matrix; zero rows and columns for missing periods), and
    ``autocorrelation`` the small-sample-corrected lag-1 autocorrelation of the
    relative residuals ``y / m - 1`` (``NaN`` when too short to say)."""

    y: FloatArray
    m: FloatArray
    residual_maker: FloatArray
    autocorrelation: float
    periods: tuple[Month | Quarter, ...]
    counts: FloatArray  # ``y`` with 0 for its gaps (``np.nan_to_num(y)``), made once

    @cached_property
    def index(self) -> dict[Month | Quarter, int]:
        """Each period's position (made when first needed: a window's test)."""
        return {p: i for i, p in enumerate(self.periods)}


def count_model(series: MeasureSeries) -> CountModel:
    """Expected counts with season and level only (no trend), from the series itself.

    Seasons are allowed for when every season has :data:`MIN_CYCLES_FOR_TREND` values or
    more; otherwise one level for the whole series."""
    values = _held_values(series)
    y = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    days = np.array([period_days(p) for p in series.periods], dtype=np.float64)
    present = np.isfinite(y)
    seasons = np.array([season(p) for p in series.periods], dtype=np.int64)
    ppy = PERIODS_PER_YEAR[series.frequency]
    if not np.all(np.bincount(seasons[present], minlength=ppy) >= MIN_CYCLES_FOR_TREND):
        seasons = np.zeros_like(seasons)
    n = y.shape[0]
    hat = np.zeros((n, n))
    for s in sorted(set(seasons[present].tolist())):  # not np.unique (see trend)
        rows = present & (seasons == s)
        at = np.flatnonzero(rows)
        hat[at[:, None], at] = (days[rows] / float(days[rows].sum()))[:, None]
    counts = np.nan_to_num(y)
    m = hat @ counts
    residual_maker = np.diag(present.astype(np.float64)) - hat
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(present & (m > 0), y / m - 1.0, np.nan)
    used = np.isfinite(r)
    groups = sorted({int(s) for s in seasons[used]})
    design = np.column_stack(
        [np.ones(int(used.sum()))] + [(seasons[used] == g).astype(np.float64) for g in groups[1:]]
    )
    rho = lag1_autocorrelation(r, design) if design.shape[0] > design.shape[1] else math.nan
    return CountModel(y, m, residual_maker, rho, series.periods, counts)


def _contrast(model: CountModel, a: IntArray, b: IntArray) -> FloatArray | None:
    """``c`` with ``c'y = sum_A y / sum_A m - sum_B y / sum_B m``; ``None`` when a
    period is missing or a side expects no events."""
    if a.min() < 0 or b.min() < 0:
        return None
    if not (np.all(np.isfinite(model.y[a])) and np.all(np.isfinite(model.y[b]))):
        return None
    sa, sb = float(model.m[a].sum()), float(model.m[b].sum())
    if sa <= 0 or sb <= 0:
        return None
    c = np.zeros(model.y.shape[0])
    c[a] = 1.0 / sa  # a and b are disjoint, each index once (count_change_test)
    c[b] = -1.0 / sb
    return c


def count_change_test(model: CountModel, a: IntArray, b: IntArray) -> ChangeTest:
    """Test "no change" between the periods ``a`` (current) and ``b`` (earlier), judged
    against the same comparison at every earlier position (module docstring)."""
    rho = model.autocorrelation
    rho_out = rho if math.isfinite(rho) else None
    if (a[0] == b[0]) if a.size == b.size == 1 else np.intersect1d(a, b).size:
        return ChangeTest(None, None, rho_out, untested_reason=OVERLAPPING)
    y0 = model.counts
    a_total, b_total = float(y0[a].sum()), float(y0[b].sum())
    now = _contrast(model, a, b)
    if now is None:  # nothing expected on a side: only an all-zero pair gets here
        return ChangeTest(poisson_two_count_p(a_total, b_total), POISSON_TEST, rho_out)
    history = _history(model, a, b)
    if len(history) < MIN_HISTORY:
        return ChangeTest(None, None, rho_out, n_history=len(history), untested_reason=TOO_SHORT)
    variance, poisson, df = _excess(model, history, now)
    t = float(now @ y0) / math.sqrt(variance)
    return ChangeTest(
        t_two_sided_p(t, df), HISTORY_TEST, rho_out, variance / poisson, df, len(history)
    )


def _history(model: CountModel, a: IntArray, b: IntArray) -> FloatArray:
    """:func:`_contrast` of the same comparison ``k`` periods earlier, for every ``k`` from
    1 to as far back as the series goes, one row each (in order of ``k``; a shift with a
    period missing or a side expecting no events left out), all at once."""
    back = np.arange(1, int(min(a.min(), b.min())) + 1)[:, None]
    ia, ib = a[None, :] - back, b[None, :] - back
    sa, sb = model.m[ia].sum(axis=1), model.m[ib].sum(axis=1)
    finite = np.isfinite(model.y)
    keep = finite[ia].all(axis=1) & finite[ib].all(axis=1) & (sa > 0) & (sb > 0)
    rows = np.arange(int(keep.sum()))[:, None]
    history = np.zeros((rows.shape[0], model.y.shape[0]))
    history[rows, ia[keep]] = (1.0 / sa[keep])[:, None]
    history[rows, ib[keep]] = (-1.0 / sb[keep])[:, None]
    return history


def _excess(model: CountModel, history: FloatArray, now: FloatArray) -> tuple[float, float, float]:
    """The current comparison's variance, its Poisson part and Satterthwaite's degrees of
    freedom (the excess is taken as 0 when its history shows none beyond Poisson).

    Counts are modelled as Poisson around ``m`` times ``exp(x_t)``, ``x`` an AR(1) of
    variance ``X`` and coefficient ``rho_x``: ``Cov(y) = diag(m) + X (m m' o R(rho_x))``.
    A comparison ``D = c'y = c'(I - H) y`` then has ``E[D^2] = P + X U`` with
    ``P = c'G diag(m) G'c`` and ``U = c'G (m m' o R) G'c`` (``G = I - H``: the seasons
    were fitted from the same counts). ``X`` is ``mean(D_k^2 - P_k) / mean(U_k)`` over the
    earlier comparisons; ``rho_x`` follows from the residuals' corrected lag-1
    autocorrelation ``rho``, all of whose lag-1 covariance belongs to the excess:
    ``rho_x = rho (mean(1/m) + X) / X`` (solved together with ``X`` in
    :data:`FIXED_POINT_STEPS` rounds). The estimate ``P_now + X U_now`` is treated as a
    scaled chi-squared with ``2 E^2 / Var`` degrees of freedom, ``Var`` from
    ``Var(mean D_k^2) = 2 tr(S^2) / N^2`` with ``S`` the comparisons' covariance
    (Satterthwaite 1946)."""
    G = model.residual_maker
    hist = history @ G
    cur = now @ G
    d = history @ model.counts
    m = model.m
    p_hist = (hist * hist) @ m  # c'G diag(m) G'c, row by row
    p_now = float((cur * cur) @ m)
    present = np.isfinite(model.y) & (m > 0)
    pois = _mean(1.0 / m[present])
    positions = np.arange(m.shape[0], dtype=np.float64)
    scale = np.outer(m, m)
    rho = model.autocorrelation
    rho_x = max(rho, 0.0) if math.isfinite(rho) else 0.0
    settled = False  # the last round's rho_x is the final one (its products reused)
    for _ in range(FIXED_POINT_STEPS):
        shape = scale * ar1_correlation(positions, rho_x)
        through = hist @ shape
        u_hist = np.sum(through * hist, axis=1)
        excess = max(_mean(d**2 - p_hist) / _mean(u_hist), 0.0)
        if excess <= 0.0 or not math.isfinite(rho):
            settled = True
            break
        rho_x = min(max(rho * (pois + excess) / excess, 0.0), RHO_MAX)
    if not settled:
        shape = scale * ar1_correlation(positions, rho_x)
        through = hist @ shape
        u_hist = np.sum(through * hist, axis=1)
    u_now = float(cur @ shape @ cur)
    variance = p_now + excess * u_now
    S = (hist * m) @ hist.T + excess * (through @ hist.T)
    n = hist.shape[0]
    var_of_estimate = (u_now / _mean(u_hist)) ** 2 * 2.0 * float(np.sum(S * S)) / n**2
    df = 2.0 * variance**2 / var_of_estimate
    return variance, p_now, float(max(df, MIN_DF))


def _mean(x: FloatArray) -> float:
    """``np.mean`` of a 1-D array: the same sum and division, without its Python layers."""
    return float(np.add.reduce(x) / x.shape[0])


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
    model: CountModel | None = None,
) -> ChangeResult | None:
    """The latest value against the value ``lag`` periods earlier (``None`` if either is
    missing, or when the two cover different numbers of months: a quarter of a part-year
    series against the one before it, module docstring); for counts, tested by
    :func:`count_change_test`."""
    last = latest_index(series)
    if last is None or last - lag < 0:
        return None
    values = _held_values(series)
    cur, old = values[last], values[last - lag]
    if cur is None or old is None:
        return None
    p_cur, p_old = series.periods[last], series.periods[last - lag]
    if not like_for_like(p_cur, p_old, series.without_months):
        return None
    ppy = PERIODS_PER_YEAR[series.frequency]
    kind: ChangeKind = "same_period_last_year" if lag == ppy else "previous_period"
    test = None
    if count and _is_whole(cur) and _is_whole(old):
        model = model or count_model(series)
        test = count_change_test(model, np.array([last]), np.array([last - lag]))
    return compare(kind, (p_cur.label, cur), (p_old.label, old), test=test, alpha=alpha)


def run_of_moves(series: MeasureSeries) -> RunResult | None:
    """Consecutive moves in one direction ending at the latest value, and the run before
    it. A gap (or held-out value) ends a run: moves are only between adjacent periods; so
    does a move between quarters covering different numbers of months (module docstring)."""
    values = _held_values(series)
    last = latest_index(series)
    if last is None:
        return None
    moves: list[Direction] = []
    periods, without = series.periods, series.without_months
    i = last
    while (
        i > 0
        and values[i] is not None
        and values[i - 1] is not None
        and like_for_like(periods[i], periods[i - 1], without)
    ):
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
    earlier periods (default: as many as a year has), or on record. The more notable of the
    two is given. ``since_label`` is the last earlier period at least as extreme. Only the
    periods covering as many months as the latest are compared (module docstring): every
    one of them, for a series that is not part-year."""
    last = latest_index(series)
    if last is None:
        return None
    need = PERIODS_PER_YEAR[series.frequency] if min_periods is None else min_periods
    latest, without = series.periods[last], series.without_months
    earlier = [
        (i, p, v) for i, p, v in series.usable() if i < last and like_for_like(p, latest, without)
    ]
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


def latest_window(series: MeasureSeries) -> Rolling12 | None:
    last = latest_index(series)
    if last is None:
        return None
    period = series.periods[last]
    assert isinstance(period, Month | Quarter)
    return Rolling12.ending(period)


def window_indices(series: MeasureSeries, window: Rolling12, model: CountModel) -> IntArray:
    """Series indices of the periods that make up ``window`` (a complete window only)."""
    periods, _ = series_periods(series, window)
    return np.array([model.index[p] for p in periods], dtype=np.int64)


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
    model: CountModel | None = None,
) -> ChangeResult | None:
    """12 months against another 12 months; ``None`` unless both windows are complete.
    For counts, tested by :func:`count_change_test`."""
    cache = cache or WindowCache(series)
    now, then = cache.complete(current), cache.complete(earlier)
    if now is None or then is None:
        return None
    test = None
    if count and _is_whole(now.value) and _is_whole(then.value):
        model = model or count_model(series)
        test = count_change_test(
            model, window_indices(series, current, model), window_indices(series, earlier, model)
        )
    label = earlier_label or then.label
    return compare(kind, (now.label, now.value), (label, then.value), test=test, alpha=alpha)


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
