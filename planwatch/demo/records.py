"""An invented record-level crime extract for Anyshire, in a crime-system export layout.

In: a seed. Out: rows for ``data/records/anyshire-crime-extract.csv``
(:data:`EXTRACT_HEADER`): one row per crime and property item, with a crime
reference, recorded and committed dates (``DD/MM/YYYY``), Home Office offence code,
domestic abuse, rural, business and hate flags, district, beat, property type, status
and value — and a victim's name, an address and free text that the plan does not map,
so the demo shows that they never reach the store.

The crimes the plan's record-based measures count are made from the same quarterly
counts as the force's own series (:func:`planwatch.demo.series.force_records`:
``rural_crime_offences``, ``dog_theft_offences`` and ``business_crime_offences``), so each
measure keeps its trend: every rural crime has the rural flag, every business crime
(:data:`BUSINESS_CODES`) the business flag; every dog theft is a theft or robbery
(:data:`DOG_THEFT_CODES`) of one or two items "pet animal – dog" stolen or stolen and
recovered. Rows the definitions must leave out are mixed in (:data:`DECOYS_PER_MONTH`
a month): cats stolen, dogs found, a dog hurt in criminal damage, crimes in town.
:func:`expected_counts` gives what each definition should count, for the tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from planwatch.demo import spec
from planwatch.demo.curves import rng_for
from planwatch.demo.police_uk import DISTRICTS
from planwatch.demo.series import COUNTED_FROM_RECORDS, force_records
from planwatch.periods import Month, Quarter

EXTRACT_HEADER = (
    "Crime Reference", "Property Item", "Recorded Date", "Committed Date", "HO Offence Code",
    "Offence Description", "DA Flag", "Rural Flag", "Business Flag", "Hate Flag", "District",
    "Beat", "Property Type", "Property Status", "Property Value", "Victim Name",
    "Location Address", "MO Text",
)  # fmt: skip
#: Home Office codes of theft and robbery offences a dog can be taken in (theft from the
#: person 39, other theft 49, robbery of personal property 34B, burglary residential 28E).
DOG_THEFT_CODES = ("39", "49", "34B", "28E")
DOG = "pet animal – dog"
CAT = "pet animal – cat"
#: Rural crimes: criminal damage, theft from vehicles, other theft.
RURAL_CODES = (("58A", "Criminal damage to a dwelling"), ("45", "Theft from a vehicle"),
               ("49", "Other theft"))  # fmt: skip
#: Business crimes: shoplifting, burglary (business and community), damage to a building
#: other than a dwelling.
BUSINESS_CODES = ("46", "30C", "58C")
DESCRIPTIONS = {"39": "Theft from the person", "49": "Other theft", "34B": "Robbery of personal property",
                "28E": "Burglary residential", "58A": "Criminal damage to a dwelling",
                "45": "Theft from a vehicle", "30C": "Burglary business and community",
                "46": "Shoplifting", "58C": "Criminal damage to other building"}  # fmt: skip
#: Rows a month that no definition should count (see the module docstring).
DECOYS_PER_MONTH = 6
FIRST = spec.FORCE_SERIES_FIRST
NAMES = ("A. Smith", "J. Patel", "K. Jones", "M. Williams", "R. Brown", "S. Taylor")


def _quarter_counts(seed: int, series: str) -> dict[Quarter, int]:
    return {
        r.period: int(r.value)
        for r in force_records(seed)
        if r.measure == series and isinstance(r.period, Quarter)
    }


def expected_counts(seed: int) -> dict[str, dict[Quarter, int]]:
    """What the demo plan's record-based measures count, quarter by quarter."""
    rural, dogs, business, _roads = COUNTED_FROM_RECORDS
    return {
        "rural_crime": _quarter_counts(seed, rural),
        "dog_theft": _quarter_counts(seed, dogs),
        "business_crime": _quarter_counts(seed, business),
    }


