"""Invented force figures that no national table holds: surveys, workforce, sickness,
the schools education programme, and counts the force keeps itself.

In: a seed. Out: rows for the tidy measures CSV layout (:data:`MEASURES_HEADER`:
``measure, period, value, area, numerator, denominator, note``), grouped by file.
Quarters are written ``2023/24 Q1``, months ``2023-06``.

One row carries a deliberate data-entry error (:data:`planwatch.demo.spec.ERROR_SERIES`
at :data:`planwatch.demo.spec.ERROR_PERIOD`: ``428`` typed for ``4.28``), so the demo
shows how planwatch flags a value that cannot be right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from planwatch.demo import spec
from planwatch.demo.curves import Shape, binomial, expected, normal, poisson, rng_for
from planwatch.periods import Month, Quarter, month_range, quarter_range

MEASURES_HEADER = ("measure", "period", "value", "area", "numerator", "denominator", "note")


@dataclass(frozen=True)
class Row:
    measure: str
    period: Month | Quarter
    value: float | int
    numerator: int | None = None
    denominator: int | None = None
    note: str = ""
    decimals: int = 0

    def cells(self) -> tuple[str, ...]:
        value = f"{self.value:.{self.decimals}f}"
        return (
            self.measure,
            self.period.label,
            value,
            spec.AREA,
            "" if self.numerator is None else str(self.numerator),
            "" if self.denominator is None else str(self.denominator),
            self.note,
        )


def _quarters(first: Quarter, last: Quarter = spec.REPORT_QUARTER) -> tuple[Quarter, ...]:
    return quarter_range(first, last)


def _counts(seed: int, name: str, shape: Shape, periods: Sequence[Month | Quarter]) -> list[Row]:
    values = poisson(rng_for(seed, name), expected(shape, periods))
    return [Row(name, p, int(v)) for p, v in zip(periods, values, strict=True)]


# ---------------------------------------------------------------------------
# Counts the force keeps itself (quarterly)
# ---------------------------------------------------------------------------
def force_records(seed: int) -> list[Row]:
    quarters = _quarters(spec.FORCE_SERIES_FIRST)
    lockdown_roads = {m: f**2 for m, f in spec.LOCKDOWN_CRIME.items()}  # far less traffic
    shapes = {
        "domestic_abuse_offences": Shape(
            level=2_450,
            pct_per_year=spec.DOMESTIC_ABUSE_PCT_PER_YEAR,
            season=(1.03, 1.04, 0.97, 0.96),
            steps=(
                (spec.RECORDING_CHANGE, spec.DA_RECORDING_STEP),
                (spec.DA_DEFINITION_WIDENED, spec.DA_DEFINITION_STEP),
                (spec.RECORDING_REVISION, spec.DA_REVISION_STEP),
            ),
        ),
        "drug_related_homicides": Shape(
            level=spec.DRUG_HOMICIDES_PER_QUARTER, pct_per_year=spec.DRUG_HOMICIDES_PCT_PER_YEAR
        ),
        "rural_crime_offences": Shape(
            level=410, pct_per_year=spec.RURAL_PCT_PER_YEAR, season=(1.02, 1.08, 0.96, 0.94)
        ),
        "dog_theft_offences": Shape(level=6.5, pct_per_year=spec.DOG_THEFT_PCT_PER_YEAR),
        "business_crime_offences": Shape(
            level=640, pct_per_year=spec.BUSINESS_PCT_PER_YEAR, season=(1.0, 0.97, 1.08, 0.95)
        ),
        "killed_seriously_injured": Shape(
            level=118,
            pct_per_year=spec.KSI_PCT_PER_YEAR,
            season=(1.0, 1.1, 1.0, 0.9),
            events=lockdown_roads,
        ),
    }
    rows: list[Row] = []
    for name, shape in shapes.items():
        rows += _counts(seed, name, shape, quarters)
    return rows


#: The force's own counts its record extract (:mod:`planwatch.demo.records`) and road
#: casualty files (:mod:`planwatch.demo.stats19`) are made from: the plan counts these from
#: the records, so ``force-records.csv`` leaves them out (a
#: series no measure reads is stored with a warning).
COUNTED_FROM_RECORDS = (
    "rural_crime_offences",
    "dog_theft_offences",
    "business_crime_offences",
    "killed_seriously_injured",  # from the STATS19 casualty files (planwatch.demo.stats19)
)


def force_records_file(seed: int) -> list[Row]:
    """The rows of ``force-records.csv``: the force's own counts the plan reads as series."""
    return [r for r in force_records(seed) if r.measure not in COUNTED_FROM_RECORDS]


# ---------------------------------------------------------------------------
# Surveys (rolling 12 months, one quarter late)
# ---------------------------------------------------------------------------
def _rolling_survey(
    seed: int,
    name: str,
    first: Quarter,
    p_start: float,
    p_end: float,
    per_quarter: int,
    window: int,
) -> list[Row]:
    last = spec.REPORT_QUARTER.shift(-spec.SURVEY_LAG_QUARTERS)
    quarters = _quarters(first.shift(-(window - 1)), last)
    rng = rng_for(seed, name)
    p = np.linspace(p_start, p_end, len(quarters))
    n = rng.poisson(per_quarter, size=len(quarters))
    yes = binomial(rng, n, p)
    rows = []
    for i in range(window - 1, len(quarters)):
        num, den = int(yes[i - window + 1 : i + 1].sum()), int(n[i - window + 1 : i + 1].sum())
        quarter = quarters[i]
        note = f"12 months to {quarter.last_month.long_label}" if window == 4 else ""
        rows.append(Row(name, quarter, 100 * num / den, num, den, note, decimals=1))
    return rows


