"""Typed, frozen results of every analysis (the contract between analysis and narrative).

In: nothing — these are the shapes that :mod:`planwatch.analysis` returns.
Out: plain frozen dataclasses that the narrative turns into key points, the
report draws, and ``--json`` serialises (see :func:`to_jsonable`).

Fields may be added; existing ones are not renamed without changing every user.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Direction = Literal["up", "down", "flat"]
Strength = Literal["none", "very slight", "slight", "moderate", "strong"]


@dataclass(frozen=True)
class MannKendallResult:
    """Mann-Kendall test (seasonal when ``seasonal``) with Sen's slope."""

    method: str  # "mann_kendall" | "seasonal_mann_kendall"
    s: float
    tau: float
    z: float
    p_value: float
    sens_slope: float  # units per period
    significant: bool
    seasonal: bool
    n: int
    sens_slope_per_year: float | None = None  # added: units a year


@dataclass(frozen=True)
class StepResult:
    """One level shift that may explain a series better than a steady trend (methodology §2.8).

    The shift is fitted (season effects, no trend) at every period from one year in to
    one year before the end, or only at the plan event's period when one falls inside
    the window; the best-fitting period is kept."""

    index: int  # series index of the first period at the new level
    label: str  # that period's label
    pct: float  # size of the shift, % (e.g. +10.3)
    ci_low: float
    ci_high: float
    p_value: float  # Bonferroni over the candidate periods (1 candidate at a plan event)
    significant: bool
    better_than_trend: bool  # fits the series better than a steady trend does
    candidates: int  # how many periods were tried
    event_label: str | None = None  # the plan event it was tested at, if any


@dataclass(frozen=True)
class TrendResult:
    """Long-term trend over a series (from its start, or from the last comparability break)."""

    method: str  # "poisson_glm" | "negative_binomial_glm" | "gaussian_glm" | "insufficient_data"
    first_label: str
    last_label: str
    n_periods: int
    direction: Direction
    pct_per_year: float | None  # e.g. +4.2 means 4.2% a year
    ci_low: float | None  # CI of pct_per_year
    ci_high: float | None
    p_value: float | None
    significant: bool
    strength: Strength
    low_counts: bool  # numbers too low for the test to show a trend of plausible size
    dispersion: float | None  # Pearson chi2 / df of the Poisson fit
    fitted: tuple[float, ...] = ()  # fitted values (deseasonalised trend line) per period
    band_low: tuple[float, ...] = ()  # confidence band of the trend line
    band_high: tuple[float, ...] = ()
    mann_kendall: MannKendallResult | None = None
    agrees_with_robust_check: bool | None = None
    caveats: tuple[str, ...] = ()  # e.g. "fitted from 2018/19 Q1, after a comparability break"
    # Added by the analysis step (additive):
    fit_start_index: int = 0  # series index of the first period of the fit window (fitted[0])
    slope_per_year: float | None = (
        None  # units a year (Gaussian fits) or log-rate a year (count fits)
    )
    slope_ci_low: float | None = None
    slope_ci_high: float | None = None
    detectable_pct_per_year: float | None = None  # smallest trend the data could show (80% power)
    dispersion_threshold: float | None = None  # Pearson chi2/df above which the fit switches to NB
    nb_alpha: float | None = None  # negative binomial shape (variance mu + alpha mu^2)
    # Added for issue 11 (autocorrelation; methodology §2.6-2.8):
    inference: str = "independent_periods"  # how significance was judged, e.g. "ar1_noise_gls"
    residual_autocorrelation: float | None = None  # corrected lag-1 of the Pearson residuals
    ar_coefficient: float | None = None  # AR(1) coefficient of the level's wander (REML estimate)
    noise_share: float | None = None  # share of the error variance that is period-to-period noise
    effective_periods: float | None = None  # independent periods that would give the same precision
    critical_value: float | None = None  # |slope / se| needed for significance (calibrated)
    step: StepResult | None = None  # a single level shift, when one was tested


