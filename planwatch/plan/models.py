"""The plan as typed data.

In: a mapping (from ``plan.yaml``, see :mod:`planwatch.plan.load`).
Out: a frozen :class:`Plan` — metadata, departments, measures, priorities with
their commitments, and events. Cross-references (a priority naming a measure,
a commitment naming a department, an event naming a measure) are checked in
:mod:`planwatch.plan.load` so that all problems are reported at once.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from planwatch.errors import PeriodError
from planwatch.periods import CalendarYear, Month, Period, Quarter, Rolling12, parse_period

SLUG = r"^[a-z][a-z0-9_\-]*$"
Slug = Annotated[str, Field(pattern=SLUG, min_length=1, max_length=64)]
#: A trend window told back from the latest period ("last 2 years").
LAST_YEARS = re.compile(r"last ([1-9]\d*) years?")


def _period(text: str) -> Period:
    """Parse inside a validator: a PeriodError becomes a ValueError pydantic can report with its field."""
    try:
        return parse_period(text)
    except PeriodError as exc:
        raise ValueError(
            exc.problems[0].message
            + (f"; expected {exc.problems[0].expected}" if exc.problems[0].expected else "")
        ) from None


#: Each model's validator is built when it is first used, not when this module is imported:
#: a plan read from its cache (:mod:`planwatch.plan.cache`) is never validated again, so
#: ``planwatch status`` builds none (0.04 s of CPU at start-up; issue 17).
DEFER_BUILD = True


#: Whose records a record source holds, unless it says (``RecordSourceDef.origin``).
OWN_RECORDS = "the force's own records"


class Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=DEFER_BUILD
    )


class Metadata(Frozen):
    """What goes on the cover."""

    title: str = Field(description="Plan title, e.g. 'Police and Crime Plan 2024-2028'")
    organisation: str = Field(
        description="Who publishes the report, e.g. 'Anyshire Police, Fire and Crime Commissioner'"
    )
    area: str = Field(description="The force area as named in the data, e.g. 'Essex' or 'Anyshire'")
    plan_period: str = Field(description="e.g. '2024-2028'")
    report_title: str = Field(
        default="Quarterly Update: {quarter}",
        description="Pattern for the report title; {quarter} becomes e.g. '2023/24 Q1'",
    )
    version: str = "1.0"
    author: str = ""
    unit: str = Field(default="", description="The team that produces the report")
    document_owner: str = ""
    sensitivity: str = Field(
        default="OFFICIAL", description="Sensitivity marking printed on every page"
    )
    language: str = Field(default="en-GB", description="Document language (BCP 47)")
    published: dict[str, date] = Field(
        default_factory=dict,
        description="Publication date of each quarter's update, e.g. {'2023/24 Q1': 2023-08-15}: "
        "printed on the cover (never the date the report happens to be built)",
    )

    @field_validator("report_title")
    @classmethod
    def _has_quarter(cls, v: str) -> str:
        if "{quarter}" not in v:
            raise ValueError("must contain '{quarter}' where the quarter label goes")
        return v


class Department(Frozen):
    """An owner of commitments: a local policing area, a unit, a team."""

    id: Slug
    name: str
    email: str | None = None
    areas: tuple[str, ...] = Field(
        default=(),
        description="For a local policing area: the districts it covers, as the data names "
        "them (a district breakdown groups them under it)",
    )


class PrcSource(Frozen):
    """Home Office police recorded crime (PFA tables). Empty selectors mean all offences."""

    kind: Literal["prc"] = "prc"
    force: str | None = Field(default=None, description="Force name; defaults to metadata.area")
    offence_codes: tuple[str, ...] = ()
    offence_groups: tuple[str, ...] = ()
    offence_subgroups: tuple[str, ...] = ()


class PoliceUkSource(Frozen):
    """data.police.uk street-level crime and ASB. Empty ``crime_types`` means all crime (not ASB)."""

    kind: Literal["police_uk"] = "police_uk"
    falls_within: str | None = Field(
        default=None,
        description="e.g. 'Essex Police'; with none, the plan's force: the store's only "
        "force, or of several the one that is metadata.area ('Essex' is 'Essex Police')",
    )
    crime_types: tuple[str, ...] = ()


class SeriesSource(Frozen):
    """A named series from a tidy measures CSV (surveys, workforce, sickness, ...)."""

    kind: Literal["series"] = "series"
    series: str
    area: str | None = None


#: A column of a record source: stored under this name (a safe SQL identifier).
COLUMN_NAME = r"^[a-z][a-z0-9_]*$"
ColumnName = Annotated[str, Field(pattern=COLUMN_NAME, min_length=1, max_length=63)]
ColumnType = Literal["text", "integer", "number", "date", "flag"]
#: Flag spellings accepted when a column does not declare its own (compared case-insensitively).
FLAG_TRUE = ("y", "yes", "true", "1")
FLAG_FALSE = ("n", "no", "false", "0", "")
Value = str | int | float | date


class RecordColumn(Frozen):
    """One column kept from a record-level extract; every column not mapped is never stored."""

    type: ColumnType = "text"
    header: str | None = Field(
        default=None, description="The column's header in the file, if not the same as its name"
    )
    format: str | None = Field(
        default=None, description="Date format (strftime codes, e.g. '%d/%m/%Y'); default ISO"
    )
    true: tuple[str, ...] = Field(default=FLAG_TRUE, description="Flag values meaning yes")
    false: tuple[str, ...] = Field(
        default=FLAG_FALSE, description="Flag values meaning no ('' is a blank cell)"
    )

    @model_validator(mode="before")
    @classmethod
    def _yaml_scalars(cls, v: object) -> object:
        """YAML reads spellings such as ``1`` or ``true`` in a flag's lists as a number or a
        boolean: each is taken as the text written."""
        if not isinstance(v, dict):
            return v
        out = dict(v)
        for key in ("true", "false"):
            spellings = out.get(key)
            if isinstance(spellings, list | tuple):
                out[key] = tuple(_spelling(s) for s in spellings)
        return out


def _spelling(value: object) -> object:
    """A YAML scalar as the text it was written as (booleans lower case); others unchanged."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return value


