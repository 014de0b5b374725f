"""The whole analysis of a plan for one quarter, as one frozen value.

In: nothing — built by :func:`planwatch.services.analyse.run_analysis`.
Out: :class:`AnalysisRun`, which the report (step 7) and the web app (step 8)
render without recomputing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from planwatch.analysis.results import MeasureAnalysis
from planwatch.errors import Problem
from planwatch.measures.series import MeasureSeries
from planwatch.narrative.model import KeyPoint
from planwatch.periods import Month, Quarter
from planwatch.plan.models import Measure, Plan, Priority


@dataclass(frozen=True)
class MeasureResult:
    measure: Measure
    series: MeasureSeries
    analysis: MeasureAnalysis
    key_points: tuple[KeyPoint, ...]


@dataclass(frozen=True)
class PriorityResult:
    priority: Priority
    measures: tuple[MeasureResult, ...]
    key_points: tuple[KeyPoint, ...]  # ranked, at most a handful


@dataclass(frozen=True)
class AnalysisRun:
    plan: Plan
    quarter: Quarter
    priorities: tuple[PriorityResult, ...]
    data_to: Month | None  # the latest month of data behind the report
    warnings: tuple[Problem, ...] = field(default=())  # typed; rendered only at the edges
