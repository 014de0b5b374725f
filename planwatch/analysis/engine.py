"""Run every analysis a measure asks for, for one report quarter.

In: a :class:`~planwatch.measures.series.MeasureSeries`, its
:class:`~planwatch.plan.models.Measure`, the plan's events and the report quarter
(and, for comparisons between areas, each area's count and population).
Out: one frozen :class:`~planwatch.analysis.results.MeasureAnalysis` (or a
:class:`~planwatch.analysis.results.FunnelResult`). Pure: no I/O.

Data after the report quarter are left out; the data lag is counted in the series'
own periods (quarters or months) from its latest usable value to the report quarter.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from planwatch.analysis.constants import ALPHA, PERIODS_PER_YEAR
from planwatch.analysis.funnel import funnel
from planwatch.analysis.interrupted import interrupted
from planwatch.analysis.proportions import (
    benchmark_gap,
    two_proportions,
    wilson,
    window_overlap,
)
from planwatch.analysis.results import (
    BenchmarkGap,
    ChangeResult,
    EventMarker,
    FunnelResult,
    InterruptedResult,
    MeasureAnalysis,
    ProportionResult,
    TrendResult,
    TwoProportionResult,
    VarianceRow,
)
from planwatch.analysis.shortterm import (
    ChangeKind,
    WindowCache,
    count_model,
    extreme,
    latest_index,
    latest_window,
    period_change,
    run_of_moves,
    window_change,
    window_comparison,
)
from planwatch.analysis.spc import SPCConfig, xmr
from planwatch.analysis.trend import fit_trends
from planwatch.errors import AnalysisError, Location, suggest
from planwatch.measures.compare import month_by_month
from planwatch.measures.series import MeasureSeries
from planwatch.periods import Month, Quarter, Rolling12
from planwatch.plan.models import Event, Measure

#: Units whose values are counts of events (Poisson models and exact tests apply).
COUNT_UNITS = frozenset({"count"})
#: Said next to the chart when the SPC verdict was adjusted for autocorrelation (spc.py).
SPC_SWINGS_NOTE = (
    "The series moves in long swings (lag-1 autocorrelation {rho:.2f}), so the control "
    "limits understate its usual range: the latest point is judged against limits widened "
    "for that, and runs of points on one side are not taken as signals."
)
#: Aggregations that keep counts as counts (a harm-weighted sum is a score, not a count).
COUNT_AGGREGATIONS = frozenset({"sum"})


def is_count(measure: Measure) -> bool:
    return measure.unit in COUNT_UNITS and measure.aggregation in COUNT_AGGREGATIONS


def up_to(series: MeasureSeries, quarter: Quarter) -> MeasureSeries:
    """The series without the periods that end after ``quarter``."""
    last_month = quarter.last_month.index
    keep = sum(
        1
        for p in series.periods
        if (p.index <= last_month if isinstance(p, Month) else p.index <= quarter.index)
    )
    if keep == len(series.periods):
        return series

    def cut(values: tuple[float | None, ...] | None) -> tuple[float | None, ...] | None:
        return None if values is None else values[:keep]

    return dataclasses.replace(
        series,
        periods=series.periods[:keep],
        values=series.values[:keep],
        numerators=cut(series.numerators),
        denominators=cut(series.denominators),
        suspect=tuple(i for i in series.suspect if i < keep),
    )


def data_lag(latest: Month | Quarter | None, report_quarter: Quarter) -> int:
    """Periods between the latest data and the end of the report quarter (0: up to date)."""
    if latest is None:
        return 0
    if isinstance(latest, Quarter):
        return max(0, report_quarter.index - latest.index)
    return max(0, report_quarter.last_month.index - latest.index)


def event_marker(series: MeasureSeries, event: Event) -> EventMarker:
    """The event with its position on the series axis: i + (days into period / days in it)."""
    position: float | None = None
    for i, period in enumerate(series.periods):
        if period.start <= event.date <= period.end:
            days = (period.end - period.start).days + 1
            position = i + (event.date - period.start).days / days
            break
    return EventMarker(event.label, event.date, event.breaks_comparability, position)


def _changes(
    series: MeasureSeries,
    measure: Measure,
    count: bool,
    alpha: float,
    cache: WindowCache,
) -> tuple[ChangeResult, ...]:
    out: list[ChangeResult | None] = []
    model = count_model(series) if count else None
    if "short_term" in measure.analyses:
        for lag in (1, PERIODS_PER_YEAR[series.frequency]):
            out.append(period_change(series, lag, count=count, alpha=alpha, model=model))
    window = latest_window(series)
    if "rolling12" in measure.analyses and window is not None:
        earlier: list[tuple[ChangeKind, Rolling12]] = [("rolling12_previous", window.previous)]
        if measure.baseline_window is not None:
            earlier.append(("baseline", measure.baseline_window))
        for kind, other in earlier:
            out.append(
                window_change(
                    series, window, other, kind, count=count, alpha=alpha, cache=cache, model=model
                )
            )
    return tuple(c for c in out if c is not None)


def _proportions(
    series: MeasureSeries, alpha: float, window_periods: int = 1
) -> tuple[tuple[ProportionResult, ...], tuple[TwoProportionResult, ...]]:
    """Wilson results for every usable period, and the latest against the period before
    and the same period a year before. When each result pools ``window_periods``
    periods (a 12-month rolling survey reported quarterly: 4), results that share
    respondents are tested with the overlap allowed for (methodology §6.5)."""
    if series.numerators is None or series.denominators is None:
        return (), ()
    held = set(series.suspect)
    by_index: dict[int, ProportionResult] = {}
    for i, (p, num, den) in enumerate(
        zip(series.periods, series.numerators, series.denominators, strict=True)
    ):
        if num is not None and den is not None and den > 0 and i not in held:
            by_index[i] = wilson(p.label, num, den, alpha=alpha)
    tests: list[TwoProportionResult] = []
    if by_index:
        last = max(by_index)
        for lag in (1, PERIODS_PER_YEAR[series.frequency]):
            if last - lag in by_index:
                tests.append(
                    two_proportions(
                        by_index[last],
                        by_index[last - lag],
                        alpha=alpha,
                        overlap=window_overlap(lag, window_periods),
                    )
                )
    return tuple(by_index[i] for i in sorted(by_index)), tuple(tests)


def _proportion_at(series: MeasureSeries, alpha: float) -> dict[str, ProportionResult]:
    """Wilson results by period label for every usable period (suspect values held out)."""
    if series.numerators is None or series.denominators is None:
        return {}
    held = set(series.suspect)
    return {
        p.label: wilson(p.label, num, den, alpha=alpha)
        for i, (p, num, den) in enumerate(
            zip(series.periods, series.numerators, series.denominators, strict=True)
        )
        if num is not None and den is not None and den > 0 and i not in held
    }


def compare_proportions(
    series: MeasureSeries,
    other: MeasureSeries,
    report_quarter: Quarter,
    *,
    other_name: str | None = None,
    alpha: float = ALPHA,
) -> TwoProportionResult | None:
    """``series`` against ``other`` in their latest common period up to ``report_quarter``
    (pooled two-proportion z test; methodology §6.4), or ``None`` when they share none.
    Both must be proportions (numerators and denominators) at the same frequency."""
    for s in (series, other):
        if s.numerators is None or s.denominators is None:
            raise AnalysisError(
                f"measure '{s.measure_id}' has no numerators and denominators to compare",
                location=Location(field="compare_with"),
                expected="two proportion measures (aggregation: proportion)",
            )
    if series.frequency != other.frequency:
        raise AnalysisError(
            f"measure '{series.measure_id}' is {series.frequency}ly but "
            f"'{other.measure_id}' is {other.frequency}ly",
            location=Location(field="compare_with"),
            expected="two measures with the same frequency",
        )
    mine = _proportion_at(up_to(series, report_quarter), alpha)
    theirs = _proportion_at(up_to(other, report_quarter), alpha)
    common = [p.label for p in series.periods if p.label in mine and p.label in theirs]
    if not common:
        return None
    label = common[-1]
    result = two_proportions(mine[label], theirs[label], alpha=alpha)
    return dataclasses.replace(
        result, compared_with=other.measure_id, compared_with_name=other_name
    )


def _interrupted(
    series: MeasureSeries, events: Sequence[Event], count: bool, alpha: float
) -> tuple[InterruptedResult, ...]:
    results = (interrupted(series, e, count=count, alpha=alpha) for e in events)
    return tuple(r for r in results if r is not None)


def analyse_measure(
    series: MeasureSeries,
    measure: Measure,
    events: Sequence[Event],
    report_quarter: Quarter,
    *,
    alpha: float = ALPHA,
    spc_config: SPCConfig | None = None,
) -> MeasureAnalysis:
    """Everything ``measure.analyses`` asks for (see the module docstring)."""
    return analyse_measures(
        ((series, measure),),
        events,
        report_quarter,
        alpha=alpha,
        spc_config=spc_config,
    )[0]


def analyse_measures(
    items: Sequence[tuple[MeasureSeries, Measure]],
    events: Sequence[Event],
    report_quarter: Quarter,
    *,
    alpha: float = ALPHA,
    spc_config: SPCConfig | None = None,
) -> tuple[MeasureAnalysis, ...]:
    """:func:`analyse_measure` for many series at once (e.g. every force and offence
    group): trends of series that share a design are fitted in one batch. How many
    periods each proportion result pools is the plan's ``Measure.pooled_periods``."""
    cfg = spc_config or SPCConfig()
    prepared: list[tuple[MeasureSeries, Measure, tuple[Event, ...]]] = []
    for series, measure in items:
        if series.measure_id != measure.id:
            raise AnalysisError(
                f"the series is for '{series.measure_id}' but the measure is '{measure.id}'",
                location=Location(field="measure"),
                expected="a series built for this measure",
            )
        prepared.append(
            (
                up_to(series, report_quarter),
                measure,
                tuple(e for e in events if e.affects(measure.id)),
            )
        )
    trends = _trends(prepared, alpha)
    return tuple(
        _assemble(
            series,
            measure,
            mine,
            report_quarter,
            alpha,
            cfg,
            trends.get(k),
            measure.pooled_periods,
        )
        for k, (series, measure, mine) in enumerate(prepared)
    )


