"""District breakdowns for a run: each count measure whose source has districts.

In: a :class:`~planwatch.project.Project` and the :class:`~planwatch.narrative.run.AnalysisRun`
of a quarter. Out: the same run with each measure's
:class:`~planwatch.measures.areas.AreaTable` on its result (``MeasureResult.areas``), for
the report's district table: read from the store by area
(``planwatch.store.selectors.area_frame``: records by their area column, data.police.uk by
local area, tidy series by their area, force-level rows left out), populations by area
where loaded (by the area's name, case ignored: :func:`_populations`), districts grouped
into the plan's local policing areas; what is recorded against no area is the table's last
row, labelled :data:`~planwatch.measures.areas.NO_LOCATION` and unranked, so that the rows
add up to the force's count. Only counts get one
(a sum of districts' rates or percentages means nothing), and only when at least
:data:`MIN_DISTRICTS` districts have the whole quarter. The areas of every tidy series
are looked up first, in one query (``planwatch.store.selectors.series_areas``), and a
series' rows by area are read only when it has districts.

A tidy series of a national file holds every force's own rows under the force's name:
for a force's plan (one plan run for each force, ``planwatch report-areas``) those are
other forces, no districts of this one, and are left out. For a plan of an area that is
no force (a region, the nation) the forces are its breakdown and are kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from planwatch.analysis.engine import is_count
from planwatch.errors import PlanwatchError, Problem
from planwatch.measures.areas import AreaTable, area_table
from planwatch.narrative.run import AnalysisRun, MeasureResult
from planwatch.plan.models import Plan, SeriesSource
from planwatch.project import Project
from planwatch.services.peers import Populations, population_in, populations
from planwatch.store.connection import reading
from planwatch.store.names import canonical_force
from planwatch.store.selectors import area_frame, series_areas

#: A breakdown of one district is the force figure again: none is shown.
MIN_DISTRICTS = 2


def _table(
    store: Any,
    plan: Plan,
    result: MeasureResult,
    run: AnalysisRun,
    pops: Populations,
    held: Mapping[str, Sequence[str]],
    warnings: list[Problem],
) -> AreaTable | None:
    """The measure's district table; ``held``: each tidy series' areas in the store. A
    measure whose rows by area cannot be read has none, and its error is among the
    ``warnings`` (added unless the run's analysis already gave it)."""
    measure = result.measure
    if not is_count(measure):
        return None
    districts = None
    if isinstance(measure.source, SeriesSource):
        districts = _districts(held.get(measure.source.series.lower(), ()), plan)
        if len(districts) < MIN_DISTRICTS:
            return None  # no frame to read
    try:
        frame = area_frame(store, plan, measure)
    except PlanwatchError as exc:  # e.g. a store of several forces, none the plan's
        warnings.extend(p for p in exc.about(measure.id) if p not in warnings)
        return None
    if districts is not None:
        frame = frame[frame["area"].isin(districts)]
    if frame.empty:
        return None
    year = run.quarter.start.year  # the estimate for the calendar year the quarter starts in
    by_area = _populations(pops, {str(a) for a in frame["area"]}, year)
    table = area_table(
        frame, measure.id, run.quarter, populations=by_area, groups=plan.district_groups()
    )
    return table if len(table.districts) >= MIN_DISTRICTS else None


def _populations(pops: Populations, areas: set[str], year: int) -> dict[str, float]:
    """The population in ``year`` of each of ``areas`` that has one: the area's as stored,
    case ignored, or else its force's spelling's — the population file's force names are
    stored in the force's spelling (ingest), and a district can have a force's name: the
    'City of London' district's population is stored as the force's, 'London, City of'."""
    stored = {area.lower(): years for area, years in pops.items()}
    found: dict[str, float] = {}
    for area in areas:
        years = stored.get(area.lower())
        if years is None and (force := canonical_force(area)) is not None:
            years = stored.get(force.lower())
        if years is not None and (pop := population_in(years, year)) is not None:
            found[area] = pop
    return found


def _districts(areas: Sequence[str], plan: Plan) -> list[str]:
    """Which of a tidy series' areas are districts of the plan's area: not the area
    itself, nor another force when the plan's area is a force (module docstring)."""
    own = plan.metadata.area.lower()
    a_force = canonical_force(plan.metadata.area) is not None
    return [
        a for a in areas if a.lower() != own and not (a_force and canonical_force(a) is not None)
    ]


def with_district_tables(project: Project, run: AnalysisRun) -> AnalysisRun:
    """``run`` with each count measure's district breakdown for its quarter (module docstring)."""
    if not project.store_path.exists():
        return run
    series = [
        m.measure.source.series
        for p in run.priorities
        for m in p.measures
        if isinstance(m.measure.source, SeriesSource) and is_count(m.measure)
    ]
    tables: dict[str, AreaTable | None] = {}
    warnings = list(run.warnings)
    with reading(project, missing_ok=True) as store:
        pops = populations(store)
        held = series_areas(store, series) if series else {}
        for p in run.priorities:
            for m in p.measures:
                if m.measure.id not in tables:
                    tables[m.measure.id] = _table(store, run.plan, m, run, pops, held, warnings)
    priorities = tuple(
        dataclasses.replace(
            p,
            measures=tuple(dataclasses.replace(m, areas=tables[m.measure.id]) for m in p.measures),
        )
        for p in run.priorities
    )
    return dataclasses.replace(run, priorities=priorities, warnings=tuple(warnings))
