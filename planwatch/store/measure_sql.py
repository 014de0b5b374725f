"""The measures' store queries built from their selections as plain values (no plan models).

In: an open DuckDB connection and, per measure, its source selection — a model of
:mod:`planwatch.plan.models` or its outline (:mod:`planwatch.plan.outline`); both have the
fields of :class:`PrcSelection`, :class:`PoliceUkSelection` and :class:`SeriesSelection`.
Out: each measure's query and its parameters, the tidy series' force-level checks, the
``UNION ALL`` of many measures' queries, and the periods each measure holds
(:class:`MeasurePeriods`).

:mod:`planwatch.store.selectors` builds every measure read from these (the frames, the
rows, the periods); ``planwatch status`` builds its one query from the plan's outline
through :func:`plain_periods`, so that it imports neither pydantic nor the plan's
models (issue 17). The source rules are in :mod:`planwatch.store.selectors`' docstring.

A data.police.uk measure counts one force, never several added together: the force its
source names (``falls_within``), else the plan's force — the store's one force, or the
one that is the plan's area (:func:`same_force`; :func:`plan_falls_within`). A store of
several forces none of which (or more than one of which) is the plan's area is that
measure's error, kept with the others' as data (:func:`measure_branches`), as the tidy
series' force-level checks are (:func:`level_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import Location, PlanError, PlanwatchError
from planwatch.store.names import canonical_force, canonical_group

#: data.police.uk's crime type for anti-social behaviour incidents.
ASB_CRIME_TYPE = "Anti-social behaviour"


if TYPE_CHECKING:  # the selections' shapes, for the type checker only (no classes to define at
    # start-up): the plan's models and their outlines both have them
    from typing import Protocol, TypeVar

    class PrcSelection(Protocol):
        @property
        def force(self) -> str | None: ...
        @property
        def offence_codes(self) -> tuple[str, ...]: ...
        @property
        def offence_groups(self) -> tuple[str, ...]: ...
        @property
        def offence_subgroups(self) -> tuple[str, ...]: ...

    class PoliceUkSelection(Protocol):
        @property
        def falls_within(self) -> str | None: ...
        @property
        def crime_types(self) -> tuple[str, ...]: ...

    class SeriesSelection(Protocol):
        @property
        def series(self) -> str: ...
        @property
        def area(self) -> str | None: ...

    class _Source(Protocol):
        @property
        def kind(self) -> str: ...

    class MeasureLike(Protocol):
        """A measure or its outline: its id and its source's kind."""

        @property
        def id(self) -> str: ...
        @property
        def source(self) -> _Source: ...

    _M = TypeVar("_M", bound=MeasureLike)


@dataclass(frozen=True)
class MeasurePeriods:
    """What the store holds for one measure, summed up from ``measure_frame``'s query:
    the frequency of its first row (``None`` with no rows), the distinct period starts in
    order, and the number of rows held out of analysis as suspect."""

    frequency: str | None
    starts: tuple[date, ...]
    suspect: int


#: A measure with no rows stored.
NO_PERIODS = MeasurePeriods(None, (), 0)

#: One measure's query tagged with its position (``None``: the query selects ``_m``
#: itself), and its parameters.
Branch = tuple[int | None, str, Any]


def measure_branches(
    con: duckdb.DuckDBPyConnection,
    area: str,
    measures: Sequence[_M],
    query_of: Callable[[_M], tuple[str, Any] | None],
) -> tuple[list[Branch], dict[str, PlanwatchError]]:
    """Each measure's query tagged with its position (every tidy series in one branch,
    one join), and the errors of those that have none. A data.police.uk measure's query
    is built here, for its one force (:func:`plan_falls_within`); ``query_of`` gives the
    query of a measure that is neither (``None``: nothing stored), or raises its error."""
    series_of = [(k, m.id, _series(m)) for k, m in enumerate(measures)]
    errors = level_errors(con, area, [(k, i, s) for k, i, s in series_of if s is not None])
    police = [(m.id, s) for m in measures if (s := _police_uk(m)) is not None]
    # the store's forces, read once, only when a measure names none
    forces = police_uk_forces(con) if any(s.falls_within is None for _, s in police) else ()
    found: list[Branch] = []
    series: list[tuple[int, SeriesSelection]] = []
    for (k, measure_id, selection), m in zip(series_of, measures, strict=True):
        if measure_id in errors:
            continue
        if selection is not None:
            series.append((k, selection))
            continue
        try:
            police_uk = _police_uk(m)
            if police_uk is None:
                query = query_of(m)
            else:
                force = plan_falls_within(forces, police_uk, area, measure_id)
                query = None if force is None else police_uk_sql(police_uk, force)
        except PlanwatchError as exc:
            errors[measure_id] = exc
            continue
        if query is not None:
            found.append((k, *query))
    if series:
        found.append((None, *series_sql(series, area)))
    return found, errors


