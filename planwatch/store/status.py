"""What is in the store, and what is missing — the read behind ``planwatch status``.

In: a store reference, optionally the plan and the quarter being reported.
The plan is read as its outline (:mod:`planwatch.plan.outline`: each measure's id,
frequency, usual lag and selection), so that a status from the plan cache imports neither
pydantic nor the plan's models; a plan with record-based measures is given whole, and its
measures' queries are built by the store's selectors (issue 17).

Out: a frozen :class:`StoreStatus`: the loads; per source (force, police.uk area,
series) the periods held and the gaps between the first and the last; per plan
measure the latest period, its gaps and how far it lags the quarter; and
warnings — gaps, data later than the measure's usual lag, suspect values held out
of analysis, and plan selections (offence codes, groups, crime types, series) that
no loaded file contains. Gaps are reported, never filled.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import duckdb

from planwatch.errors import PlanwatchError
from planwatch.periods import Month, Quarter
from planwatch.plan.outline import (
    MeasureOutline,
    PlanOutline,
    PoliceUkOutline,
    PrcOutline,
    SeriesOutline,
    outline_of,
)
from planwatch.store.connection import StoreRef, reading
from planwatch.store.measure_sql import (
    ASB_CRIME_TYPE,
    MeasurePeriods,
    plain_periods,
)
from planwatch.store.names import canonical_force, canonical_group

if TYPE_CHECKING:  # a whole plan only with record-based measures (see the docstring)
    from planwatch.plan.models import Plan


@dataclass(frozen=True)
class LoadInfo:
    load_id: int
    file_name: str
    source_kind: str
    rows: int
    periods_covered: str
    loaded_at: str
    replaced_load_id: int | None


@dataclass(frozen=True)
class Coverage:
    """The periods one source holds: ``source`` is prc, prc_group, police_uk or series."""

    source: str
    name: str
    first: str
    last: str
    periods: int
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class MeasureStatus:
    measure_id: str
    source: str
    frequency: str
    latest: str | None
    gaps: tuple[str, ...]
    lag: int | None  # periods (of the measure's frequency) between latest and the quarter's end
    expected_lag: int
    suspect: int


@dataclass(frozen=True)
class StoreStatus:
    quarter: str | None
    loads: tuple[LoadInfo, ...]
    coverage: tuple[Coverage, ...]
    measures: tuple[MeasureStatus, ...]
    warnings: tuple[str, ...]

    @property
    def gaps(self) -> tuple[tuple[str, str, str], ...]:
        """(source, name, missing period) for every gap."""
        return tuple((c.source, c.name, g) for c in self.coverage for g in c.gaps)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def store_status(
    con_or_store: StoreRef,
    plan: Plan | PlanOutline | None = None,
    quarter: Quarter | None = None,
) -> StoreStatus:
    """The status of the store, its measures checked against ``plan`` (the plan or its
    outline) when given."""
    with reading(con_or_store, missing_ok=True) as con:
        loads = _loads(con)
        coverage = _coverage(con)
        warnings = [
            f"{c.name} ({_SOURCE_NAMES[c.source]}): no data for {', '.join(c.gaps)}"
            for c in coverage
            if c.gaps
        ]
        measures: list[MeasureStatus] = []
        if plan is not None:
            outline = plan if isinstance(plan, PlanOutline) else outline_of(plan)
            held = _periods(con, plan, outline)  # every measure in one query
            distinct = _Distinct(con)
            for m in outline.measures:
                status, notes = _measure_status(outline, m, quarter, held[m.id], distinct)
                measures.append(status)
                warnings += notes
        warnings += _suspects(con)
    return StoreStatus(
        quarter.label if quarter else None, loads, coverage, tuple(measures), tuple(warnings)
    )


_SOURCE_NAMES = {
    "prc": "police recorded crime by offence",
    "prc_group": "police recorded crime by offence group",
    "police_uk": "data.police.uk",
    "series": "measures series",
}


def _periods(
    con: duckdb.DuckDBPyConnection, plan: Plan | PlanOutline, outline: PlanOutline
) -> dict[str, MeasurePeriods | PlanwatchError]:
    """Every measure's periods held, in one query: built from the outline when it can be,
    by the store's selectors from the plan's models when not (record-based measures)."""
    if outline.plain:
        return plain_periods(con, outline.area, outline.measures)
    from planwatch.store.selectors import measures_periods

    assert not isinstance(plan, PlanOutline)  # an outline that is not plain is never given
    return measures_periods(con, plan)


def _loads(con: duckdb.DuckDBPyConnection) -> tuple[LoadInfo, ...]:
    rows = con.execute(
        "SELECT load_id, file_name, source_kind, rows, coalesce(periods_covered, ''), strftime(loaded_at, '%Y-%m-%d %H:%M:%S'), replaced_load_id FROM loads ORDER BY load_id"
    ).fetchall()
    return tuple(LoadInfo(*r) for r in rows)


#: Each source's query of the periods held (name, its periods, the frequency where the
#: source does not fix one), and the frequency it does fix. Run as ONE query (a UNION ALL:
#: four queries cost twice the CPU on a store's first read, ``planwatch status``; issue 17).
_COVERAGE = (
    (
        "prc",
        "SELECT force, list(DISTINCT period_start), NULL FROM prc_offences WHERE level = 'offence' GROUP BY ALL",
        "quarter",
    ),
    (
        "prc_group",
        "SELECT force, list(DISTINCT period_start), NULL FROM prc_offences WHERE level = 'group' GROUP BY ALL",
        "quarter",
    ),
    (
        "police_uk",
        "SELECT falls_within, list(DISTINCT month), NULL FROM police_uk_counts GROUP BY ALL",
        "month",
    ),
    (
        "series",
        "SELECT series || CASE WHEN area = '' THEN '' ELSE ' (' || area || ')' END, list(DISTINCT period_start), any_value(period_kind) FROM observations GROUP BY series, area",
        None,
    ),
)


def _coverage(con: duckdb.DuckDBPyConnection) -> tuple[Coverage, ...]:
    sql = " UNION ALL ".join(
        f"SELECT {k} AS _q, * FROM ({query})" for k, (_, query, _) in enumerate(_COVERAGE)
    )
    out: list[Coverage] = []
    for k, name, starts, kind in con.execute(f"{sql} ORDER BY 1, 2").fetchall():
        source, _, frequency = _COVERAGE[k]
        periods = sorted(_period(d, frequency or kind) for d in starts)
        out.append(
            Coverage(
                source, name, periods[0].label, periods[-1].label, len(periods), _gaps(periods)
            )
        )
    return tuple(out)


def _period(start: date, frequency: str) -> Month | Quarter:
    month = Month(start.year, start.month)
    return month if frequency == "month" else month.quarter


def _gaps(periods: list[Month | Quarter]) -> tuple[str, ...]:
    if not periods:
        return ()
    held = {p.index for p in periods}
    cls = type(periods[0])
    return tuple(
        cls.from_index(i).label
        for i in range(periods[0].index, periods[-1].index + 1)
        if i not in held
    )


def _measure_status(
    plan: PlanOutline,
    m: MeasureOutline,
    quarter: Quarter | None,
    held: MeasurePeriods | PlanwatchError,
    distinct: _Distinct,
) -> tuple[MeasureStatus, list[str]]:
    if isinstance(held, PlanwatchError):
        raise held
    notes = _missing_selections(distinct, plan, m)
    frequency = held.frequency or m.frequency
    periods = sorted({_period(d, frequency) for d in held.starts})
    latest = periods[-1] if periods else None
    gaps = _gaps(periods)
    expected = m.expected_lag
    lag = None
    if latest is not None and quarter is not None:
        lag = (
            quarter.last_month.index - latest.index
            if isinstance(latest, Month)
            else quarter.index - latest.index
        )
        unit = "month" if isinstance(latest, Month) else "quarter"
        if lag > expected:
            notes.append(
                f"{m.id}: latest data is {latest.label}, {lag} {unit}{'s' if lag != 1 else ''} behind {quarter.label} (usual lag {expected})"
            )
        elif lag < 0:
            notes.append(
                f"{m.id}: data runs past {quarter.label} (to {latest.label}); later periods are not reported"
            )
    if latest is None and not notes:
        notes.append(f"{m.id}: no loaded data for this measure")
    if gaps:
        notes.append(f"{m.id}: no data for {', '.join(gaps)} (gaps are shown as gaps, not filled)")
    suspect = held.suspect
    status = MeasureStatus(
        m.id,
        m.source.kind,
        frequency,
        latest.label if latest else None,
        gaps,
        lag,
        expected,
        suspect,
    )
    return status, notes


class _Distinct:
    """The distinct values a query returns, each query run once per status (many measures
    ask which offence codes or crime types are loaded)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._held: dict[str, set[Any]] = {}

    def __call__(self, sql: str) -> set[Any]:
        if sql not in self._held:
            self._held[sql] = {r[0] for r in self._con.execute(sql).fetchall()}
        return self._held[sql]


