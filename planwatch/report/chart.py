"""What a chart shows, worked out before anything is drawn.

In: one :class:`~planwatch.narrative.run.MeasureResult` (the measure, its series and its
analysis). Out: a frozen :class:`ChartSpec` — every number, label and line the chart will
carry, its alt text written from the analysis results, and the data table behind it.
:mod:`planwatch.report.draw` turns a spec into SVG; nothing here draws or does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planwatch import formatting as fmt
from planwatch.analysis.results import MeasureAnalysis, TrendResult
from planwatch.measures.series import MeasureSeries
from planwatch.measures.windows import months_covered, uneven_quarters
from planwatch.narrative.run import MeasureResult
from planwatch.periods import (
    FINANCIAL_YEAR_START_MONTH,
    MONTHS_PER_YEAR,
    FinancialYear,
    Month,
    Quarter,
    parse_period,
)
from planwatch.plan.models import OWN_RECORDS, Measure
from planwatch.report.tables import CONFIDENCE_PCT, DataTable

#: Show every period label when a series is at most this long; otherwise one tick a year.
MAX_LABELLED_PERIODS = 8
#: A chart's data table is a grid of financial years by quarter or month (a row a year)
#: when the series is longer than this: shorter to read, and far fewer table rows for
#: WeasyPrint to lay out in the PDF appendix (docs/performance.md). Shorter series, and
#: series with confidence intervals, keep one row per period.
GRID_MIN_PERIODS = 12
QUARTER_COLUMNS = ("Q1", "Q2", "Q3", "Q4")
MONTH_COLUMNS = tuple(
    Month(2000, FINANCIAL_YEAR_START_MONTH).shift(i).short_name for i in range(MONTHS_PER_YEAR)
)  # "Apr" to "Mar"; the year only serves to name the months

TREND_METHODS = {
    "poisson_glm": "Poisson regression",
    "negative_binomial_glm": "negative binomial regression",
    "gaussian_glm": "linear regression",
}
FREQUENCY_WORDS = {"month": "monthly", "quarter": "quarterly"}
#: Units whose charts start the value axis at zero (amounts); percentages and scores zoom in.
ZERO_BASED_UNITS = frozenset({"count", "hours", "number", "rate_per_1000", "currency"})
#: Units counted in whole numbers: their axis ticks are whole numbers (no "3.5 homicides").
WHOLE_NUMBER_UNITS = frozenset({"count", "number"})
#: Said on the axis title of an amount's chart when the plan starts it above zero.
NOT_FROM_ZERO = "axis does not start at zero"


@dataclass(frozen=True)
class EventLine:
    x: float  # position on the period axis (0 = first period)
    label: str
    breaks_comparability: bool
    when: str = ""  # "April 2019"


@dataclass(frozen=True)
class ProcessLimits:
    """The limits the chart draws: the ones the latest point's verdict was judged by."""

    mean: float
    lower: float
    upper: float
    #: When the analysis widened the XmR limits for autocorrelation (analysis/spc.py):
    #: the corrected lag-1 autocorrelation, and the standard limits it replaced.
    autocorrelation: float | None = None
    standard: tuple[float, float] | None = None

    @property
    def widened(self) -> bool:
        return self.standard is not None

    @property
    def legend(self) -> str:
        return "Process limits, widened for long swings" if self.widened else "Process limits"