def surveys(seed: int) -> list[Row]:
    return (
        _rolling_survey(seed, "victim_confidence", spec.SURVEY_FIRST, 0.63, 0.61, 240, 4)
        + _rolling_survey(seed, "non_victim_confidence", spec.SURVEY_FIRST, 0.79, 0.73, 620, 4)
        + _rolling_survey(seed, "women_safe_after_dark", spec.WOMEN_SURVEY_FIRST, 0.47, 0.5, 380, 1)
    )


# ---------------------------------------------------------------------------
# Workforce: sickness hours (monthly) and the ethnic minority share (special constables and
# headcounts come from the HR extract, planwatch/demo/staff.py)
# ---------------------------------------------------------------------------
SICKNESS_SEASON = (
    0.95,
    0.96,
    0.95,
    1.0,
    0.95,
    0.96,
    1.1,
    1.04,
    1.12,
    1.05,
    0.98,
    1.0,
)  # April first
SICKNESS_SD_HOURS = 0.35
COVID_SICKNESS = {Month(2020, m): 0.7 for m in range(4, 13)} | {
    Month(2021, m): 0.75 for m in range(1, 7)
}


def _sickness(seed: int, name: str, level: float, pct: float) -> list[Row]:
    months = month_range(spec.SICKNESS_FIRST, spec.LAST_MONTH)
    shape = Shape(level=level, pct_per_year=pct, season=SICKNESS_SEASON, events=COVID_SICKNESS)
    values = normal(rng_for(seed, name), expected(shape, months), SICKNESS_SD_HOURS)
    return [Row(name, m, max(v, 0.5), decimals=2) for m, v in zip(months, values, strict=True)]


#: Ethnic minority share of the workforce (%): rising to the quarter of the data-entry
#: error, then easing slightly over the last year. A stock, so it moves slowly.
EM_SHARE_START, EM_SHARE_PEAK, EM_SHARE_LATEST = 3.55, 4.28, 4.12
EM_SHARE_SD = 0.03  # percentage points of quarter-to-quarter noise


def _ethnic_minority(seed: int) -> list[Row]:
    quarters = _quarters(spec.WORKFORCE_FIRST)
    peak = quarters.index(spec.ERROR_PERIOD)
    path = np.concatenate(
        [
            np.linspace(EM_SHARE_START, EM_SHARE_PEAK, peak + 1),
            np.linspace(EM_SHARE_PEAK, EM_SHARE_LATEST, len(quarters) - peak)[1:],
        ]
    )
    values = normal(rng_for(seed, spec.ERROR_SERIES), path, EM_SHARE_SD)
    rows = []
    for quarter, value in zip(quarters, values, strict=True):
        pct = round(float(value), 2)
        if quarter == spec.ERROR_PERIOD:  # typed without its decimal point: "428" for 4.28
            rows.append(Row(spec.ERROR_SERIES, quarter, round(pct * spec.ERROR_FACTOR)))
        else:
            rows.append(Row(spec.ERROR_SERIES, quarter, pct, decimals=2))
    return rows


def workforce(seed: int) -> list[Row]:
    return (
        _sickness(seed, "sickness_hours_officers", 7.6, -3.0)
        + _sickness(seed, "sickness_hours_staff", 5.4, 0.5)
        + _ethnic_minority(seed)
    )


# ---------------------------------------------------------------------------
# Schools education programme audience (monthly, school year only)
# ---------------------------------------------------------------------------
SCHOOL_CLOSED = {
    Month(2020, 4): 0.0,
    Month(2020, 5): 0.0,
    Month(2020, 6): 0.1,
    Month(2020, 7): 0.2,
    Month(2021, 1): 0.15,
    Month(2021, 2): 0.3,
}
SUMMER_HOLIDAY = 8  # August: no sessions, and no figures
EDUCATION_SEASON = (0.8, 1.05, 1.0, 0.55, 0.0, 1.0, 1.15, 1.2, 0.8, 1.05, 1.1, 1.0)  # April first
EDUCATION_STEPS = (
    (Month(2021, 9), 0.82),
    (Month(2023, 2), 0.85),
)  # slower return; two vacancies from February 2023


def education(seed: int) -> list[Row]:
    months = month_range(spec.EDUCATION_FIRST, spec.LAST_MONTH)
    shape = Shape(
        level=16_500,
        pct_per_year=-1.0,
        season=EDUCATION_SEASON,
        steps=EDUCATION_STEPS,
        events=SCHOOL_CLOSED,
    )
    values = poisson(rng_for(seed, "education_audience"), expected(shape, months))
    # August has no row at all (the plan declares the series part-year), not a zero
    return [
        Row(
            "education_audience",
            month,
            int(v),
            note="Schools closed" if SCHOOL_CLOSED.get(month) == 0.0 else "",
        )
        for month, v in zip(months, values, strict=True)
        if month.month != SUMMER_HOLIDAY
    ]


#: File name -> what goes in it.
SERIES_FILES: dict[str, Callable[[int], list[Row]]] = {
    "force-records.csv": force_records_file,
    "surveys.csv": surveys,
    "workforce.csv": workforce,
    "education-programme.csv": education,
}
