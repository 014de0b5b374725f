"""The whole analysis of a plan for one quarter, as one frozen value.

In: nothing — built by :func:`planwatch.services.analyse.run_analysis`.
Out: :class:`AnalysisRun`, which the report (step 7) and the web app (step 8)
render without recomputing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from planwatch.analysis.results import MeasureAnalysis
from planwatch.errors import Problem
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.model import KeyPoint
from planwatch.periods import Month, Quarter
from planwatch.plan.models import Measure, Plan, Priority

if TYPE_CHECKING:  # measures/areas.py imports pandas: not at start-up
    from planwatch.measures.areas import AreaTable
    from planwatch.measures.workforce import SnapshotTable


@dataclass(frozen=True)
class MeasureResult:
    measure: Measure
    series: MeasureSeries
    analysis: MeasureAnalysis
    key_points: tuple[KeyPoint, ...]
    areas: AreaTable | None = None  # the quarter by district, when the source has districts
    #: a share by the plan's ``table_by`` column at the quarter and a year earlier
    share_table: SnapshotTable | None = None


@dataclass(frozen=True)
class PriorityResult:
    priority: Priority
    measures: tuple[MeasureResult, ...]
    key_points: tuple[KeyPoint, ...]  # ranked, at most a handful: what the Commissioner reads
    #: Notes on the data for the analyst (held-out values, gaps, data that stop short),
    #: kept out of the key points unless an analyst promotes one.
    analyst_notes: tuple[KeyPoint, ...] = ()


@dataclass(frozen=True)
class AnalysisRun:
    plan: Plan
    quarter: Quarter
    priorities: tuple[PriorityResult, ...]
    data_to: Month | None  # the latest month of data behind the report
    warnings: tuple[Problem, ...] = field(default=())  # typed; rendered only at the edges

    @property
    def analyst_notes(self) -> tuple[KeyPoint, ...]:
        """Every priority's notes on the data, each once (a measure can serve two priorities)."""
        seen: dict[str, KeyPoint] = {}
        for p in self.priorities:
            for kp in p.analyst_notes:
                seen.setdefault(kp.key, kp)
        return tuple(seen.values())
