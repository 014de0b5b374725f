"""The analysis pipeline for one quarter: store → series → analysis → key points.

In: a :class:`~planwatch.project.Project` and the report :class:`~planwatch.periods.Quarter`.
Out: :func:`run_analysis` returns the frozen
:class:`~planwatch.narrative.run.AnalysisRun` the report and web app render;
:func:`measure_table` returns the per-measure quarter figures behind
``planwatch measures``; :func:`analysis_to_json` gives ``--json`` output.

Steps: load the plan (for a :class:`~planwatch.project.Project` with an ``area``, the plan
run for that area: :func:`plan_for_area`); read every measure's rows from the store in one query
(``planwatch.store.selectors.measure_frames``); build each series up to the report quarter
(:mod:`planwatch.measures.build`); analyse them together (``planwatch.analysis.engine``); turn
the results into key points (:mod:`planwatch.narrative.keypoints`); apply analysts'
overrides (``overrides.yaml``). A measure whose data cannot be built is reported as
a warning and shown with no findings; it does not stop the other measures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from planwatch.analysis.engine import analyse_measures, compare_proportions
from planwatch.analysis.results import MeasureAnalysis, TwoProportionResult, to_jsonable
from planwatch.errors import AnalysisError, Location, PlanwatchError, Problem
from planwatch.measures.build import build_series
from planwatch.measures.series import MeasureSeries
from planwatch.measures.table import QuarterRow, latest_period, quarter_row
from planwatch.narrative.checker import verified
from planwatch.narrative.keypoints import measure_key_points, priority_points, rank
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.overrides import apply_overrides, fingerprint
from planwatch.narrative.relations import AreaSeries, Related
from planwatch.narrative.run import AnalysisRun, MeasureResult, PriorityResult
from planwatch.periods import Month, Quarter
from planwatch.plan.load import load_plan
from planwatch.plan.models import (
    Measure,
    Plan,
    PoliceUkSource,
    PrcSource,
    RecordsSource,
    SeriesSource,
    Source,
)
from planwatch.project import Project
from planwatch.services.overrides import load_overrides
from planwatch.services.peers import (
    Populations,
    others_series,
    peer_funnel,
    peer_series,
    population_in,
    populations,
)
from planwatch.store.connection import reading
from planwatch.store.measure_sql import same_force
from planwatch.store.names import canonical_force, canonical_group
from planwatch.store.selectors import (
    Columns,
    MeasureRows,
    falls_within_names,
    measure_rows,
    offence_codes_frame,
    population_frame,
    weights_frame,
)

if TYPE_CHECKING:  # pandas only for the lookups some measures need (fast start-up)
    import pandas as pd


@dataclass(frozen=True)
class _Inputs:
    """Lookups read once per run from the store."""

    weights: Mapping[str, float] | None
    population: Mapping[int, float]
    peers: Populations = field(default_factory=dict)  # every area's population, by year


def _weights(store: Any) -> Mapping[str, float] | None:
    import pandas as pd

    frame = weights_frame(store)
    if frame.empty:
        return None
    weights = {
        str(k): float(v)
        for k, v in zip(frame["offence_code"], frame["weight"], strict=True)
        if pd.notna(v)
    }
    # police.uk crime types: the mean weight of the offences in that category.
    by_category = (
        frame.dropna(subset=["policeuk_category", "weight"])
        .groupby("policeuk_category")["weight"]
        .mean()
    )
    for category, weight in by_category.items():
        weights.setdefault(str(category), float(weight))
    return weights


def _population(store: Any, plan: Plan) -> Mapping[int, float]:
    import pandas as pd

    frame = population_frame(store, plan.metadata.area)
    return {
        int(y): float(p)
        for y, p in zip(frame["year"], frame["population"], strict=True)
        if pd.notna(p)
    }


def _population_for(
    measure: Measure, series_years: Mapping[int, float]
) -> dict[Month | Quarter, float] | None:
    """Population by period: the estimate for the calendar year the financial year starts in."""
    if measure.aggregation != "rate_per_1000" or not series_years:
        return None
    first, last = min(series_years), max(series_years)
    periods: dict[Month | Quarter, float] = {}
    for year in range(first, last + 2):  # the latest estimate also serves the year after it
        pop = population_in(series_years, year)
        assert pop is not None  # year >= first
        for q in range(1, 5):
            quarter = Quarter(year, q)
            periods[quarter] = pop
            for m in quarter.months():
                periods[m] = pop
    return periods


def _in_selection(codes: pd.DataFrame, source: PrcSource) -> tuple[str, ...]:
    """Offence codes of the lookup inside the source's groups and subgroups (all if none)."""
    groups = {canonical_group(g).lower() for g in source.offence_groups}
    subgroups = {s.lower() for s in source.offence_subgroups}
    keep = [
        str(code)
        for code, group, subgroup in zip(
            codes["offence_code"], codes["offence_group"], codes["offence_subgroup"], strict=True
        )
        if (not groups and not subgroups)
        or str(group).lower() in groups
        or str(subgroup).lower() in subgroups
    ]
    return tuple(keep)


