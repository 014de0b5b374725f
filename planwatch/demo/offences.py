"""The offences the demo's recorded-crime files carry.

In: nothing. Out: :data:`OFFENCES`, one :class:`Offence` per Home Office offence
code, with the code, description, group and subgroup exactly as the Home Office
police force area (PFA) open-data tables print them (tests/demo checks them against
the real offence lookup), the data.police.uk category the offence is published under,
an invented Anyshire volume per quarter at the start of the series, and an invented
harm weight (roughly "days of custody", the idea behind the ONS Crime Severity Score;
the demo's own round numbers, not the ONS values).

Subgroups carry the trend set in advance (:data:`SUBGROUP_TRENDS`), so a measure
built on a subgroup (e.g. violence with injury) has a known % change a year.
"""

from __future__ import annotations

from dataclasses import dataclass

VAP = "Violence against the person"
SEX = "Sexual offences"
ROB = "Robbery"
THEFT = "Theft offences"
DAMAGE = "Criminal damage and arson"
DRUGS = "Drug offences"
WEAPONS = "Possession of weapons offences"
ORDER = "Public order offences"
MISC = "Miscellaneous crimes"

# data.police.uk crime types (the "Crime type" column of street-level files).
VIOLENCE_SEXUAL = "Violence and sexual offences"
BURGLARY = "Burglary"
VEHICLE = "Vehicle crime"
OTHER_THEFT = "Other theft"
OTHER_CRIME = "Other crime"
ASB = "Anti-social behaviour"


@dataclass(frozen=True)
class Offence:
    code: str
    description: str
    group: str
    subgroup: str
    police_uk: str
    base: float  # expected Anyshire offences per quarter in the first demo quarter
    weight: float  # harm weight per offence (demo values)


def _o(
    code: str,
    description: str,
    group: str,
    subgroup: str,
    police_uk: str,
    base: float,
    weight: float,
) -> Offence:
    return Offence(code, description, group, subgroup, police_uk, base, weight)


