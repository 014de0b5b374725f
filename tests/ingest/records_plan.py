"""A plan with record sources and record-based measures, as a performance unit writes it.

The crime extract layout is a realistic crime-system export (one row per crime and
property item): reference, dates, Home Office offence code, flags, district, property
type and status, and columns planwatch must never store (names, free text).
"""

from __future__ import annotations

RECORDS_PLAN = """\
metadata:
  title: Police and Crime Plan 2024-2028
  organisation: Anyshire PFCC
  area: Anyshire
  plan_period: 2024-2028
record_sources:
  - name: crimes
    noun: crimes
    id: [crime_ref, item]
    date: recorded_date
    area: district
    columns:
      crime_ref: {type: text, header: Crime Reference}
      item: {type: integer, header: Property Item}
      recorded_date: {type: date, header: Recorded Date, format: "%d/%m/%Y"}
      offence_code: {type: text, header: HO Offence Code}
      domestic_abuse: {type: flag, header: DA Flag}
      rural: {type: flag, header: Rural Flag}
      business: {type: flag, header: Business Flag}
      district: {type: text, header: District}
      property_type: {type: text, header: Property Type}
      property_status: {type: text, header: Property Status}
      property_value: {type: number, header: Property Value}
  - name: casualties
    noun: casualties
    id: [collision, casualty]
    date: date
    area: police_force
    columns:
      collision: text
      casualty: integer
      date: date
      police_force: text
      severity: integer
measures:
  - id: domestic_abuse
    name: Domestic abuse offences
    source: {kind: records, records: crimes, where: {column: domestic_abuse, is_true: true},
             aggregate: count_distinct, of: crime_ref}
  - id: dog_thefts
    name: Dog thefts
    source:
      kind: records
      records: crimes
      where:
        all:
          - {column: offence_code, in: ["34B", "39", "40", "49"]}
          - {column: property_type, equals: "pet animal – dog"}
          - {column: property_status, in: [stolen, stolen/recovered]}
      aggregate: count_distinct
      of: crime_ref
  - id: rural_crime
    name: Rural crime
    source: {kind: records, records: crimes, where: {column: rural, is_true: true},
             aggregate: count_distinct, of: crime_ref}
  - id: business_crime
    name: Business crime
    source: {kind: records, records: crimes, where: {column: business, is_true: true},
             aggregate: count_distinct, of: crime_ref}
  - id: ksi
    name: Killed or seriously injured
    source: {kind: records, records: casualties, where: {column: severity, in: [1, 2]}}
priorities:
  - number: 1
    title: P
    objective: O
    measures: [domestic_abuse, dog_thefts, rural_crime, business_crime, ksi]
"""

CRIME_HEADER = [
    "Crime Reference", "Property Item", "Recorded Date", "HO Offence Code", "DA Flag",
    "Rural Flag", "Business Flag", "District", "Property Type", "Property Status",
    "Property Value", "Victim Name", "MO Text",
]  # fmt: skip


def crime(ref: str, item: int, day: str, code: str, da: str = "N", rural: str = "N",
          business: str = "N", district: str = "Northtown", ptype: str = "", status: str = "",
          value: str = "") -> list[str]:  # fmt: skip
    """One row of the crime extract; a victim's name and free text the plan does not map."""
    return [ref, str(item), day, code, da, rural, business, district, ptype, status, value,
            f"Victim of {ref}", "Suspect entered via rear door"]  # fmt: skip


#: Three months (April to June 2023) of a small crime extract, counted by hand in the tests:
#: domestic abuse: April 2 crimes (C1, C2), May 1 (C4), June 0 -> quarter 3;
#: dog thefts: C5 (two dogs, one crime) and C7 (stolen/recovered) -> 2; C6 is a cat; C8 a
#: dog but the offence is criminal damage; C9 a dog "lost", not stolen;
#: rural: C3, C5 -> 2; business: C10 -> 1.
CRIME_ROWS = [
    crime("C1", 1, "03/04/2023", "8N", da="Y"),
    crime("C2", 1, "17/04/2023", "105A", da="Yes"),
    crime("C3", 1, "29/04/2023", "58A", rural="Y", district="Southvale"),
    crime("C4", 1, "02/05/2023", "8N", da="y", district="Southvale"),
    crime("C5", 1, "09/05/2023", "49", rural="Y", ptype="Pet animal – dog", status="Stolen", value="800"),
    crime("C5", 2, "09/05/2023", "49", rural="Y", ptype="pet animal – dog", status="stolen", value="650"),
    crime("C6", 1, "11/05/2023", "49", ptype="Pet animal – cat", status="Stolen", value="100"),
    crime("C7", 1, "04/06/2023", "34B", ptype="pet animal – dog", status="Stolen/Recovered", value="1200"),
    crime("C8", 1, "12/06/2023", "58A", ptype="pet animal – dog", status="Stolen", value="0"),
    crime("C9", 1, "20/06/2023", "49", ptype="pet animal – dog", status="Lost", value="300"),
    crime("C10", 1, "28/06/2023", "49", business="Y", district="Southvale", value="55.50"),
]  # fmt: skip