def _by_offence(store: Any, measure: Measure) -> Measure:
    """A harm-weighted crime measure read offence by offence: weights belong to offence
    codes, so a selection by group or subgroup (or of all offences) is turned into the
    offence codes it covers (methodology, "Building a series")."""
    source = measure.source
    if (
        measure.aggregation != "harm_weighted"
        or not isinstance(source, PrcSource)
        or source.offence_codes
    ):
        return measure
    codes = _in_selection(offence_codes_frame(store), source)
    if not codes:
        raise AnalysisError(
            f"measure '{measure.id}' is harm-weighted, but no offence codes are known for its "
            "selection, so its offences cannot be weighted",
            location=Location(field="source"),
            expected="the Home Office offence code lookup loaded (planwatch ingest offence_codes), "
            "or offence_codes listed in the measure's source",
        )
    selected = source.model_copy(
        update={"offence_codes": codes, "offence_groups": (), "offence_subgroups": ()}
    )
    return measure.model_copy(update={"source": selected})


@dataclass(frozen=True)
class _Read:
    """Every measure's rows, read from the store in ONE query (``measure_rows``: plain
    columns, no pandas), and what each was read as (harm-weighted crime offence by offence)
    or why it could not be."""

    rows: MeasureRows
    reading_as: Mapping[str, Measure]
    errors: Mapping[str, AnalysisError]


def _read(store: Any, plan: Plan, measures: Sequence[Measure]) -> _Read:
    reading_as: dict[str, Measure] = {}
    errors: dict[str, AnalysisError] = {}
    for m in measures:
        try:
            reading_as[m.id] = _by_offence(store, m)
        except AnalysisError as exc:
            errors[m.id] = exc
    return _Read(measure_rows(store, plan, tuple(reading_as.values())), reading_as, errors)


def _rows(store: Any, plan: Plan, measure: Measure, read: _Read) -> Columns:
    """The measure's rows; for harm-weighted crime, one row per offence code."""
    if measure.id in read.errors:
        raise read.errors[measure.id]
    reading_as = read.reading_as[measure.id]
    rows = read.rows.columns(measure.id)
    if (
        reading_as is not measure
        and not rows["period_start"]
        and measure_rows(store, plan, (measure,)).columns(measure.id)["period_start"]
    ):
        raise AnalysisError(
            f"measure '{measure.id}' is harm-weighted, but the store holds its police recorded "
            "crime only by offence group; harm weights apply to individual offences",
            location=Location(field="aggregation"),
            expected="offence-level police recorded crime (the PFA offence-level tables) for "
            "the periods to weight, or aggregation 'sum'",
        )
    return rows


def series_for(
    store: Any,
    plan: Plan,
    measure: Measure,
    quarter: Quarter,
    inputs: _Inputs,
    read: _Read | None = None,
) -> MeasureSeries:
    """The measure's series up to the end of ``quarter`` (its rows from ``read``, the
    run's one read of the store, or read for it alone)."""
    rows = _rows(store, plan, measure, read or _read(store, plan, (measure,)))
    return build_series(
        rows,
        measure,
        weights=inputs.weights if measure.aggregation == "harm_weighted" else None,
        population=_population_for(measure, inputs.population)
        if measure.aggregation == "rate_per_1000"
        else None,
        end=quarter,
    )


def _empty(measure: Measure) -> MeasureAnalysis:
    return MeasureAnalysis(
        measure_id=measure.id, latest_label=None, latest_value=None, data_lag_periods=0
    )


