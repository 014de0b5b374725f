"""Step 1 of the pipeline: the plan as data (see ``docs/architecture.md``).

Its names are imported when first used (PEP 562), so that a module of the plan layer —
the plan cache, the plan's outline — can be imported without pydantic and the plan's
models (``planwatch status``; issue 17)."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
_HOME = {"load_plan": "load", "parse_plan": "load"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{_HOME.get(name, 'models')}"), name)
    globals()[name] = value
    return value