OFFENCES: tuple[Offence, ...] = (
    _o("1/4.1/4.10/4.2", "Homicide", VAP, "Homicide", VIOLENCE_SEXUAL, 1.2, 6000),
    _o("2", "Attempted murder", VAP, "Violence with injury", VIOLENCE_SEXUAL, 2, 3500),
    _o(
        "4.4",
        "Causing death or serious injury by dangerous driving",
        VAP,
        "Violence with injury",
        VIOLENCE_SEXUAL,
        2,
        900,
    ),
    _o(
        "4.8",
        "Causing death by careless or inconsiderate driving",
        VAP,
        "Violence with injury",
        VIOLENCE_SEXUAL,
        1,
        300,
    ),
    _o(
        "5D",
        "Assault with intent to cause serious harm",
        VAP,
        "Violence with injury",
        VIOLENCE_SEXUAL,
        95,
        900,
    ),
    _o("5E", "Endangering life", VAP, "Violence with injury", VIOLENCE_SEXUAL, 1, 600),
    _o("8N", "Assault with injury", VAP, "Violence with injury", VIOLENCE_SEXUAL, 1050, 70),
    _o(
        "8P",
        "Racially or religiously aggravated assault with injury",
        VAP,
        "Violence with injury",
        VIOLENCE_SEXUAL,
        8,
        80,
    ),
    _o(
        "8S",
        "Assault with injury on a constable",
        VAP,
        "Violence with injury",
        VIOLENCE_SEXUAL,
        18,
        75,
    ),
    _o(
        "104",
        "Assault without injury on a constable",
        VAP,
        "Violence without injury",
        VIOLENCE_SEXUAL,
        40,
        8,
    ),
    _o("105A", "Assault without injury", VAP, "Violence without injury", VIOLENCE_SEXUAL, 1150, 10),
    _o(
        "105B",
        "Racially or religiously aggravated assault without injury",
        VAP,
        "Violence without injury",
        VIOLENCE_SEXUAL,
        12,
        12,
    ),
    _o("106", "Modern slavery", VAP, "Violence without injury", VIOLENCE_SEXUAL, 6, 500),
    _o(
        "11A",
        "Cruelty to children/young persons",
        VAP,
        "Violence without injury",
        VIOLENCE_SEXUAL,
        14,
        120,
    ),
    _o("13", "Child abduction", VAP, "Violence without injury", VIOLENCE_SEXUAL, 3, 150),
    _o("36", "Kidnapping", VAP, "Violence without injury", VIOLENCE_SEXUAL, 10, 450),
    _o("3B", "Threats to kill", VAP, "Violence without injury", VIOLENCE_SEXUAL, 45, 150),
    _o("8L", "Harassment", VAP, "Stalking and harassment", VIOLENCE_SEXUAL, 290, 15),
    _o(
        "8M",
        "Racially or religiously aggravated harassment",
        VAP,
        "Stalking and harassment",
        VIOLENCE_SEXUAL,
        3,
        20,
    ),
    _o("8Q", "Stalking", VAP, "Stalking and harassment", VIOLENCE_SEXUAL, 20, 100),
    _o("8R", "Malicious Communications", VAP, "Stalking and harassment", VIOLENCE_SEXUAL, 420, 12),
    _o("19C", "Rape of a female aged 16 and over", SEX, "Rape offences", VIOLENCE_SEXUAL, 80, 1800),
    _o("19D", "Rape of a female child under 16", SEX, "Rape offences", VIOLENCE_SEXUAL, 18, 1700),
    _o("19E", "Rape of a female child under 13", SEX, "Rape offences", VIOLENCE_SEXUAL, 13, 2500),
    _o("19F", "Rape of a male aged 16 and over", SEX, "Rape offences", VIOLENCE_SEXUAL, 2, 1800),
    _o("19G", "Rape of a male child under 16", SEX, "Rape offences", VIOLENCE_SEXUAL, 1, 1700),
    _o("19H", "Rape of a male child under 13", SEX, "Rape offences", VIOLENCE_SEXUAL, 4, 2500),
    _o(
        "17A",
        "Sexual assault on a male aged 13 and over",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        6,
        150,
    ),
    _o(
        "17B",
        "Sexual assault on a male child under 13",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        4,
        300,
    ),
    _o(
        "20A",
        "Sexual assault on a female aged 13 and over",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        62,
        150,
    ),
    _o(
        "20B",
        "Sexual assault on a female child under 13",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        18,
        300,
    ),
    _o(
        "21",
        "Sexual activity involving a child under 13",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        20,
        900,
    ),
    _o(
        "22A",
        "Causing sexual activity without consent",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        2,
        400,
    ),
    _o(
        "22B",
        "Sexual activity involving child under 16",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        38,
        350,
    ),
    _o(
        "23",
        "Incest or familial sexual offences",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        4,
        900,
    ),
    _o(
        "71",
        "Abuse of children through sexual exploitation",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        2,
        900,
    ),
    _o(
        "73",
        "Abuse of position of trust of a sexual nature",
        SEX,
        "Other sexual offences",
        VIOLENCE_SEXUAL,
        1,
        200,
    ),
    _o("88A", "Sexual grooming", SEX, "Other sexual offences", VIOLENCE_SEXUAL, 12, 450),
    _o("88E", "Exposure and voyeurism", SEX, "Other sexual offences", VIOLENCE_SEXUAL, 25, 30),
    _o(
        "34A",
        "Robbery of business property",
        ROB,
        "Robbery of business property",
        "Robbery",
        11,
        400,
    ),
    _o(
        "34B",
        "Robbery of personal property",
        ROB,
        "Robbery of personal property",
        "Robbery",
        100,
        350,
    ),
    _o("28E", "Burglary Residential", THEFT, "Domestic burglary", BURGLARY, 560, 40),
    _o("28F", "Attempted Burglary Residential", THEFT, "Domestic burglary", BURGLARY, 110, 20),
    _o("28G", "Distraction Burglary Residential", THEFT, "Domestic burglary", BURGLARY, 10, 40),
    _o("29A", "Aggravated Burglary Residential", THEFT, "Domestic burglary", BURGLARY, 6, 1200),
    _o("30C", "Burglary Business and Community", THEFT, "Non-domestic burglary", BURGLARY, 240, 15),
    _o(
        "30D",
        "Attempted Burglary Business and Community",
        THEFT,
        "Non-domestic burglary",
        BURGLARY,
        35,
        8,
    ),
    _o(
        "31A",
        "Aggravated Burglary Business and Community",
        THEFT,
        "Non-domestic burglary",
        BURGLARY,
        1,
        1000,
    ),
    _o("37.2", "Aggravated vehicle taking", THEFT, "Theft of a motor vehicle", VEHICLE, 9, 30),
    _o(
        "48",
        "Theft or unauthorised taking of motor vehicle",
        THEFT,
        "Theft of a motor vehicle",
        VEHICLE,
        300,
        10,
    ),
    _o("45", "Theft from vehicle", THEFT, "Theft from a vehicle", VEHICLE, 560, 6),
    _o("126", "Interfering with a motor vehicle", THEFT, "Vehicle interference", VEHICLE, 110, 2),
    _o(
        "39",
        "Theft from the person",
        THEFT,
        "Theft from the person",
        "Theft from the person",
        85,
        15,
    ),
    _o(
        "44",
        "Theft or unauthorised taking of a pedal cycle",
        THEFT,
        "Bicycle theft",
        "Bicycle theft",
        230,
        5,
    ),
    _o("46", "Shoplifting", THEFT, "Shoplifting", "Shoplifting", 780, 4),
    _o("35", "Blackmail", THEFT, "Other theft offences", OTHER_THEFT, 18, 200),
    _o(
        "40",
        "Theft in a dwelling other than from an automatic machine or meter",
        THEFT,
        "Other theft offences",
        OTHER_THEFT,
        110,
        8,
    ),
    _o("41", "Theft by an employee", THEFT, "Other theft offences", OTHER_THEFT, 22, 15),
    _o("42", "Theft of mail", THEFT, "Other theft offences", OTHER_THEFT, 9, 5),
    _o("43", "Dishonest use of electricity", THEFT, "Other theft offences", OTHER_THEFT, 4, 5),
    _o(
        "47",
        "Theft from automatic machine or meter",
        THEFT,
        "Other theft offences",
        OTHER_THEFT,
        7,
        5,
    ),
    _o("49", "Other theft", THEFT, "Other theft offences", OTHER_THEFT, 720, 6),
    _o("49A", "Making off without payment", THEFT, "Other theft offences", OTHER_THEFT, 150, 2),
    _o("56A", "Arson endangering life", DAMAGE, "Arson", "Criminal damage and arson", 5, 800),
    _o("56B", "Arson not endangering life", DAMAGE, "Arson", "Criminal damage and arson", 45, 150),
    _o(
        "58A",
        "Criminal damage to a dwelling",
        DAMAGE,
        "Criminal damage",
        "Criminal damage and arson",
        290,
        5,
    ),
    _o(
        "58B",
        "Criminal damage to a building other than a dwelling",
        DAMAGE,
        "Criminal damage",
        "Criminal damage and arson",
        95,
        5,
    ),
    _o(
        "58C",
        "Criminal damage to a vehicle",
        DAMAGE,
        "Criminal damage",
        "Criminal damage and arson",
        480,
        5,
    ),
    _o(
        "58D",
        "Other criminal damage",
        DAMAGE,
        "Criminal damage",
        "Criminal damage and arson",
        340,
        5,
    ),
    _o(
        "58J",
        "Racially or religiously aggravated criminal damage",
        DAMAGE,
        "Criminal damage",
        "Criminal damage and arson",
        6,
        10,
    ),
    _o("92A", "Trafficking in controlled drugs", DRUGS, "Trafficking of drugs", "Drugs", 48, 250),
    _o("92C", "Other drug offences", DRUGS, "Possession of drugs", "Drugs", 1, 10),
    _o(
        "92D",
        "Possession of controlled drugs (excl. Cannabis)",
        DRUGS,
        "Possession of drugs",
        "Drugs",
        42,
        10,
    ),
    _o(
        "92E",
        "Possession of controlled drugs (Cannabis)",
        DRUGS,
        "Possession of drugs",
        "Drugs",
        170,
        5,
    ),
    _o(
        "10A",
        "Possession of firearms with intent",
        WEAPONS,
        "Possession of weapons offences",
        "Possession of weapons",
        2,
        1500,
    ),
    _o(
        "10B",
        "Possession of firearms offences",
        WEAPONS,
        "Possession of weapons offences",
        "Possession of weapons",
        30,
        100,
    ),
    _o(
        "10C",
        "Possession of other weapons",
        WEAPONS,
        "Possession of weapons offences",
        "Possession of weapons",
        35,
        60,
    ),
    _o(
        "10D",
        "Possession of article with blade or point",
        WEAPONS,
        "Possession of weapons offences",
        "Possession of weapons",
        95,
        60,
    ),
    _o("62A", "Violent disorder", ORDER, "Public order offences", "Public order", 1, 300),
    _o(
        "66",
        "Other offences against the State or public order",
        ORDER,
        "Public order offences",
        "Public order",
        80,
        20,
    ),
    _o(
        "9A",
        "Public fear, alarm or distress",
        ORDER,
        "Public order offences",
        "Public order",
        620,
        5,
    ),
    _o(
        "9B",
        "Racially or religiously aggravated public fear, alarm or distress",
        ORDER,
        "Public order offences",
        "Public order",
        90,
        10,
    ),
    _o("33", "Going equipped for stealing, etc", MISC, "Miscellaneous crimes", OTHER_CRIME, 4, 40),
    _o(
        "38",
        "Profiting from or concealing knowledge of the proceeds of crime",
        MISC,
        "Miscellaneous crimes",
        OTHER_CRIME,
        4,
        150,
    ),
    _o("54", "Handling stolen goods", MISC, "Miscellaneous crimes", OTHER_CRIME, 7, 60),
    _o(
        "59",
        "Threat or possession with intent to commit criminal damage",
        MISC,
        "Miscellaneous crimes",
        OTHER_CRIME,
        85,
        5,
    ),
    _o("61", "Other forgery", MISC, "Miscellaneous crimes", OTHER_CRIME, 13, 100),
    _o(
        "69", "Offender Management Act offences", MISC, "Miscellaneous crimes", OTHER_CRIME, 10, 100
    ),
    _o(
        "79", "Perverting the course of justice", MISC, "Miscellaneous crimes", OTHER_CRIME, 14, 300
    ),
    _o("80", "Absconding from lawful custody", MISC, "Miscellaneous crimes", OTHER_CRIME, 1, 150),
    _o("802", "Dangerous driving", MISC, "Miscellaneous crimes", OTHER_CRIME, 10, 100),
    _o("86", "Obscene publications etc", MISC, "Miscellaneous crimes", OTHER_CRIME, 60, 150),
    _o("96", "Wildlife", MISC, "Miscellaneous crimes", OTHER_CRIME, 1, 5),
    _o("99", "Other notifiable offences", MISC, "Miscellaneous crimes", OTHER_CRIME, 26, 20),
)

