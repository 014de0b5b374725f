"""A realistic, hand-built :class:`AnalysisRun` and :class:`Commentary` for the report tests.

In: nothing (optionally how many priorities to build, for the benchmark).
Out: ``sample_run(n_priorities)`` and ``sample_commentary(run)``.

The numbers are made up but shaped like a real quarterly update: a quarterly count
with a significant downward trend, its confidence band and a comparability break;
a monthly count with SPC limits and a gap; a survey proportion with Wilson intervals
that arrives a quarter late; a sickness measure with a this-year-against-last variance
table. Until ``planwatch.services.analyse.run_analysis`` exists, the report is
developed against these.
"""

from __future__ import annotations

import math
from datetime import date

from planwatch.analysis.results import (
    ChangeResult,
    EventMarker,
    ExtremeResult,
    MannKendallResult,
    MeasureAnalysis,
    ProportionResult,
    SPCResult,
    SPCSignal,
    TrendResult,
    TwoProportionResult,
    VarianceRow,
)
from planwatch.errors import Problem
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.model import KeyPoint
from planwatch.narrative.run import AnalysisRun, MeasureResult, PriorityResult
from planwatch.periods import Month, Quarter, month_range, quarter_range
from planwatch.plan.commentary import Commentary, CommentaryEntry
from planwatch.plan.models import (
    Commitment,
    DataLag,
    Department,
    Event,
    Measure,
    Metadata,
    Plan,
    PoliceUkSource,
    PrcSource,
    Priority,
    SeriesSource,
)

REPORT_QUARTER = Quarter(2023, 1)

METADATA = Metadata(
    title="Police and Crime Plan 2024-2028",
    organisation="Office of the Police and Crime Commissioner for Exampleshire",
    area="Exampleshire",
    plan_period="2024-2028",
    report_title="Quarterly Update: {quarter}",
    version="1.2",
    author="Performance Analysis Unit",
    unit="Performance Analysis Unit",
    document_owner="Head of Performance",
    sensitivity="OFFICIAL",
    language="en-GB",
)

DEPARTMENTS = (
    Department(id="north-lpa", name="North Local Policing Area"),
    Department(id="south-lpa", name="South Local Policing Area"),
    Department(id="comms", name="Media and Communications"),
    Department(id="people", name="People Services"),
)

MEASURES = (
    Measure(
        id="all_crime",
        name="All recorded crime",
        source=PrcSource(),
        series_start="2016/17 Q1",
        analyses=("trend", "short_term", "extremes", "rolling12"),
        footnotes=("Excludes fraud and computer misuse, which Action Fraud records nationally.",),
    ),
    Measure(
        id="asb_incidents",
        name="Anti-social behaviour incidents",
        source=PoliceUkSource(crime_types=("Anti-social behaviour",)),
        frequency="month",
        analyses=("trend", "short_term", "spc"),
    ),
    Measure(
        id="victim_confidence",
        name="Confidence among victims",
        unit="percent",
        aggregation="proportion",
        source=SeriesSource(series="victim_confidence"),
        polarity="up_is_good",
        data_lag=DataLag(periods=1, note="Survey results arrive a quarter late."),
        analyses=("proportion", "short_term"),
        decimals=1,
        footnotes=(
            "Victims surveyed six to eight weeks after reporting; around 500 interviews a quarter.",
        ),
    ),
    Measure(
        id="sickness_hours",
        name="Hours lost to sickness (police officers)",
        unit="hours",
        aggregation="sum",
        source=SeriesSource(series="sickness_hours"),
        frequency="month",
        analyses=("variance_table", "short_term"),
        chart=False,
    ),
)

EVENTS = (
    Event(
        date=date(2020, 3, 23),
        label="First national lockdown",
        measures=("all_crime", "asb_incidents"),
    ),
    Event(
        date=date(2019, 4, 1),
        label="New crime recording system",
        measures=("all_crime",),
        breaks_comparability=True,
        note="Figures before April 2019 are not directly comparable.",
    ),
)