def _series(m: MeasureLike) -> SeriesSelection | None:
    source: Any = m.source
    return source if source.kind == "series" else None


def _police_uk(m: MeasureLike) -> PoliceUkSelection | None:
    source: Any = m.source
    return source if source.kind == "police_uk" else None


def periods_of(
    con: duckdb.DuckDBPyConnection,
    found: Sequence[Branch],
    errors: Mapping[str, PlanwatchError],
    ids: Sequence[str],
) -> dict[str, MeasurePeriods | PlanwatchError]:
    """The periods held by each measure (``ids`` in position order) from its branch, in
    one query; a measure whose query could not be built has its error instead."""
    rows: dict[int, tuple[Any, ...]] = {}
    if found:
        sql, params = union(found)
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
    for k, measure_id in enumerate(ids):
        if measure_id in errors:
            out[measure_id] = errors[measure_id]
        elif k in rows:
            frequency, starts, suspect = rows[k]
            out[measure_id] = MeasurePeriods(frequency, tuple(starts or ()), int(suspect or 0))
        else:
            out[measure_id] = NO_PERIODS
    return out


def plain_periods(
    con: duckdb.DuckDBPyConnection, area: str, measures: Sequence[MeasureLike]
) -> dict[str, MeasurePeriods | PlanwatchError]:
    """The periods held by each of ``measures``, none of them record-based (PRC,
    data.police.uk and tidy series: built from their selections alone), in one query;
    ``area``: the plan's force. The store's ``measures_periods`` of the same measures."""
    found, errors = measure_branches(con, area, measures, lambda m: _plain_query(m, area))
    return periods_of(con, found, errors, [m.id for m in measures])


def _plain_query(m: MeasureLike, area: str) -> tuple[str, Any]:
    source: Any = m.source
    if source.kind == "prc":
        return prc_sql(source, area)
    # data.police.uk and tidy series are built by measure_branches itself
    raise AssertionError(f"not a PRC measure: {m.id} ({source.kind})")


#: A named parameter (``$name``) in the selectors' SQL.
_NAMED = re.compile(r"\$([A-Za-z_]\w*)")


def union(found: Sequence[Branch]) -> tuple[str, list[Any]]:
    """One ``UNION ALL`` of the branches with a ``_m`` column (the measure's position),
    every parameter made positional, in order (DuckDB binds one style per query)."""
    parts: list[str] = []
    params: list[Any] = []
    for k, sql, given in found:
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


def _lower_list(values: tuple[str, ...]) -> list[str]:
    return [v.strip().lower() for v in values]


def prc_sql(source: PrcSelection, area: str) -> tuple[str, Any]:
    """A PRC measure's query; ``area``: the plan's force, read when the source names none."""
    force_name = source.force or area
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


def same_force(a: str, b: str) -> bool:
    """Whether two names are one force: the one rule by which a plan's area is matched to a
    force named in the store ('Essex' is 'Essex Police', data.police.uk's *Falls within*):
    the same once each is in the store's spelling
    (:func:`~planwatch.store.names.canonical_force`: case, spacing, '&' for 'and' and a
    trailing ' Police' or ' Constabulary' ignored); a name that is no known force only
    matches itself, case and surrounding spaces ignored."""
    return (canonical_force(a) or a.strip()).lower() == (canonical_force(b) or b.strip()).lower()


def police_uk_forces(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """The forces (*Falls within*) the store holds data.police.uk rows of, in name order."""
    rows = con.execute(
        "SELECT DISTINCT falls_within FROM police_uk_counts ORDER BY falls_within"
    ).fetchall()
    return tuple(str(name) for (name,) in rows)


def plan_falls_within(
    forces: Sequence[str], source: PoliceUkSelection, area: str, measure_id: str
) -> str | None:
    """The one force (*Falls within*) a data.police.uk measure counts: the one its source
    names; with none named, the plan's force — the only force of the store's ``forces``
    (:func:`police_uk_forces`), or of several the one that is the plan's ``area``
    (:func:`same_force`). ``None``: the store holds no data.police.uk rows (nothing to
    count). A store of several forces none of which — or more than one of which — is the
    plan's area raises a :class:`~planwatch.errors.PlanError` listing them: forces are
    never added together."""
    if source.falls_within is not None:
        return source.falls_within
    if len(forces) <= 1:
        return forces[0] if forces else None
    matching = [f for f in forces if same_force(f, area)]
    if len(matching) == 1:
        return matching[0]
    held = _names(forces)
    problem = (
        f"none of them is the plan's area, '{area}'"
        if not matching
        else f"{_names(matching)} all match the plan's area, '{area}'"
    )
    raise PlanError(
        f"measure '{measure_id}' names no force ('falls_within') and the store holds "
        f"data.police.uk crime of {len(forces)} forces ({held}); {problem}, and forces are "
        "never added together",
        location=Location(field="falls_within"),
        expected=f"'falls_within:' on the measure's source naming one of {held}"
        + ("" if matching else " (or the plan's area, metadata.area, naming its force)"),
    )


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"'{n}'" for n in names)


