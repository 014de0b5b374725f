"""Reporting periods: months, financial-year quarters, financial and calendar years,
and rolling 12-month windows.

In: period labels as they appear in source files and on the command line
(``2023/24 Q1``, ``2023/24-Q1``, ``Q1 2023/24``, ``2023-06``, ``Jun-23``,
``June 2023``, ``2023/24``, ``2023/2024``, ``2023``, ``12 months to June 2023``).
Out: small frozen, ordered value objects. Nothing downstream of the edge handles
period *strings*: they are parsed here once.

UK public-sector financial years run April to March; ``2023/24 Q1`` is April to
June 2023 and ``2023/24 Q4`` is January to March 2024.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Literal, TypeAlias

from planwatch.errors import Location, PeriodError

#: The month a UK financial year starts (April), per HM Treasury convention.
FINANCIAL_YEAR_START_MONTH = 4
MONTHS_PER_QUARTER = 3
MONTHS_PER_YEAR = 12

PeriodKind = Literal["month", "quarter", "financial_year", "calendar_year", "rolling12"]

_MONTH_NAMES = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTH_ABBR = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_MONTH_ABBR["sept"] = 9


@cache
def _month_end(year: int, month: int) -> date:
    """The last day of the month (asked for hundreds of thousands of times a run)."""
    return date(year, month, calendar.monthrange(year, month)[1])


@cache
def _month_label(year: int, month: int) -> str:
    """``2023-06`` (asked for hundreds of thousands of times a run, of few months)."""
    return f"{year:04d}-{month:02d}"


@cache
def _quarter_label(fy_start: int, q: int) -> str:
    """``2023/24 Q1`` (asked for hundreds of thousands of times a run, of few quarters)."""
    return f"{fy_start}/{(fy_start + 1) % 100:02d} Q{q}"


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= MONTHS_PER_YEAR:
            raise PeriodError(f"month {self.month} is out of range", expected="1 to 12")

    kind: Literal["month"] = "month"

    @property
    def index(self) -> int:
        """Months since year 0: consecutive months differ by one."""
        return self.year * MONTHS_PER_YEAR + (self.month - 1)

    @staticmethod
    def from_index(index: int) -> Month:
        return Month(index // MONTHS_PER_YEAR, index % MONTHS_PER_YEAR + 1)

    def shift(self, months: int) -> Month:
        return Month.from_index(self.index + months)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return _month_end(self.year, self.month)

    @property
    def label(self) -> str:
        """``2023-06``: the ISO form, used in data and JSON."""
        return _month_label(self.year, self.month)

    @property
    def long_label(self) -> str:
        """``June 2023``: the form used in sentences."""
        return f"{calendar.month_name[self.month]} {self.year}"

    @property
    def short_name(self) -> str:
        """``Jun``."""
        return calendar.month_abbr[self.month]

    @property
    def quarter(self) -> Quarter:
        """The financial-year quarter this month falls in."""
        offset = (self.month - FINANCIAL_YEAR_START_MONTH) % MONTHS_PER_YEAR
        fy = self.year if self.month >= FINANCIAL_YEAR_START_MONTH else self.year - 1
        return Quarter(fy, offset // MONTHS_PER_QUARTER + 1)

    @property
    def financial_year(self) -> FinancialYear:
        return self.quarter.financial_year

    def months(self) -> tuple[Month, ...]:
        return (self,)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial-year quarter: ``Quarter(2023, 1)`` is ``2023/24 Q1`` (Apr-Jun 2023)."""

    fy_start: int
    q: int
    kind: Literal["quarter"] = "quarter"

    def __post_init__(self) -> None:
        if not 1 <= self.q <= 4:
            raise PeriodError(f"quarter {self.q} is out of range", expected="1 to 4")

    @property
    def index(self) -> int:
        return self.fy_start * 4 + (self.q - 1)

    @staticmethod
    def from_index(index: int) -> Quarter:
        return Quarter(index // 4, index % 4 + 1)

    def shift(self, quarters: int) -> Quarter:
        return Quarter.from_index(self.index + quarters)

    @property
    def previous(self) -> Quarter:
        return self.shift(-1)

    @property
    def same_quarter_last_year(self) -> Quarter:
        return self.shift(-4)

    @property
    def _first_month_index(self) -> int:
        """:attr:`Month.index` of the quarter's first month."""
        start = self.fy_start * MONTHS_PER_YEAR + FINANCIAL_YEAR_START_MONTH - 1
        return start + (self.q - 1) * MONTHS_PER_QUARTER

    @property
    def first_month(self) -> Month:
        return Month.from_index(self._first_month_index)

    @property
    def last_month(self) -> Month:
        return Month.from_index(self._first_month_index + MONTHS_PER_QUARTER - 1)

    def months(self) -> tuple[Month, ...]:
        first = self.first_month
        return tuple(first.shift(i) for i in range(MONTHS_PER_QUARTER))

    @property
    def start(self) -> date:
        return self.first_month.start

    @property
    def end(self) -> date:
        return self.last_month.end

    @property
    def financial_year(self) -> FinancialYear:
        return FinancialYear(self.fy_start)

    @property
    def label(self) -> str:
        """``2023/24 Q1`` (the financial year's label, then the quarter)."""
        return _quarter_label(self.fy_start, self.q)

    @property
    def slug(self) -> str:
        """``2023-24-Q1``: safe in file names and URLs."""
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d}-Q{self.q}"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class FinancialYear:
    """April to March: ``FinancialYear(2023)`` is ``2023/24``."""

    start_year: int
    kind: Literal["financial_year"] = "financial_year"

    @property
    def label(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    @property
    def long_label(self) -> str:
        """``2023/2024``, the form some tables use."""
        return f"{self.start_year}/{self.start_year + 1}"

    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.start_year, q) for q in range(1, 5))

    def months(self) -> tuple[Month, ...]:
        first = Month(self.start_year, FINANCIAL_YEAR_START_MONTH)
        return tuple(first.shift(i) for i in range(MONTHS_PER_YEAR))

    @property
    def start(self) -> date:
        return self.months()[0].start

    @property
    def end(self) -> date:
        return self.months()[-1].end

    def shift(self, years: int) -> FinancialYear:
        return FinancialYear(self.start_year + years)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class CalendarYear:
    """January to December."""

    year: int
    kind: Literal["calendar_year"] = "calendar_year"

    @property
    def label(self) -> str:
        return str(self.year)

    def months(self) -> tuple[Month, ...]:
        return tuple(Month(self.year, m) for m in range(1, MONTHS_PER_YEAR + 1))

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    def shift(self, years: int) -> CalendarYear:
        return CalendarYear(self.year + years)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Rolling12:
    """The 12 months ending with (and including) ``end``."""

    end_month: Month
    kind: Literal["rolling12"] = "rolling12"

    @staticmethod
    def ending(period: Month | Quarter) -> Rolling12:
        """The 12 months to the end of a month or quarter."""
        return Rolling12(period if isinstance(period, Month) else period.last_month)

    def months(self) -> tuple[Month, ...]:
        return tuple(self.end_month.shift(i - MONTHS_PER_YEAR + 1) for i in range(MONTHS_PER_YEAR))

    @property
    def previous(self) -> Rolling12:
        """The 12 months before this window."""
        return Rolling12(self.end_month.shift(-MONTHS_PER_YEAR))

    @property
    def start(self) -> date:
        return self.months()[0].start

    @property
    def end(self) -> date:
        return self.end_month.end

    @property
    def label(self) -> str:
        """``12 months to June 2023``."""
        return f"12 months to {self.end_month.long_label}"

    def __str__(self) -> str:
        return self.label