_PRIORITY_TEMPLATES = (
    (
        "Preventing crime",
        "Stop crime before it happens and keep communities safe.",
        ("all_crime", "asb_incidents"),
        (
            (
                "neighbourhood",
                "invest in neighbourhood policing to bring crime down.",
                ("north-lpa", "south-lpa"),
            ),
            (
                "hotspots",
                "patrol the places where anti-social behaviour is most common.",
                ("south-lpa",),
            ),
        ),
        ("Neighbourhood teams were restructured in April 2022.",),
    ),
    (
        "Supporting victims",
        "Put victims first at every stage of their contact with the police.",
        ("victim_confidence",),
        (
            ("reporting", "make it easier to report crime online and by phone.", ("comms",)),
            ("updates", "keep victims updated on their case within agreed times.", ("north-lpa",)),
        ),
        (),
    ),
    (
        "A healthy workforce",
        "Support officers and staff to stay well and at work.",
        ("sickness_hours",),
        (("wellbeing", "offer every officer a wellbeing check each year.", ("people",)),),
        (),
    ),
)

#: The sample report's publication date (its cover's "Published").
PUBLISHED = date(2023, 8, 15)


def _plan(n_priorities: int) -> Plan:
    priorities = []
    for i in range(n_priorities):
        title, objective, measures, commitments, footnotes = _PRIORITY_TEMPLATES[
            i % len(_PRIORITY_TEMPLATES)
        ]
        number = i + 1
        priorities.append(
            Priority(
                number=number,
                title=title if i < len(_PRIORITY_TEMPLATES) else f"{title} ({number})",
                objective=objective,
                measures=measures,
                commitments=tuple(
                    Commitment(id=f"p{number}-{slug}", text=text, owners=owners)
                    for slug, text, owners in commitments
                ),
                footnotes=footnotes,
            )
        )
    return Plan(
        metadata=METADATA,
        departments=DEPARTMENTS,
        measures=MEASURES,
        priorities=tuple(priorities),
        events=EVENTS,
    )


def _kp(measure: str, kind: str, text: str, **kw: object) -> KeyPoint:
    defaults: dict[str, object] = {
        "period": REPORT_QUARTER.label,
        "direction": None,
        "good_or_bad": "neutral",
        "significant": None,
        "method": None,
        "magnitude": None,
        "evidence": {},
        "importance": 0.5,
    }
    defaults.update(kw)
    return KeyPoint(measure=measure, kind=kind, text=text, key=f"{measure}:{kind}", **defaults)  # type: ignore[arg-type]


# ---------------------------------------------------------------- all recorded crime (quarterly)


