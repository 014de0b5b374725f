"""A breakdown of one measure by district for one quarter: count, change, rate, rank.

In: a frame by area (``planwatch.store.selectors.area_frame``: the measure frame
columns, one row per period, area and category, areas below the force), the quarter,
populations by area (optional) and the plan's local policing areas (district -> LPA,
optional).
Out: a frozen :class:`AreaTable`: one :class:`AreaRow` per district — the quarter's
count (monthly rows summed; a district missing any month of the quarter is left out),
the same quarter a year earlier, the change and percentage change, the rate per 1,000
population where a population is given, and its rank (1 = most) — and one row per local
policing area summing its districts. Pure: no I/O.

What is recorded against no area (area '': data.police.uk crimes published with no
location, i.e. no LSOA; records with a blank area column) is no district: it is kept, so
that the rows add up to the force's count, as one row labelled :data:`NO_LOCATION` after
the districts, with no rank, no rate and no local policing area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from planwatch.measures.build import RATE_PER
from planwatch.periods import MONTHS_PER_QUARTER, Month, Quarter

#: The area of a frame's rows recorded against no area (schema.area_sql: no LSOA name;
#: records: a blank area column).
UNLOCATED = ""
#: The label of the row of what is recorded against no area (module docstring).
NO_LOCATION = "No location recorded"


@dataclass(frozen=True)
class AreaRow:
    area: str
    group: str | None  # the local policing area it is in, if the plan groups districts
    value: float
    previous: float | None  # the same quarter a year earlier
    change: float | None
    change_pct: float | None
    rate_per_1000: float | None
    rank: int | None  # None: the NO_LOCATION row, which is no district


@dataclass(frozen=True)
class AreaTable:
    measure_id: str
    quarter: Quarter
    rows: tuple[AreaRow, ...]  # districts, ranked (1 = the most), then any NO_LOCATION row
    groups: tuple[AreaRow, ...] = ()  # local policing areas, ranked

    @property
    def districts(self) -> tuple[AreaRow, ...]:
        """The rows that are districts (ranked): every row but the :data:`NO_LOCATION` one."""
        return tuple(r for r in self.rows if r.rank is not None)


def _quarter_totals(frame: pd.DataFrame, quarter: Quarter) -> dict[str, float]:
    """Each area's total for the quarter; an area missing a month of it is left out."""
    totals: dict[str, float] = {}
    months: dict[str, set[Month]] = {}
    for start, frequency, area, value in zip(
        frame["period_start"], frame["frequency"], frame["area"], frame["value"], strict=True
    ):
        d: date = start
        month = Month(d.year, d.month)
        if month.quarter != quarter or pd.isna(value):
            continue
        name = str(area)
        totals[name] = totals.get(name, 0.0) + float(value)
        covered = set(quarter.months()) if frequency == "quarter" else {month}
        months.setdefault(name, set()).update(covered)
    return {a: v for a, v in totals.items() if len(months[a]) >= MONTHS_PER_QUARTER}


def _row(
    area: str,
    group: str | None,
    value: float,
    previous: float | None,
    population: float | None,
    rank: int | None,
) -> AreaRow:
    change = value - previous if previous is not None else None
    pct = change / previous * 100 if change is not None and previous else None
    rate = value / population * RATE_PER if population else None
    return AreaRow(area, group, value, previous, change, pct, rate, rank)


def _ranked(
    now: Mapping[str, float],
    before: Mapping[str, float],
    populations: Mapping[str, float],
    groups: Mapping[str, str],
) -> tuple[AreaRow, ...]:
    order = sorted(now, key=lambda a: (-now[a], a))
    return tuple(
        _row(a, groups.get(a), now[a], before.get(a), populations.get(a), i + 1)
        for i, a in enumerate(order)
    )


def area_table(
    frame: pd.DataFrame,
    measure_id: str,
    quarter: Quarter,
    *,
    populations: Mapping[str, float] | None = None,
    groups: Mapping[str, str] | None = None,
) -> AreaTable:
    """The breakdown (module docstring). ``groups``: district -> local policing area."""
    pops: Mapping[str, float] = populations or {}
    lpa: Mapping[str, str] = groups or {}
    now = _quarter_totals(frame, quarter)
    before = _quarter_totals(frame, quarter.same_quarter_last_year)
    unlocated = now.pop(UNLOCATED, None)
    rows = _ranked(now, before, pops, lpa)
    if unlocated is not None:  # kept, after the districts: the rows add up to the force
        rows += (_row(NO_LOCATION, None, unlocated, before.get(UNLOCATED), None, None),)
    if not lpa:
        return AreaTable(measure_id, quarter, rows)
    group_now: dict[str, float] = {}
    group_before: dict[str, float | None] = {}
    group_pop: dict[str, float | None] = {}
    for area, value in now.items():
        if area not in lpa:
            continue
        g = lpa[area]
        group_now[g] = group_now.get(g, 0.0) + value
        # a group's figure for last year or its population needs every district's
        last, pop = group_before.get(g, 0.0), group_pop.get(g, 0.0)
        group_before[g] = last + before[area] if last is not None and area in before else None
        group_pop[g] = pop + pops[area] if pop is not None and area in pops else None
    known_before = {g: v for g, v in group_before.items() if v is not None}
    known_pop = {g: v for g, v in group_pop.items() if v is not None}
    return AreaTable(measure_id, quarter, rows, _ranked(group_now, known_before, known_pop, {}))
