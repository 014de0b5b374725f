"""Comparisons between forces use the plan's peer group, not every force in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from planwatch.periods import Quarter
from planwatch.plan.load import parse_plan
from planwatch.services.ingest import ingest
from planwatch.services.peers import (
    area_series,
    others_series,
    peer_funnel,
    peer_series,
    populations,
)

REPORT = Quarter(2023, 1)
QUARTERS = [Quarter.from_index(i) for i in range(REPORT.index - 3, REPORT.index + 1)]
BURGLARIES = {"Kent": 100, "Essex": 150, "Suffolk": 100, "Norfolk": 80}
PLAN = """
metadata: {{title: t, organisation: o, area: Kent, plan_period: 2022-2026}}
{group}
measures:
  - id: burglary
    name: Burglary
    source: {{kind: prc, offence_codes: [28E]}}
    analyses: [comparison]
priorities: [{{number: 1, title: P, objective: O, measures: [burglary]}}]
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("peers")
    rows = [
        "Financial Year,Financial Quarter,Force Name,Offence Description,Offence Group,"
        "Offence Subgroup,Offence Code,Number of Offences"
    ]
    for q in QUARTERS:
        for force, n in BURGLARIES.items():
            rows.append(
                f"{q.financial_year.label},{q.q},{force},Burglary,Theft offences,Burglary,28E,{n}"
            )
    (root / "pfa.csv").write_text("\n".join(rows) + "\n")
    (root / "pop.csv").write_text(
        "area,year,population\n" + "".join(f"{f},2023,1000000\n" for f in BURGLARIES)
    )
    ingest(root / "p", "prc", [root / "pfa.csv"])
    ingest(root / "p", "population", [root / "pop.csv"])
    return root / "p"


def _areas(store: Path, group: str) -> list[str]:
    plan = parse_plan(PLAN.format(group=group))
    measure = plan.measure("burglary")
    series = area_series(store, plan, measure, "Kent", REPORT)
    funnel = peer_funnel(store, plan, measure, series, REPORT, populations(store))
    return sorted(p.area for p in funnel.points)


def test_every_force_without_a_peer_group(store: Path) -> None:
    assert _areas(store, "") == sorted(BURGLARIES)


def test_only_the_peer_group_with_one(store: Path) -> None:
    group = "peer_group: {name: Most similar group, forces: [Essex, norfolk]}"
    assert _areas(store, group) == ["Essex", "Kent", "Norfolk"]


def _others(store: Path, group: str) -> tuple[str, tuple[float | None, ...]]:
    plan = parse_plan(PLAN.format(group=group))
    measure = plan.measure("burglary")
    series = area_series(store, plan, measure, "Kent", REPORT)
    each = peer_series(store, plan, measure, REPORT, populations(store))
    others = others_series(plan, measure, series, each)
    assert others is not None
    assert others.series.periods == series.periods
    return others.area, others.series.values


def test_others_series_sums_every_other_force(store: Path) -> None:
    name, values = _others(store, "")
    expected = sum(n for force, n in BURGLARIES.items() if force != "Kent")
    assert name == "the other 3 forces with data"
    assert [v for v in values if v is not None] == [expected] * len(QUARTERS)


def test_others_series_keeps_to_the_peer_group(store: Path) -> None:
    group = "peer_group: {name: Most similar group, forces: [Essex, norfolk]}"
    name, values = _others(store, group)
    assert name == "the other 2 forces of its comparison group (Most similar group)"
    assert [v for v in values if v is not None] == [BURGLARIES["Essex"] + BURGLARIES["Norfolk"]] * 4