def _series_of(
    store: Any,
    plan: Plan,
    measure: Measure,
    quarter: Quarter,
    inputs: _Inputs,
    read: _Read,
    warnings: list[Problem],
) -> MeasureSeries:
    """The measure's series (empty, with a warning, when its data cannot be built — the
    store's error for it, kept as data — or it has no usable data)."""
    try:
        series = series_for(store, plan, measure, quarter, inputs, read)
    except PlanwatchError as exc:  # e.g. a tidy series' district rows, a data.police.uk
        # measure of a store of several forces none of which is the plan's (its error)
        warnings.extend(exc.about(measure.id))
        series = MeasureSeries(measure.id, measure.frequency, (), (), unit=measure.unit)
    if not series.usable() and not any(w.measure == measure.id for w in warnings):
        warnings.append(
            Problem(
                f"measure '{measure.id}' has no data up to {quarter.label} in the store",
                measure=measure.id,
            )
        )
    return series


def _analysed_all(
    store: Any,
    plan: Plan,
    quarter: Quarter,
    inputs: _Inputs,
    warnings: list[Problem],
) -> dict[str, tuple[MeasureSeries, MeasureAnalysis | None]]:
    """Every measure's series (one read of the store) and its own analysis (``None`` when
    there are no usable data): all analysed together, so trends that share a design are
    fitted in one batch (``analyse_measures``; the same results as one by one)."""
    read = _read(store, plan, plan.measures)
    series = {
        m.id: _series_of(store, plan, m, quarter, inputs, read, warnings) for m in plan.measures
    }
    usable = [(series[m.id], m) for m in plan.measures if series[m.id].usable()]
    analyses = dict(
        zip(
            (m.id for _, m in usable),
            analyse_measures(usable, plan.events, quarter),
            strict=True,
        )
    )
    return {m.id: (series[m.id], analyses.get(m.id)) for m in plan.measures}


Built = Mapping[str, tuple[MeasureSeries, MeasureAnalysis | None]]


def _group_comparison(
    plan: Plan, measure: Measure, series: MeasureSeries, quarter: Quarter, built: Built
) -> TwoProportionResult | None:
    """``measure`` against its ``compare_with`` measure in their latest common period."""
    assert measure.compare_with is not None
    other_series, other_analysis = built[measure.compare_with]
    if other_analysis is None:
        return None  # the other measure's own warning says why
    other = plan.measure(measure.compare_with)
    test = compare_proportions(series, other_series, quarter, other_name=other.name)
    if test is None:
        raise AnalysisError(
            f"measure '{measure.id}' and '{other.id}' have no period in common up to "
            f"{quarter.label}, so they are not compared",
            location=Location(field="compare_with"),
            expected="both measures with data for the same period",
        )
    return test


def _with_comparisons(
    store: Any,
    plan: Plan,
    measure: Measure,
    series: MeasureSeries,
    analysis: MeasureAnalysis,
    quarter: Quarter,
    inputs: _Inputs,
    built: Built,
    warnings: list[Problem],
) -> tuple[MeasureAnalysis, tuple[AreaSeries, ...]]:
    """Comparisons that need other series: another measure (``compare_with``) and other
    forces (``comparison``: the funnel, and the other forces' series added up for the key
    points' pattern against them). Each failure is a warning; the measure's own findings
    stand."""
    areas: tuple[AreaSeries, ...] = ()
    if measure.compare_with is not None:
        try:
            test = _group_comparison(plan, measure, series, quarter, built)
        except AnalysisError as exc:
            warnings.extend(exc.about(measure.id))
        else:
            if test is not None:
                analysis = replace(analysis, proportion_tests=(*analysis.proportion_tests, test))
    if "comparison" in measure.analyses:
        each = peer_series(store, plan, measure, quarter, inputs.peers)
        others = others_series(plan, measure, series, each)
        areas = () if others is None else (others,)
        try:
            funnel = peer_funnel(store, plan, measure, series, quarter, inputs.peers, each)
        except AnalysisError as exc:
            warnings.extend(exc.about(measure.id))
        else:
            analysis = replace(analysis, funnel=funnel)
    return analysis, areas