class RecordSourceDef(Frozen):
    """A record-level extract (one row per crime, casualty, incident...) and how to read it."""

    name: ColumnName
    noun: str = Field(
        default="records", description="What one row is, plural, for definitions: 'crimes'"
    )
    origin: str = Field(
        default=OWN_RECORDS,
        description="Whose records these are, as the report says beside a measure counted "
        "from them: 'Counted from <origin>: crimes flagged rural, by recorded date'",
    )
    id: tuple[ColumnName, ...] = Field(
        default=(),
        description="The column(s) that identify a record (no two rows alike); a new file "
        "revises the stored records with the same id",
    )
    revise_by: tuple[ColumnName, ...] = Field(
        default=(),
        description="Without an id: with the month of the date, the columns saying which "
        "stored records a new file replaces (e.g. the force of a data.police.uk file)",
    )
    date: ColumnName = Field(description="The date column records are counted by, by default")
    area: ColumnName | None = Field(default=None, description="The district / area column")
    area_is_force: bool = Field(
        default=False,
        description="The area column names police forces (a national file): a measure counts "
        "the plan's force (metadata.area) unless it names another area",
    )
    columns: dict[ColumnName, RecordColumn] = Field(min_length=1)

    @field_validator("id", mode="before")
    @classmethod
    def _one_id(cls, v: object) -> object:
        return (v,) if isinstance(v, str) else v

    @field_validator("columns", mode="before")
    @classmethod
    def _shorthand(cls, v: object) -> object:
        """``offence_code: text`` is short for ``offence_code: {type: text}``."""
        if isinstance(v, dict):
            return {k: {"type": c} if isinstance(c, str) else c for k, c in v.items()}
        return v

    @model_validator(mode="after")
    def _columns_mapped(self) -> RecordSourceDef:
        named = [*self.id, *self.revise_by, self.date, *([self.area] if self.area else [])]
        missing = [c for c in dict.fromkeys(named) if c not in self.columns]
        if missing:
            raise ValueError(
                f"record source '{self.name}' names column(s) {', '.join(missing)} that "
                "'columns' does not map"
            )
        if self.columns[self.date].type != "date":
            raise ValueError(f"the date column '{self.date}' must have type date")
        headers = [self.header_of(c).strip().lower() for c in self.columns]
        if len(set(headers)) != len(headers):
            raise ValueError("two columns read the same header")
        return self

    def header_of(self, column: str) -> str:
        return self.columns[column].header or column


#: Filter operators, as written in the plan.
FILTER_OPERATORS = (
    "equals", "in", "not_in", "contains", "matches", "between", "is_true", "is_empty",
)  # fmt: skip


