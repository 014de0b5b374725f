"""Structural checks (not timings) of what `planwatch status` imports, in a fresh
interpreter: a valid plan is read without ruamel.yaml (the line-tracking loader is for
errors), and the tables' module is loaded only when a table is printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import typer

from planwatch.cli.params import TESTED_TYPER

REPO = Path(__file__).resolve().parents[2]

#: Runs the CLI in-process with the given arguments, then prints the loaded modules.
RUN = (
    "import sys, atexit; "
    "atexit.register(lambda: print('MODULES', ' '.join(sys.modules), file=sys.stderr)); "
    "sys.argv = ['planwatch', *sys.argv[1:]]; "
    "from planwatch.cli.main import run; run()"
)


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=REPO
    )
    line = next(row for row in done.stderr.splitlines() if row.startswith("MODULES "))
    return done, set(line.split()[1:])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "project"
    done, _ = _run("init", "-p", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_status_reads_a_valid_plan_without_ruamel(project: Path) -> None:
    done, loaded = _run("status", "-p", str(project), "--json")
    assert done.returncode == 0, done.stderr
    assert "planwatch.plan.fast_yaml" in loaded  # the check can fail: the plan was read
    assert not any(m.startswith("ruamel") for m in loaded)
    assert "rich.table" not in loaded and "rich.progress" not in loaded


#: A typer release the CLI's own option coercion was not tested with coerces every option
#: through pydantic itself (planwatch.cli.params), so status imports pydantic there.
TYPER_TESTED = tuple(int(p) for p in typer.__version__.split(".")[:2]) in TESTED_TYPER


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_status_from_the_plan_cache_imports_no_pydantic(
    project: Path, tmp_path: Path, as_json: bool
) -> None:
    # the plan's outline is read from the cache: neither pydantic nor the plan's models
    copy = tmp_path / "project"
    copy.mkdir()
    (copy / "plan.yaml").write_bytes((project / "plan.yaml").read_bytes())
    args = ("status", "-p", str(copy), "--quarter", "2023/24-Q1", *(("--json",) if as_json else ()))
    first, loaded = _run(*args)  # the plan read, checked and kept
    assert first.returncode == 0, first.stderr
    assert "pydantic" in loaded and "planwatch.plan.models" in loaded
    again, loaded = _run(*args)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert "planwatch.store.status" in loaded and "planwatch.plan.outline" in loaded
    assert "planwatch.plan.models" not in loaded and "planwatch.store.selectors" not in loaded
    if TYPER_TESTED:
        assert not any(
            m == "pydantic" or m.startswith(("pydantic.", "pydantic_core")) for m in loaded
        )


def test_a_bad_plan_is_located_by_ruamel(project: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    text = (project / "plan.yaml").read_text(encoding="utf-8")
    (bad / "plan.yaml").write_text(text.replace("title:", "titel:", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "title:" in row)
    done, loaded = _run("status", "-p", str(bad))
    assert done.returncode != 0
    assert f"plan.yaml:{line}" in done.stderr and "unknown field 'titel'" in done.stderr
    assert "Traceback" not in done.stderr
    assert "ruamel.yaml" in loaded


def test_analyse_without_an_overrides_file_does_not_load_ruamel(project: Path) -> None:
    done, loaded = _run("analyse", "-p", str(project), "--quarter", "2023/24-Q1", "--json")
    assert done.returncode == 0, done.stderr
    assert "planwatch.services.overrides" in loaded  # the check can fail: it was imported
    assert not any(m.startswith("ruamel") for m in loaded)


@pytest.mark.parametrize(("given", "expected"), [(None, "1"), ("3", "3")])
def test_blas_runs_one_thread_unless_the_environment_says(given: str | None, expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import planwatch, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, env=env
    )
    assert done.stdout.strip() == expected, done.stderr


#: DuckDB before 2.0 imports pandas (when installed) to bind any non-NULL query parameter,
#: as the store's write does.
DUCKDB_BINDS_WITHOUT_PANDAS = int(duckdb.__version__.split(".")[0]) >= 2


@pytest.mark.skipif(
    not DUCKDB_BINDS_WITHOUT_PANDAS, reason="DuckDB < 2 imports pandas to bind parameters"
)
def test_a_police_uk_load_imports_neither_pandas_nor_pyarrow(tmp_path: Path) -> None:
    # pandas and pyarrow (about 100 MB) are for the readers that build frames
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context"
    )
    rows = [
        f"id{i},2024-01,Essex Police,Essex Police,0.5,51.7,On or near High Street,E01000001,"
        f"Colchester 001A,Burglary,Under investigation,"
        for i in range(3)
    ]
    street = tmp_path / "2024-01" / "2024-01-essex-street.csv"
    street.parent.mkdir()
    street.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    done, loaded = _run("ingest", "police-uk", str(street.parent), "-p", str(tmp_path / "p"))
    assert done.returncode == 0, done.stderr
    assert "planwatch.ingest.police_uk_scan" in loaded  # the check can fail: the load ran
    assert "3" in done.stdout  # its rows were counted
    assert "pandas" not in loaded
    assert "pyarrow" not in loaded