def _measure_results(
    store: Any,
    plan: Plan,
    quarter: Quarter,
    inputs: _Inputs,
    warnings: list[Problem],
) -> dict[str, MeasureResult]:
    built = _analysed_all(store, plan, quarter, inputs, warnings)
    results: dict[str, MeasureResult] = {}
    for m in plan.measures:
        series, analysis = built[m.id]
        if analysis is None:
            results[m.id] = MeasureResult(m, series, _empty(m), ())
            continue
        analysis, areas = _with_comparisons(
            store, plan, m, series, analysis, quarter, inputs, built, warnings
        )
        # the measures the plan links this one to (part_of, pattern_like), with their series,
        # and the same measure for the other forces
        links = {k: built[k][0] for k in (m.part_of, m.pattern_like) if k is not None}
        related = [Related(plan.measure(k), v) for k, v in links.items()]
        links.update({f"area:{a.area}": a.series for a in areas})
        # a key point whose sentence the independent checker cannot bear out is not printed
        points, refused = verified(
            measure_key_points(
                analysis,
                m,
                series,
                plan.events,
                definition=plan.measure_definition(m.id),
                related=related,
                areas=areas,
            ),
            series,
            m,
            quarter,
            links,
        )
        warnings.extend(refused)
        results[m.id] = MeasureResult(m, series, analysis, points)
    return results


def _data_to(results: Mapping[str, MeasureResult], quarter: Quarter) -> Month | None:
    months: list[Month] = []
    for r in results.values():
        latest = latest_period(r.series, quarter)
        if latest is not None:
            months.append(latest if isinstance(latest, Month) else latest.last_month)
    return max(months) if months else None


def _inputs(store: Any, plan: Plan) -> _Inputs:
    needs_weights = any(m.aggregation == "harm_weighted" for m in plan.measures)
    needs_population = any(m.aggregation == "rate_per_1000" for m in plan.measures)
    needs_peers = any("comparison" in m.analyses for m in plan.measures)
    return _Inputs(
        weights=_weights(store) if needs_weights else None,
        population=_population(store, plan) if needs_population else {},
        peers=populations(store) if needs_peers else {},
    )


def _apply_overrides(
    project: Project, plan: Plan, results: dict[str, MeasureResult], warnings: list[Problem]
) -> tuple[dict[str, MeasureResult], list[KeyPoint]]:
    """Overrides over every key point at once; returns updated results and added points."""
    overrides = load_overrides(project.overrides_path)
    if not overrides:
        return results, []
    every = [kp for r in results.values() for kp in r.key_points]
    outcome = apply_overrides(every, overrides)
    warnings.extend(Problem(w) for w in outcome.warnings)
    by_measure: dict[str, list[KeyPoint]] = {}
    added: list[KeyPoint] = []
    for kp in outcome.key_points:
        if kp.kind == "override":
            added.append(kp)
        else:
            by_measure.setdefault(kp.measure, []).append(kp)
    updated = {
        mid: replace(r, key_points=rank(by_measure.get(mid, []), limit=None))
        for mid, r in results.items()
    }
    return updated, added


def plan_for_area(plan: Plan, area: str, falls_within: str | None = None) -> Plan:
    """``plan`` run for ``area`` instead of its own force (``metadata.area``): the area
    becomes ``metadata.area`` and replaces the plan's own force wherever the plan names it
    (a source's force or area, and the whole word in the title and organisation); a
    data.police.uk source naming no force or the plan's own counts the area's *Falls
    within* (``falls_within``: the store's name for the area, e.g. 'Essex Police'; the
    area's name if none) — named, so that a store holding one other force's data.police.uk
    rows is not read as this area's. A source naming another force stays as it is (forces
    are matched by :func:`~planwatch.store.measure_sql.same_force`). The plan itself, for
    its own area."""
    own = plan.metadata.area
    if same_force(area, own):
        return plan
    falls = falls_within or area
    word = re.compile(rf"\b{re.escape(own)}\b")

    def moved(source: Source) -> Source:
        if isinstance(source, PrcSource) and source.force and same_force(source.force, own):
            return source.model_copy(update={"force": area})
        if isinstance(source, PoliceUkSource) and (
            source.falls_within is None or same_force(source.falls_within, own)
        ):
            return source.model_copy(update={"falls_within": falls})
        if (
            isinstance(source, SeriesSource | RecordsSource)
            and source.area
            and same_force(source.area, own)
        ):
            return source.model_copy(update={"area": area})
        return source

    meta = plan.metadata
    metadata = meta.model_copy(
        update={
            "area": area,
            "title": word.sub(area, meta.title),
            "organisation": word.sub(area, meta.organisation),
        }
    )
    measures = tuple(m.model_copy(update={"source": moved(m.source)}) for m in plan.measures)
    return plan.model_copy(update={"metadata": metadata, "measures": measures})