def _attr(operator: str) -> str:
    """The model attribute of an operator ('in' is a Python keyword)."""
    return "in_" if operator == "in" else operator


class Filter(Frozen):
    """One test on a record's column; exactly one operator is given."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, defer_build=DEFER_BUILD
    )

    column: ColumnName
    equals: Value | None = None
    in_: tuple[Value, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Value, ...] | None = None
    contains: str | None = None
    matches: str | None = Field(default=None, description="A regular expression")
    between: tuple[Value, Value] | None = None
    is_true: bool | None = None
    is_empty: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Filter:
        given = [op for op in FILTER_OPERATORS if getattr(self, _attr(op)) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a filter on '{self.column}' needs exactly one of {', '.join(FILTER_OPERATORS)}"
                + (f" (it has {', '.join(given)})" if given else "")
            )
        return self

    @property
    def operator(self) -> str:
        return next(op for op in FILTER_OPERATORS if getattr(self, _attr(op)) is not None)

    @property
    def operand(self) -> object:
        return getattr(self, _attr(self.operator))


class Group(Frozen):
    """Conditions joined by ``all`` (and) or ``any`` (or); groups nest."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, defer_build=DEFER_BUILD
    )

    all_: tuple[Condition, ...] | None = Field(default=None, alias="all", min_length=1)
    any_: tuple[Condition, ...] | None = Field(default=None, alias="any", min_length=1)

    @model_validator(mode="after")
    def _one_join(self) -> Group:
        if (self.all_ is None) == (self.any_ is None):
            raise ValueError("a group needs exactly one of 'all' or 'any'")
        return self

    @property
    def how(self) -> Literal["all", "any"]:
        return "all" if self.all_ is not None else "any"

    @property
    def parts(self) -> tuple[Filter | Group, ...]:
        return self.all_ if self.all_ is not None else (self.any_ or ())


def _condition_kind(v: object) -> str:
    keys = v.keys() if isinstance(v, dict) else vars(v) if isinstance(v, BaseModel) else ()
    return "group" if {"all", "any", "all_", "any_"} & set(keys) else "filter"


#: A filter, or a group of conditions (told apart by an 'all' or 'any' key).
Condition = Annotated[
    Annotated[Filter, Tag("filter")] | Annotated["Group", Tag("group")],
    Discriminator(_condition_kind),
]

RecordAggregate = Literal["count", "count_distinct", "sum"]


class Stock(Frozen):
    """A count at a date (headcount, Special Constables in post), not a flow over a period.

    ``ends``: each record has a start (the measure's date column) and an end (this column,
    blank while in post); a period counts the records in post on its last day (started on
    or before it, not ended before it). ``listed_from`` is the first day the extract lists
    everyone in post on (people who left before it are not in it).
    ``snapshot``: each row is one record as it stood on a snapshot date (the measure's date
    column); a period counts the rows of its latest snapshot, and has no value without one.
    """

    ends: ColumnName | None = Field(
        default=None, description="The end date column (a leaving date; blank while in post)"
    )
    listed_from: date | None = Field(
        default=None,
        description="With 'ends': the extract lists everyone in post on or after this date",
    )
    snapshot: bool = Field(
        default=False, description="Rows are snapshots dated by the measure's date column"
    )

    @model_validator(mode="after")
    def _one_kind(self) -> Stock:
        if (self.ends is None) == (not self.snapshot):
            raise ValueError(
                "a stock is either 'snapshot' or has 'ends: END_DATE_COLUMN' (with listed_from), "
                "not both or neither"
            )
        if self.ends is not None and self.listed_from is None:
            raise ValueError(
                "a stock with 'ends' needs 'listed_from: YYYY-MM-DD', the first day the extract "
                "lists everyone in post on (earlier periods would miss people who had left)"
            )
        if self.snapshot and self.listed_from is not None:
            raise ValueError("'listed_from' goes with 'ends', not with a snapshot")
        return self