@dataclass(frozen=True)
class ChartSpec:
    measure_id: str
    title: str
    y_label: str
    unit: str
    decimals: int
    labels: tuple[str, ...]  # one per period, as a reader sees it
    values: tuple[float | None, ...]  # None: a gap (no data, or held out as suspect)
    ticks: tuple[tuple[int, str], ...]
    latest_index: int | None
    suspect: tuple[tuple[int, float], ...] = ()  # held-out values, drawn apart and not joined
    trend: tuple[float | None, ...] = ()  # only when the trend is statistically significant
    band_low: tuple[float | None, ...] = ()
    band_high: tuple[float | None, ...] = ()
    trend_label: str = ""
    intervals: tuple[tuple[float, float] | None, ...] = ()  # confidence intervals per period
    limits: ProcessLimits | None = None
    events: tuple[EventLine, ...] = ()
    y_from_zero: bool = True
    whole_numbers: bool = False  # ticks at whole numbers only
    alt_text: str = ""
    table: DataTable | None = None
    #: a record-based measure's definition in words and whose records it is counted from:
    #: said in the chart's caption and alt text, and in the chart's entry of the figures
    definition: Definition | None = None
    #: the calendar months the series never has (the plan's ``part_year``)
    without: tuple[int, ...] = ()

    @property
    def axis_title(self) -> str:
        """The value axis' title; it says so when an amount's axis does not start at zero."""
        if self.unit in ZERO_BASED_UNITS and not self.y_from_zero:
            return f"{self.y_label} ({NOT_FROM_ZERO})"
        return self.y_label


@dataclass(frozen=True)
class Definition:
    """A record-based measure's definition in words (``Plan.measure_definition``) and whose
    records it is counted from (``Plan.measure_origin``)."""

    words: str
    origin: str = OWN_RECORDS

    def counted(self) -> str:
        """ "counted from the force's own records: crimes flagged rural, by recorded date"."""
        return counted_from(self.words, self.origin)


def counted_from(words: str, origin: str = OWN_RECORDS) -> str:
    """How a record-based measure's definition is introduced, beside its chart, in its
    notes and in its chart data."""
    return f"counted from {origin}: {words}"


def definition_note(definition: Definition | None) -> str:
    """How a record-based measure's definition is said beside its chart and in its notes:
    "Counted from the force's own records: crimes flagged rural, by recorded date." """
    return f"{fmt.sentence_start(definition.counted())}." if definition else ""


def chart_spec(result: MeasureResult, definition: Definition | None = None) -> ChartSpec:
    """Everything the chart of one measure shows, from its results alone; ``definition``:
    a record-based measure's definition in words, and whose records they are."""
    measure, series, analysis = result.measure, result.series, result.analysis
    held = set(series.suspect)
    values = tuple(None if i in held else v for i, v in enumerate(series.values))
    suspect = tuple((i, v) for i, v in enumerate(series.values) if i in held and v is not None)
    trend, low, high = _trend_lines(analysis.trend, series)
    intervals = _intervals(analysis, series, measure.unit)
    spec = ChartSpec(
        measure_id=measure.id,
        title=measure.name,
        y_label=fmt.UNIT_WORDS.get(measure.unit, measure.unit).capitalize(),
        unit=measure.unit,
        decimals=measure.decimals,
        labels=tuple(fmt.short_period(p) for p in series.periods),
        values=values,
        ticks=_ticks(series.periods),
        latest_index=_latest_index(analysis, series, values),
        suspect=suspect,
        trend=trend,
        band_low=low,
        band_high=high,
        trend_label=_trend_label(analysis.trend) if trend else "",
        intervals=intervals,
        limits=process_limits(measure, analysis),
        events=tuple(
            EventLine(e.period_index, e.label, e.breaks_comparability, f"{e.date:%B %Y}")
            for e in analysis.events
            if e.period_index is not None and 0 <= e.period_index <= len(series.periods) - 1
        ),
        y_from_zero=_from_zero(measure),
        whole_numbers=measure.unit in WHOLE_NUMBER_UNITS and measure.decimals == 0,
        definition=definition,
        without=measure.part_year.without if measure.part_year is not None else (),
    )
    return _with_text(spec, result)


def _from_zero(measure: Measure) -> bool:
    """The plan's choice (``chart_from_zero``), else zero for amounts only."""
    if measure.chart_from_zero is not None:
        return measure.chart_from_zero
    return measure.unit in ZERO_BASED_UNITS


def _with_text(spec: ChartSpec, result: MeasureResult) -> ChartSpec:
    return replace(
        spec, alt_text=alt_text(spec, result), table=data_table(spec, result.series.periods)
    )