def _all_crime() -> MeasureResult:
    measure = MEASURES[0]
    periods = quarter_range(Quarter(2016, 1), REPORT_QUARTER)
    n = len(periods)
    seasonal = (1.04, 1.06, 0.97, 0.93)
    slope = math.log(1 - 0.031) / 4  # -3.1% a year
    fitted = tuple(36_000 * math.exp(slope * t) for t in range(n))
    wiggle = (0.012, -0.018, 0.02, -0.006, 0.004, -0.011)
    values: list[float | None] = [
        round(f * seasonal[p.q - 1] * (1 + wiggle[t % len(wiggle)]))
        for t, (p, f) in enumerate(zip(periods, fitted, strict=True))
    ]
    values[16] = round(values[16] * 0.78)  # 2020/21 Q1, lockdown
    values[-1] = 26_214
    start = 12  # the trend is fitted from 2019/20 Q1, after the comparability break
    fitted = fitted[start:]
    half_width = tuple(
        0.012 * f * (1 + abs(t - len(fitted) / 2) / len(fitted)) for t, f in enumerate(fitted)
    )
    trend = TrendResult(
        method="poisson_glm",
        first_label=periods[start].label,
        last_label=periods[-1].label,
        n_periods=n - start,
        direction="down",
        pct_per_year=-3.1,
        ci_low=-4.0,
        ci_high=-2.2,
        p_value=0.0004,
        significant=True,
        strength="moderate",
        low_counts=False,
        dispersion=3.2,
        fitted=fitted,
        band_low=tuple(f - h for f, h in zip(fitted, half_width, strict=True)),
        band_high=tuple(f + h for f, h in zip(fitted, half_width, strict=True)),
        mann_kendall=MannKendallResult(
            "seasonal_mann_kendall", -90, -0.41, -3.6, 0.0003, -270.0, True, True, n - start
        ),
        agrees_with_robust_check=True,
        caveats=("Trend fitted from 2019/20 Q1, after the comparability break.",),
        fit_start_index=start,
    )
    latest = float(values[-1] or 0)
    previous = float(values[-2] or 0)
    last_year = float(values[-5] or 0)
    analysis = MeasureAnalysis(
        measure_id=measure.id,
        latest_label=REPORT_QUARTER.label,
        latest_value=latest,
        data_lag_periods=0,
        trend=trend,
        changes=(
            ChangeResult(
                "previous_period",
                REPORT_QUARTER.label,
                latest,
                periods[-2].label,
                previous,
                latest - previous,
                100 * (latest - previous) / previous,
                "down" if latest < previous else "up",
                True,
                0.001,
                "poisson_rate_ratio_exact",
            ),
            ChangeResult(
                "same_period_last_year",
                REPORT_QUARTER.label,
                latest,
                periods[-5].label,
                last_year,
                latest - last_year,
                100 * (latest - last_year) / last_year,
                "down" if latest < last_year else "up",
                True,
                0.0001,
                "poisson_rate_ratio_exact",
            ),
        ),
        extreme=ExtremeResult(
            kind="lowest", on_record=False, since_label="2020/21 Q1", n_periods_compared=n - 1
        ),
        events=(
            EventMarker("New crime recording system", date(2019, 4, 1), True, 12.0),
            EventMarker("First national lockdown", date(2020, 3, 23), False, 15.93),
        ),
        notes=(
            "Counts vary more than a Poisson model allows, so the trend test allows for overdispersion.",
        ),
    )
    series = MeasureSeries(measure.id, "quarter", periods, tuple(values))
    key_points = (
        _kp(
            measure.id,
            "trend",
            "All recorded crime has fallen by 3.1% a year on average since 2019/20 Q1, a statistically significant downward trend.",
            direction="down",
            good_or_bad="good",
            significant=True,
            method="poisson_glm",
            magnitude=-3.1,
            importance=0.9,
        ),
        _kp(
            measure.id,
            "extreme",
            "At 26,214 offences, 2023/24 Q1 had the lowest total since 2020/21 Q1.",
            direction="down",
            good_or_bad="good",
            importance=0.7,
        ),
        _kp(
            measure.id,
            "change_last_year",
            f"Crime was {abs(100 * (latest - last_year) / last_year):.1f}% lower than in the same quarter last year.",
            direction="down",
            good_or_bad="good",
            significant=True,
            method="poisson_rate_ratio_exact",
            importance=0.6,
        ),
    )
    return MeasureResult(measure, series, analysis, key_points)


# ---------------------------------------------------------------- ASB (monthly, SPC, a gap)


