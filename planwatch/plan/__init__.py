"""Step 1 of the pipeline: the plan as data (see ``docs/architecture.md``)."""

from planwatch.plan.load import load_plan, parse_plan
from planwatch.plan.models import Commitment, Department, Event, Measure, Plan, Priority

__all__ = [
    "Commitment",
    "Department",
    "Event",
    "Measure",
    "Plan",
    "Priority",
    "load_plan",
    "parse_plan",
]
