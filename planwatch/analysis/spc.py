"""Statistical process control: the XmR chart of NHS England's "Making Data Count".

In: a :class:`~planwatch.measures.series.MeasureSeries`, the measure's polarity,
an optional target and an :class:`SPCConfig`.
Out: :class:`~planwatch.analysis.results.SPCResult` — centre line, process limits
(mean ± 2.66 × mean moving range), the 2-sigma lines, every rule that fired, the
variation verdict for the latest point and the assurance against the target.

Sources: NHS England and NHS Improvement, *Making Data Count: Getting started*
(2019) and *Strengthening your decisions* (2021); Wheeler, *Understanding Variation*
(2nd ed., 2000) for 2.66 = 3 / d2 (d2 = 1.128 for moving ranges of two); the
NHSRplotthedots R package (NHS-R Community) for the default rule lengths.
Methodology §5.

Autocorrelation (issue 11). XmR limits assume independent points: when a series
wanders in long swings, neighbouring points differ little, the mean moving range
understates the spread (for a Gaussian AR(1) of coefficient rho, mR/d2 estimates
``sigma sqrt(1 - rho)``), and runs on one side of the mean are common. So the
small-sample-corrected lag-1 autocorrelation of the points about their mean
(:mod:`planwatch.analysis.autocorr`) is measured; at or above
:data:`HIGH_AUTOCORRELATION` the verdict on the latest point is *adjusted*: it is
judged against limits widened to ``mean +- 2.66 mR / sqrt(1 - rho)`` (the moving-range
correction for AR(1) data; Maragah, H. D. & Woodall, W. H. (1992) "The effect of
autocorrelation on the retrospective X-chart", *J. Statistical Computation and
Simulation* 40:29-42; Montgomery, D. C. (2009) *Introduction to Statistical Quality
Control*, 6th ed., §10.4), by the outside-the-limits and two-of-three rules only; the
run rules (shift, trend) are withheld from the verdict, since runs are what
autocorrelated data produce by themselves. The chart's signals and standard limits
are kept for drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planwatch.analysis.autocorr import RHO_MAX, lag1_autocorrelation
from planwatch.analysis.results import SPCResult, SPCSignal
from planwatch.errors import ConfigError, Location, Problem
from planwatch.measures.series import MeasureSeries

Polarity = Literal["up_is_good", "down_is_good", "neutral"]
Side = Literal["high", "low", "up", "down"]

#: 3 / d2 with d2 = 1.128, the bias constant for moving ranges of two points
#: (Wheeler 2000; Making Data Count).
LIMIT_FACTOR = 2.66
#: Bias constant d2 for ranges of two (ASTM E2587; Wheeler 2000).
D2 = 1.128
#: Sigma multiple of the "close to the limits" lines for the two-of-three rule (MDC).
NEAR_SIGMA = 2.0
#: A shift: this many points in a row on one side of the mean (MDC; NHSRplotthedots default 7).
SHIFT_LENGTH = 7
#: A trend: this many points in a row each higher (or each lower) than the one before
#: (MDC "six or more consecutive points increasing or decreasing"; NHSRplotthedots 6).
TREND_LENGTH = 6
#: Points the MDC guidance recommends before limits are trusted (MDC: 15-20; the
#: NHSRplotthedots package warns below 12).
MIN_POINTS = 12


#: Corrected lag-1 autocorrelation at or above which the latest point's verdict is
#: adjusted (module docstring). Chosen by simulation (benchmarks/sim_shortterm.py,
#: methodology §5.1): it keeps the false special-cause rate at or below 5% for AR(1)
#: coefficients up to 0.6 while leaving most independent series on the standard rules.
HIGH_AUTOCORRELATION = 0.2
#: Rules that still decide an adjusted verdict (the run rules are withheld).
ADJUSTED_RULES = frozenset({"outside_limits", "two_of_three"})


@dataclass(frozen=True)
class SPCConfig:
    """XmR settings; checked when made, with every problem named by its field."""

    limit_factor: float = LIMIT_FACTOR
    near_sigma: float = NEAR_SIGMA
    shift_length: int = SHIFT_LENGTH
    trend_length: int = TREND_LENGTH
    min_points: int = MIN_POINTS
    baseline_n: int | None = None  # limits from the first n points (None: all points)

    def __post_init__(self) -> None:
        problems: list[Problem] = []

        def bad(name: str, message: str, expected: str) -> None:
            problems.append(
                Problem(f"SPC setting '{name}' {message}", Location(field=name), expected)
            )

        if not self.limit_factor > 0:
            bad(
                "limit_factor",
                f"is {self.limit_factor}",
                "a number above 0 (Making Data Count uses 2.66)",
            )
        if not 0 < self.near_sigma < 3:
            bad(
                "near_sigma",
                f"is {self.near_sigma}",
                "a number between 0 and 3 (Making Data Count uses 2)",
            )
        for name in ("shift_length", "trend_length"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 2:
                bad(name, f"is {value!r}", "a whole number of 2 or more")
        if not isinstance(self.min_points, int) or self.min_points < 2:
            bad("min_points", f"is {self.min_points!r}", "a whole number of 2 or more")
        if self.baseline_n is not None and (
            not isinstance(self.baseline_n, int) or self.baseline_n < 2
        ):
            bad(
                "baseline_n",
                f"is {self.baseline_n!r}",
                "empty (all points) or a whole number of 2 or more",
            )
        if problems:
            raise ConfigError(problems=problems)


def _runs(flags: Sequence[int], length: int) -> list[tuple[int, int, int]]:
    """(start, end, value) of each run of equal non-zero values at least ``length`` long."""
    out: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[start]:
            if flags[start] != 0 and i - start >= length:
                out.append((start, i - 1, flags[start]))
            start = i
    return out


def _improving(side: Side, polarity: Polarity) -> bool | None:
    if polarity == "neutral":
        return None
    up = side in ("high", "up")
    return up == (polarity == "up_is_good")


def _signals(
    idx: Sequence[int],
    y: np.ndarray,
    mean: float,
    upper: float,
    lower: float,
    near: float,
    cfg: SPCConfig,
    polarity: Polarity,
) -> list[SPCSignal]:
    out: list[SPCSignal] = []
    for k, v in enumerate(y):
        if v > upper or v < lower:
            side: Side = "high" if v > upper else "low"
            out.append(SPCSignal("outside_limits", (idx[k],), side, _improving(side, polarity)))
    side_flags = [int(s) for s in np.sign(y - mean)]
    for a, b, s in _runs(side_flags, cfg.shift_length):
        side = "high" if s > 0 else "low"
        out.append(SPCSignal("shift", tuple(idx[a : b + 1]), side, _improving(side, polarity)))
    moves = [int(s) for s in np.sign(np.diff(y))]
    for a, b, s in _runs(moves, cfg.trend_length - 1):
        side = "up" if s > 0 else "down"
        out.append(SPCSignal("trend", tuple(idx[a : b + 2]), side, _improving(side, polarity)))
    sides: tuple[tuple[int, Side], ...] = ((1, "high"), (-1, "low"))
    for sign, side in sides:
        beyond = sign * (y - mean) > near
        flagged: set[int] = set()
        for k in range(len(y) - 2):
            window = [k + j for j in range(3) if beyond[k + j]]
            if len(window) >= 2:
                flagged.update(window)
        if flagged:
            out.append(
                SPCSignal(
                    "two_of_three",
                    tuple(idx[k] for k in sorted(flagged)),
                    side,
                    _improving(side, polarity),
                )
            )
    return out


def _variation(signals: Sequence[SPCSignal], latest: int, polarity: Polarity) -> str:
    current = [s for s in signals if latest in s.indices]
    if not current:
        return "common_cause"
    if polarity == "neutral":
        return "special_cause_neutral"
    return (
        "special_cause_concerning"
        if any(s.improving is False for s in current)
        else "special_cause_improving"
    )


def autocorrelation_of(idx: Sequence[int], y: np.ndarray, n_periods: int) -> float:
    """Corrected lag-1 autocorrelation of the points about their mean, at their
    positions on the series axis (gaps stay gaps); ``NaN`` when too few pairs. The chart
    measures it on the baseline points (all of them unless ``baseline_n`` is set)."""
    residuals = np.full(n_periods, np.nan)
    residuals[list(idx)] = y - y.mean()
    return lag1_autocorrelation(residuals)


def _assurance(target: float | None, upper: float, lower: float, polarity: Polarity) -> str | None:
    if target is None or polarity == "neutral":
        return None
    passes_high = polarity == "up_is_good"
    if lower > target:
        return "consistently_passes" if passes_high else "consistently_fails"
    if upper < target:
        return "consistently_fails" if passes_high else "consistently_passes"
    return "hit_and_miss"


def xmr(
    series: MeasureSeries,
    *,
    polarity: Polarity,
    target: float | None = None,
    config: SPCConfig | None = None,
) -> SPCResult | None:
    """The XmR chart; ``None`` with fewer than two usable points. Moving ranges are taken
    only between adjacent periods (never across a gap); rules run over the points present."""
    cfg = config or SPCConfig()
    usable = series.usable()
    if len(usable) < 2:
        return None
    idx = [i for i, _, _ in usable]
    y = np.array([v for _, _, v in usable], dtype=np.float64)
    base = len(y) if cfg.baseline_n is None else min(cfg.baseline_n, len(y))
    mrs = [abs(y[k] - y[k - 1]) for k in range(1, base) if idx[k] - idx[k - 1] == 1]
    mean = float(y[:base].mean())
    mr_bar = float(np.mean(mrs)) if mrs else 0.0
    upper, lower = mean + cfg.limit_factor * mr_bar, mean - cfg.limit_factor * mr_bar
    near = cfg.near_sigma * cfg.limit_factor / 3.0 * mr_bar
    signals = _signals(idx, y, mean, upper, lower, near, cfg, polarity) if mr_bar > 0 else []
    standard = _variation(signals, idx[-1], polarity)
    # on the points the limits rest on: a change after a fixed baseline must not be
    # mistaken for the series' own swings
    rho = autocorrelation_of(idx[:base], y[:base], len(series.values))
    high = math.isfinite(rho) and rho >= HIGH_AUTOCORRELATION
    variation = standard
    adjusted_upper = adjusted_lower = None
    if high:
        widen = 1.0 / math.sqrt(1.0 - min(rho, RHO_MAX))
        adjusted_upper = mean + cfg.limit_factor * mr_bar * widen
        adjusted_lower = mean - cfg.limit_factor * mr_bar * widen
        wide = (
            _signals(idx, y, mean, adjusted_upper, adjusted_lower, near * widen, cfg, polarity)
            if mr_bar > 0
            else []
        )
        variation = _variation([s for s in wide if s.rule in ADJUSTED_RULES], idx[-1], polarity)
    return SPCResult(
        method="xmr",
        mean=mean,
        mr_bar=mr_bar,
        upper_limit=upper,
        lower_limit=lower,
        upper_near=mean + near,
        lower_near=mean - near,
        baseline_n=base,
        signals=tuple(signals),
        variation=variation,  # type: ignore[arg-type]
        assurance=_assurance(target, upper, lower, polarity),  # type: ignore[arg-type]
        target=target,
        autocorrelation=rho if math.isfinite(rho) else None,
        autocorrelation_high=high,
        verdict_adjusted=high,
        standard_variation=standard,  # type: ignore[arg-type]
        adjusted_upper_limit=adjusted_upper,
        adjusted_lower_limit=adjusted_lower,
    )
