"""Reads from the project store for the rest of the pipeline (no writes here).

In: a store reference (open DuckDB connection, ``.duckdb`` path, project folder
or :class:`~planwatch.project.Project`), and for :func:`measure_frame` the plan
and one of its measures.
Out: pandas DataFrames with fixed columns, aggregated in SQL; for the analysis,
:func:`measure_rows`, the same rows as plain columns (no pandas); and for
``planwatch status`` :func:`measure_periods`, the same measure query summed up in SQL
(frequency, periods held, suspect rows) without building a frame, so pandas is not
imported (it is imported only where a frame is built).

``measure_frame`` columns (one row per period, area and category):

=============  ==============================================================
period_start   ``datetime.date``: first day of the month or quarter
frequency      ``'month'`` or ``'quarter'``
area           force (PRC), *Falls within* (police.uk) or area (series, '' if none)
category       offence code / subgroup / group (PRC), crime type (police.uk),
               series name (series)
value          the count or the observed value (float)
numerator      series only, else NaN
denominator    series only, else NaN
status         ``ok``, ``confirmed`` or ``suspect`` (suspect: hold out of analysis)
=============  ==============================================================

Source rules:

* PRC: quarterly. Selecting offence codes or subgroups reads the offence-level
  table (category = code, or subgroup). Selecting groups or nothing ("all
  offences") gives one row per offence group; for a quarter covered by the
  group-level compilation that table is used, otherwise the offence-level rows
  summed by group — never both, so nothing is counted twice.
* police.uk: monthly counts by crime type (``police_uk_counts``, counted at ingest),
  summed over local areas and outcomes, for ONE force: the source's ``falls_within``, or
  with none the plan's force — the store's only force, or of several the one that is the
  plan's area ('Essex' is 'Essex Police': ``measure_sql.same_force``); several forces none
  or more than one of which is the plan's area is the measure's error, listing them
  (forces are never added together). No crime types selected means
  all crime *excluding* anti-social behaviour; ``Anti-social behaviour`` selects ASB.
* series: observations of the named series for the area given, or with none given for
  the force as a whole (area blank or the plan's area) — district rows are never added
  into a force total, and a series with only district rows, or with both a blank and a
  named force-level row for one period, is an error; rejected values are left out,
  suspect values are returned with ``status='suspect'``.
* records: the measure's definition counted over its record source by one
  parameterised query (:mod:`planwatch.store.records`), one row per covered period.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import NotFoundError, PlanError, PlanwatchError, Problem
from planwatch.frames import MEASURE_FRAME_COLUMNS
from planwatch.plan.models import (
    Measure,
    Plan,
    PoliceUkSource,
    PrcSource,
    RecordsSource,
    SeriesSource,
)
from planwatch.plan.records import DefinitionError, RecordQuery, compile_query
from planwatch.store.connection import StoreRef, reading
from planwatch.store.measure_sql import (
    ASB_CRIME_TYPE,
    NO_PERIODS,
    Branch,
    MeasurePeriods,
    measure_branches,
    periods_of,
    plan_falls_within,
    police_uk_forces,
    police_uk_sql,
    prc_sql,
)
from planwatch.store.measure_sql import union as _union
from planwatch.store.names import canonical_force
from planwatch.store.records import records_frame, records_sql
from planwatch.store.schema import record_relation

if TYPE_CHECKING:  # pandas is imported where a frame is built (fast start-up)
    import pandas as pd

MEASURE_COLUMNS = MEASURE_FRAME_COLUMNS

__all__ = ["ASB_CRIME_TYPE", "NO_PERIODS", "MeasurePeriods"]  # kept here for their users


def measure_frame(con_or_store: StoreRef, plan: Plan, measure: Measure | str) -> pd.DataFrame:
    """The stored data behind one measure, ordered by period, area and category."""
    m = _measure(plan, measure)
    return measure_frames(con_or_store, plan, (m,)).frame(m.id)


class MeasureFrames:
    """The frames of many measures read in one query (:func:`measure_frames`). A measure
    whose query could not be built (a plan error, records not loaded as the plan maps
    them) keeps its error, raised when its frame is asked for, so one bad measure does
    not stop the others being read."""

    def __init__(
        self, frames: Mapping[str, pd.DataFrame], errors: Mapping[str, PlanwatchError]
    ) -> None:
        self._frames = dict(frames)
        self._errors = dict(errors)

    def frame(self, measure_id: str) -> pd.DataFrame:
        """The measure's frame (a copy: callers may change it), or its error raised."""
        if measure_id in self._errors:
            raise self._errors[measure_id]
        try:
            return self._frames[measure_id].copy()
        except KeyError:
            raise NotFoundError(f"measure '{measure_id}' was not read") from None