Period: TypeAlias = Month | Quarter | FinancialYear | CalendarYear | Rolling12

# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

_FY = r"(?P<fy>\d{4})\s*[/-]\s*(?P<fy2>\d{2}|\d{4})"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{_FY}\s*[-_ ]?\s*Q(?P<q>[1-4])$", re.I), "quarter"),
    (re.compile(rf"^Q(?P<q>[1-4])\s*[-_ ]?\s*{_FY}$", re.I), "quarter"),
    (re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})(-01)?$"), "iso_month"),
    (re.compile(r"^(?P<mn>[A-Za-z]{3,9})[-\s'](?P<y>\d{2}|\d{4})$"), "named_month"),
    (re.compile(rf"^(FY\s*)?{_FY}$", re.I), "financial_year"),
    (re.compile(r"^(?P<y>\d{4})$"), "calendar_year"),
    (re.compile(r"^12 months to (?P<rest>.+)$", re.I), "rolling12"),
]


def _two_or_four(fy: int, second: str, text: str, source: Location | None) -> FinancialYear:
    following = int(second)
    expected = (fy + 1) % 100 if len(second) == 2 else fy + 1
    if following != expected:
        raise PeriodError(
            f"'{text}' is not a financial year: {second} does not follow {fy}",
            location=source,
            expected=f"{fy}/{(fy + 1) % 100:02d}",
        )
    return FinancialYear(fy)


