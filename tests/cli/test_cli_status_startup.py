"""Structural checks (not timings) of what `planwatch status` does at start-up, in a fresh
interpreter: the plan read before comes from the project's cache (no YAML reader, no
pydantic validator built, none of typer's pydantic adapters); an edited plan is read
again, and an edited invalid plan gives its error with its line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planwatch.plan.cache import CACHE_DIR

REPO = Path(__file__).resolve().parents[2]

#: Runs the CLI in-process, then prints the loaded modules and the plan models whose
#: validators were built.
RUN = (
    "import sys, atexit\n"
    "def report():\n"
    "    from planwatch.plan import models\n"
    "    built = [n for n, c in vars(models).items() if isinstance(c, type)\n"
    "             and issubclass(c, models.BaseModel) and c.__module__ == models.__name__\n"
    "             and c.__pydantic_complete__]\n"
    "    print('MODULES', ' '.join(sys.modules), file=sys.stderr)\n"
    "    print('BUILT', ' '.join(built), file=sys.stderr)\n"
    "atexit.register(report)\n"
    "sys.argv = ['planwatch', *sys.argv[1:]]\n"
    "from planwatch.cli.main import run; run()\n"
)


def _run(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str], set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=REPO
    )
    lines = {row.split(" ", 1)[0]: row for row in done.stderr.splitlines()}
    modules = set(lines["MODULES"].split()[1:])
    built = set(lines["BUILT"].split()[1:])
    return done, modules, built


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "project"
    done = subprocess.run(
        [sys.executable, "-m", "planwatch.cli.main", "init", "-p", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return path


def test_status_takes_a_plan_read_before_from_the_cache(project: Path) -> None:
    first, loaded, built = _run("status", "-p", str(project), "--json")
    assert first.returncode == 0, first.stderr
    assert "planwatch.plan.fast_yaml" in loaded and "Plan" in built  # read and validated
    assert (project / CACHE_DIR / "plan.yaml.json").exists()

    again, loaded, built = _run("status", "-p", str(project), "--json")
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout
    assert "planwatch.plan.cache" in loaded  # the checks below can fail: the plan was read
    assert not {"yaml", "planwatch.plan.fast_yaml"} & loaded
    assert not any(m.startswith("ruamel") for m in loaded)
    assert built == set(), "a validator was built for a plan taken from the cache"
    assert "typer._adapters" not in loaded  # the options were read without pydantic


def test_status_reads_an_edited_plan_again(project: Path) -> None:
    first, _, _ = _run("status", "-p", str(project), "--json")
    measures = [m["measure_id"] for m in json.loads(first.stdout)["measures"]]
    plan = project / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    dropped = measures[0]
    start = text.index(f"  - id: {dropped}\n")
    end = text.index("  - id: ", start + 1)
    plan.write_text(text[:start] + text[end:], encoding="utf-8")
    # the measure may also be named by a priority: drop it there too
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(f"{dropped}, ", "").replace(f", {dropped}]", "]"),
        encoding="utf-8",
    )
    again, loaded, _ = _run("status", "-p", str(project), "--json")
    assert again.returncode == 0, again.stderr
    assert "planwatch.plan.fast_yaml" in loaded  # read again, not taken from the cache
    assert [m["measure_id"] for m in json.loads(again.stdout)["measures"]] == measures[1:]


def test_an_edited_invalid_plan_still_gives_its_error_with_its_line(project: Path) -> None:
    first, _, _ = _run("status", "-p", str(project))
    assert first.returncode == 0, first.stderr
    plan = project / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("title:", "titel:", 1), encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "title:" in row)
    done, loaded, _ = _run("status", "-p", str(project))
    assert done.returncode != 0
    assert f"plan.yaml:{line}" in done.stderr and "unknown field 'titel'" in done.stderr
    assert "Traceback" not in done.stderr
    assert "ruamel.yaml" in loaded