def extract_rows(seed: int) -> Iterator[tuple[str, ...]]:
    """The extract's rows, in recorded order within each month."""
    rng = rng_for(seed, "crime_extract")
    counts = expected_counts(seed)
    serial = 0
    for quarter in sorted(counts["rural_crime"], key=lambda q: q.index):
        rural = rng.multinomial(counts["rural_crime"][quarter], [1 / 3] * 3)
        dogs = rng.multinomial(counts["dog_theft"].get(quarter, 0), [1 / 3] * 3)
        shops = rng.multinomial(counts["business_crime"].get(quarter, 0), [1 / 3] * 3)
        months = zip(quarter.months(), rural, dogs, shops, strict=True)
        for month, n_rural, n_dogs, n_shops in months:
            crimes: list[list[tuple[str, ...]]] = []
            for _ in range(int(n_rural)):
                code, _desc = RURAL_CODES[int(rng.integers(len(RURAL_CODES)))]
                crimes.append([_item(code, rural=True)])
            for _ in range(int(n_dogs)):
                code = DOG_THEFT_CODES[int(rng.integers(len(DOG_THEFT_CODES)))]
                status = "Stolen/Recovered" if rng.random() < 0.25 else "Stolen"
                items = 2 if rng.random() < 0.15 else 1
                crimes.append([_item(code, ptype=DOG, status=status) for _ in range(items)])
            for _ in range(int(n_shops)):
                code = BUSINESS_CODES[int(rng.integers(len(BUSINESS_CODES)))]
                crimes.append([_item(code, business=True)])
            crimes += _decoys(rng)
            order = rng.permutation(len(crimes))
            days = np.sort(rng.integers(1, _days(month) + 1, size=len(crimes)))
            for position, day in zip(order, days, strict=True):
                serial += 1
                ref = f"AN/{month.year % 100:02d}/{serial:06d}"
                for item_no, item in enumerate(crimes[position], start=1):
                    yield _row(rng, ref, item_no, month, int(day), item)


def _item(
    code: str,
    *,
    rural: bool = False,
    business: bool = False,
    domestic: bool = False,
    ptype: str = "",
    status: str = "",
) -> tuple[str, ...]:
    flags = ("Y" if f else "N" for f in (rural, business, domestic))
    return (code, *flags, ptype, status)


def _decoys(rng: np.random.Generator) -> list[list[tuple[str, ...]]]:
    """Crimes no record-based definition counts: a cat stolen, a dog found, a dog in
    criminal damage, town crimes with no property, damage to a home flagged domestic abuse
    (the demo's domestic abuse measure is the force's own series)."""
    kinds = [
        _item("49", ptype=CAT, status="Stolen"),
        _item("49", ptype=DOG, status="Found"),
        _item("58A", ptype=DOG, status="Damaged"),
        _item("49"),
        _item("45", ptype="Pedal cycle", status="Stolen"),
        _item("58A"),
        _item("58A", domestic=True),
    ]
    return [[kinds[int(rng.integers(len(kinds)))]] for _ in range(DECOYS_PER_MONTH)]


def _days(month: Month) -> int:
    return (month.shift(1).start - month.start).days


def _row(
    rng: np.random.Generator, ref: str, item_no: int, month: Month, day: int, item: tuple[str, ...]
) -> tuple[str, ...]:
    code, rural, business, domestic, ptype, status = item
    recorded = f"{day:02d}/{month.month:02d}/{month.year}"
    committed_day = max(1, day - int(rng.integers(0, 3)))
    committed = f"{committed_day:02d}/{month.month:02d}/{month.year}"
    district = DISTRICTS[int(rng.integers(len(DISTRICTS)))]
    value = f"{int(rng.integers(50, 2500))}" if ptype else ""
    return (
        ref, str(item_no), recorded, committed, code, DESCRIPTIONS[code], domestic, rural,
        business, "N", district, f"{district[:3].upper()}{int(rng.integers(1, 9))}",
        ptype, status, value, NAMES[int(rng.integers(len(NAMES)))],
        f"{int(rng.integers(1, 200))} High Street, {district}",
        "Offender approached victim and left on foot",
    )  # fmt: skip