def measure_frames(
    con_or_store: StoreRef, plan: Plan, measures: Sequence[Measure] | None = None
) -> MeasureFrames:
    """:func:`measure_frame` for many measures (all the plan's by default) in ONE query:
    each measure's query becomes a branch of a ``UNION ALL`` tagged with its position,
    and the result is split by measure. The force-level checks of tidy series are one
    query too (:func:`_level_errors`)."""
    import pandas as pd

    chosen = tuple(plan.measures if measures is None else measures)
    with reading(con_or_store, missing_ok=True) as con:
        branches, errors = _branches(con, plan, chosen)
        if branches:
            sql, params = _union(branches)
            frame = con.execute(
                f"SELECT * FROM ({sql}) ORDER BY _m, period_start, area, category", params
            ).df()
        else:
            frame = pd.DataFrame(columns=["_m", *MEASURE_COLUMNS])
    frame = _finish(frame, keep=("_m",))
    # sorted by _m: each measure's rows are one slice
    tags = frame["_m"].to_numpy(dtype="int64")
    body = frame.drop(columns="_m")
    starts = tags.searchsorted(range(len(chosen)), side="left")
    ends = tags.searchsorted(range(len(chosen)), side="right")
    empty = _finish(body.iloc[:0])  # the same columns and types as a measure read alone
    frames = {
        m.id: body.iloc[starts[k] : ends[k]].reset_index(drop=True)
        if ends[k] > starts[k]
        else empty
        for k, m in enumerate(chosen)
        if m.id not in errors
    }
    return MeasureFrames(frames, errors)


#: A measure's rows as plain columns, by name (:data:`MEASURE_COLUMNS`): the lists a
#: frame's columns would give, read without pandas.
Columns = dict[str, list[Any]]


class MeasureRows:
    """The rows of many measures read in one query (:func:`measure_rows`), each measure's
    as plain columns; a measure whose query could not be built keeps its error, raised when
    its rows are asked for (as :class:`MeasureFrames`)."""

    def __init__(self, columns: Mapping[str, Columns], errors: Mapping[str, PlanwatchError]):
        self._columns = dict(columns)
        self._errors = dict(errors)

    def columns(self, measure_id: str) -> Columns:
        """The measure's columns (new lists: callers may change them), or its error raised."""
        if measure_id in self._errors:
            raise self._errors[measure_id]
        try:
            held = self._columns[measure_id]
        except KeyError:
            raise NotFoundError(f"measure '{measure_id}' was not read") from None
        return {name: list(values) for name, values in held.items()}


