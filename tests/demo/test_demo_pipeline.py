"""The demo through the real pipeline: its files pass the normal ingest, the data-entry
error is held out, and `planwatch demo --no-pdf` writes a report about Anyshire."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from planwatch.demo import spec
from planwatch.demo.generate import DemoFiles, generate_demo_project
from planwatch.errors import ConfigError, IngestError
from planwatch.project import Project
from planwatch.services import ingest as ingest_service


def _workforce(files: DemoFiles) -> Path:
    return next(p for p in files.measures if p.name == "workforce.csv")


def test_demo_forces_are_known_to_the_store() -> None:
    from planwatch.store import names

    assert {f.name for f in spec.FORCES} == set(names.DEMO_FORCES)
    assert all(names.canonical_force(f.name) == f.name for f in spec.FORCES)


def test_the_data_entry_error_is_flagged_when_ingested(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    project = Project.at(tmp_path / "p")
    project.root.mkdir()
    result = ingest_service.ingest(project, "measures", [_workforce(demo_files)])
    flagged = [w for w in result.warnings if spec.ERROR_SERIES in w]
    assert len(flagged) == 1 and spec.ERROR_PERIOD.label in flagged[0]
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        statuses = dict(
            con.execute(
                "SELECT period_label, status FROM observations WHERE series = ?",
                [spec.ERROR_SERIES],
            ).fetchall()
        )
    assert statuses.pop(spec.ERROR_PERIOD.label) == "suspect"
    assert set(statuses.values()) == {"ok"}


def test_every_demo_file_passes_the_normal_ingest(demo_files: DemoFiles, tmp_path: Path) -> None:
    project = Project.at(tmp_path / "p")
    project.root.mkdir()
    project.plan_path.write_bytes(demo_files.plan.read_bytes())  # records are read by its mapping
    warnings: list[str] = []
    for kind, paths in demo_files.loads():
        if kind != "police_uk":  # the street files are covered by the end-to-end test
            warnings += ingest_service.ingest(project, kind, list(paths)).warnings
    # the one deliberate data-entry error is the only warning: every series is read
    assert warnings and all(spec.ERROR_SERIES in w for w in warnings), warnings
    with duckdb.connect(str(project.store_path), read_only=True) as con:
        forces = {f for (f,) in con.execute("SELECT DISTINCT force FROM prc_offences").fetchall()}
        series = {s for (s,) in con.execute("SELECT DISTINCT series FROM observations").fetchall()}
    assert forces == {f.name for f in spec.FORCES}
    assert {
        "victim_confidence",
        "education_audience",
        "sickness_hours_staff",
        spec.ERROR_SERIES,
    } <= series


def test_a_failing_load_stops_the_demo_with_its_error(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    from planwatch.services import demo as demo_service

    bad = tmp_path / "bad.csv"
    bad.write_text("measure,period,value\nvictim_confidence,2023/24 Q5,61.0\n", encoding="utf-8")
    project = Project.at(tmp_path / "p")
    project.root.mkdir()
    with pytest.raises(IngestError, match=r"bad\.csv"):
        demo_service.build_demo(
            project,
            [("measures", [bad])],
            spec.REPORT_QUARTER,
            stem="x",
            pdf=False,
            echo=lambda _: None,
        )
    assert not project.output_dir.exists()


def test_demo_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ConfigError, match="did not write"):
        generate_demo_project(tmp_path)
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.slow
def test_planwatch_demo_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "anyshire-demo"
    done = subprocess.run(
        [sys.executable, "-m", "planwatch.cli.main", "demo", "--out", str(out), "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    html_path = out / "output" / f"anyshire-{spec.REPORT_QUARTER.slug}.html"
    assert html_path.exists()
    assert str(html_path) in re.sub(r"\s+", "", done.stdout) or html_path.name in done.stdout
    assert not (out / "output" / f"anyshire-{spec.REPORT_QUARTER.slug}.pdf").exists()
    html = html_path.read_text(encoding="utf-8")
    assert "Anyshire" in html and "2023/24 Q1" in html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    # all twelve priorities, the invented commentary, and the held-out data-entry error
    assert all(f"Priority {n}" in text for n in range(1, 13))
    assert "twelve officers from response" in text
    assert "looks like a data-entry error" in text or "suspect" in text
    assert "anti-social behaviour" in text.lower()


@pytest.mark.parametrize("seed", [1, 2, 3, 2024])
def test_only_the_deliberate_error_looks_suspect(seed: int) -> None:
    """Whatever the seed, the ingest's suspect check flags the one planted error and nothing else."""
    from planwatch.demo.series import SERIES_FILES
    from planwatch.ingest import suspect

    series: dict[str, list[tuple[str, float]]] = {}
    for make in SERIES_FILES.values():
        for row in make(seed):
            series.setdefault(row.measure, []).append((row.period.label, float(row.value)))
    flagged = {
        (name, rows[i][0])
        for name, rows in series.items()
        for i in suspect.suspect_positions([v for _, v in rows])
    }
    assert flagged == {(spec.ERROR_SERIES, spec.ERROR_PERIOD.label)}
