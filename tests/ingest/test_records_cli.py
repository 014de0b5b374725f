"""`planwatch ingest records NAME PATH...` as a user runs it: the plan's mapping from the
project's plan.yaml, what was loaded, a clear error and exit code without a traceback."""

from __future__ import annotations

from pathlib import Path

from children import planwatch
from ingest_files import write_csv
from records_plan import CRIME_HEADER, CRIME_ROWS, RECORDS_PLAN


def test_ingest_records_from_the_command_line(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "plan.yaml").write_text(RECORDS_PLAN, encoding="utf-8")
    path = write_csv(tmp_path / "crimes.csv", CRIME_HEADER, CRIME_ROWS)
    run = planwatch("ingest", "records", "crimes", path, "-p", project, "--json")
    assert run.returncode == 0, run.stderr
    assert '"rows": 11' in run.stdout and "record source 'crimes'" in run.stdout

    bad = planwatch("ingest", "records", "crime", path, "-p", project)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr + bad.stdout
    assert "did you mean 'crimes'" in bad.stderr + bad.stdout

    rows = [list(r) for r in CRIME_ROWS]
    rows[0][2] = "yesterday"
    broken = write_csv(tmp_path / "broken.csv", CRIME_HEADER, rows)
    refused = planwatch("ingest", "records", "crimes", broken, "-p", project)
    assert refused.returncode == 3 and "Traceback" not in refused.stderr + refused.stdout
    assert "'Recorded Date' is 'yesterday'" in " ".join((refused.stderr + refused.stdout).split())
