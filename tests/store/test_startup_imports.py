"""Structural check (not a timing): the modules `planwatch status` imports load neither
pandas nor scipy, and the status of a store is read without pandas (pandas is imported
only where a frame is built). Run in a fresh interpreter so other tests' imports do not count."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from store_plans import make_plan
from test_frames import GROUP_HEADER, PRC_HEADER, write

from planwatch.services.ingest import ingest
from planwatch.store.selectors import measure_frame, measure_periods


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys\nprint(' '.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_status_modules_import_no_pandas_or_scipy() -> None:
    loaded = _modules_after(
        "import planwatch.cli.main, planwatch.store.status, planwatch.plan.load"
    )
    assert "pandas" not in loaded
    assert "scipy" not in loaded


def test_analysis_imports_no_scipy_stats() -> None:
    # funnel limits use scipy.special's compiled ufuncs alone (planwatch.analysis.dist);
    # scipy.stats would add about half a second
    loaded = _modules_after("import planwatch.services.analyse, planwatch.analysis.engine")
    assert "scipy.special._ufuncs" in loaded  # the check can fail: the analysis loads scipy
    assert "scipy.stats" not in loaded


def test_status_runs_without_pandas(tmp_path: Path) -> None:
    # pandas made unimportable: the status of an empty store and its CLI still work
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        f"from planwatch.store.status import store_status\n"
        f"print(store_status({str(tmp_path)!r}).loads)"
    )
    assert _modules_after(code)  # ran without ImportError


def test_measure_periods_match_measure_frame(tmp_path: Path) -> None:
    project = tmp_path / "p"
    offences = [
        ["2017/18", q, "Essex", "Robbery of business property", "Robbery", "Robbery", "34A", 10]
        for q in (1, 2, 4)
    ]
    groups = [["2017/18", 1, "Essex", "Robbery", 12, 1800000]]
    ingest(project, "prc", [write(tmp_path / "pfa.csv", PRC_HEADER, offences)])
    ingest(project, "prc", [write(tmp_path / "groups.csv", GROUP_HEADER, groups)])
    series = [["calls", m, 90.0] for m in ("2023-04", "2023-05", "2023-07")]
    ingest(project, "measures", [write(tmp_path / "m.csv", ["measure", "period", "value"], series)])
    plan = make_plan(
        {"id": "all", "name": "All", "source": {"kind": "prc"}},
        {"id": "sub", "name": "R", "source": {"kind": "prc", "offence_subgroups": ["Robbery"]}},
        {
            "id": "calls",
            "name": "Calls",
            "frequency": "month",
            "source": {"kind": "series", "series": "calls"},
        },
        {"id": "none", "name": "None", "source": {"kind": "series", "series": "absent"}},
    )
    for m in plan.measures:
        frame = measure_frame(project, plan, m)
        held = measure_periods(project, plan, m)
        assert held.starts == tuple(sorted(set(frame["period_start"])))
        assert held.suspect == int((frame["status"] == "suspect").sum())
        assert held.frequency == (str(frame["frequency"].iloc[0]) if not frame.empty else None)
    assert measure_periods(project, plan, "calls").starts[-1].month == 7


#: DuckDB before 2.0 imports pandas (when installed) to bind any non-NULL query parameter.
DUCKDB_BINDS_WITHOUT_PANDAS = int(duckdb.__version__.split(".")[0]) >= 2


@pytest.mark.skipif(
    not DUCKDB_BINDS_WITHOUT_PANDAS, reason="DuckDB < 2 imports pandas to bind parameters"
)
def test_the_status_of_a_loaded_store_and_plan_leaves_pandas_unloaded(tmp_path: Path) -> None:
    project = tmp_path / "p"
    series = [["calls", m, 90.0] for m in ("2023-04", "2023-05", "2023-07")]
    ingest(project, "measures", [write(tmp_path / "m.csv", ["measure", "period", "value"], series)])
    plan = (
        "metadata: {title: t, organisation: o, area: Essex, plan_period: 2024-2028}\n"
        "measures:\n  - {id: calls, name: Calls, frequency: month, "
        "source: {kind: series, series: calls}}\n"
        "  - {id: crime, name: Crime, source: {kind: prc, offence_groups: [Robbery]}}\n"
        "priorities:\n  - {number: 1, title: P, objective: O, measures: [calls, crime]}\n"
    )
    (project / "plan.yaml").write_text(plan, encoding="utf-8")
    code = (
        "import sys\n"
        "sys.argv = ['planwatch', 'status', '-p', sys.argv[1], '--quarter', '2023/24-Q2']\n"
        "from planwatch.cli.main import run\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code + "print('PANDAS' if 'pandas' in sys.modules else 'NONE')",
            str(project),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "calls" in out  # the measure's status was printed, parameterised queries and all
    assert out.strip().endswith("NONE")