def measure_rows(
    con_or_store: StoreRef, plan: Plan, measures: Sequence[Measure] | None = None
) -> MeasureRows:
    """:func:`measure_frames` without pandas, for the analysis (fast start-up): the same
    one query, each measure's rows in the same order as its frame, as plain columns —
    ``period_start`` a ``datetime.date``, a number NULL in the store ``None`` (NaN in a
    frame), the text columns as stored."""
    chosen = tuple(plan.measures if measures is None else measures)
    rows: list[tuple[Any, ...]] = []
    with reading(con_or_store, missing_ok=True) as con:
        branches, errors = _branches(con, plan, chosen)
        if branches:
            sql, params = _union(branches)
            rows = con.execute(
                f"SELECT _m, {', '.join(MEASURE_COLUMNS)} FROM ({sql}) "
                "ORDER BY _m, period_start, area, category",
                params,
            ).fetchall()
    by_measure: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_measure.setdefault(row[0], []).append(row[1:])
    columns: dict[str, Columns] = {}
    for k, m in enumerate(chosen):
        if m.id in errors:
            continue
        held = list(zip(*by_measure.get(k, ()), strict=True)) or [()] * len(MEASURE_COLUMNS)
        columns[m.id] = {c: list(v) for c, v in zip(MEASURE_COLUMNS, held, strict=True)}
    return MeasureRows(columns, errors)


def measure_periods(con_or_store: StoreRef, plan: Plan, measure: Measure | str) -> MeasurePeriods:
    """The periods the store holds for one measure (for ``planwatch status``): the same
    query and the same errors as :func:`measure_frame`, summed up in SQL, no frame built."""
    m = _measure(plan, measure)
    held = measures_periods(con_or_store, plan, (m,))[m.id]
    if isinstance(held, PlanwatchError):
        raise held
    return held


def measures_periods(
    con_or_store: StoreRef, plan: Plan, measures: Sequence[Measure] | None = None
) -> dict[str, MeasurePeriods | PlanwatchError]:
    """:func:`measure_periods` of many measures (all the plan's by default) in one query;
    a measure whose query could not be built has its error instead."""
    chosen = tuple(plan.measures if measures is None else measures)
    with reading(con_or_store, missing_ok=True) as con:
        found, errors = _branches(con, plan, chosen)
        return periods_of(con, found, errors, [m.id for m in chosen])


def _branches(
    con: duckdb.DuckDBPyConnection, plan: Plan, measures: Sequence[Measure]
) -> tuple[list[Branch], dict[str, PlanwatchError]]:
    """Each measure's query tagged with its position (``None``: the query selects ``_m``
    itself — every tidy series at once, one join), and the errors of those that have none."""
    return measure_branches(con, plan.metadata.area, measures, lambda m: _measure_sql(con, plan, m))


def _measure_sql(con: duckdb.DuckDBPyConnection, plan: Plan, m: Measure) -> tuple[str, Any] | None:
    """The one query behind a measure's rows and its parameters (``None``: nothing stored);
    a tidy series' force-level rows are checked beforehand, by :func:`_level_errors`."""
    source = m.source
    if isinstance(source, RecordsSource):
        return records_sql(con, record_query(plan, m), plan.metadata.area)
    if isinstance(source, PrcSource):
        return _prc_sql(source, plan)
    # tidy series are read together, data.police.uk for its one force (measure_branches)
    raise AssertionError(f"not a records or PRC measure: {m.id} ({source.kind})")


def area_frame(con_or_store: StoreRef, plan: Plan, measure: Measure | str) -> pd.DataFrame:
    """The measure's data by area below the force (district, local area), one row per
    period and area, for a breakdown table: records by their area column, data.police.uk
    by local area (from the LSOA name) of its one force (as :func:`measure_frame`; the
    same error when the store's forces leave it unclear), tidy series by their area (the
    force-level rows left out). PRC has no areas below the force: an empty frame. An area
    of '' holds what is recorded against no area (data.police.uk: crimes published with
    no location)."""
    import pandas as pd

    m = _measure(plan, measure)
    source = m.source
    with reading(con_or_store, missing_ok=True) as con:
        if isinstance(source, RecordsSource):
            frame = records_frame(con, record_query(plan, m), plan.metadata.area, by_area=True)
        elif isinstance(source, PoliceUkSource):
            forces = () if source.falls_within is not None else police_uk_forces(con)
            force = plan_falls_within(forces, source, plan.metadata.area, m.id)
            if force is None:
                frame = pd.DataFrame()
            else:
                sql, params = police_uk_sql(source, force, by_area=True)
                frame = con.execute(sql, params).df()
        elif isinstance(source, SeriesSource):
            frame = con.execute(
                """SELECT period_start, period_kind AS frequency, area, series AS category,
                          value, numerator, denominator, status FROM observations
                   WHERE lower(series) = lower($series) AND status <> 'rejected'
                     AND area <> '' AND lower(area) <> lower($force)
                   ORDER BY period_start, area""",
                {"series": source.series, "force": plan.metadata.area},
            ).df()
        else:
            frame = pd.DataFrame()
    return _finish(frame)


