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
  summed over local areas and outcomes. No crime types selected means
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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
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
from planwatch.store.names import canonical_force, canonical_group
from planwatch.store.records import records_frame, records_sql

if TYPE_CHECKING:  # pandas is imported where a frame is built (fast start-up)
    import pandas as pd

MEASURE_COLUMNS = MEASURE_FRAME_COLUMNS

#: data.police.uk's crime type for anti-social behaviour incidents.
ASB_CRIME_TYPE = "Anti-social behaviour"


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


@dataclass(frozen=True)
class MeasurePeriods:
    """What the store holds for one measure, summed up from :func:`measure_frame`'s query:
    the frequency of its first row (``None`` with no rows), the distinct period starts in
    order, and the number of rows held out of analysis as suspect."""

    frequency: str | None
    starts: tuple[date, ...]
    suspect: int


#: A measure with no rows stored.
NO_PERIODS = MeasurePeriods(None, (), 0)


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
        branches, errors = _branches(con, plan, chosen)
        rows: dict[int, tuple[Any, ...]] = {}
        if branches:
            sql, params = _union(branches)
            rows = {
                int(r[0]): r[1:]
                for r in con.execute(
                    f"""SELECT _m, first(frequency ORDER BY period_start),
                               list(DISTINCT period_start::DATE ORDER BY period_start::DATE),
                               count(*) FILTER (WHERE status = 'suspect')
                        FROM ({sql}) GROUP BY _m""",
                    params,
                ).fetchall()
            }
    out: dict[str, MeasurePeriods | PlanwatchError] = {}
    for k, m in enumerate(chosen):
        if m.id in errors:
            out[m.id] = errors[m.id]
        elif k in rows:
            frequency, starts, suspect = rows[k]
            out[m.id] = MeasurePeriods(frequency, tuple(starts or ()), int(suspect or 0))
        else:
            out[m.id] = NO_PERIODS
    return out


def _branches(
    con: duckdb.DuckDBPyConnection, plan: Plan, measures: Sequence[Measure]
) -> tuple[list[tuple[int | None, str, Any]], dict[str, PlanwatchError]]:
    """Each measure's query tagged with its position (``None``: the query selects ``_m``
    itself — every tidy series at once, one join), and the errors of those that have none."""
    errors = _level_errors(con, plan, measures)
    branches: list[tuple[int | None, str, Any]] = []
    series: list[tuple[int, SeriesSource]] = []
    for k, m in enumerate(measures):
        if m.id in errors:
            continue
        if isinstance(m.source, SeriesSource):
            series.append((k, m.source))
            continue
        try:
            query = _measure_sql(con, plan, m)
        except PlanwatchError as exc:
            errors[m.id] = exc
            continue
        if query is not None:
            branches.append((k, *query))
    if series:
        branches.append((None, *_series_sql(series, plan.metadata.area)))
    return branches, errors


#: A named parameter (``$name``) in the selectors' SQL.
_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


def _union(branches: Sequence[tuple[int | None, str, Any]]) -> tuple[str, list[Any]]:
    """One ``UNION ALL`` of the branches with a ``_m`` column (the measure's position),
    every parameter made positional, in order (DuckDB binds one style per query)."""
    parts: list[str] = []
    params: list[Any] = []
    for k, sql, given in branches:
        if isinstance(given, Mapping):
            names = given

            def bind(match: re.Match[str], names: Mapping[str, Any] = names) -> str:
                params.append(names[match.group(1)])
                return "?"

            sql = _NAMED.sub(bind, sql)
        else:
            params.extend(given)
        parts.append(
            f"""SELECT {"_m" if k is None else k} AS _m, period_start::DATE AS period_start, frequency, area, category,
                       value::DOUBLE AS value, numerator::DOUBLE AS numerator,
                       denominator::DOUBLE AS denominator, status FROM ({sql})"""
        )
    return "\nUNION ALL\n".join(parts), params