def parse_period(text: str, *, source: Location | None = None) -> Period:
    """Parse any supported label into a period object.

    ``source`` says where the label came from, so the error can name the file and row.
    """
    if source is None and type(text) is str:
        return _parse_label(text)
    return _parse(text, source)


#: Distinct labels whose periods are kept (a run reads the same few hundred labels again
#: and again; the periods are immutable).
PARSED_LABELS_KEPT = 4096


@lru_cache(maxsize=PARSED_LABELS_KEPT)
def _parse_label(text: str) -> Period:
    """:func:`parse_period` of a label with no source, remembered (an error is not)."""
    return _parse(text, None)


def _parse(text: object, source: Location | None) -> Period:
    cleaned = " ".join(str(text).strip().split())
    for pattern, kind in _PATTERNS:
        m = pattern.match(cleaned)
        if not m:
            continue
        g = m.groupdict()
        if kind == "quarter":
            return Quarter(
                _two_or_four(int(g["fy"]), g["fy2"], cleaned, source).start_year, int(g["q"])
            )
        if kind == "financial_year":
            return _two_or_four(int(g["fy"]), g["fy2"], cleaned, source)
        if kind == "iso_month":
            month = int(g["m"])
            if 1 <= month <= MONTHS_PER_YEAR:
                return Month(int(g["y"]), month)
            break
        if kind == "named_month":
            name = g["mn"].lower()
            number = _MONTH_NAMES.get(name) or _MONTH_ABBR.get(name)
            if number is None:
                break
            year = int(g["y"])
            return Month(year + 2000 if year < 100 else year, number)
        if kind == "calendar_year":
            return CalendarYear(int(g["y"]))
        if kind == "rolling12":
            inner = parse_period(g["rest"], source=source)
            if isinstance(inner, Month | Quarter):
                return Rolling12.ending(inner)
            break
    raise PeriodError(
        f"cannot read '{text}' as a period",
        location=source,
        expected="a label such as '2023/24 Q1', '2023-06', 'Jun-23', '2023/24' or '12 months to June 2023'",
    )


def parse_quarter(text: str, *, source: Location | None = None) -> Quarter:
    """Parse a label that must be a financial-year quarter (``2023/24-Q1``)."""
    period = parse_period(text, source=source)
    if not isinstance(period, Quarter):
        raise PeriodError(
            f"'{text}' is a {period.kind.replace('_', ' ')}, not a quarter",
            location=source,
            expected="a quarter such as '2023/24 Q1'",
        )
    return period


def parse_month(text: str, *, source: Location | None = None) -> Month:
    period = parse_period(text, source=source)
    if not isinstance(period, Month):
        raise PeriodError(
            f"'{text}' is a {period.kind.replace('_', ' ')}, not a month",
            location=source,
            expected="a month such as '2023-06'",
        )
    return period


def quarter_from_parts(
    financial_year: str, quarter: int | str, *, source: Location | None = None
) -> Quarter:
    """Build a quarter from separate columns, as in Home Office tables (``2017/18``, ``1``)."""
    fy = parse_period(str(financial_year), source=source)
    if not isinstance(fy, FinancialYear):
        raise PeriodError(
            f"'{financial_year}' is not a financial year",
            location=source,
            expected="a label such as '2017/18'",
        )
    q_text = str(quarter).strip().upper().removeprefix("Q")
    if q_text not in {"1", "2", "3", "4"}:
        raise PeriodError(
            f"'{quarter}' is not a quarter number", location=source, expected="1, 2, 3 or 4"
        )
    return Quarter(fy.start_year, int(q_text))


def quarter_range(first: Quarter, last: Quarter) -> tuple[Quarter, ...]:
    """Every quarter from ``first`` to ``last`` inclusive."""
    return tuple(Quarter.from_index(i) for i in range(first.index, last.index + 1))


def month_range(first: Month, last: Month) -> tuple[Month, ...]:
    return tuple(Month.from_index(i) for i in range(first.index, last.index + 1))
