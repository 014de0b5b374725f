"""District breakdowns for a run: each count measure whose source has districts.

In: a :class:`~planwatch.project.Project` and the :class:`~planwatch.narrative.run.AnalysisRun`
of a quarter. Out: the same run with each measure's
:class:`~planwatch.measures.areas.AreaTable` on its result (``MeasureResult.areas``), for
the report's district table: read from the store by area
(``planwatch.store.selectors.area_frame``: records by their area column, data.police.uk by
local area, tidy series by their area, force-level rows left out), populations by area
where loaded, districts grouped into the plan's local policing areas. Only counts get one
(a sum of districts' rates or percentages means nothing), and only when at least
:data:`MIN_DISTRICTS` districts have the whole quarter.

A tidy series of a national file holds every force's own rows under the force's name:
for a force's plan (one plan run for each force, ``planwatch report-areas``) those are
other forces, no districts of this one, and are left out. For a plan of an area that is
no force (a region, the nation) the forces are its breakdown and are kept.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from planwatch.analysis.engine import is_count
from planwatch.measures.areas import AreaTable, area_table
from planwatch.narrative.run import AnalysisRun, MeasureResult
from planwatch.plan.models import Plan, SeriesSource
from planwatch.project import Project
from planwatch.services.peers import Populations, population_in, populations
from planwatch.store.connection import reading
from planwatch.store.names import canonical_force
from planwatch.store.selectors import area_frame

#: A breakdown of one district is the force figure again: none is shown.
MIN_DISTRICTS = 2


def _table(
    store: Any, plan: Plan, result: MeasureResult, run: AnalysisRun, pops: Populations
) -> AreaTable | None:
    measure = result.measure
    if not is_count(measure):
        return None
    frame = area_frame(store, plan, measure)
    if not frame.empty and isinstance(measure.source, SeriesSource):
        frame = _no_other_forces(frame, plan)
    if frame.empty:
        return None
    year = run.quarter.start.year  # the estimate for the calendar year the quarter starts in
    by_area = {
        area: pop for area, years in pops.items() if (pop := population_in(years, year)) is not None
    }
    table = area_table(
        frame, measure.id, run.quarter, populations=by_area, groups=plan.district_groups()
    )
    return table if len(table.rows) >= MIN_DISTRICTS else None


def _no_other_forces(frame: Any, plan: Plan) -> Any:
    """A series' rows by area less other forces' own rows, when the plan's area is a
    force (module docstring)."""
    if canonical_force(plan.metadata.area) is None:
        return frame
    forces = frame["area"].map(lambda area: canonical_force(str(area)) is not None)
    return frame[~forces]


def with_district_tables(project: Project, run: AnalysisRun) -> AnalysisRun:
    """``run`` with each count measure's district breakdown for its quarter (module docstring)."""
    if not project.store_path.exists():
        return run
    tables: dict[str, AreaTable | None] = {}
    with reading(project, missing_ok=True) as store:
        pops = populations(store)
        for p in run.priorities:
            for m in p.measures:
                if m.measure.id not in tables:
                    tables[m.measure.id] = _table(store, run.plan, m, run, pops)
    priorities = tuple(
        dataclasses.replace(
            p,
            measures=tuple(dataclasses.replace(m, areas=tables[m.measure.id]) for m in p.measures),
        )
        for p in run.priorities
    )
    return dataclasses.replace(run, priorities=priorities)