def _measure_sql(con: duckdb.DuckDBPyConnection, plan: Plan, m: Measure) -> tuple[str, Any] | None:
    """The one query behind a measure's rows and its parameters (``None``: nothing stored);
    a tidy series' force-level rows are checked beforehand, by :func:`_level_errors`."""
    source = m.source
    if isinstance(source, RecordsSource):
        return records_sql(con, record_query(plan, m), plan.metadata.area)
    if isinstance(source, PrcSource):
        return _prc_sql(source, plan)
    if isinstance(source, PoliceUkSource):
        return _police_uk_sql(source)
    raise AssertionError(f"tidy series are read together, not by measure: {m.id}")


def area_frame(con_or_store: StoreRef, plan: Plan, measure: Measure | str) -> pd.DataFrame:
    """The measure's data by area below the force (district, local area), one row per
    period and area, for a breakdown table: records by their area column, data.police.uk
    by local area (from the LSOA name), tidy series by their area (the force-level rows
    left out). PRC has no areas below the force: an empty frame."""
    import pandas as pd

    m = _measure(plan, measure)
    source = m.source
    with reading(con_or_store, missing_ok=True) as con:
        if isinstance(source, RecordsSource):
            frame = records_frame(con, record_query(plan, m), plan.metadata.area, by_area=True)
        elif isinstance(source, PoliceUkSource):
            sql, params = _police_uk_sql(source, by_area=True)
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
            parts += [f'SELECT DISTINCT "{column}" FROM "{table}"' for table, column in tables]
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


def _lower_list(values: tuple[str, ...]) -> list[str]:
    return [v.strip().lower() for v in values]


def _prc_sql(source: PrcSource, plan: Plan) -> tuple[str, Any]:
    force_name = source.force or plan.metadata.area
    force = canonical_force(force_name) or force_name
    codes = _lower_list(source.offence_codes)
    subgroups = _lower_list(source.offence_subgroups)
    groups = [canonical_group(g).lower() for g in source.offence_groups]
    if codes or subgroups:
        sql = """
            SELECT period_start, 'quarter' AS frequency, force AS area,
                   CASE WHEN lower(offence_code) IN (SELECT unnest($codes)) THEN offence_code
                        WHEN lower(offence_subgroup) IN (SELECT unnest($subgroups)) THEN offence_subgroup
                        ELSE offence_group END AS category,
                   sum(count) AS value, NULL AS numerator, NULL AS denominator, 'ok' AS status
            FROM prc_offences
            WHERE level = 'offence' AND lower(force) = lower($force)
              AND (lower(offence_code) IN (SELECT unnest($codes))
                   OR lower(offence_subgroup) IN (SELECT unnest($subgroups))
                   OR lower(offence_group) IN (SELECT unnest($groups)))
            GROUP BY ALL ORDER BY period_start, category
        """
        return sql, {"force": force, "codes": codes, "subgroups": subgroups, "groups": groups}
    sql = """
            WITH sel AS (
                SELECT * FROM prc_offences
                WHERE lower(force) = lower($force)
                  AND (len($groups) = 0 OR lower(offence_group) IN (SELECT unnest($groups)))
            ), grouped AS (SELECT DISTINCT period_start FROM sel WHERE level = 'group')
            SELECT period_start, 'quarter' AS frequency, force AS area, offence_group AS category,
                   sum(count) AS value, NULL AS numerator, NULL AS denominator, 'ok' AS status
            FROM sel
            WHERE level = 'group' OR period_start NOT IN (SELECT period_start FROM grouped)
            GROUP BY ALL ORDER BY period_start, category
        """
    return sql, {"force": force, "groups": groups}


def _police_uk_sql(source: PoliceUkSource, *, by_area: bool = False) -> tuple[str, Any]:
    """``by_area``: rows by local area (district from the LSOA name) instead of force."""
    types = _lower_list(source.crime_types)
    area = "area" if by_area else "falls_within"
    sql = f"""
        SELECT month AS period_start, 'month' AS frequency, {area} AS area, crime_type AS category,
               sum(count) AS value, NULL AS numerator, NULL AS denominator, 'ok' AS status
        FROM police_uk_counts
        WHERE ($falls IS NULL OR lower(falls_within) = lower($falls))
          AND (CASE WHEN len($types) = 0 THEN lower(crime_type) <> lower($asb)
                    ELSE lower(crime_type) IN (SELECT unnest($types)) END)
        GROUP BY ALL ORDER BY period_start, area, category
    """
    return sql, {"falls": source.falls_within, "types": types, "asb": ASB_CRIME_TYPE}