def police_uk_sql(
    source: PoliceUkSelection, falls_within: str, *, by_area: bool = False
) -> tuple[str, Any]:
    """A data.police.uk measure's query: its crime types for one force (``falls_within``,
    case ignored: :func:`plan_falls_within`); ``by_area``: rows by local area (district
    from the LSOA name; '' for crimes published with no location) instead of force.

    By area, a month the force's file is held for but with none of an area's crimes is
    that area's 0, not a missing month (the file lists crimes, not areas): it is filled
    in for each area with crimes in that quarter or the same quarter a year earlier or
    later (a breakdown's quarter is compared with the year before; calendar and financial
    quarters share their months), so that each quarter of an area is whole and counted,
    and both quarters' rows add up to the force's counts."""
    types = _lower_list(source.crime_types)
    params = {"falls": falls_within, "types": types, "asb": ASB_CRIME_TYPE}
    selected = """
        FROM police_uk_counts
        WHERE lower(falls_within) = lower($falls)
          AND (CASE WHEN len($types) = 0 THEN lower(crime_type) <> lower($asb)
                    ELSE lower(crime_type) IN (SELECT unnest($types)) END)
    """
    if not by_area:
        sql = f"""
            SELECT month AS period_start, 'month' AS frequency, falls_within AS area,
                   crime_type AS category, sum(count) AS value, NULL AS numerator,
                   NULL AS denominator, 'ok' AS status
            {selected}
            GROUP BY ALL ORDER BY period_start, area, category
        """
        return sql, params
    sql = f"""
        WITH sel AS (SELECT month, area, crime_type, count {selected}),
        held AS (
            SELECT DISTINCT month FROM police_uk_counts WHERE lower(falls_within) = lower($falls)
        ), seen AS (
            SELECT DISTINCT (date_trunc('quarter', month) + to_years(shift))::DATE AS q, area
            FROM sel CROSS JOIN (SELECT unnest([-1, 0, 1]) AS shift)
        ), cells AS (
            SELECT h.month, s.area FROM held h JOIN seen s ON date_trunc('quarter', h.month) = s.q
        )
        SELECT c.month AS period_start, 'month' AS frequency, c.area, sel.crime_type AS category,
               coalesce(sum(sel.count), 0) AS value, NULL AS numerator, NULL AS denominator,
               'ok' AS status
        FROM cells c LEFT JOIN sel USING (month, area)
        GROUP BY ALL ORDER BY period_start, area, category
    """
    return sql, params


def series_sql(series: Sequence[tuple[int, SeriesSelection]], force: str) -> tuple[str, Any]:
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


def level_errors(
    con: duckdb.DuckDBPyConnection,
    force: str,
    series: Sequence[tuple[int, str, SeriesSelection]],
) -> dict[str, PlanwatchError]:
    """The force-level check of every tidy series (position, measure id, selection) read
    for the force as a whole, in one query: such a series must have force-level rows, each
    period once (not a blank area and the force's name both). Rows of other forces (a
    national file) are no districts: with none of its own the series simply has no data
    for this force."""
    checked = [(k, measure_id, s.series) for k, measure_id, s in series if s.area is None]
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
        [[k for k, _, _ in checked], [name for _, _, name in checked], force],
    ).fetchall()
    found = {int(k): (n, districts, doubled) for k, n, districts, doubled in rows}
    errors: dict[str, PlanwatchError] = {}
    for k, measure_id, name in checked:
        force_rows, areas, doubled = found.get(k, (0, None, None))
        districts = [a for a in areas or () if canonical_force(a) is None]
        if not force_rows and districts:
            errors[measure_id] = PlanError(
                f"series '{name}' has rows only for areas {', '.join(districts[:5])}"
                + (" ..." if len(districts) > 5 else "")
                + f", none for {force} as a whole; district rows are not added into a force total",
                expected="'area:' on the measure's source for one area, or force-level rows "
                "(area blank or the force's name) in the measures file",
            )
        elif doubled:
            errors[measure_id] = PlanError(
                f"series '{name}' has two force-level rows for {doubled}: one with a blank "
                f"area and one for '{force}'",
                expected="one force-level row per period (area blank or the force's name, not both)",
            )
    return errors