@dataclass(frozen=True)
class ChangeResult:
    """A comparison of one period (or window) with another."""

    kind: Literal["previous_period", "same_period_last_year", "rolling12_previous", "baseline"]
    current_label: str
    current_value: float
    comparison_label: str
    comparison_value: float
    abs_change: float
    pct_change: float | None  # None when the comparison value is 0
    direction: Direction
    significant: bool | None = None  # None: no test applies
    p_value: float | None = None
    method: str | None = None  # e.g. "poisson_rate_ratio_exact"
    # Added (issue 11, methodology §4.2): what a count change's test rested on.
    autocorrelation: float | None = None  # corrected lag-1 autocorrelation of the residuals
    variance_ratio: float | None = None  # the comparison's variance / its Poisson variance
    df: float | None = None  # degrees of freedom of the t test (None: exact test)
    n_history: int | None = None  # earlier comparisons of the same shape it was judged against
    untested_reason: str | None = None  # why a count change was not tested


@dataclass(frozen=True)
class RunResult:
    """Consecutive moves in one direction ending at the latest period."""

    direction: Direction  # direction of the latest move
    length: int  # how many consecutive moves in that direction, ending now
    previous_direction: Direction | None  # direction of the run before, when this one broke it
    previous_length: int  # its length


@dataclass(frozen=True)
class ExtremeResult:
    """Whether the latest value is the highest/lowest for a while, or ever."""

    kind: Literal["highest", "lowest"]
    on_record: bool  # the most extreme in the whole series
    since_label: str | None  # "lowest since 2018/19 Q1": the last period at least as extreme
    n_periods_compared: int


@dataclass(frozen=True)
class WindowComparison:
    """Last 12 months against earlier 12-month windows ("lower than any of the previous three years")."""

    current_label: str
    current_value: float
    previous_values: tuple[tuple[str, float], ...]
    lower_than_all: bool
    higher_than_all: bool


@dataclass(frozen=True)
class SPCSignal:
    rule: Literal["outside_limits", "shift", "trend", "two_of_three"]
    indices: tuple[int, ...]
    side: Literal["high", "low", "up", "down"]
    improving: bool | None  # from polarity; None for neutral measures


@dataclass(frozen=True)
class SPCResult:
    """XmR chart per NHS England 'Making Data Count'."""

    method: str  # "xmr"
    mean: float
    mr_bar: float
    upper_limit: float
    lower_limit: float
    upper_near: float  # 2-sigma lines for the two-of-three rule
    lower_near: float
    baseline_n: int
    signals: tuple[SPCSignal, ...]
    variation: Literal[
        "common_cause",
        "special_cause_improving",
        "special_cause_concerning",
        "special_cause_neutral",
    ]
    assurance: Literal["consistently_passes", "consistently_fails", "hit_and_miss"] | None
    target: float | None
    # Added (issue 11, methodology §5.1): the points' corrected lag-1 autocorrelation and
    # whether the latest point's verdict was adjusted for it (``variation`` is then the
    # adjusted verdict; ``standard_variation`` what the plain MDC rules said).
    autocorrelation: float | None = None
    autocorrelation_high: bool = False
    verdict_adjusted: bool = False
    standard_variation: (
        Literal[
            "common_cause",
            "special_cause_improving",
            "special_cause_concerning",
            "special_cause_neutral",
        ]
        | None
    ) = None
    adjusted_upper_limit: float | None = None  # limits the adjusted verdict was judged by
    adjusted_lower_limit: float | None = None


@dataclass(frozen=True)
class ProportionResult:
    label: str
    successes: float
    n: float
    proportion: float
    ci_low: float
    ci_high: float
    method: str = "wilson"
    confidence: float = 0.95


@dataclass(frozen=True)
class TwoProportionResult:
    first: ProportionResult
    second: ProportionResult
    difference_pp: float  # first - second, percentage points
    ci_low_pp: float
    ci_high_pp: float
    z: float
    p_value: float
    significant: bool
    method: str = "two_proportion_z"
    # Added (additive): a comparison between two measures in one period rather than one
    # measure over time; the other measure's id and name (methodology §6.4).
    compared_with: str | None = None
    compared_with_name: str | None = None
    # Added (issue 11, methodology §6.5): share of respondents the two results have in
    # common (overlapping rolling windows) and the design effect of the difference.
    overlap: float = 0.0
    design_effect: float = 1.0


