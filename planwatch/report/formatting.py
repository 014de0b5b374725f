"""How numbers, dates and periods are written in the report (UK official-statistics style).

In: plain values and plan units. Out: short strings such as ``1,234``, ``72.4%``,
``25 November 2026``.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from planwatch.errors import PlanwatchError
from planwatch.periods import Month, Quarter, parse_period

#: Unit words used in sentences and column headings.
UNIT_WORDS = {
    "count": "number",
    "percent": "percentage",
    "rate_per_1000": "rate per 1,000 population",
    "hours": "hours",
    "score": "score",
    "number": "number",
    "currency": "pounds",
}


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``1,235`` (halves round away from zero, as in published tables);
    ``None`` -> an en dash; negative numbers take a true minus sign."""
    if value is None:
        return "–"
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{decimals}f}".replace("-", "−")


def value(value: float | None, unit: str, decimals: int = 0) -> str:
    """A measure's value with its unit where it is a symbol: ``72.4%``, ``£1,200``."""
    if value is None:
        return "–"
    text = number(value, decimals)
    if unit == "percent":
        return f"{text}%"
    if unit == "currency":
        return f"£{text}"
    return text


def signed(value: float | None, decimals: int = 0, suffix: str = "") -> str:
    """``-12`` -> ``−12``, ``12`` -> ``+12``."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return f"{sign}{number(value, decimals)}{suffix}"


def long_date(day: date) -> str:
    """``25 November 2026``."""
    return f"{day.day} {day:%B %Y}"


def month_label(month: Month | None) -> str:
    return month.long_label if month is not None else "not known"


def period_text(label: str | None) -> str:
    """A period label as a reader sees it: ``2023-06`` -> ``June 2023``; quarters unchanged."""
    if label is None:
        return "–"
    try:
        period = parse_period(label)
    except PlanwatchError:
        return label
    return period.long_label if isinstance(period, Month) else period.label


def short_period(period: Month | Quarter) -> str:
    """Axis and table labels: ``Jun 2023`` or ``2023/24 Q1``."""
    return f"{period.short_name} {period.year}" if isinstance(period, Month) else period.label


def join_words(items: list[str] | tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
