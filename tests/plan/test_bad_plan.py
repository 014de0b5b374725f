"""Hostile and impossible plan files: each is a PlanError naming file, line and field, in
well under a second, from the library and from the command line (no traceback)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from planwatch.cli.init import example_plan_text
from planwatch.errors import PlanError
from planwatch.plan import load_plan, parse_plan
from planwatch.plan.load import MAX_ALIASES, MAX_NODES, MAX_PLAN_BYTES


def laughs(levels: int) -> str:
    """``levels`` levels of nine aliases each: 9^levels strings from a few hundred bytes."""
    return 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(levels - 1)
    )


#: The attack as reported: 9^9 (387 million) strings from 342 bytes; only ever parsed in a
#: child process with a timeout, so that a regression fails instead of hanging the tests.
BILLION_LAUGHS = laughs(9)
#: Small enough to expand in a second or two where nothing stops it (9^6 = 531,441 values,
#: past MAX_NODES), so the in-process test fails rather than hangs on a loader without limits.
SMALL_LAUGHS = laughs(6)
#: CPU seconds: far longer than refusing a plan takes, long enough to be sure a load is
#: expanding it (CPU, not wall, time: a loaded CI machine must not fail the test).
QUICK_SECONDS = 5.0
#: A child that has not answered by now is hanging (the bomb kept ``status`` busy past 120 s).
CHILD_TIMEOUT = 60


def planwatch(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planwatch.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.process_time()
    with pytest.raises(PlanError) as caught:
        parse_plan(SMALL_LAUGHS, filename="plan.yaml")
    assert time.process_time() - started < QUICK_SECONDS
    (problem,) = caught.value.problems
    assert f"expand to more than {MAX_NODES:,} values" in problem.message
    assert problem.location.file == "plan.yaml" and problem.location.line is not None
    assert problem.expected is not None and "billion laughs" in problem.expected


def test_billion_laughs_stops_status_with_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    result = planwatch("status", "-p", tmp_path)
    assert result.returncode == PlanError.exit_code, result.stderr
    assert "Traceback" not in result.stderr
    assert "YAML aliases expand" in result.stderr and "plan.yaml:" in result.stderr


def test_too_many_aliases_are_refused() -> None:
    flat = "a: &a x\nb: [" + ", ".join(["*a"] * (MAX_ALIASES + 1)) + "]\n"
    with pytest.raises(PlanError) as caught:
        parse_plan(flat, filename="plan.yaml")
    (problem,) = caught.value.problems
    assert problem.message == f"the plan uses more than {MAX_ALIASES} YAML aliases"
    assert problem.location.line == 2


def test_a_few_aliases_still_load() -> None:
    """The limits are not a ban: a plan may share a block with an anchor."""
    text = example_plan_text().replace(
        "    measures: [all_crime, asb_incidents]\n",
        "    measures: &lockdown [all_crime, asb_incidents]\n",
        1,
    )
    assert "&lockdown" in text
    plan = parse_plan(text)
    assert plan.events[0].measures == ("all_crime", "asb_incidents")


def test_oversized_plan_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    padding = "# " + "x" * 78 + "\n"
    path.write_text(
        example_plan_text() + padding * (MAX_PLAN_BYTES // len(padding) + 1), encoding="utf-8"
    )
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    (problem,) = caught.value.problems
    assert problem.message == f"the plan file is {path.stat().st_size:,} bytes"
    assert problem.location.file == str(path) and str(
        MAX_PLAN_BYTES
    ) in f"{problem.expected}".replace(",", "")


def _impossible_date_plan() -> tuple[str, int]:
    text = example_plan_text().replace("- date: 2020-03-23", "- date: 2020-02-30", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "2020-02-30" in row)
    return text, line


def test_impossible_event_date_names_file_line_and_field(tmp_path: Path) -> None:
    text, line = _impossible_date_plan()
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    (problem,) = caught.value.problems
    assert problem.message.startswith("'2020-02-30' is not a date")
    assert (problem.location.file, problem.location.line) == (str(path), line)
    assert problem.location.field == "event 'First national lockdown' > date"


def test_impossible_event_date_from_the_command_line(tmp_path: Path) -> None:
    text, line = _impossible_date_plan()
    (tmp_path / "plan.yaml").write_text(text, encoding="utf-8")
    result = planwatch("status", "-p", tmp_path)
    assert result.returncode == PlanError.exit_code, result.stderr
    assert "Traceback" not in result.stderr and "ValueError" not in result.stderr
    assert f"plan.yaml:{line}" in result.stderr and "'2020-02-30' is not a date" in result.stderr
