"""The series type every analysis works on.

In: values per period, already aggregated by :mod:`planwatch.measures.build`.
Out: a frozen :class:`MeasureSeries` — the periods in order with no holes in the
axis (a period with no data has value ``None``), plus optional numerators and
denominators (proportions) and the indices held out as suspect values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from planwatch.periods import Month, Quarter

Frequency = Literal["month", "quarter"]


@dataclass(frozen=True)
class MeasureSeries:
    measure_id: str
    frequency: Frequency
    periods: tuple[Month | Quarter, ...]
    values: tuple[float | None, ...]
    numerators: tuple[float | None, ...] | None = None
    denominators: tuple[float | None, ...] | None = None
    suspect: tuple[int, ...] = field(default=())  # indices held out (probable data-entry errors)
    unit: str = "count"
    #: calendar months (1-12) the series never has data for (the plan's ``part_year``): a
    #: window or quarter is whole without them, and says they were left out
    without_months: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if len(self.periods) != len(self.values):
            raise ValueError("periods and values differ in length")

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.periods)

    def usable(self) -> tuple[tuple[int, Month | Quarter, float], ...]:
        """(index, period, value) for every period with a value that is not held out."""
        held = set(self.suspect)
        return tuple(
            (i, p, v)
            for i, (p, v) in enumerate(zip(self.periods, self.values, strict=True))
            if v is not None and i not in held
        )

    def gaps(self) -> tuple[Month | Quarter, ...]:
        """Periods with no value, but not a month the series never has (``without_months``):
        August of a school-year series is not missing data."""
        return tuple(
            p
            for p, v in zip(self.periods, self.values, strict=True)
            if v is None and not (isinstance(p, Month) and p.month in self.without_months)
        )

    def index_of(self, period: Month | Quarter) -> int | None:
        try:
            return self.periods.index(period)
        except ValueError:
            return None
