"""Peer comparison: the plan's force against the other forces in the store (funnel plot).

Only the forces of the plan's ``peer_group`` (e.g. its most similar group) are compared
when the plan names one; without one, every force in the store.

In: an open store, the plan, one measure that asks for ``comparison`` (a police
recorded crime source), its own series up to the report quarter and every area's
population by calendar year (``population`` table).
Out: a :class:`~planwatch.analysis.results.FunnelResult` over the 12 months to the
measure's latest period, one point per force with a complete window and a population,
with the plan's force as ``focus_area`` — or an :class:`~planwatch.errors.AnalysisError`
saying why no comparison can be made.

Each force's series is built by the same code as the plan's own
(:func:`planwatch.measures.build.build_series` on the rows
:func:`planwatch.store.selectors.measure_frame` selects for that force), as counts, so
the rates are counts ÷ population × 1,000 over the same 12 months (docs/methodology.md §7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planwatch.analysis.engine import analyse_areas
from planwatch.analysis.results import FunnelResult
from planwatch.analysis.shortterm import latest_window
from planwatch.errors import AnalysisError, Location
from planwatch.measures.build import build_series
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import window_total
from planwatch.narrative.relations import AreaSeries
from planwatch.periods import Quarter
from planwatch.plan.models import Measure, Plan, PrcSource
from planwatch.store.names import canonical_force
from planwatch.store.selectors import measure_frame, population_frame

#: With at least this many forces the limits allow for over-dispersion between them
#: (Spiegelhalter 2005, §3.2: random-effects tau², estimated from 10% winsorised
#: z-scores, which needs about ten areas to trim anything). Fewer: exact Poisson limits.
MIN_AREAS_FOR_OVERDISPERSION = 10
#: Aggregations whose values are counts of crimes, so a rate per 1,000 can be formed.
COUNTABLE = frozenset({"sum", "rate_per_1000"})

Populations = Mapping[str, Mapping[int, float]]


def populations(store: Any) -> Populations:
    """Population by area (as stored) and calendar year."""
    import pandas as pd  # the stored frame's missing values (imported only for comparisons)

    frame = population_frame(store)
    out: dict[str, dict[int, float]] = {}
    for area, year, pop in zip(frame["area"], frame["year"], frame["population"], strict=True):
        if pd.notna(pop) and pop > 0:
            out.setdefault(str(area), {})[int(year)] = float(pop)
    return out


def population_in(years: Mapping[int, float], year: int) -> float | None:
    """The estimate for ``year``, or the latest before it (an estimate serves until the next)."""
    known = [y for y in years if y <= year]
    return years[max(known)] if known else None


def _problem(measure: Measure, message: str, expected: str) -> AnalysisError:
    return AnalysisError(
        f"measure '{measure.id}': {message}",
        location=Location(field="analyses"),
        expected=expected,
    )


def _counting(measure: Measure, area: str) -> Measure:
    """The measure as a plain count of crimes for one force."""
    assert isinstance(measure.source, PrcSource)
    return measure.model_copy(
        update={
            "aggregation": "sum",
            "unit": "count",
            "source": measure.source.model_copy(update={"force": area}),
        }
    )


def area_series(store: Any, plan: Plan, measure: Measure, area: str, end: Quarter) -> MeasureSeries:
    """One force's counts for the measure's offences, up to ``end``."""
    counting = _counting(measure, area)
    return build_series(measure_frame(store, plan, counting), counting, end=end)


def _force_key(name: str) -> str:
    return (canonical_force(name) or name).strip().lower()


def _peer_group(plan: Plan, home: str) -> set[str] | None:
    """The plan's peer group (and its own force) as force keys; ``None``: every force."""
    if plan.peer_group is None:
        return None
    return {_force_key(f) for f in (*plan.peer_group.forces, home)}