def _ticks(periods: tuple[Month | Quarter, ...]) -> tuple[tuple[int, str], ...]:
    if len(periods) <= MAX_LABELLED_PERIODS:
        return tuple((i, fmt.short_period(p)) for i, p in enumerate(periods))
    ticks = []
    for i, p in enumerate(periods):
        if isinstance(p, Quarter) and p.q == 1:
            ticks.append((i, p.financial_year.label))
        elif isinstance(p, Month) and p.month == 4:  # April: the financial year starts
            ticks.append((i, fmt.short_period(p)))
    return tuple(ticks) or ((0, fmt.short_period(periods[0])),)


def _latest_index(
    analysis: MeasureAnalysis, series: MeasureSeries, values: tuple[float | None, ...]
) -> int | None:
    if analysis.latest_label is not None and analysis.latest_label in series.labels:
        index = series.labels.index(analysis.latest_label)
        if values[index] is not None:
            return index
    known = [i for i, v in enumerate(values) if v is not None]
    return known[-1] if known else None


def _aligned(values: tuple[float, ...], start: int, length: int) -> tuple[float | None, ...]:
    out: list[float | None] = [None] * length
    for j, v in enumerate(values):
        if 0 <= start + j < length:
            out[start + j] = v
    return tuple(out)


def _trend_lines(
    trend: TrendResult | None, series: MeasureSeries
) -> tuple[tuple[float | None, ...], tuple[float | None, ...], tuple[float | None, ...]]:
    """The fitted line and its band, placed on the series' axis; empty unless significant."""
    if trend is None or not trend.significant or not trend.fitted:
        return (), (), ()
    labels, n = series.labels, len(series.periods)
    start = (
        labels.index(trend.first_label)
        if trend.first_label in labels
        else getattr(trend, "fit_start_index", 0)
    )
    band = bool(trend.band_low) and len(trend.band_low) == len(trend.fitted) == len(trend.band_high)
    return (
        _aligned(trend.fitted, start, n),
        _aligned(trend.band_low, start, n) if band else (),
        _aligned(trend.band_high, start, n) if band else (),
    )


def _trend_label(trend: TrendResult | None) -> str:
    if trend is None or trend.pct_per_year is None:
        return "Trend"
    return f"Trend ({fmt.signed(trend.pct_per_year, 1)}% a year) with {CONFIDENCE_PCT}% confidence band"


def _intervals(
    analysis: MeasureAnalysis, series: MeasureSeries, unit: str
) -> tuple[tuple[float, float] | None, ...]:
    if not analysis.proportions:
        return ()
    scale = 100.0 if unit == "percent" else 1.0
    by_label = {p.label: (scale * p.ci_low, scale * p.ci_high) for p in analysis.proportions}
    return tuple(by_label.get(label) for label in series.labels)


def process_limits(measure: Measure, analysis: MeasureAnalysis) -> ProcessLimits | None:
    """The limits the verdict used: widened for autocorrelation when the analysis did so."""
    if "spc" not in measure.analyses or analysis.spc is None:
        return None
    spc = analysis.spc
    if (
        spc.verdict_adjusted
        and spc.adjusted_lower_limit is not None
        and spc.adjusted_upper_limit is not None
    ):
        return ProcessLimits(
            spc.mean,
            spc.adjusted_lower_limit,
            spc.adjusted_upper_limit,
            autocorrelation=spc.autocorrelation,
            standard=(spc.lower_limit, spc.upper_limit),
        )
    return ProcessLimits(spc.mean, spc.lower_limit, spc.upper_limit)


def limits_note(spec: ChartSpec) -> str:
    """Said next to a chart whose process limits were widened for autocorrelation; empty
    for standard XmR limits."""
    limits = spec.limits
    if limits is None or limits.standard is None:
        return ""
    rho = (
        ""
        if limits.autocorrelation is None
        else f" (lag-1 autocorrelation {fmt.number(limits.autocorrelation, 2)})"
    )
    low, high = (fmt.value(v, spec.unit, spec.decimals) for v in limits.standard)
    return (
        f"The process limits drawn, {fmt.value(limits.lower, spec.unit, spec.decimals)} to "
        f"{fmt.value(limits.upper, spec.unit, spec.decimals)}, are widened because the series "
        f"moves in long swings{rho}: the standard XmR limits, {low} to {high}, would understate "
        "its usual range. The latest point is judged against the widened limits."
    )