def _asb() -> MeasureResult:
    measure = MEASURES[1]
    periods = month_range(Month(2021, 4), REPORT_QUARTER.last_month)
    pattern = (2410, 2530, 2650, 2880, 2790, 2460, 2310, 2180, 1990, 2060, 2140, 2290)
    values: list[float | None] = [float(pattern[i % 12] - 8 * i) for i in range(len(periods))]
    values[20] = None  # no data published for one month
    values[-1] = 3015.0
    usable = [v for v in values if v is not None]
    mean = sum(usable) / len(usable)
    spc = SPCResult(
        method="xmr",
        mean=mean,
        mr_bar=210.0,
        upper_limit=mean + 2.66 * 210,
        lower_limit=mean - 2.66 * 210,
        upper_near=mean + 2 * 2.66 * 210 / 3,
        lower_near=mean - 2 * 2.66 * 210 / 3,
        baseline_n=len(usable),
        signals=(SPCSignal("outside_limits", (len(periods) - 1,), "high", False),),
        variation="special_cause_concerning",
        assurance=None,
        target=None,
    )
    analysis = MeasureAnalysis(
        measure_id=measure.id,
        latest_label=periods[-1].label,
        latest_value=values[-1],
        data_lag_periods=0,
        trend=TrendResult(
            "poisson_glm",
            periods[0].label,
            periods[-1].label,
            len(periods),
            "flat",
            -0.8,
            -2.9,
            1.4,
            0.46,
            False,
            "none",
            False,
            2.1,
        ),
        spc=spc,
        events=(),
        gaps=(periods[20].label,),
    )
    series = MeasureSeries(measure.id, "month", periods, tuple(values))
    key_points = (
        _kp(
            measure.id,
            "spc",
            "Anti-social behaviour incidents in June 2023 (3,015) were above the upper process limit: a signal of special-cause variation.",
            direction="up",
            good_or_bad="bad",
            significant=True,
            method="xmr",
            importance=0.8,
            period="2023-06",
        ),
        _kp(
            measure.id,
            "no_trend",
            "There is no statistically significant long-term trend in anti-social behaviour.",
            importance=0.3,
        ),
    )
    return MeasureResult(measure, series, analysis, key_points)


# ---------------------------------------------------------------- survey proportion (lagged)


def _victim_confidence() -> MeasureResult:
    measure = MEASURES[2]
    periods = quarter_range(Quarter(2020, 1), REPORT_QUARTER)
    n_resp = (512, 498, 530, 505, 521, 488, 515, 502, 496, 509, 517, 493, 507)
    rates = (0.78, 0.77, 0.79, 0.76, 0.75, 0.77, 0.74, 0.73, 0.75, 0.72, 0.71, 0.70)
    numerators: list[float | None] = [round(r * n) for r, n in zip(rates, n_resp, strict=False)] + [
        None
    ]
    denominators: list[float | None] = [float(n) for n in n_resp[:-1]] + [None]
    values: list[float | None] = [
        100 * k / d if k is not None and d else None
        for k, d in zip(numerators, denominators, strict=True)
    ]
    proportions = []
    for p, k, d in zip(periods, numerators, denominators, strict=True):
        if k is None or d is None:
            continue
        phat = k / d
        z = 1.959964
        centre = (phat + z * z / (2 * d)) / (1 + z * z / d)
        half = z * math.sqrt(phat * (1 - phat) / d + z * z / (4 * d * d)) / (1 + z * z / d)
        proportions.append(ProportionResult(p.label, k, d, phat, centre - half, centre + half))
    latest, year_ago = proportions[-1], proportions[-5]
    test = TwoProportionResult(
        latest,
        year_ago,
        100 * (latest.proportion - year_ago.proportion),
        -10.6,
        -0.8,
        -2.27,
        0.023,
        True,
    )
    analysis = MeasureAnalysis(
        measure_id=measure.id,
        latest_label=latest.label,
        latest_value=100 * latest.proportion,
        data_lag_periods=1,
        proportions=tuple(proportions),
        proportion_tests=(test,),
        gaps=(REPORT_QUARTER.label,),
    )
    series = MeasureSeries(
        measure.id,
        "quarter",
        periods,
        tuple(values),
        tuple(numerators),
        tuple(denominators),
        unit="percent",
    )
    key_points = (
        _kp(
            measure.id,
            "proportion_gap",
            f"{100 * latest.proportion:.1f}% of victims surveyed in {latest.label} were confident in the police, "
            f"down {abs(test.difference_pp):.1f} percentage points on a year earlier; the fall is statistically significant.",
            direction="down",
            good_or_bad="bad",
            significant=True,
            method="two_proportion_z",
            importance=0.85,
            period=latest.label,
        ),
        _kp(
            measure.id,
            "data_lag",
            f"Survey results for {REPORT_QUARTER.label} are not yet available; the latest are for {latest.label}.",
            importance=0.2,
        ),
    )
    return MeasureResult(measure, series, analysis, key_points)


