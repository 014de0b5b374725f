"""What the demo world is: the invented force area, its neighbours, the periods the
files cover, and the trends and events every generated series was given in advance.

In: nothing. Out: named constants. Tests in tests/demo read these to check that the
generated files really carry the trends set here (a fit recovers them).

Everything here is invented for the demo: "Anyshire" and its neighbours do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from planwatch.periods import Month, Quarter

AREA = "Anyshire"
FORCE_NAME = "Anyshire Police"  # how data.police.uk names the force ("Reported by", "Falls within")
FILE_SLUG = "anyshire"  # as in 2023-06-anyshire-street.csv
REPORT_QUARTER = Quarter(2023, 1)  # the demo reports on 2023/24 Q1 (April to June 2023)
LAST_MONTH = REPORT_QUARTER.last_month

PRC_FIRST = Quarter(2015, 1)  # recorded crime from 2015/16 Q1
STREET_FIRST = Month(2018, 4)  # data.police.uk months from April 2018
SURVEY_FIRST = Quarter(2017, 4)  # first rolling-12-month survey result (12 months to March 2018)
WOMEN_SURVEY_FIRST = Quarter(2021, 3)  # the after-dark question was added in autumn 2021
SURVEY_LAG_QUARTERS = 1  # survey results arrive one quarter late
SICKNESS_FIRST = Month(2015, 4)
WORKFORCE_FIRST = Quarter(2019, 1)
EDUCATION_FIRST = Month(2017, 4)
FORCE_SERIES_FIRST = Quarter(2016, 1)


@dataclass(frozen=True)
class Force:
    name: str
    population: int
    rate: float  # crime volume relative to Anyshire, per head
    trend_shift: float  # added to every subgroup's % a year


FORCES: tuple[Force, ...] = (
    Force(AREA, 620_000, 1.0, 0.0),
    Force("Northmoor", 1_140_000, 1.18, 1.0),
    Force("Westvale", 830_000, 0.92, -1.0),
    Force("Southcombe", 700_000, 1.05, 0.5),
    Force("Eastmarsh", 455_000, 0.86, -0.5),
)
POPULATION_GROWTH_PCT = 0.6  # % a year, every demo force (invented)
#: Anyshire's districts and their shares of its population (invented; they sum to 1): the
#: districts of the demo's street files and crime extract, and of its district breakdowns.
DISTRICT_SHARES = {
    "Anyford": 0.26, "Bramley Heath": 0.15, "Castlewick": 0.19,
    "Dunmere": 0.13, "Fallowfield": 0.15, "Greystock": 0.12,
}  # fmt: skip

# ---------------------------------------------------------------------------
# Trends set in advance (% change a year) for series that are not PRC subgroups
# (those are in planwatch.demo.offences.SUBGROUP_TRENDS).
# ---------------------------------------------------------------------------
ASB_PER_MONTH_2018 = 1_150.0
ASB_PCT_PER_YEAR = -8.0
ASB_SEASON = (1.02, 1.08, 1.12, 1.15, 1.12, 1.0, 0.98, 0.9, 0.82, 0.88, 0.92, 1.01)  # April first
DOMESTIC_ABUSE_PCT_PER_YEAR = 6.0
DRUG_HOMICIDES_PER_QUARTER = 2.6
DRUG_HOMICIDES_PCT_PER_YEAR = -12.0
RURAL_PCT_PER_YEAR = 1.5
DOG_THEFT_PCT_PER_YEAR = 2.0
BUSINESS_PCT_PER_YEAR = 3.0
KSI_PCT_PER_YEAR = -1.0

# ---------------------------------------------------------------------------
# Events. A recording-rule change breaks comparability (a step in the series);
# lockdowns explain unusual months but do not break the series.
# ---------------------------------------------------------------------------
RECORDING_CHANGE = Month(2018, 4)  # stalking and harassment counting rules changed
RECORDING_CHANGE_STEP = 1.35  # stalking and harassment offences, from that month
DA_RECORDING_STEP = 1.15  # domestic abuse, which includes much stalking and harassment
RECORDING_REVISION = Month(2023, 5)  # the rules were narrowed again
RECORDING_REVISION_STEP = 0.8
DA_REVISION_STEP = 0.93
DA_DEFINITION_WIDENED = Month(2021, 10)
DA_DEFINITION_STEP = 1.05
LOCKDOWN_START = Month(2020, 3)

#: How far crime fell in each month of restrictions (all-crime factor; groups respond
#: to it with the sensitivities below: factor ** sensitivity).
LOCKDOWN_CRIME: dict[Month, float] = {
    Month(2020, 3): 0.9,
    Month(2020, 4): 0.62,
    Month(2020, 5): 0.72,
    Month(2020, 6): 0.85,
    Month(2020, 7): 0.94,
    Month(2020, 11): 0.86,
    Month(2021, 1): 0.78,
    Month(2021, 2): 0.8,
    Month(2021, 3): 0.9,
}
LOCKDOWN_SENSITIVITY: dict[str, float] = {
    "Violence with injury": 0.6,
    "Violence without injury": 0.3,
    "Stalking and harassment": -0.2,
    "Rape offences": 0.5,
    "Other sexual offences": 0.5,
    "Domestic burglary": 1.1,
    "Non-domestic burglary": 0.8,
    "Shoplifting": 1.8,
    "Theft from the person": 2.0,
    "Bicycle theft": 0.4,
    "Possession of drugs": -0.8,
    "Trafficking of drugs": -0.3,
}
DEFAULT_LOCKDOWN_SENSITIVITY = 0.8

#: ASB rose under restrictions (reports of gatherings and breaches).
LOCKDOWN_ASB: dict[Month, float] = {
    Month(2020, 3): 1.25,
    Month(2020, 4): 1.9,
    Month(2020, 5): 1.75,
    Month(2020, 6): 1.45,
    Month(2020, 7): 1.15,
    Month(2020, 11): 1.3,
    Month(2021, 1): 1.35,
    Month(2021, 2): 1.3,
    Month(2021, 3): 1.15,
}

#: The deliberate data-entry error: a workforce percentage typed without its decimal point.
ERROR_SERIES = "ethnic_minority_workforce_pct"
ERROR_PERIOD = Quarter(2022, 1)  # 2022/23 Q1 (June 2022)
ERROR_FACTOR = 100  # "428" was typed for 4.28