def project_plan(project: Project, store: Any) -> Plan:
    """The project's plan, run for the project's area when it names one."""
    plan = load_plan(project.plan_path)
    if project.area is None:
        return plan
    names = (
        falls_within_names(store)
        if any(isinstance(m.source, PoliceUkSource) for m in plan.measures)
        else {}
    )
    return plan_for_area(plan, project.area, names.get(canonical_force(project.area) or ""))


def _priority_of(kp: KeyPoint, plan: Plan) -> tuple[int, ...]:
    if kp.priority is not None:
        return (kp.priority,)
    return tuple(p.number for p in plan.priorities if kp.measure in p.measures)


def run_analysis(project: Project, quarter: Quarter) -> AnalysisRun:
    """Analyse every measure of the project's plan for ``quarter``."""
    warnings: list[Problem] = []
    with reading(project, missing_ok=True) as store:
        plan = project_plan(project, store)
        inputs = _inputs(store, plan)
        results = _measure_results(store, plan, quarter, inputs, warnings)
    results, added = _apply_overrides(project, plan, results, warnings)
    priorities = []
    for p in plan.priorities:
        members = tuple(results[mid] for mid in p.measures if mid in results)
        extra = [kp for kp in added if p.number in _priority_of(kp, plan)]
        # the Commissioner's key points; notes on the data go to the analyst's notes
        points, notes = priority_points([kp for r in members for kp in r.key_points] + extra)
        priorities.append(
            PriorityResult(
                p,
                members,
                tuple(replace(kp, priority=p.number) for kp in points),
                tuple(replace(kp, priority=p.number) for kp in notes),
            )
        )
    return AnalysisRun(
        plan=plan,
        quarter=quarter,
        priorities=tuple(priorities),
        data_to=_data_to(results, quarter),
        warnings=tuple(warnings),
    )


def measure_table(
    project: Project, quarter: Quarter
) -> tuple[tuple[QuarterRow, ...], tuple[Problem, ...]]:
    """One :class:`~planwatch.measures.table.QuarterRow` per plan measure, and warnings."""
    rows: list[QuarterRow] = []
    warnings: list[Problem] = []
    with reading(project, missing_ok=True) as store:
        plan = project_plan(project, store)
        inputs = _inputs(store, plan)
        read = _read(store, plan, plan.measures)
        for m in plan.measures:
            try:
                series = series_for(store, plan, m, quarter, inputs, read)
            except PlanwatchError as exc:
                warnings.extend(exc.about(m.id))
                series = MeasureSeries(m.id, m.frequency, (), (), unit=m.unit)
            rows.append(quarter_row(series, m, quarter))
    return tuple(rows), tuple(warnings)


def _key_point_json(kp: KeyPoint) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(kp)
    data["fingerprint"] = fingerprint(kp.evidence)
    return data


def analysis_to_json(run: AnalysisRun) -> dict[str, Any]:
    """The whole run as JSON-ready data (``planwatch analyse --json``)."""
    return {
        "plan": run.plan.metadata.title,
        "quarter": run.quarter.label,
        "data_to": run.data_to.label if run.data_to else None,
        "warnings": [w.to_dict() for w in run.warnings],
        "priorities": [
            {
                "number": p.priority.number,
                "title": p.priority.title,
                "key_points": [_key_point_json(kp) for kp in p.key_points],
                "measures": [
                    {
                        "id": r.measure.id,
                        "name": r.measure.name,
                        "unit": r.measure.unit,
                        "polarity": r.measure.polarity,
                        # a record-based measure's definition in words; None for others
                        "definition": run.plan.measure_definition(r.measure.id),
                        "series": {
                            "periods": list(r.series.labels),
                            "values": to_jsonable(r.series.values),
                            "suspect": list(r.series.suspect),
                        },
                        "analysis": to_jsonable(r.analysis),
                        "key_points": [_key_point_json(kp) for kp in r.key_points],
                    }
                    for r in p.measures
                ],
            }
            for p in run.priorities
        ],
    }