@dataclass(frozen=True)
class BenchmarkGap:
    label: str
    value_pct: float
    benchmark_label: str
    benchmark_pct: float
    gap_pp: float  # value - benchmark
    direction: Direction
    decimals: int | None = None  # added: decimals the gap is shown with (methodology §6.3)
    gap_pp_rounded: float | None = None  # added: gap_pp rounded half away from zero to ``decimals``


@dataclass(frozen=True)
class FunnelPoint:
    area: str
    count: float
    population: float
    rate_per_1000: float
    z: float
    outside_95: bool
    outside_998: bool
    side: Literal["high", "low", "within"]


@dataclass(frozen=True)
class FunnelResult:
    method: str  # "funnel_poisson" (Spiegelhalter 2005)
    overall_rate_per_1000: float
    points: tuple[FunnelPoint, ...]
    overdispersion: float | None = None
    # Added by the analysis step: tau^2 of the additive random-effects adjustment
    # (rate per person, squared) and the control limits as curves for charts.
    tau2: float | None = None
    curve_population: tuple[float, ...] = ()
    lower_95: tuple[float, ...] = ()  # rate per 1,000 at each curve_population
    upper_95: tuple[float, ...] = ()
    lower_998: tuple[float, ...] = ()
    upper_998: tuple[float, ...] = ()
    # Added (additive): the plan's own area among the points and the window compared
    # (e.g. "12 months to June 2023"), for the peer-comparison key point (methodology §7).
    focus_area: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class InterruptedResult:
    """Segmented regression at an event (interrupted time series)."""

    method: str  # "segmented_poisson_glm" | "segmented_ols"
    event_label: str
    event_date: date
    step_pct: float | None  # immediate level change, %
    step_ci: tuple[float, float] | None
    step_p: float | None
    slope_change_pct_per_year: float | None
    slope_p: float | None
    significant: bool


@dataclass(frozen=True)
class VarianceRow:
    """This year against last year, month by month (e.g. sickness hours)."""

    label: str  # "2023/24 variance to 2022/23"
    months: tuple[str, ...]  # "Apr", "May", ...
    current: tuple[float | None, ...]
    previous: tuple[float | None, ...]
    variance: tuple[float | None, ...]  # current - previous, None where either is missing


@dataclass(frozen=True)
class EventMarker:
    """A plan event as it travels with results, so charts can annotate it."""

    label: str
    date: date
    breaks_comparability: bool
    period_index: float | None  # position on the series' x axis (fractional inside a period)


@dataclass(frozen=True)
class MeasureAnalysis:
    """Everything computed for one measure for the report quarter."""

    measure_id: str
    latest_label: str | None
    latest_value: float | None
    data_lag_periods: int  # how many periods the latest data is behind the report period
    trend: TrendResult | None = None
    changes: tuple[ChangeResult, ...] = ()
    run: RunResult | None = None
    extreme: ExtremeResult | None = None
    windows: WindowComparison | None = None
    spc: SPCResult | None = None
    proportions: tuple[ProportionResult, ...] = ()
    proportion_tests: tuple[TwoProportionResult, ...] = ()
    benchmark_gap: BenchmarkGap | None = None
    funnel: FunnelResult | None = None
    interrupted: tuple[InterruptedResult, ...] = ()
    variance: tuple[VarianceRow, ...] = ()
    events: tuple[EventMarker, ...] = ()
    suspect_values: tuple[str, ...] = ()  # period labels held out as probable data-entry errors
    gaps: tuple[str, ...] = ()  # period labels with no data
    notes: tuple[str, ...] = field(default=())


def to_jsonable(obj: Any) -> Any:
    """Results as JSON-ready data (NaN and infinities become ``None``)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, date):
        return obj.isoformat()
    if hasattr(obj, "item"):  # numpy scalar
        return to_jsonable(obj.item())
    return obj