class RecordsSource(Frozen):
    """A measure counted from a record source: filters, an aggregation, the date counted by."""

    kind: Literal["records"] = "records"
    records: ColumnName = Field(description="The record source's name (record_sources)")
    where: Condition | None = None
    aggregate: RecordAggregate = "count"
    of: ColumnName | None = Field(default=None, description="The column counted distinct or summed")
    date: ColumnName | None = Field(
        default=None, description="Date column to count by (default: the source's)"
    )
    area: str | None = Field(
        default=None, description="One area of the source's area column (default: all)"
    )
    description: str | None = Field(
        default=None, description="The definition in words (default: made from the filters)"
    )
    share: Condition | None = Field(
        default=None,
        description="A percentage: of the records counted, those that also meet this "
        "(e.g. flagged ethnic minority); needs unit: percent and aggregation: proportion",
    )
    stock: Stock | None = Field(
        default=None,
        description="Count at each period's end, not over the period: 'snapshot', or "
        "{ends: COLUMN, listed_from: DATE}",
    )
    table_by: ColumnName | None = Field(
        default=None,
        description="With 'share': the column of the source to break the share down by in "
        "the report's table (e.g. staff_group): a row per value at the report's quarter "
        "and a year earlier, the difference in percentage points, all pooled, and the "
        "benchmark",
    )

    @field_validator("where", "share", mode="before")
    @classmethod
    def _list_is_all(cls, v: object) -> object:
        return {"all": v} if isinstance(v, list) else v

    @field_validator("stock", mode="before")
    @classmethod
    def _snapshot_word(cls, v: object) -> object:
        """``stock: snapshot`` is short for ``stock: {snapshot: true}``."""
        if isinstance(v, str) and v != "snapshot":
            raise ValueError(
                f"stock '{v}' is not a kind of stock; expected 'snapshot' or "
                "{ends: END_DATE_COLUMN, listed_from: YYYY-MM-DD}"
            )
        return {"snapshot": True} if v == "snapshot" else v


Source = Annotated[
    PrcSource | PoliceUkSource | SeriesSource | RecordsSource, Field(discriminator="kind")
]

Unit = Literal["count", "percent", "rate_per_1000", "hours", "score", "number", "currency"]
Aggregation = Literal["sum", "harm_weighted", "rate_per_1000", "proportion", "mean", "last"]
Polarity = Literal["up_is_good", "down_is_good", "neutral"]
Frequency = Literal["month", "quarter"]
Analysis = Literal[
    "trend",
    "short_term",
    "rolling12",
    "extremes",
    "spc",
    "variance_table",
    "benchmark_gap",
    "proportion",
    "comparison",
    "interrupted",
]


class Baseline(Frozen):
    """A named comparison window, e.g. the 12 months to December 2019 (pre-pandemic)."""

    label: str
    period: str = Field(description="A period label, e.g. '12 months to December 2019'")

    @field_validator("period")
    @classmethod
    def _parses(cls, v: str) -> str:
        _period(v)
        return v


class Benchmark(Frozen):
    """A fixed comparison value, e.g. the economically active ethnic minority population (11.21%)."""

    label: str
    value: float
    source: str | None = None


class DataLag(Frozen):
    """A known delay: e.g. survey results arrive one quarter late."""

    periods: int = Field(
        ge=0, description="How many periods behind the report quarter the data usually is"
    )
    note: str | None = None


#: Month names a plan may write for a calendar month (any case): 'August', 'Aug' or 8.
MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}


class PartYear(Frozen):
    """A series that never has data for some months of the year (a school-year series
    without August): its 12-month windows and comparisons are of the other months, like
    for like, and say which were left out."""

    without: tuple[int, ...] = Field(
        min_length=1,
        max_length=11,
        description="The calendar months the series has no data for, e.g. [August]",
    )
    note: str | None = Field(default=None, description="Why, for the report")

    @field_validator("without", mode="before")
    @classmethod
    def _month_numbers(cls, v: object) -> object:
        items = v if isinstance(v, list | tuple) else [v]
        out: list[object] = []
        for item in items:
            if isinstance(item, str) and item.strip().lower() in MONTH_NAMES:
                out.append(MONTH_NAMES[item.strip().lower()])
            elif isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 12:
                out.append(item)
            else:
                raise ValueError(
                    f"{item!r} is not a month; expected a month name ('August', 'Aug') or 1 to 12"
                )
        return tuple(sorted(set(out)))  # type: ignore[type-var]