def _missing_selections(distinct: _Distinct, plan: PlanOutline, m: MeasureOutline) -> list[str]:
    """Warnings for what the plan selects that no loaded file contains."""
    source = m.source
    checks: list[tuple[str, str, tuple[str, ...]]] = []
    if isinstance(source, PrcOutline):
        force = canonical_force(source.force or plan.area) or (source.force or plan.area)
        checks += [
            (
                "offence code",
                "SELECT DISTINCT lower(offence_code) FROM prc_offences",
                source.offence_codes,
            )
        ]
        checks += [
            (
                "offence subgroup",
                "SELECT DISTINCT lower(offence_subgroup) FROM prc_offences",
                source.offence_subgroups,
            )
        ]
        checks += [
            (
                "offence group",
                "SELECT DISTINCT lower(offence_group) FROM prc_offences",
                tuple(canonical_group(g) for g in source.offence_groups),
            )
        ]
        checks += [("force", "SELECT DISTINCT lower(force) FROM prc_offences", (force,))]
    elif isinstance(source, PoliceUkOutline):
        checks += [
            (
                "crime type",
                "SELECT DISTINCT lower(crime_type) FROM police_uk_counts",
                source.crime_types or (),
            )
        ]
        if source.falls_within:
            checks += [
                (
                    "police.uk area ('Falls within')",
                    "SELECT DISTINCT lower(falls_within) FROM police_uk_counts",
                    (source.falls_within,),
                )
            ]
        if not source.crime_types:
            checks += [
                (
                    "crime type other than anti-social behaviour",
                    f"SELECT DISTINCT 'any' FROM police_uk_counts WHERE crime_type <> '{ASB_CRIME_TYPE}'",
                    ("any",),
                )
            ]
    elif isinstance(source, SeriesOutline):
        checks += [("series", "SELECT DISTINCT lower(series) FROM observations", (source.series,))]
    notes = []
    for what, sql, wanted in checks:
        held = distinct(sql)
        for name in wanted:
            if name.lower() not in held:
                notes.append(
                    f"{m.id}: the plan selects {what} '{name}', which no loaded file contains"
                )
    return notes


def _suspects(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        """SELECT o.series, o.area, o.period_label, o.value, l.file_name, o.source_row
           FROM observations o JOIN loads l USING (load_id) WHERE o.status = 'suspect' ORDER BY o.series, o.period_start"""
    ).fetchall()
    return [
        f"suspect value held out of analysis: {series}{f' ({area})' if area else ''} {label} = {value:g} ({file}, row {row}); "
        f"check it, then 'planwatch confirm --series {series} --period \"{label}\"' (or --reject, or --value to correct)"
        for series, area, label, value, file, row in rows
    ]