def _needs_trend(measure: Measure) -> bool:
    """A trend is asked for (changes in counts are judged by their own history,
    ``shortterm.count_change_test``, not by the trend fit's dispersion)."""
    return "trend" in measure.analyses


def _trends(
    prepared: Sequence[tuple[MeasureSeries, Measure, tuple[Event, ...]]], alpha: float
) -> dict[int, TrendResult]:
    groups: dict[tuple[bool, tuple[Event, ...]], list[int]] = {}
    for k, (_, measure, mine) in enumerate(prepared):
        if _needs_trend(measure):
            groups.setdefault((is_count(measure), mine), []).append(k)
    out: dict[int, TrendResult] = {}
    for (count, mine), members in groups.items():
        fitted = fit_trends(
            [prepared[k][0] for k in members], count=count, events=mine, alpha=alpha
        )
        out.update(zip(members, fitted, strict=True))
    return out


def _assemble(
    series: MeasureSeries,
    measure: Measure,
    mine: tuple[Event, ...],
    report_quarter: Quarter,
    alpha: float,
    cfg: SPCConfig,
    trend: TrendResult | None,
    window_periods: int = 1,
) -> MeasureAnalysis:
    count = is_count(measure)
    asks = set(measure.analyses)
    last = latest_index(series)
    latest_period = series.periods[last] if last is not None else None
    latest_value = series.values[last] if last is not None else None
    notes: list[str] = []
    if last is None:
        notes.append("No data for this measure up to the report quarter.")
    spc = None
    if "spc" in asks:
        spc = xmr(series, polarity=measure.polarity, target=measure.target, config=cfg)
        n_points = len(series.usable())
        if n_points < cfg.min_points:
            notes.append(
                f"SPC limits rest on {n_points} points; at least {cfg.min_points} are advised."
            )
        if spc is not None and spc.verdict_adjusted and spc.autocorrelation is not None:
            notes.append(SPC_SWINGS_NOTE.format(rho=spc.autocorrelation))
    proportions, proportion_tests = (
        _proportions(series, alpha, window_periods) if "proportion" in asks else ((), ())
    )
    window = latest_window(series)
    cache = WindowCache(series)
    changes = _changes(series, measure, count, alpha, cache)
    return MeasureAnalysis(
        measure_id=measure.id,
        latest_label=latest_period.label if latest_period is not None else None,
        latest_value=latest_value,
        data_lag_periods=data_lag(latest_period, report_quarter),
        trend=trend if "trend" in asks else None,
        changes=changes,
        run=run_of_moves(series) if "short_term" in asks else None,
        extreme=extreme(series) if "extremes" in asks else None,
        windows=window_comparison(series, window, cache=cache)
        if "rolling12" in asks and window is not None
        else None,
        spc=spc,
        proportions=proportions,
        proportion_tests=proportion_tests,
        benchmark_gap=_gap(measure, latest_period, latest_value)
        if "benchmark_gap" in asks
        else None,
        interrupted=_interrupted(series, mine, count, alpha) if "interrupted" in asks else (),
        variance=_variance(series, report_quarter) if "variance_table" in asks else (),
        events=tuple(event_marker(series, e) for e in mine),
        suspect_values=tuple(series.periods[i].label for i in sorted(series.suspect)),
        gaps=tuple(p.label for p in series.gaps()),
        notes=tuple(notes),
    )