# ---------------------------------------------------------------- sickness (variance table)


def _sickness() -> MeasureResult:
    measure = MEASURES[3]
    periods = month_range(Month(2022, 4), REPORT_QUARTER.last_month)
    last_year = (
        6120.0,
        5980.0,
        6410.0,
        6630.0,
        6050.0,
        6890.0,
        7240.0,
        7510.0,
        8120.0,
        7860.0,
        7020.0,
        6540.0,
    )
    this_year = (5870.0, 6240.0, 5990.0)
    values = last_year + this_year
    months = tuple(m.short_name for m in periods[:12])
    current: tuple[float | None, ...] = this_year + (None,) * 9
    variance = tuple(
        c - p if c is not None else None for c, p in zip(current, last_year, strict=True)
    )
    analysis = MeasureAnalysis(
        measure_id=measure.id,
        latest_label=periods[-1].label,
        latest_value=values[-1],
        data_lag_periods=0,
        variance=(
            VarianceRow("2023/24 variance to 2022/23", months, current, last_year, variance),
        ),
    )
    series = MeasureSeries(measure.id, "month", periods, values, unit="hours")
    key_points = (
        _kp(
            measure.id,
            "variance",
            "Officers lost 18,100 hours to sickness in 2023/24 Q1, 410 fewer than in the same quarter last year.",
            direction="down",
            good_or_bad="good",
            importance=0.5,
        ),
    )
    return MeasureResult(measure, series, analysis, key_points)


_BUILDERS = {
    "all_crime": _all_crime,
    "asb_incidents": _asb,
    "victim_confidence": _victim_confidence,
    "sickness_hours": _sickness,
}


def sample_run(n_priorities: int = 3) -> AnalysisRun:
    """The hand-built run; ``n_priorities`` above 3 repeats the priorities (for the benchmark)."""
    plan = _plan(n_priorities)
    results = {m: build() for m, build in _BUILDERS.items()}
    priorities = []
    for priority in plan.priorities:
        measures = tuple(results[m] for m in priority.measures)
        ranked = sorted(
            (kp for m in measures for kp in m.key_points), key=lambda kp: -kp.importance
        )
        priorities.append(PriorityResult(priority, measures, tuple(ranked[:3])))
    return AnalysisRun(
        plan=plan,
        quarter=REPORT_QUARTER,
        priorities=tuple(priorities),
        data_to=REPORT_QUARTER.last_month,
        warnings=(
            Problem(
                "Victim survey results for 2023/24 Q1 were not available when this report was produced."
            ),
        ),
    )


def sample_commentary(run: AnalysisRun) -> Commentary:
    """Commentary for most commitments; one (priority 1's second) is left without, on purpose."""
    entries = []
    for priority in run.plan.priorities:
        for j, commitment in enumerate(priority.commitments):
            if priority.number % 3 == 1 and j == 1:
                continue  # "No commentary received"
            for owner in commitment.owners:
                entries.append(
                    CommentaryEntry(
                        commitment=commitment.id,
                        department=owner,
                        rag="green" if j == 0 else "amber",
                        text=(
                            "Two new neighbourhood teams started in May, bringing the number of dedicated officers to 164.\n\n"
                            "Patrol plans now follow the monthly hotspot review & partners' data from the council."
                            if j == 0
                            else "A new online form went live in June. Early feedback from users is positive."
                        ),
                    )
                )
    return Commentary(quarter=run.quarter.label, entries=tuple(entries))