class Measure(Frozen):
    id: Slug
    name: str
    unit: Unit = "count"
    source: Source
    aggregation: Aggregation = "sum"
    frequency: Frequency = "quarter"
    polarity: Polarity = "down_is_good"
    series_start: str | None = Field(
        default=None, description="First period used, e.g. '2016/17 Q1'"
    )
    baseline: Baseline | None = None
    benchmark: Benchmark | None = None
    target: float | None = Field(default=None, description="Target for SPC assurance")
    data_lag: DataLag | None = None
    analyses: tuple[Analysis, ...] = ("trend", "short_term", "extremes")
    chart: bool = True
    chart_from_zero: bool | None = Field(
        default=None,
        description="Start the chart's value axis at zero (default: yes for counts, rates, "
        "hours and money; no for percentages and scores, which zoom in); a chart that does "
        "not start at zero says so",
    )
    footnotes: tuple[str, ...] = ()
    decimals: int = Field(default=0, ge=0, le=4, description="Decimals to show values with")
    pooled_periods: int = Field(
        default=1,
        ge=1,
        le=12,
        description="How many reporting periods each result pools, e.g. 4 for a 12-month "
        "rolling survey reported each quarter; tests between results that share respondents "
        "allow for the overlap (methodology §6.5)",
    )
    compare_with: Slug | None = Field(
        default=None,
        description="Another proportion measure to compare with in the latest common period "
        "(two-proportion z test), e.g. confidence among victims against non-victims",
    )
    part_year: PartYear | None = Field(
        default=None,
        description="Months the series never has data for (a school-year series without "
        "August): windows and comparisons use the other months, like for like",
    )
    compare_period: str | None = Field(
        default=None,
        description="An earlier period the latest is told against by name: a quarter "
        "('2016/17 Q1') for a quarterly measure (the latest quarter against it), a calendar "
        "year ('2020') for a monthly one (monthly averages; without one, the year before)",
    )
    trend_windows: tuple[str, ...] = Field(
        default=(),
        description="Sub-periods a trend is also told over, each to the latest period: a "
        "start ('2021/22 Q2', or '2021-04' for a monthly measure) or 'last N years'",
    )
    part_of: Slug | None = Field(
        default=None,
        description="The measure this one is a part of (e.g. stalking and harassment within "
        "domestic abuse): its share of the total, and of the total's change, is told",
    )
    pattern_like: Slug | None = Field(
        default=None,
        description="Another measure whose pattern this one's is told against (how closely "
        "their period-to-period changes move together)",
    )

    @field_validator("series_start")
    @classmethod
    def _start_parses(cls, v: str | None) -> str | None:
        if v is not None:
            period = _period(v)
            if not isinstance(period, Month | Quarter):
                raise ValueError("must be a month ('2016-04') or a quarter ('2016/17 Q1')")
        return v

    @model_validator(mode="after")
    def _compare_period_fits(self) -> Measure:
        if self.compare_period is None:
            return self
        period = _period(self.compare_period)
        wanted = Quarter if self.frequency == "quarter" else CalendarYear
        if not isinstance(period, wanted):
            shape = "a quarter ('2016/17 Q1')" if wanted is Quarter else "a calendar year ('2020')"
            raise ValueError(f"compare_period of a {self.frequency}ly measure must be {shape}")
        return self

    @model_validator(mode="after")
    def _windows_fit(self) -> Measure:
        wanted = Quarter if self.frequency == "quarter" else Month
        for text in self.trend_windows:
            if LAST_YEARS.fullmatch(text) is None and not isinstance(_period(text), wanted):
                start = "'2021/22 Q2'" if wanted is Quarter else "'2021-04'"
                raise ValueError(
                    f"trend window '{text}' of a {self.frequency}ly measure must be a start "
                    f"{self.frequency} ({start}) or 'last N years'"
                )
        return self

    @property
    def comparison_period(self) -> Quarter | CalendarYear | None:
        """The plan's named earlier period (:attr:`compare_period`), parsed."""
        if self.compare_period is None:
            return None
        period = parse_period(self.compare_period)
        assert isinstance(period, Quarter | CalendarYear)
        return period

    @property
    def start_period(self) -> Month | Quarter | None:
        if self.series_start is None:
            return None
        period = parse_period(self.series_start)
        assert isinstance(period, Month | Quarter)
        return period

    @property
    def baseline_window(self) -> Rolling12 | None:
        if self.baseline is None:
            return None
        period = parse_period(self.baseline.period)
        if isinstance(period, Rolling12):
            return period
        if isinstance(period, Month | Quarter):
            return Rolling12.ending(period)
        return None


class Commitment(Frozen):
    """One "We will ..." line of the plan, owned by one or more departments."""

    id: Slug
    text: str = Field(description="The commitment, without the leading 'We will'")
    owners: tuple[Slug, ...] = Field(min_length=1)
    title: str | None = Field(
        default=None,
        max_length=120,
        description="A short name people read in lists and emails (default: the text)",
    )

    @property
    def label(self) -> str:
        """What a person reads for this commitment: its short title, else its text."""
        return self.title or self.text


