"""run_analysis reads every measure from the store in one query and analyses them
together (trends sharing a design fitted in one batch): its findings must be those of
each measure read alone and analysed one by one, event and all (floats to rounding: a
batched fit sums in another order)."""

from __future__ import annotations

import dataclasses
import math
import random
from pathlib import Path
from typing import Any

from planwatch.analysis.engine import analyse_measure
from planwatch.periods import Quarter
from planwatch.plan.load import load_plan
from planwatch.project import Project
from planwatch.services.analyse import _inputs, run_analysis, series_for
from planwatch.services.ingest import ingest
from planwatch.store.connection import reading

SERIES = 6
QUARTER = Quarter(2023, 4)
#: A batched fit's sums are taken in another order: the same to this relative tolerance.
REL_TOL = 1e-9


def _same(a: Any, b: Any, where: str = "") -> None:
    """Equal, floats to REL_TOL (recursing through dataclasses, tuples and lists)."""
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, tuple | list):
        assert isinstance(b, tuple | list) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-12) or (
            math.isnan(a) and math.isnan(b)
        ), (where, a, b)
    else:
        assert a == b, (where, a, b)


def _project(tmp_path: Path) -> Project:
    measures = "\n".join(
        f"  - {{id: s{i}, name: Series {i}, source: {{kind: series, series: s{i}}}, "
        "analyses: [trend, short_term, extremes, rolling12, spc]}"
        for i in range(SERIES)
    )
    plan = (
        "metadata: {title: t, organisation: o, area: Testshire, plan_period: 2022-2026}\n"
        f"measures:\n{measures}\n"
        "  - {id: calls, name: Calls, frequency: month, source: {kind: series, series: calls},"
        " analyses: [trend, short_term]}\n"
        "  - {id: none, name: None, source: {kind: series, series: absent}}\n"
        "events:\n  - {date: 2021-04-01, label: New team, measures: [s0, s1]}\n"
        "priorities:\n  - {number: 1, title: P, objective: O, measures: ["
        + ", ".join(f"s{i}" for i in range(SERIES))
        + ", calls, none]}\n"
    )
    root = tmp_path / "p"
    root.mkdir()
    (root / "plan.yaml").write_text(plan, encoding="utf-8")
    rng = random.Random(17)
    rows = ["measure,period,value"]
    for i in range(SERIES):
        level, slope = rng.uniform(50, 500), rng.uniform(-0.03, 0.03)
        for year in range(2016, 2024):
            for q in range(1, 5):
                t = (year - 2016) * 4 + q
                mean = level * (1 + slope) ** t
                rows.append(
                    f"s{i},{year}/{str(year + 1)[2:]} Q{q},{round(rng.gauss(mean, mean**0.5))}"
                )
    rows += [f"calls,2023-{m:02d},{100 + 3 * m + rng.randint(0, 9)}" for m in range(1, 13)]
    csv = tmp_path / "m.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ingest(root, "measures", [csv])
    return Project.at(root)


def test_one_read_and_batched_fits_give_each_measure_its_own_findings(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run = run_analysis(project, QUARTER)
    got = {r.measure.id: r for p in run.priorities for r in p.measures}
    plan = load_plan(project.plan_path)
    with reading(project) as store:
        inputs = _inputs(store, plan)
        for m in plan.measures:
            alone = series_for(store, plan, m, QUARTER, inputs)  # read for it alone
            assert got[m.id].series == alone
            if not alone.usable():
                assert got[m.id].analysis.latest_label is None
                continue
            expected = analyse_measure(alone, m, plan.events_for(m.id), QUARTER)
            _same(got[m.id].analysis, expected, m.id)
    assert got["s0"].analysis.trend is not None and got["s0"].analysis.events
    assert [w.measure for w in run.warnings] == ["none"]