# ------------------------------------------------------------------------------ alt text

_VARIATION = {
    "common_cause": "only common-cause variation",
    "special_cause_improving": "special-cause variation in the improving direction",
    "special_cause_concerning": "special-cause variation in the concerning direction",
    "special_cause_neutral": "special-cause variation",
}


def alt_text(spec: ChartSpec, result: MeasureResult) -> str:
    """One paragraph describing the chart from the analysis results, for screen readers."""
    measure, analysis = result.measure, result.analysis
    frequency = FREQUENCY_WORDS.get(result.series.frequency, result.series.frequency)
    labels = result.series.labels
    parts = [
        f"Line chart of {measure.name}, {frequency}, "
        f"from {fmt.period_text(labels[0])} to {fmt.period_text(labels[-1])}"
    ]
    if spec.definition:
        parts.append(spec.definition.counted())
    parts.append(_part_year_words(spec, result.series.frequency))
    parts.append(_trend_words(analysis.trend))
    parts.append(_latest_words(spec, analysis))
    if spec.intervals:
        parts.append(f"vertical bars show {CONFIDENCE_PCT}% confidence intervals")
    if spec.limits is not None and analysis.spc is not None:
        widened = ", widened for the series' long swings," if spec.limits.widened else ""
        parts.append(
            f"process limits{widened} from {fmt.value(spec.limits.lower, spec.unit, spec.decimals)} to "
            f"{fmt.value(spec.limits.upper, spec.unit, spec.decimals)} around a mean of "
            f"{fmt.value(spec.limits.mean, spec.unit, spec.decimals)} show {_VARIATION[analysis.spc.variation]}"
        )
    parts.extend(_event_words(e) for e in spec.events)
    gaps = [fmt.period_text(g) for g in analysis.gaps]
    if gaps:
        parts.append(f"no data for {fmt.join_words(gaps)}")
    if spec.suspect:
        parts.append(
            f"{len(spec.suspect)} value(s) held out as probable data-entry errors are shown unjoined"
        )
    return "; ".join(p for p in parts if p) + "."


def _part_year_words(spec: ChartSpec, frequency: str) -> str:
    """What a chart of a series that never has some months shows for them."""
    if not spec.without:
        return ""
    months = fmt.month_names(spec.without)
    if frequency == "month":
        return f"there is never any data for {months}, so each year's line breaks there"
    kept = [
        (q, [m for m in Quarter(2000, q).months() if m.month not in spec.without])
        for q in range(1, 5)
        if any(m.month in spec.without for m in Quarter(2000, q).months())
    ]
    each = fmt.join_words(
        [
            f"each Q{q} figure is of {fmt.month_names([m.month for m in ms])} only"
            for q, ms in kept
            if ms
        ]
    )
    return f"there is never any data for {months}: {each}" if each else ""


def _trend_words(trend: TrendResult | None) -> str:
    if trend is None or trend.method == "insufficient_data":
        return ""
    if not trend.significant or trend.pct_per_year is None:
        return "no statistically significant long-term trend"
    method = TREND_METHODS.get(trend.method, trend.method)
    direction = "downward" if trend.pct_per_year < 0 else "upward"
    return (
        f"a statistically significant {direction} trend of {fmt.number(abs(trend.pct_per_year), 1)}% a year "
        f"since {trend.first_label} ({method})"
    )


