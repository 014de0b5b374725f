"""Plans made in code for store tests."""

from __future__ import annotations

from planwatch.plan.models import Plan


def make_plan(*measures: dict[str, object], area: str = "Essex") -> Plan:
    return Plan.model_validate(
        {
            "metadata": {
                "title": "t",
                "organisation": "o",
                "area": area,
                "plan_period": "2024-2028",
            },
            "measures": list(measures),
            "priorities": [
                {
                    "number": 1,
                    "title": "P",
                    "objective": "O",
                    "measures": [m["id"] for m in measures],
                }
            ],
        }
    )
