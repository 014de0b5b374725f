"""Invented road casualty files for Anyshire and its neighbours, in the STATS19 layout.

In: a seed. Out: for each calendar year, a collision and a casualty CSV named and laid
out as the Department for Transport publishes them
(``dft-road-casualty-statistics-{collision,casualty}-YYYY.csv``; the last year, January to
June, named as the DfT's provisional mid-year files; the ``collision_*``
spelling of the identity columns, a subset of the published columns), and a codebook
in the DfT's ``variable,code,label,is_missing`` layout holding the codes the files use
(the real code lists for severity, class, type, sex, age band and urban or rural; the
demo's forces under invented force codes, :data:`FORCE_CODES`).

The files are national: every demo force's casualties are in them, so the demo plan's
killed-or-seriously-injured measure shows that a force-level measure counts its own
force only. Anyshire's killed and seriously injured casualties a quarter are the
force's own series (:func:`planwatch.demo.series.force_records`,
``killed_seriously_injured``), so the measure keeps its trend; the other forces' are
drawn around the same rate per head. Slight casualties (:data:`SLIGHT_PER_KSI` to each
killed or seriously injured one) carry the DfT's probability of having been serious
(``casualty_adjusted_severity_serious``), so the severity-adjusted count is higher than
the raw one, as it is in the published figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from planwatch.demo import spec
from planwatch.demo.curves import rng_for
from planwatch.demo.series import force_records
from planwatch.periods import Month, Quarter

#: The series of Anyshire's killed and seriously injured casualties a quarter.
KSI_SERIES = "killed_seriously_injured"
#: Invented police force codes of the demo's forces (the real codes run 1 to 99).
FORCE_CODES = {force.name: str(900 + i) for i, force in enumerate(spec.FORCES)}
#: Slight casualties for each killed or seriously injured one (invented; about what the
#: national figures show).
SLIGHT_PER_KSI = 3.0
#: The share of killed-or-seriously-injured casualties who died (invented).
FATAL_SHARE = 0.06
#: The chance that a casualty shares the collision before it (a second or third casualty).
SHARED_COLLISION = 0.3
#: The share of casualties who are male (invented).
MALE_SHARE = 0.62
#: The share of collisions on rural roads (invented).
RURAL_SHARE = 0.35
#: Range of a slight casualty's adjusted probability of having been serious.
SLIGHT_SERIOUS_P = (0.01, 0.16)
#: The months a provisional mid-year file covers (January to June).
MID_YEAR_MONTHS = 6
#: casualty_severity codes (codebook: 1 Fatal, 2 Serious, 3 Slight).
FATAL, SERIOUS, SLIGHT = 1, 2, 3

COLLISION_HEADER = (
    "collision_index", "collision_year", "collision_reference", "police_force",
    "collision_severity", "number_of_vehicles", "number_of_casualties", "date",
    "day_of_week", "time", "urban_or_rural_area",
)  # fmt: skip
CASUALTY_HEADER = (
    "collision_index", "collision_year", "collision_reference", "vehicle_reference",
    "casualty_reference", "casualty_class", "sex_of_casualty", "age_of_casualty",
    "age_band_of_casualty", "casualty_severity", "casualty_type",
    "casualty_adjusted_severity_serious", "casualty_adjusted_severity_slight",
)  # fmt: skip
CODEBOOK_HEADER = ("variable", "code", "label", "is_missing")
CODEBOOK_NAME = "stats19-codebook-demo.csv"
SEVERITY = {"1": "Fatal", "2": "Serious", "3": "Slight"}
#: The DfT's codes, as its data guide lists them (the ones the demo draws from).
CODES: dict[str, dict[str, str]] = {
    "collision_severity": SEVERITY,
    "casualty_severity": SEVERITY,
    "casualty_class": {"1": "Driver or rider", "2": "Passenger", "3": "Pedestrian"},
    "casualty_type": {
        "0": "Pedestrian", "1": "Cyclist", "5": "Motorcycle over 500cc rider or passenger",
        "9": "Car occupant", "11": "Bus or coach occupant (17 or more pass seats)",
        "19": "Van / Goods vehicle (3.5 tonnes mgw or under) occupant",
    },
    "sex_of_casualty": {"1": "Male", "2": "Female", "-1": "Data missing or out of range"},
    "age_band_of_casualty": {
        "1": "0 - 5", "2": "6 - 10", "3": "11 - 15", "4": "16 - 20", "5": "21 - 25",
        "6": "26 - 35", "7": "36 - 45", "8": "46 - 55", "9": "56 - 65", "10": "66 - 75",
        "11": "Over 75",
    },
    "urban_or_rural_area": {"1": "Urban", "2": "Rural"},
}  # fmt: skip
#: Lower age of each age band (codebook ``age_band_of_casualty`` 1 to 11).
AGE_BANDS = (0, 6, 11, 16, 21, 26, 36, 46, 56, 66, 76)
#: Casualty types drawn, with their class (a pedestrian is class 3).
TYPES = (("0", 0.2), ("1", 0.12), ("5", 0.14), ("9", 0.46), ("11", 0.02), ("19", 0.06))


def ksi_counts(seed: int) -> dict[Quarter, int]:
    """Anyshire's killed and seriously injured casualties a quarter (what the plan counts)."""
    return {
        r.period: int(r.value)
        for r in force_records(seed)
        if r.measure == KSI_SERIES and isinstance(r.period, Quarter)
    }


def codebook_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        ("police_force", code, name, "false") for name, code in FORCE_CODES.items()
    ]
    for variable, codes in CODES.items():
        rows += [(variable, c, label, str(c == "-1").lower()) for c, label in codes.items()]
    return rows