def _gap(
    measure: Measure, period: Month | Quarter | None, value: float | None
) -> BenchmarkGap | None:
    """The latest value against the measure's benchmark, shown with the measure's decimals."""
    if measure.benchmark is None or period is None or value is None:
        return None
    return benchmark_gap(
        period.label,
        value,
        measure.benchmark.label,
        measure.benchmark.value,
        decimals=measure.decimals,
    )


def _variance(series: MeasureSeries, report_quarter: Quarter) -> tuple[VarianceRow, ...]:
    table = month_by_month(series, report_quarter.financial_year)
    return (VarianceRow(**dataclasses.asdict(table)),)


def analyse_areas(
    counts: Mapping[str, float],
    populations: Mapping[str, float],
    *,
    overdispersion: bool = False,
    focus_area: str | None = None,
    label: str | None = None,
) -> FunnelResult:
    """Rates per 1,000 for each area against the all-area rate, with funnel limits;
    ``focus_area`` (the plan's own area) and ``label`` (the window) travel with the result."""
    if focus_area is not None and focus_area not in counts:
        raise AnalysisError(
            f"the area '{focus_area}' is not among the areas compared",
            location=Location(field=focus_area),
            expected="the plan's own area among the areas with a count",
            suggestion=suggest(focus_area, counts),
        )
    missing = [a for a in counts if a not in populations]
    if missing:
        name = missing[0]
        raise AnalysisError(
            f"no population for area '{name}'",
            location=Location(field=name),
            expected="a population for every area with a count",
            suggestion=suggest(name, populations),
        )
    result = funnel(
        [(a, float(c), float(populations[a])) for a, c in counts.items()],
        overdispersion=overdispersion,
    )
    return dataclasses.replace(result, focus_area=focus_area, label=label)