def _series_sql(series: Sequence[tuple[int, SeriesSource]], force: str) -> tuple[str, Any]:
    """The rows of every tidy series measure (``_m``: its position) in one join: one area's
    rows, or — with no area named — the force-level rows only ('' or the plan's area):
    district rows are never added into a force total."""
    sql = """
        SELECT w._m, o.period_start, o.period_kind AS frequency, o.area, o.series AS category,
               o.value, o.numerator, o.denominator, o.status
        FROM (SELECT unnest(?::INTEGER[]) AS _m, unnest(?::VARCHAR[]) AS wanted,
                     unnest(?::VARCHAR[]) AS wanted_area) w
        JOIN observations o ON lower(o.series) = lower(w.wanted)
        WHERE o.status <> 'rejected'
          AND (CASE WHEN w.wanted_area IS NULL THEN o.area = '' OR lower(o.area) = lower(?)
                    ELSE lower(o.area) = lower(w.wanted_area) END)
    """
    return sql, [
        [k for k, _ in series],
        [source.series for _, source in series],
        [source.area for _, source in series],
        force,
    ]


def _level_errors(
    con: duckdb.DuckDBPyConnection, plan: Plan, measures: Sequence[Measure]
) -> dict[str, PlanwatchError]:
    """The force-level check of every tidy series read for the force as a whole, in one
    query: such a series must have force-level rows, each period once (not a blank area
    and the force's name both). Rows of other forces (a national file) are no districts:
    with none of its own the series simply has no data for this force."""
    force = plan.metadata.area
    checked = [
        (k, m.id, m.source.series)
        for k, m in enumerate(measures)
        if isinstance(m.source, SeriesSource) and m.source.area is None
    ]
    if not checked:
        return {}
    rows = con.execute(
        """WITH wanted AS (
               SELECT unnest(?::INTEGER[]) AS k, unnest(?::VARCHAR[]) AS wanted
           ), held AS (
               SELECT w.k, o.area, o.period_label,
                      o.area = '' OR lower(o.area) = lower(?) AS force_level
               FROM wanted w JOIN observations o ON lower(o.series) = lower(w.wanted)
               WHERE o.status <> 'rejected'
           ), doubled AS (
               SELECT k, min(period_label) AS label FROM (
                   SELECT k, period_label FROM held WHERE force_level
                   GROUP BY k, period_label HAVING count(DISTINCT area) > 1)
               GROUP BY k
           )
           SELECT k, count(*) FILTER (WHERE force_level),
                  list(DISTINCT area ORDER BY area) FILTER (WHERE NOT force_level),
                  any_value(doubled.label)
           FROM held LEFT JOIN doubled USING (k) GROUP BY k""",
        [[k for k, _, _ in checked], [series for _, _, series in checked], force],
    ).fetchall()
    found = {int(k): (n, districts, doubled) for k, n, districts, doubled in rows}
    errors: dict[str, PlanwatchError] = {}
    for k, measure_id, series in checked:
        force_rows, areas, doubled = found.get(k, (0, None, None))
        districts = [a for a in areas or () if canonical_force(a) is None]
        if not force_rows and districts:
            errors[measure_id] = PlanError(
                f"series '{series}' has rows only for areas {', '.join(districts[:5])}"
                + (" ..." if len(districts) > 5 else "")
                + f", none for {force} as a whole; district rows are not added into a force total",
                expected="'area:' on the measure's source for one area, or force-level rows "
                "(area blank or the force's name) in the measures file",
            )
        elif doubled:
            errors[measure_id] = PlanError(
                f"series '{series}' has two force-level rows for {doubled}: one with a blank "
                f"area and one for '{force}'",
                expected="one force-level row per period (area blank or the force's name, not both)",
            )
    return errors
