"""Share tables for a run: each record-based share whose plan names ``table_by``.

In: a :class:`~planwatch.project.Project` and the :class:`~planwatch.narrative.run.AnalysisRun`
of a quarter. Out: the same run with each such measure's
:class:`~planwatch.measures.workforce.SnapshotTable` on its result
(``MeasureResult.share_table``), for the report's table of the share by group — the
workforce table of a quarterly update: the share by staff group at the report's quarter
and at the same quarter a year earlier, the difference in percentage points, all groups
pooled, and the measure's benchmark with the gap to it. Both columns are stocks counted
at their period's last day (30 June 2023 and 30 June 2022 for 2023/24 Q1): the
measure's frame by the ``table_by`` column is read from the store once per measure
(:func:`planwatch.store.records.records_frame` with ``by=``), with the measure's own
filters. A measure counted by month is set side by side at each quarter's last month.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from planwatch.measures.workforce import SnapshotTable, snapshot_table
from planwatch.narrative.run import AnalysisRun, MeasureResult
from planwatch.periods import Month, Quarter
from planwatch.plan.models import RecordsSource
from planwatch.project import Project
from planwatch.store.connection import reading
from planwatch.store.records import records_frame
from planwatch.store.selectors import record_query

if TYPE_CHECKING:
    import duckdb


def _periods(result: MeasureResult, quarter: Quarter) -> tuple[Month | Quarter, Month | Quarter]:
    """The quarter a year before ``quarter`` and ``quarter``, as the measure counts them."""
    before = quarter.same_quarter_last_year
    if result.measure.frequency == "month":
        return before.last_month, quarter.last_month
    return before, quarter


def _table(
    store: duckdb.DuckDBPyConnection, run: AnalysisRun, result: MeasureResult
) -> SnapshotTable | None:
    measure = result.measure
    source = measure.source
    if not isinstance(source, RecordsSource) or source.table_by is None:
        return None
    frame = records_frame(
        store, record_query(run.plan, measure), run.plan.metadata.area, by=source.table_by
    )
    if frame.empty:
        return None
    first, second = _periods(result, run.quarter)
    table = snapshot_table(frame, measure.id, first, second, benchmark=measure.benchmark)
    pooled = table.rows[-1]
    return None if pooled.first is None and pooled.second is None else table


def with_share_tables(project: Project, run: AnalysisRun) -> AnalysisRun:
    """``run`` with each ``table_by`` share's table for its quarter (module docstring)."""
    if not project.store_path.exists():
        return run
    tables: dict[str, SnapshotTable | None] = {}
    with reading(project, missing_ok=True) as store:
        for p in run.priorities:
            for m in p.measures:
                if m.measure.id not in tables:
                    tables[m.measure.id] = _table(store, run, m)
    if not any(tables.values()):
        return run
    priorities = tuple(
        dataclasses.replace(
            p,
            measures=tuple(
                dataclasses.replace(m, share_table=tables[m.measure.id]) for m in p.measures
            ),
        )
        for p in run.priorities
    )
    return dataclasses.replace(run, priorities=priorities)
