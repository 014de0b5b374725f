"""The demo's reference files: offence harm weights and force populations.

In: nothing but the demo's offences and forces. Out: rows for two CSVs:

* offence weights, in the layout of the ONS Crime Severity Score lookup joined to
  Home Office offence codes and data.police.uk categories (:data:`WEIGHTS_HEADER`),
  carrying the demo's own invented weights;
* population by force area and year (:data:`POPULATION_HEADER`);
* the Home Office offence code lookup for the demo's codes (:data:`CODES_HEADER`).
"""

from __future__ import annotations

from planwatch.demo import spec
from planwatch.demo.offences import OFFENCES, Offence

WEIGHTS_HEADER = (
    "ONS_COUNTS_category",
    "ONS_COUNTS_description",
    "ONS_SEVERITY_code",
    "ONS_COUNTS_code",
    "ONS_SEVERITY_category",
    "ONS_SEVERITY_offence",
    "ONS_SEVERITY_weight",
    "POLICE_UK_CAT_MAP_code",
    "POLICE_UK_CAT_MAP_sub_class",
    "POLICE_UK_CAT_MAP_offence",
    "POLICE_UK_CAT_MAP_category",
)
POPULATION_HEADER = ("area", "year", "population")
#: The Home Office offence code lookup layout.
CODES_HEADER = (
    "Offence Group",
    "Offence Code",
    "Offence Description",
    "Offence Subgroup",
    "Police.uk Category",
)

_VICTIM_BASED = {
    "Violence against the person": "violence",
    "Sexual offences": "sexual offences",
    "Robbery": "robbery",
    "Theft offences": "theft offences",
    "Criminal damage and arson": "criminal damage and arson",
}


def _severity_category(offence: Offence) -> str:
    group = offence.group.lower()
    if offence.group in _VICTIM_BASED:
        return f"victim based crime - {_VICTIM_BASED[offence.group]}"
    if offence.group == "Miscellaneous crimes":
        return "other crimes against society - miscellaneous crimes against society"
    return f"other crimes against society - {group}"


def weight_rows() -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for o in sorted(OFFENCES, key=lambda o: (o.group.lower(), o.description.lower())):
        rows.append(
            (
                o.group.lower(),
                o.description,
                o.code,
                o.code,
                _severity_category(o),
                o.description,
                f"{o.weight:.1f}",
                "",
                o.subgroup,
                o.description,
                o.police_uk,
            )
        )
    return rows


def population_rows() -> list[tuple[str, ...]]:
    """Mid-year population per force, and per district of Anyshire (its shares of the
    force's, :data:`planwatch.demo.spec.DISTRICT_SHARES`), for each calendar year the
    recorded crime covers."""
    first = spec.PRC_FIRST.start.year
    last = spec.REPORT_QUARTER.end.year
    areas = [(force.name, float(force.population)) for force in spec.FORCES]
    own = next(force.population for force in spec.FORCES if force.name == spec.AREA)
    areas += [(district, own * share) for district, share in spec.DISTRICT_SHARES.items()]
    rows: list[tuple[str, ...]] = []
    for name, base in areas:
        for year in range(first, last + 1):
            population = base * (1 + spec.POPULATION_GROWTH_PCT / 100) ** (year - first)
            rows.append((name, str(year), str(round(population))))
    return rows


def code_rows() -> list[tuple[str, ...]]:
    return [
        (o.group, o.code, o.description, o.subgroup, o.police_uk)
        for o in sorted(OFFENCES, key=lambda o: (o.group, o.code))
    ]