@dataclass
class _Collision:
    index: str
    reference: str
    force_code: str
    day: date
    time: str
    rural: bool
    #: (casualty_severity, casualty_type, sex, age, adjusted serious, adjusted slight)
    casualties: list[tuple[int, str, str, int, str, str]]

    def collision_row(self) -> tuple[str, ...]:
        severity = min(c[0] for c in self.casualties)
        return (
            self.index, str(self.day.year), self.reference, self.force_code, str(severity),
            str(max(1, len(self.casualties) - 1)), str(len(self.casualties)),
            self.day.strftime("%d/%m/%Y"), str(self.day.isoweekday() % 7 + 1), self.time,
            "2" if self.rural else "1",
        )  # fmt: skip

    def casualty_rows(self) -> Iterator[tuple[str, ...]]:
        for n, (severity, kind, sex, age, serious, slight) in enumerate(self.casualties, 1):
            band = sum(age >= low for low in AGE_BANDS)
            role = "3" if kind == "0" else ("1" if n == 1 else "2")  # pedestrian, driver, passenger
            yield (
                self.index, str(self.day.year), self.reference, "1" if kind == "0" else str(n),
                str(n), role, sex, str(age), str(band), str(severity), kind, serious, slight,
            )  # fmt: skip


def _casualties(
    rng: np.random.Generator, severities: list[int]
) -> list[tuple[int, str, str, int, str, str]]:
    """Type, sex, age and adjusted severities drawn for casualties of ``severities``."""
    kinds, weights = zip(*TYPES, strict=True)
    n = len(severities)
    kind = np.searchsorted(np.cumsum(weights) / sum(weights), rng.random(n), side="right")
    male = rng.random(n) < MALE_SHARE
    ages = np.clip(rng.normal(40, 19, n), 1, 95).astype(int)
    p = rng.uniform(*SLIGHT_SERIOUS_P, n)
    out = []
    for i, severity in enumerate(severities):
        if severity == SLIGHT:
            serious, slight = f"{p[i]:.5f}", f"{1 - p[i]:.5f}"
        else:  # as published: a serious casualty 1 and 0, a fatal one 0 and 0
            serious, slight = ("1", "0") if severity == SERIOUS else ("0", "0")
        out.append((severity, kinds[min(kind[i], len(kinds) - 1)], "1" if male[i] else "2",
                    int(ages[i]), serious, slight))  # fmt: skip
    return out


def collisions(seed: int) -> list[_Collision]:
    """Every demo force's collisions, in date order within each force and month."""
    rng = rng_for(seed, "stats19")
    own = ksi_counts(seed)
    area = next(f for f in spec.FORCES if f.name == spec.AREA)
    mean = float(np.mean(list(own.values())))
    out: list[_Collision] = []
    quarters = sorted(own, key=lambda q: q.index)
    # a calendar year's file is whole: January to March of the first year too, before the
    # series the plan reads begins
    before = [q for q in (quarters[0].shift(-1),) if q.start.year == quarters[0].start.year]
    for quarter in [*before, *quarters]:
        for force in spec.FORCES:
            ksi = (
                own[quarter]
                if force is area and quarter in own
                else int(rng.poisson(mean * force.population / area.population))
            )
            for month, n in zip(quarter.months(), rng.multinomial(ksi, [1 / 3] * 3), strict=True):
                out += _month(rng, FORCE_CODES[force.name], month, int(n), len(out))
    return out


def _month(
    rng: np.random.Generator, code: str, month: Month, ksi: int, serial: int
) -> list[_Collision]:
    fatal = int(rng.binomial(ksi, FATAL_SHARE))
    slight = int(rng.poisson(SLIGHT_PER_KSI * ksi))
    severities = [FATAL] * fatal + [SERIOUS] * (ksi - fatal) + [SLIGHT] * slight
    severities = [severities[i] for i in rng.permutation(len(severities))]
    length = (month.shift(1).start - month.start).days
    days = np.sort(rng.integers(1, length + 1, size=len(severities)))
    shared = rng.random(len(severities)) < SHARED_COLLISION
    times = rng.integers(0, 24 * 60, len(severities))
    rural = rng.random(len(severities)) < RURAL_SHARE
    drawn = _casualties(rng, severities)
    out: list[_Collision] = []
    for i, day in enumerate(days):
        when = date(month.year, month.month, int(day))
        if not out or out[-1].day != when or not shared[i]:
            reference = f"{code}D{serial + len(out) + 1:07d}"
            out.append(
                _Collision(
                    f"{month.year}{reference}", reference, code, when,
                    f"{times[i] // 60:02d}:{times[i] % 60:02d}", bool(rural[i]), [],
                )
            )  # fmt: skip
        out[-1].casualties.append(drawn[i])
    return out


def road_files(seed: int) -> Iterator[tuple[str, tuple[str, ...], Iterator[tuple[str, ...]]]]:
    """(file name, header, rows) of the codebook and of each calendar year's collision and
    casualty files."""
    by_year: dict[int, list[_Collision]] = {}
    for c in collisions(seed):
        by_year.setdefault(c.day.year, []).append(c)
    yield CODEBOOK_NAME, CODEBOOK_HEADER, iter(codebook_rows())
    for year, found in sorted(by_year.items()):
        # the last year's files hold January to June: named as the DfT's provisional ones
        part = "provisional-mid-year-unvalidated-" if year == spec.LAST_MONTH.year else ""
        assert not part or spec.LAST_MONTH.month == MID_YEAR_MONTHS, "a mid-year file ends in June"
        yield (
            f"dft-road-casualty-statistics-collision-{part}{year}.csv",
            COLLISION_HEADER,
            (c.collision_row() for c in found),
        )
        yield (
            f"dft-road-casualty-statistics-casualty-{part}{year}.csv",
            CASUALTY_HEADER,
            (row for c in found for row in c.casualty_rows()),
        )
