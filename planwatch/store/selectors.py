"""Reads from the project store for the rest of the pipeline (no writes here).

In: a store reference (open DuckDB connection, ``.duckdb`` path, project folder
or :class:`~planwatch.project.Project`), and for :func:`measure_frame` the plan
and one of its measures.
Out: pandas DataFrames with fixed columns, aggregated in SQL; and for
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

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import NotFoundError, PlanError, Problem
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
    import pandas as pd

    m = _measure(plan, measure)
    with reading(con_or_store, missing_ok=True) as con:
        query = _measure_sql(con, plan, m)
        frame = pd.DataFrame() if query is None else con.execute(*query).df()
    return _finish(frame)


@dataclass(frozen=True)
class MeasurePeriods:
    """What the store holds for one measure, summed up from :func:`measure_frame`'s query:
    the frequency of its first row (``None`` with no rows), the distinct period starts in
    order, and the number of rows held out of analysis as suspect."""

    frequency: str | None
    starts: tuple[date, ...]
    suspect: int


def measure_periods(con_or_store: StoreRef, plan: Plan, measure: Measure | str) -> MeasurePeriods:
    """The periods the store holds for one measure (for ``planwatch status``): the same
    query and the same errors as :func:`measure_frame`, summed up in SQL, no frame built."""
    m = _measure(plan, measure)
    with reading(con_or_store, missing_ok=True) as con:
        query = _measure_sql(con, plan, m)
        if query is None:
            return MeasurePeriods(None, (), 0)
        sql, params = query
        row = con.execute(
            f"""SELECT first(frequency ORDER BY period_start),
                       list(DISTINCT period_start::DATE ORDER BY period_start::DATE),
                       count(*) FILTER (WHERE status = 'suspect')
                FROM ({sql})""",
            params,
        ).fetchone()
    frequency, starts, suspect = row if row else (None, None, 0)
    return MeasurePeriods(frequency, tuple(starts or ()), int(suspect or 0))


def _measure_sql(con: duckdb.DuckDBPyConnection, plan: Plan, m: Measure) -> tuple[str, Any] | None:
    """The one query behind a measure's rows and its parameters (``None``: nothing stored)."""
    source = m.source
    if isinstance(source, RecordsSource):
        return records_sql(con, record_query(plan, m), plan.metadata.area)
    if isinstance(source, PrcSource):
        return _prc_sql(source, plan)
    if isinstance(source, PoliceUkSource):
        return _police_uk_sql(source)
    _check_levels(con, source, plan.metadata.area)
    return _series_sql(source, plan.metadata.area)


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


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    if frame.empty:
        return pd.DataFrame(
            {
                c: pd.Series(
                    dtype="object" if c not in ("value", "numerator", "denominator") else "float64"
                )
                for c in MEASURE_COLUMNS
            }
        )
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    for column in ("value", "numerator", "denominator"):
        frame[column] = frame[column].astype("float64")
    return frame[list(MEASURE_COLUMNS)].reset_index(drop=True)


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


def _series_sql(source: SeriesSource, force: str) -> tuple[str, Any]:
    """Rows of one area, or — with no area named — the force-level rows only ('' or the
    plan's area): district rows are never added into a force total."""
    sql = """
        SELECT period_start, period_kind AS frequency, area, series AS category,
               value, numerator, denominator, status
        FROM observations
        WHERE lower(series) = lower($series) AND status <> 'rejected'
          AND (CASE WHEN $area IS NULL THEN area = '' OR lower(area) = lower($force)
                    ELSE lower(area) = lower($area) END)
        ORDER BY period_start, area
    """
    return sql, {"series": source.series, "area": source.area, "force": force}


def _check_levels(con: duckdb.DuckDBPyConnection, source: SeriesSource, force: str) -> None:
    """A force-level series must have force-level rows, each period once (not '' and the force)."""
    if source.area is not None:
        return
    rows = con.execute(
        """SELECT count(*) FILTER (WHERE area = '' OR lower(area) = lower($force)),
                  list(DISTINCT area ORDER BY area) FILTER (WHERE area <> '' AND lower(area) <> lower($force)),
                  (SELECT min(period_label) FROM (
                      SELECT period_label FROM observations
                      WHERE lower(series) = lower($series) AND status <> 'rejected'
                        AND (area = '' OR lower(area) = lower($force))
                      GROUP BY period_label HAVING count(DISTINCT area) > 1))
           FROM observations WHERE lower(series) = lower($series) AND status <> 'rejected'""",
        {"series": source.series, "force": force},
    ).fetchone()
    force_rows, districts, doubled = rows if rows else (0, None, None)
    if not force_rows and districts:
        raise PlanError(
            f"series '{source.series}' has rows only for areas {', '.join(districts[:5])}"
            + (" ..." if len(districts) > 5 else "")
            + f", none for {force} as a whole; district rows are not added into a force total",
            expected="'area:' on the measure's source for one area, or force-level rows "
            "(area blank or the force's name) in the measures file",
        )
    if doubled:
        raise PlanError(
            f"series '{source.series}' has two force-level rows for {doubled}: one with a blank "
            f"area and one for '{force}'",
            expected="one force-level row per period (area blank or the force's name, not both)",
        )
