"""run_analysis and measure_table through the real store (DuckDB) and the real engine.

A small project: the reference update's monthly sickness hours (officers) and a
quarterly count with a steady trend, loaded with the real ingest service.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from planwatch.periods import Month, Quarter
from planwatch.project import Project

MISSING = [
    m
    for m in ("planwatch.store.selectors", "planwatch.analysis.engine", "planwatch.services.ingest")
    if importlib.util.find_spec(m) is None
]
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"pipeline step(s) not built yet: {', '.join(MISSING)}"
)

OFFICERS = {
    2022: [6.08, 5.46, 5.73, 6.91, 6.10, 5.96, 6.62, 6.96, 8.87, 6.35, 5.98, 5.53],
    2023: [4.98, 5.18, 5.35],
}

PLAN = """
metadata: {title: Test plan, organisation: Test office, area: Testshire, plan_period: 2022-2026}
measures:
  - id: sickness
    name: Sickness hours lost per officer
    unit: hours
    aggregation: mean
    frequency: month
    polarity: down_is_good
    decimals: 2
    source: {kind: series, series: sickness}
    analyses: [variance_table, short_term]
  - id: burglary
    name: Burglary offences
    source: {kind: series, series: burglary}
    series_start: 2016/17 Q1
    analyses: [trend, short_term, rolling12]
  - id: empty
    name: A survey not yet received
    unit: percent
    aggregation: proportion
    source: {kind: series, series: nothing}
priorities:
  - number: 1
    title: Supporting our people
    objective: Keep officers well.
    measures: [sickness, empty]
  - number: 2
    title: Preventing crime
    objective: Fewer burglaries.
    measures: [burglary]