def series_areas(con_or_store: StoreRef, series: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The areas (not blank) each of the tidy ``series`` has rows for, by the series' name
    in lower case, in one query: whether a breakdown by area is worth reading at all."""
    with reading(con_or_store, missing_ok=True) as con:
        rows = con.execute(
            """SELECT DISTINCT lower(series), area FROM observations
               WHERE lower(series) IN (SELECT unnest(?::VARCHAR[]))
                 AND status <> 'rejected' AND area <> ''
               ORDER BY 1, 2""",
            [sorted({s.lower() for s in series})],
        ).fetchall()
    found: dict[str, list[str]] = {}
    for name, area in rows:
        found.setdefault(str(name), []).append(str(area))
    return {name: tuple(areas) for name, areas in found.items()}


def record_query(plan: Plan, measure: Measure) -> RecordQuery:
    """A record-based measure's definition compiled against its record source (plan errors raised)."""
    assert isinstance(measure.source, RecordsSource)
    try:
        source_def = plan.record_source(measure.source.records)
    except KeyError:
        raise PlanError(
            f"measure '{measure.id}' counts record source '{measure.source.records}', "
            "which the plan does not define",
            expected="a name under 'record_sources:'",
        ) from None
    try:
        return compile_query(measure, source_def, plan.metadata.area)
    except DefinitionError as exc:
        raise PlanError(
            problems=[
                Problem(
                    f"measure '{measure.id}': {p.message}",
                    expected=p.expected,
                    suggestion=p.suggestion,
                )
                for p in exc.problems
            ]
        ) from None


def weights_frame(con_or_store: StoreRef) -> pd.DataFrame:
    """Offence weights: offence_code, offence, policeuk_category, weight."""
    return _frame(
        con_or_store,
        "SELECT offence_code, offence, policeuk_category, weight FROM offence_weights ORDER BY offence_code",
    )


def offence_codes_frame(con_or_store: StoreRef) -> pd.DataFrame:
    """Home Office offence code lookup: code, description, group, subgroup, police.uk category."""
    return _frame(
        con_or_store,
        "SELECT offence_code, offence_description, offence_group, offence_subgroup, policeuk_category "
        "FROM offence_codes ORDER BY offence_code",
    )


def population_frame(con_or_store: StoreRef, area: str | None = None) -> pd.DataFrame:
    """Population by area and year: area, year, population (optionally one area)."""
    sql = "SELECT area, year, population FROM population"
    params: list[Any] = []
    if area is not None:
        sql += " WHERE lower(area) = lower(?)"
        params.append(canonical_force(area) or area)
    return _frame(con_or_store, sql + " ORDER BY area, year", params)


def loads_frame(con_or_store: StoreRef) -> pd.DataFrame:
    """Every load, newest last: load_id, file_name, sha256, source_kind, rows,
    period_first, period_last, periods_covered, loaded_at, replaced_load_id, note."""
    return _frame(con_or_store, "SELECT * FROM loads ORDER BY load_id")


def revisions_frame(con_or_store: StoreRef) -> pd.DataFrame:
    """Figures newer releases changed: load_id, replaced_load_id, table_name, key, old_value, new_value."""
    return _frame(con_or_store, "SELECT * FROM revisions ORDER BY load_id, table_name, key")


def warnings_frame(con_or_store: StoreRef) -> pd.DataFrame:
    """Warnings raised while loading: load_id, file_name, row_number, field, message."""
    return _frame(con_or_store, "SELECT * FROM load_warnings ORDER BY load_id, row_number")


def plan_areas(con_or_store: StoreRef, plan: Plan) -> dict[str, tuple[str, ...]]:
    """The forces the store holds data for in the plan's kinds of source: the areas the
    plan can be run for (``planwatch report-areas``). Keyed by the store's canonical
    force name (:func:`~planwatch.store.names.canonical_force`), in name order, each with
    the spellings found (data.police.uk's *Falls within* says 'Essex Police'). Names that
    are no known force (districts, local areas of a tidy series or record source) are left
    out."""
    sources = [m.source for m in plan.measures]
    parts = []
    if any(isinstance(s, PrcSource) for s in sources):
        parts.append("SELECT DISTINCT force AS name FROM prc_offences")
    if any(isinstance(s, PoliceUkSource) for s in sources):
        parts.append("SELECT DISTINCT falls_within FROM police_uk_counts")
    if any(isinstance(s, SeriesSource) for s in sources):
        parts.append("SELECT DISTINCT area FROM observations WHERE area <> ''")
    by_force = {
        s.records
        for s in sources
        if isinstance(s, RecordsSource)
        and s.records in plan.record_source_names()
        and plan.record_source(s.records).area_is_force
    }
    with reading(con_or_store, missing_ok=True) as con:
        if by_force:
            tables = con.execute(
                "SELECT table_name, area_column FROM record_sources "
                "WHERE name IN (SELECT unnest(?::VARCHAR[])) AND area_column IS NOT NULL",
                [sorted(by_force)],
            ).fetchall()
            parts += [
                f'SELECT DISTINCT "{column}" FROM {record_relation(con, table, [column])}'
                for table, column in tables
            ]
        names = [row[0] for row in con.execute(" UNION ".join(parts)).fetchall()] if parts else []
    found: dict[str, set[str]] = {}
    for name in names:
        if name is not None and (force := canonical_force(str(name))) is not None:
            found.setdefault(force, set()).add(str(name))
    return {force: tuple(sorted(found[force])) for force in sorted(found)}


def falls_within_names(con_or_store: StoreRef) -> dict[str, str]:
    """data.police.uk's name (*Falls within*, e.g. 'Essex Police') of each force it holds,
    by the store's canonical force name."""
    with reading(con_or_store, missing_ok=True) as con:
        rows = con.execute("SELECT DISTINCT falls_within FROM police_uk_counts").fetchall()
    return {f: str(name) for (name,) in sorted(rows) if (f := canonical_force(str(name)))}


# --- internals -------------------------------------------------------------------


def _measure(plan: Plan, measure: Measure | str) -> Measure:
    if isinstance(measure, Measure):
        return measure
    try:
        return plan.measure(measure)
    except KeyError:
        raise NotFoundError(f"no measure '{measure}' in the plan") from None


def _frame(con_or_store: StoreRef, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    with reading(con_or_store, missing_ok=True) as con:
        return con.execute(sql, params or []).df()


def _finish(frame: pd.DataFrame, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """The frame in the measure frame's columns and types (and the ``keep`` columns first)."""
    import pandas as pd

    columns = [*keep, *MEASURE_COLUMNS]
    if frame.empty:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="float64" if c in ("value", "numerator", "denominator") else "object"
                )
                for c in columns
            }
        )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype("float64")
    return frame[columns].reset_index(drop=True)


def _prc_sql(source: PrcSource, plan: Plan) -> tuple[str, Any]:
    return prc_sql(source, plan.metadata.area)