#: % change a year set for each subgroup (invented; the demo's "truth").
SUBGROUP_TRENDS: dict[str, float] = {
    "Homicide": 0.0,
    "Violence with injury": 4.0,
    "Violence without injury": 6.0,
    "Stalking and harassment": 7.0,
    "Rape offences": 5.0,
    "Other sexual offences": 5.0,
    "Robbery of business property": -2.0,
    "Robbery of personal property": -2.0,
    "Domestic burglary": -7.0,
    "Non-domestic burglary": -6.0,
    "Theft of a motor vehicle": 1.0,
    "Theft from a vehicle": -4.0,
    "Vehicle interference": -3.0,
    "Theft from the person": -1.0,
    "Bicycle theft": -5.0,
    "Shoplifting": -1.0,
    "Other theft offences": -2.0,
    "Arson": -1.0,
    "Criminal damage": -3.0,
    "Trafficking of drugs": 2.0,
    "Possession of drugs": -3.0,
    "Possession of weapons offences": 3.0,
    "Public order offences": 3.0,
    "Miscellaneous crimes": 0.0,
}

#: Quarterly seasonality by group (Q1 Apr-Jun first): more violence and disorder in spring and summer.
GROUP_SEASON: dict[str, tuple[float, float, float, float]] = {
    VAP: (1.04, 1.04, 0.97, 0.95),
    SEX: (1.02, 1.02, 0.98, 0.98),
    ORDER: (1.05, 1.05, 0.96, 0.94),
    THEFT: (0.98, 1.0, 1.04, 0.98),
}
FLAT_SEASON = (1.0, 1.0, 1.0, 1.0)