"""


def _rows() -> list[str]:
    rows = ["measure,period,value"]
    for fy, values in OFFICERS.items():
        for i, v in enumerate(values):
            rows.append(f"sickness,{Month(fy, 4).shift(i).label},{v}")
    for i, q in enumerate(range(Quarter(2016, 1).index, Quarter(2023, 1).index + 1)):
        value = round(400 * math.exp(-0.02 * i) * (1.1 if i % 4 == 2 else 1.0))
        rows.append(f"burglary,{Quarter.from_index(q).label},{value}")
    return rows


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    from planwatch.services.ingest import ingest

    root = tmp_path_factory.mktemp("project")
    (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    data = root / "measures.csv"
    data.write_text("\n".join(_rows()) + "\n", encoding="utf-8")
    proj = Project.at(root)
    ingest(proj, "measures", [data])
    return proj


def test_run_analysis_end_to_end(project: Project) -> None:
    from planwatch.services.analyse import analysis_to_json, run_analysis

    run = run_analysis(project, Quarter(2023, 1))
    assert run.data_to == Month(2023, 6)
    assert [p.priority.number for p in run.priorities] == [1, 2]
    people, crime = run.priorities
    sickness = people.measures[0]
    assert sickness.series.frequency == "month" and sickness.series.values[-1] == 5.35
    (row,) = sickness.analysis.variance
    assert [round(v, 2) for v in row.variance[:3] if v is not None] == [-1.10, -0.28, -0.38]
    assert row.variance[3:] == (None,) * 9
    texts = [kp.text for kp in people.key_points]
    assert any(
        t.startswith(
            "Compared with the same month of 2022/23, sickness hours lost per officer fell in each of the three months"
        )
        for t in texts
    )
    (empty,) = [w for w in run.warnings if w.measure == "empty"]
    assert "'empty' has no data up to 2023/24 Q1" in str(empty)
    assert 0 < len(crime.key_points) <= 5 and all(kp.priority == 2 for kp in crime.key_points)
    trend = [kp for kp in crime.key_points if kp.kind in ("trend", "no_trend")]
    assert trend and "downward" in trend[0].text
    data = json.loads(json.dumps(analysis_to_json(run)))
    assert data["quarter"] == "2023/24 Q1" and data["data_to"] == "2023-06"
    kp = data["priorities"][1]["key_points"][0]
    assert {"key", "text", "evidence", "significant", "fingerprint", "good_or_bad"} <= set(kp)
    assert data["priorities"][0]["measures"][0]["analysis"]["variance"][0]["months"][0] == "Apr"


def test_overrides_survive_reruns_and_go_stale(project: Project) -> None:
    from planwatch.narrative.overrides import Override, override_for
    from planwatch.services.analyse import run_analysis
    from planwatch.services.overrides import save_overrides

    first = run_analysis(project, Quarter(2023, 1))
    target = first.priorities[1].key_points[0]
    try:
        save_overrides(project.overrides_path, (override_for(target, "reword", "Our own words."),))
        again = run_analysis(project, Quarter(2023, 1))
        assert any(
            kp.key == target.key and kp.text == "Our own words." and kp.overridden
            for kp in again.priorities[1].key_points
        )
        stale = Override(key=target.key, action="reword", text="Old words.", fingerprint="0" * 16)
        save_overrides(project.overrides_path, (stale,))
        later = run_analysis(project, Quarter(2023, 1))
        same = [kp for kp in later.priorities[1].key_points if kp.key == target.key]
        assert same and same[0].override_stale and same[0].text == target.text
        assert any("different numbers" in str(w) for w in later.warnings)
    finally:
        project.overrides_path.unlink(missing_ok=True)


def test_measure_table(project: Project) -> None:
    from planwatch.services.analyse import measure_table

    rows, _ = measure_table(project, Quarter(2023, 1))
    by_id = {r.measure_id: r for r in rows}
    sickness = by_id["sickness"]
    assert sickness.value is not None and sickness.value.value == pytest.approx(
        (4.98 + 5.18 + 5.35) / 3
    )
    assert (
        sickness.same_quarter_last_year is not None
        and sickness.same_quarter_last_year.value == pytest.approx((6.08 + 5.46 + 5.73) / 3)
    )
    assert by_id["empty"].value is None and by_id["empty"].data_to is None


def test_cli_commands(project: Project) -> None:
    from typer.testing import CliRunner

    from planwatch.cli.main import app

    runner = CliRunner()
    out = runner.invoke(app, ["analyse", "--quarter", "2023/24-Q1", "-p", str(project.root)])
    assert out.exit_code == 0, out.output
    assert "Priority 1: Supporting our people" in out.output
    js = runner.invoke(
        app, ["measures", "--quarter", "2023/24-Q1", "-p", str(project.root), "--json"]
    )
    assert js.exit_code == 0, js.output
    assert {m["measure_id"] for m in json.loads(js.output)["measures"]} == {
        "sickness",
        "burglary",
        "empty",
    }
    table = runner.invoke(app, ["measures", "--quarter", "2023/24-Q1", "-p", str(project.root)])
    assert (
        table.exit_code == 0
        and "Burglary" in table.output
        and "Measures for 2023/24 Q1" in table.output
    )


def test_bad_inputs_give_clear_errors(project: Project, tmp_path: Path) -> None:
    import subprocess
    import sys

    from planwatch.errors import ConfigError, PlanError
    from planwatch.services.analyse import run_analysis

    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "planwatch.cli.main",
            "analyse",
            "--quarter",
            "2023/25-Q1",
            "-p",
            str(project.root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "2023/25" in bad.stderr and "Traceback" not in bad.stderr
    with pytest.raises(PlanError):
        run_analysis(Project.at(tmp_path), Quarter(2023, 1))  # no plan.yaml here
    project.overrides_path.write_text(
        "overrides:\n  - key: burglary:trend\n    action: hide\n", encoding="utf-8"
    )
    try:
        with pytest.raises(ConfigError, match=r"unknown action 'hide'.*overrides.yaml:3"):
            run_analysis(project, Quarter(2023, 1))
    finally:
        project.overrides_path.unlink()
