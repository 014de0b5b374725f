"""An invented HR extract of Anyshire's workforce: one row per person in post since April 2016.

In: a seed. Out: rows for ``data/records/anyshire-staff-extract.csv``
(:data:`STAFF_HEADER`), as an HR system exports them: staff number, surname and forename
(which the plan does not map, so they never reach the store), staff group, rank or grade,
department, ethnicity in the Home Office's police workforce categories, start date and
leave date (``DD/MM/YYYY``; blank for someone still in post), and full-time equivalent.

The extract lists everyone in post on or after :data:`LISTED_FROM` — those who left
before it are not in it — up to the end of the demo's report quarter. Each staff group is simulated month by month from its headcount on
:data:`LISTED_FROM`: leavers at their group's yearly rate (leaving on the last day of a
month), joiners (starting on the 1st) bringing the headcount to the group's planned
path (:data:`GROUPS`: level, % a year, and for officers the national uplift's extra
recruits). Joiners are more often from ethnic minorities than those already in post
(:data:`EM_SHARE`), so the share rises slowly, as a stock does. The special
constables' path is the one the demo's volunteers measure always had (265 in April 2016,
5% fewer a year).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from planwatch.demo import spec
from planwatch.demo.curves import rng_for
from planwatch.periods import Month

STAFF_HEADER = (
    "Staff Number", "Surname", "Forename", "Staff Group", "Rank or Grade", "Department",
    "Ethnicity", "Start Date", "Leave Date", "FTE",
)  # fmt: skip
#: The first day the extract lists everyone in post on (the plan's ``listed_from``).
LISTED_FROM = date(2016, 4, 1)
#: Home Office police workforce ethnicity categories, and how an ethnic-minority person's
#: category is drawn (shares of the ethnic-minority groups, invented for the demo).
WHITE, NOT_STATED = "White", "Not stated"
MINORITY = {"Asian or Asian British": 0.45, "Mixed": 0.25, "Black or Black British": 0.2,
            "Other ethnic group": 0.1}  # fmt: skip
#: Shares of people whose ethnicity is not stated.
NOT_STATED_SHARE = 0.03


@dataclass(frozen=True)
class Group:
    name: str
    headcount: int  # in post on LISTED_FROM
    pct_per_year: float  # planned change of the headcount a year
    leave_per_year: float  # share leaving a year
    em_in_post: float  # ethnic-minority share of those in post on LISTED_FROM (stated)
    em_joiners: float  # ethnic-minority share of joiners
    grades: tuple[str, ...]
    departments: tuple[str, ...]
    uplift: int = 0  # extra officers recruited a year from April 2020 (the national uplift)


#: Anyshire's staff groups (invented; a force of about 3,500 people).
GROUPS = (
    Group("Police officer", 1_780, 0.0, 0.065, 0.030, 0.060,
          ("Constable", "Constable", "Constable", "Sergeant", "Inspector"),
          ("Response", "Neighbourhoods", "Investigations", "Roads policing"), uplift=45),
    Group("Police staff", 1_260, 0.8, 0.10, 0.038, 0.070,
          ("Grade C", "Grade D", "Grade E", "Grade F"),
          ("Contact centre", "Investigations", "Corporate services", "Custody")),
    Group("PCSO", 180, -3.0, 0.14, 0.045, 0.080, ("PCSO",), ("Neighbourhoods",)),
    Group("Special Constable", 265, -5.0, 0.16, 0.050, 0.085, ("Special Constable",),
          ("Citizens in policing",)),
)  # fmt: skip
#: When the officers' uplift began (extra recruits each year from then).
UPLIFT_FROM = Month(2020, 4)
SURNAMES = ("Smith", "Patel", "Jones", "Khan", "Williams", "Brown", "Taylor", "Okafor")
FORENAMES = ("Alex", "Sam", "Priya", "Jordan", "Chris", "Amira", "Tom", "Grace")


def _months() -> list[Month]:
    first = Month(LISTED_FROM.year, LISTED_FROM.month)
    out = [first]
    while out[-1] != spec.LAST_MONTH:
        out.append(out[-1].shift(1))
    return out


def _target(group: Group, months_in: int, uplift_months: int) -> float:
    """The planned headcount ``months_in`` months after LISTED_FROM (``uplift_months`` of
    them in the uplift)."""
    target = group.headcount * (1 + group.pct_per_year / 100) ** (months_in / 12)
    return target + group.uplift * max(uplift_months, 0) / 12


def _ethnicity(rng: np.random.Generator, em_share: float) -> str:
    if rng.random() < NOT_STATED_SHARE:
        return NOT_STATED
    if rng.random() >= em_share:
        return WHITE
    names = list(MINORITY)
    return names[int(rng.choice(len(names), p=list(MINORITY.values())))]


def _last_day(month: Month) -> date:
    return month.shift(1).start - timedelta(days=1)


@dataclass
class _Person:
    group: Group
    ethnicity: str
    start: date
    grade: str
    department: str
    leave: date | None = None


def people(seed: int) -> list[_Person]:
    """Everyone in the extract, in order of joining (those in post on LISTED_FROM first)."""
    rng = rng_for(seed, "staff_extract")
    months = _months()
    uplift = months.index(UPLIFT_FROM)
    out: list[_Person] = []
    for group in GROUPS:

        def person(start: date, em: float, group: Group = group) -> _Person:
            return _Person(
                group, _ethnicity(rng, em), start,
                group.grades[int(rng.integers(len(group.grades)))],
                group.departments[int(rng.integers(len(group.departments)))],
            )  # fmt: skip

        in_post = [
            person(LISTED_FROM - timedelta(days=int(rng.integers(30, 30 * 365))), group.em_in_post)
            for _ in range(group.headcount)
        ]
        out += in_post
        for n, month in enumerate(months):
            leaving = rng.binomial(len(in_post), group.leave_per_year / 12)
            for index in sorted(
                rng.choice(len(in_post), size=leaving, replace=False), reverse=True
            ):
                in_post.pop(int(index)).leave = _last_day(month)
            joining = max(
                0, round(_target(group, n + 1, n + 1 - uplift) - len(in_post) + rng.normal(0, 2))
            )
            joiners = [person(month.start, group.em_joiners) for _ in range(joining)]
            in_post += joiners
            out += joiners
    return out


def staff_rows(seed: int) -> Iterator[tuple[str, ...]]:
    """The extract's rows (module docstring), by staff number."""
    rng = rng_for(seed, "staff_extract_names")
    everyone = people(seed)
    n = len(everyone)
    surnames = rng.integers(len(SURNAMES), size=n)
    forenames = rng.integers(len(FORENAMES), size=n)
    part_time = rng.random(n) >= 0.85
    hours = rng.choice(["0.50", "0.60", "0.80"], size=n)
    for i, p in enumerate(everyone):
        fte = (
            "0.00" if p.group.name == "Special Constable" else hours[i] if part_time[i] else "1.00"
        )
        yield (
            f"AN{i + 1:06d}", SURNAMES[surnames[i]], FORENAMES[forenames[i]], p.group.name,
            p.grade, p.department, p.ethnicity, f"{p.start:%d/%m/%Y}",
            f"{p.leave:%d/%m/%Y}" if p.leave else "", str(fte),
        )  # fmt: skip


def expected_in_post(seed: int, group: str, on: date) -> int:
    """People of ``group`` in post on ``on`` (started by it, not left before it), for tests."""
    return sum(
        1
        for p in people(seed)
        if p.group.name == group and p.start <= on and (p.leave is None or p.leave >= on)
    )