def peer_funnel(
    store: Any,
    plan: Plan,
    measure: Measure,
    series: MeasureSeries,
    quarter: Quarter,
    by_area: Populations,
    each: Mapping[str, MeasureSeries] | None = None,
) -> FunnelResult:
    """The plan's force against every force with data and a population (module docstring);
    ``each``: the forces' series already built (:func:`peer_series`), read here otherwise."""
    if not isinstance(measure.source, PrcSource):
        raise _problem(
            measure,
            "a comparison between forces needs police recorded crime",
            "source kind 'prc' for a measure with 'comparison' in analyses",
        )
    if measure.aggregation not in COUNTABLE:
        raise _problem(
            measure,
            f"a comparison between forces needs counts, not '{measure.aggregation}'",
            "aggregation 'sum' or 'rate_per_1000' for a measure with 'comparison' in analyses",
        )
    window = latest_window(series)
    if window is None:
        raise _problem(measure, "no data to compare with other forces", "data for the plan's force")
    home = measure.source.force or plan.metadata.area
    # as for the plan's own rates: the estimate for the year its financial year starts in
    year = window.end_month.quarter.fy_start
    counts: dict[str, float] = {}
    pops: dict[str, float] = {}
    focus: str | None = None
    if each is None:
        each = peer_series(store, plan, measure, quarter, by_area)
    for area, area_values in each.items():
        pop = population_in(by_area[area], year)
        total = window_total(area_values, window)
        if pop is None or total is None or not total.complete:
            continue
        counts[area], pops[area] = total.value, pop
        if area.lower() == home.lower():
            focus = area
    if focus is None:
        raise _problem(
            measure,
            f"no population or no complete 12 months for '{home}' in the store",
            f"a population for '{home}' (population file) and its data for the {window.label}",
        )
    if len(counts) < 2:
        raise _problem(
            measure,
            f"no other force has both data and a population for the {window.label}",
            "police recorded crime and populations for other forces in the store",
        )
    return analyse_areas(
        counts,
        pops,
        overdispersion=len(counts) >= MIN_AREAS_FOR_OVERDISPERSION,
        focus_area=focus,
        label=window.label,
    )


def peer_series(
    store: Any, plan: Plan, measure: Measure, quarter: Quarter, by_area: Populations
) -> dict[str, MeasureSeries]:
    """Each force compared (the plan's peer group and its own force, or every force with a
    population) by name, as counts of the measure's offences up to ``quarter``. Only
    forces: the population file may hold districts too (for the district tables), and a
    district is no peer (its series would be all gaps, and the other forces' sum with it)."""
    home = measure.source.force if isinstance(measure.source, PrcSource) else None
    group = _peer_group(plan, home or plan.metadata.area)
    return {
        area: area_series(store, plan, measure, area, quarter)
        for area in sorted(by_area)
        if canonical_force(area) is not None and (group is None or _force_key(area) in group)
    }


#: A force count at which the other forces are the rest of England and Wales (its 43
#: territorial forces, Home Office police recorded crime tables).
FORCES_OF_ENGLAND_AND_WALES = 43


def others_series(
    plan: Plan, measure: Measure, series: MeasureSeries, each: Mapping[str, MeasureSeries]
) -> AreaSeries | None:
    """The other forces compared, added up period by period over the periods the plan's own
    series has (a period that any of them lacks is a gap), named as a sentence names them;
    ``None`` without another force."""
    home = _force_key(
        (measure.source.force if isinstance(measure.source, PrcSource) else None)
        or plan.metadata.area
    )
    others = [s for area, s in each.items() if _force_key(area) != home]
    if not others:
        return None
    by_period = [dict(zip(s.periods, s.values, strict=True)) for s in others]
    values: list[float | None] = []
    for period in series.periods:
        got = [values_of.get(period) for values_of in by_period]
        values.append(None if any(v is None for v in got) else sum(v for v in got if v is not None))
    n = len(others)
    if plan.peer_group is not None:
        name = f"the other {n} forces of its comparison group ({plan.peer_group.name})"
    elif n + 1 >= FORCES_OF_ENGLAND_AND_WALES:
        name = f"the rest of England and Wales ({n} forces)"
    else:
        name = f"the other {n} forces with data"
    summed = MeasureSeries(
        measure_id=series.measure_id,
        frequency=series.frequency,
        periods=series.periods,
        values=tuple(values),
        unit="count",
    )
    return AreaSeries(area=name, series=summed)