class Priority(Frozen):
    number: int = Field(ge=1)
    title: str
    objective: str
    measures: tuple[Slug, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    footnotes: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        return f"priority-{self.number}"


#: The date type, named apart: inside :class:`Event` the field ``date`` hides it.
Day = date


class Event(Frozen):
    """Something that happened: a recording-rule change, a lockdown, an operation."""

    date: date
    label: str
    measures: tuple[Slug, ...] = Field(default=(), description="Empty means every measure")
    breaks_comparability: bool = False
    note: str | None = None
    end: Day | None = Field(
        default=None,
        description="When an event that lasted ended (e.g. COVID restrictions); none for a day",
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Event:
        if self.end is not None and self.end < self.date:
            raise ValueError(f"the end ({self.end}) is before the date ({self.date})")
        return self

    def affects(self, measure_id: str) -> bool:
        return not self.measures or measure_id in self.measures

    def during(self, start: Day, end: Day) -> bool:
        """True when the event (from its date to its end, or on its date) touches
        ``start``..``end``."""
        return self.date <= end and (self.end or self.date) >= start


class PeerGroup(Frozen):
    """The forces the plan's force is compared with, e.g. its most similar group."""

    name: str = Field(description="e.g. 'Most similar group (HMICFRS)'")
    forces: tuple[str, ...] = Field(
        min_length=1, description="Force names as the data names them; the plan's own is added"
    )


class RagDefinitions(Frozen):
    """What each RAG status means for this plan's commitments (shown to owners as they
    write; the web app reads each field by its status name)."""

    red: str = "off track: it will not be delivered as planned without a change"
    amber: str = "at risk: some delay or a problem that is being managed"
    green: str = "on track: the commitment is being delivered as planned"


class Plan(Frozen):
    metadata: Metadata
    rag: RagDefinitions = Field(
        default_factory=RagDefinitions,
        description="What red, amber and green mean for a commitment (defaults if absent)",
    )
    departments: tuple[Department, ...] = ()
    measures: tuple[Measure, ...] = ()
    priorities: tuple[Priority, ...] = Field(min_length=1)
    events: tuple[Event, ...] = ()
    record_sources: tuple[RecordSourceDef, ...] = ()
    peer_group: PeerGroup | None = Field(
        default=None,
        description="Forces comparisons use; without one, every force in the store",
    )

    def measure(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    def department(self, department_id: str) -> Department:
        for d in self.departments:
            if d.id == department_id:
                return d
        raise KeyError(department_id)

    def commitments(self) -> tuple[tuple[Priority, Commitment], ...]:
        return tuple((p, c) for p in self.priorities for c in p.commitments)

    def district_groups(self) -> dict[str, str]:
        """District -> the name of the local policing area (department) that covers it."""
        return {area: d.name for d in self.departments for area in d.areas}

    def record_source(self, name: str) -> RecordSourceDef:
        """The plan's record source ``name``, or a built-in one (STATS19 casualties)."""
        from planwatch.plan.records import BUILT_IN_SOURCES

        for r in (*self.record_sources, *BUILT_IN_SOURCES):
            if r.name == name:
                return r
        raise KeyError(name)

    def record_source_names(self) -> tuple[str, ...]:
        from planwatch.plan.records import BUILT_IN_SOURCES

        return tuple(r.name for r in (*self.record_sources, *BUILT_IN_SOURCES))

    def measure_origin(self, measure_id: str) -> str | None:
        """Whose records a record-based measure is counted from (``None`` for others): its
        record source's ``origin``, "the force's own records" unless the source says."""
        measure = self.measure(measure_id)
        if not isinstance(measure.source, RecordsSource):
            return None
        return self.record_source(measure.source.records).origin

    def measure_definition(self, measure_id: str) -> str | None:
        """A record-based measure's definition in words (``None`` for other measures):
        "crimes flagged domestic abuse, by recorded date". Printed with its key points."""
        from planwatch.plan.records import definition_words

        measure = self.measure(measure_id)
        if not isinstance(measure.source, RecordsSource):
            return None
        return definition_words(measure.source, self.record_source(measure.source.records))

    def events_for(self, measure_id: str) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.affects(measure_id))

    def report_title(self, quarter: Quarter) -> str:
        return self.metadata.report_title.format(quarter=quarter.label)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
