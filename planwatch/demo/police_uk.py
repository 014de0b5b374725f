"""Invented data.police.uk street-level files for Anyshire.

In: a seed and the Anyshire recorded-crime counts (:mod:`planwatch.demo.prc`).
Out: one ``YYYY-MM-anyshire-street.csv`` per month in the data.police.uk archive
layout (:data:`STREET_HEADER`): crimes with a 64-character Crime ID and an outcome,
anti-social behaviour incidents with an empty Crime ID and outcome, rows ordered by
LSOA name with the few "No Location" rows last, as the real files are.

Crime rows split each quarter's recorded crime across its months; ASB is drawn per
month from :data:`planwatch.demo.spec.ASB_PCT_PER_YEAR` and the lockdown factors.
To keep the demo small, only the latest :data:`STREET_CRIME_MONTHS` months carry
crime rows; earlier months carry ASB only (the plan takes crime from the Home
Office tables, so nothing it reports depends on those rows).
Place names and LSOA codes are invented (codes ``E0199xxxx`` are not real LSOAs).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from planwatch.demo import spec
from planwatch.demo.curves import Shape, expected, poisson, rng_for
from planwatch.demo.offences import ASB, OFFENCES
from planwatch.demo.prc import Counts, prc_quarters
from planwatch.periods import Month, month_range

STREET_HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

DISTRICTS = tuple(spec.DISTRICT_SHARES)
LSOAS_PER_DISTRICT = 40
STREETS = (
    "High Street",
    "Church Lane",
    "Mill Road",
    "Station Road",
    "Park Avenue",
    "School Lane",
    "The Green",
    "Victoria Road",
    "Queens Road",
    "Orchard Close",
    "Meadow Way",
    "Brook Street",
    "Chapel Street",
    "Kingsway",
    "Market Place",
    "Windmill Hill",
    "Elm Grove",
    "Oak Drive",
    "Willow Crescent",
    "Bridge Street",
    "Shopping Area",
    "Supermarket",
    "Petrol Station",
    "Parking Area",
    "Sports/Recreation Area",
    "Nightclub",
)
# Rough box the invented force area sits in (degrees).
LON_RANGE = (-1.9, -1.2)
LAT_RANGE = (52.55, 52.95)
JITTER_DEGREES = 0.004
NO_LOCATION_SHARE = 0.004  # crimes published without a location

#: Outcomes of crimes, older months first resolved; recent months mostly still open.
OUTCOMES_SETTLED = (
    ("Investigation complete; no suspect identified", 0.36),
    ("Unable to prosecute suspect", 0.37),
    ("Court result unavailable", 0.06),
    ("Local resolution", 0.05),
    ("Action to be taken by another organisation", 0.03),
    ("Offender given a caution", 0.02),
    ("Offender sent to prison", 0.02),
    ("Offender given community sentence", 0.02),
    ("Offender fined", 0.02),
    ("Further investigation is not in the public interest", 0.02),
    ("Status update unavailable", 0.03),
)
UNDER_INVESTIGATION = "Under investigation"
OPEN_MONTHS = 4  # months before the last in which many crimes are still under investigation
STREET_CRIME_MONTHS = 12  # months (ending with the report quarter) whose files also carry crimes


def _plain(*texts: str) -> None:
    """The rows are joined without quoting, so no invented text may hold a comma or quote."""
    assert not any("," in t or '"' in t for t in texts)


def street_months() -> tuple[Month, ...]:
    return month_range(spec.STREET_FIRST, spec.LAST_MONTH)


def asb_shape() -> Shape:
    return Shape(
        level=spec.ASB_PER_MONTH_2018,
        pct_per_year=spec.ASB_PCT_PER_YEAR,
        season=spec.ASB_SEASON,
        events=spec.LOCKDOWN_ASB,
    )


def asb_counts(seed: int) -> np.ndarray:
    """ASB incidents per month of :func:`street_months`."""
    return poisson(rng_for(seed, "police_uk/asb"), expected(asb_shape(), street_months()))


def monthly_crime_by_type(seed: int, anyshire: Counts) -> dict[Month, dict[str, int]]:
    """Split each quarter's recorded crime into months, summed to data.police.uk crime types."""
    quarters = prc_quarters()
    wanted = set(street_months())
    out: dict[Month, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rng = rng_for(seed, "police_uk/split")
    for qi, quarter in enumerate(quarters):
        months = quarter.months()
        if not wanted.intersection(months):
            continue
        weights = np.array([spec.LOCKDOWN_CRIME.get(m, 1.0) for m in months])
        for offence in OFFENCES:
            split = rng.multinomial(int(anyshire[offence.code][qi]), weights / weights.sum())
            for month, n in zip(months, split, strict=True):
                out[month][offence.police_uk] += int(n)
    return {m: dict(out[m]) for m in street_months()}


def _lsoas(seed: int) -> list[tuple[str, str, float, float]]:
    rng = rng_for(seed, "police_uk/lsoas")
    rows: list[tuple[str, str, float, float]] = []
    serial = 0
    for district in DISTRICTS:
        for i in range(LSOAS_PER_DISTRICT):
            serial += 1
            name = f"{district} {i // 4 + 1:03d}{'ABCD'[i % 4]}"
            lon = rng.uniform(*LON_RANGE)
            lat = rng.uniform(*LAT_RANGE)
            rows.append((f"E0199{serial:04d}", name, lon, lat))
    return rows


def _month_lines(
    rng: np.random.Generator,
    month: Month,
    crimes: dict[str, int],
    n_asb: int,
    lsoas: list[tuple[str, str, float, float]],
) -> list[str]:
    """One month's rows as CSV lines (no field holds a comma or quote: see :func:`_plain`)."""
    types = [t for t, n in sorted(crimes.items()) for _ in range(n)] + [ASB] * n_asb
    n = len(types)
    n_crime = n - n_asb
    ids = rng.bytes(32 * n_crime).hex()
    where = rng.integers(0, len(lsoas), size=n)
    streets = rng.integers(0, len(STREETS), size=n)
    jitter = rng.uniform(-JITTER_DEGREES, JITTER_DEGREES, size=(n, 2))
    is_crime = np.arange(n) < n_crime
    no_location = (rng.random(n) < NO_LOCATION_SHARE) & is_crime
    probs = np.array([p for _, p in OUTCOMES_SETTLED])
    outcomes = rng.choice(len(OUTCOMES_SETTLED), size=n, p=probs / probs.sum())
    open_share = max(0.0, 1 - (spec.LAST_MONTH.index - month.index) / OPEN_MONTHS)
    still_open = rng.random(n) < open_share
    lon = (np.array([x[2] for x in lsoas])[where] + jitter[:, 0]).tolist()
    lat = (np.array([x[3] for x in lsoas])[where] + jitter[:, 1]).tolist()
    street_rank = np.argsort(np.argsort(STREETS))
    # As published: ordered by LSOA (the list is in name order), then location; "No Location" last.
    order = np.lexsort((street_rank[streets], where, no_location)).tolist()
    head = f"{month.label},{spec.FORCE_NAME},{spec.FORCE_NAME}"
    lines = []
    for i in order:
        if is_crime[i]:
            crime_id = ids[64 * i : 64 * (i + 1)]
            outcome = UNDER_INVESTIGATION if still_open[i] else OUTCOMES_SETTLED[outcomes[i]][0]
        else:
            crime_id = outcome = ""
        if no_location[i]:
            place = ",,No Location,,"
        else:
            code, name, _, _ = lsoas[where[i]]
            place = f"{lon[i]:.6f},{lat[i]:.6f},On or near {STREETS[streets[i]]},{code},{name}"
        lines.append(f"{crime_id},{head},{place},{types[i]},{outcome},")
    return lines


def street_file_name(month: Month) -> str:
    return f"{month.label}-{spec.FILE_SLUG}-street.csv"


def write_street_files(folder: Path, seed: int, anyshire: Counts) -> list[Path]:
    _plain(
        *DISTRICTS,
        *STREETS,
        *(o for o, _ in OUTCOMES_SETTLED),
        spec.FORCE_NAME,
        *(o.police_uk for o in OFFENCES),
    )
    folder.mkdir(parents=True, exist_ok=True)
    crimes = monthly_crime_by_type(seed, anyshire)
    asb = asb_counts(seed)
    lsoas = _lsoas(seed)
    paths = []
    for month, n_asb in zip(street_months(), asb, strict=True):
        rng = rng_for(seed, f"police_uk/rows/{month.label}")
        with_crime = spec.LAST_MONTH.index - month.index < STREET_CRIME_MONTHS
        lines = _month_lines(rng, month, crimes[month] if with_crime else {}, int(n_asb), lsoas)
        path = folder / street_file_name(month)
        path.write_text("\n".join([",".join(STREET_HEADER), *lines]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