def _latest_words(spec: ChartSpec, analysis: MeasureAnalysis) -> str:
    if spec.latest_index is None or analysis.latest_value is None:
        return ""
    text = (
        f"latest value {fmt.value(analysis.latest_value, spec.unit, spec.decimals)} "
        f"in {fmt.period_text(analysis.latest_label)}"
    )
    extreme = analysis.extreme
    if extreme is not None:
        # a quarter of a series whose quarters cover different numbers of months was
        # compared only with quarters covering as many (measures.windows.like_for_like)
        among = ""
        latest = parse_period(analysis.latest_label) if analysis.latest_label else None
        if isinstance(latest, Quarter) and spec.without and uneven_quarters(spec.without):
            covered = months_covered(latest, spec.without)
            among = f" of any quarter covering {fmt.count_word(covered, 'month')}"
        if extreme.on_record:
            text += f", the {extreme.kind}{among} on record"
        elif extreme.since_label:
            text += f", the {extreme.kind}{among} since {fmt.period_text(extreme.since_label)}"
    return text


def _event_words(event: EventLine) -> str:
    when = f" ({event.when})" if event.when else ""
    if event.breaks_comparability:
        return f"a solid vertical line marks {event.label}{when}, a break in comparability"
    return f"a dotted vertical line marks {event.label}{when}"


# ------------------------------------------------------------------------------ data table


def data_table(spec: ChartSpec, periods: tuple[Month | Quarter, ...] = ()) -> DataTable:
    """The numbers behind the chart: a grid of financial years by quarter or month for a
    long series (when ``periods`` are given), otherwise one row per period."""
    if len(periods) == len(spec.labels) > GRID_MIN_PERIODS and not spec.intervals:
        return _grid_table(spec, periods)
    return _period_table(spec)


def _shown_values(spec: ChartSpec) -> list[str]:
    """Each period's value as the table shows it; held-out values are marked."""
    suspect = dict(spec.suspect)
    shown = []
    for i, v in enumerate(spec.values):
        if i in suspect:
            shown.append(f"{fmt.value(suspect[i], spec.unit, spec.decimals)} (held out)")
        else:
            shown.append(fmt.value(v, spec.unit, spec.decimals))
    return shown


def _period_table(spec: ChartSpec) -> DataTable:
    headers = ["Period", spec.y_label]
    if spec.intervals:
        headers += [f"Lower {CONFIDENCE_PCT}% limit", f"Upper {CONFIDENCE_PCT}% limit"]
    if spec.trend:
        headers.append("Trend")
    rows = []
    for i, (label, shown) in enumerate(zip(spec.labels, _shown_values(spec), strict=True)):
        row = [label, shown]
        if spec.intervals:
            interval = spec.intervals[i]
            row += [fmt.number(b, spec.decimals) for b in interval] if interval else ["–", "–"]
        if spec.trend:
            row.append(fmt.number(spec.trend[i], spec.decimals))
        rows.append(tuple(row))
    return DataTable(
        caption=f"Data for the chart of {spec.title}", headers=tuple(headers), rows=tuple(rows)
    )


def _column(period: Month | Quarter) -> int:
    """Where a period sits in its financial year: 0 for April (or Q1)."""
    if isinstance(period, Month):
        return (period.month - FINANCIAL_YEAR_START_MONTH) % MONTHS_PER_YEAR
    return period.q - 1


def _grid_table(spec: ChartSpec, periods: tuple[Month | Quarter, ...]) -> DataTable:
    """One row a financial year (and one for its trend values when the chart has a trend)."""
    monthly = isinstance(periods[0], Month)
    columns = MONTH_COLUMNS if monthly else QUARTER_COLUMNS
    years: dict[FinancialYear, dict[int, int]] = {}
    for i, period in enumerate(periods):
        years.setdefault(period.financial_year, {})[_column(period)] = i
    values = _shown_values(spec)
    trend = [fmt.number(t, spec.decimals) for t in spec.trend]
    rows: list[tuple[str, ...]] = []
    for year, where in sorted(years.items()):
        rows.append(
            (year.label, *(values[where[c]] if c in where else "" for c in range(len(columns))))
        )
        if trend:
            cells = (trend[where[c]] if c in where else "" for c in range(len(columns)))
            rows.append((f"{year.label} trend", *cells))
    by = "month" if monthly else "quarter"
    return DataTable(
        caption=f"Data for the chart of {spec.title}: {spec.y_label.lower()} by {by} and financial year",
        headers=("Financial year", *columns),
        rows=tuple(rows),
        compact=monthly,
        grid=True,
    )
