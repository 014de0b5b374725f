"""`planwatch ingest`, `status` and `confirm` as a user runs them: exit codes, no tracebacks, JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from children import planwatch
from ingest_files import PRC_HEADER, PRC_ROWS, write_csv

from planwatch.cli.main import run
from planwatch.errors import IngestError


@pytest.fixture
def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The same entry point in-process (fast): returns exit code, stdout and stderr."""

    def invoke(*args: str | Path) -> subprocess.CompletedProcess[str]:
        monkeypatch.setattr(sys, "argv", ["planwatch", *map(str, args)])
        code = 0
        try:
            run()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    return invoke


def test_ingest_status_confirm_round_trip(
    tmp_path: Path, cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    project = tmp_path / "p"
    measures = write_csv(
        tmp_path / "m.csv",
        ["measure", "period", "value"],
        [["satisfaction", f"2022/23 Q{q}", v] for q, v in ((1, 4.1), (2, 4.3), (3, 4.4), (4, 4.2))]
        + [["satisfaction", "2023/24 Q1", 428]],
    )
    loaded = cli("ingest", "measures", measures, "-p", project, "--json")
    assert loaded.returncode == 0, loaded.stderr
    body = json.loads(loaded.stdout)
    assert body["loads"][0]["rows"] == 5 and "428" in body["warnings"][0]

    again = cli("ingest", "measures", measures, "-p", project)
    assert again.returncode == 0 and "already loaded" in again.stdout

    status = json.loads(cli("status", "-p", project, "--json", "--quarter", "2023/24-Q1").stdout)
    assert status["quarter"] == "2023/24 Q1" and len(status["loads"]) == 1
    assert any(
        w.startswith("suspect value held out of analysis: satisfaction 2023/24 Q1 = 428")
        for w in status["warnings"]
    )

    confirmed = cli("confirm", "--series", "satisfaction", "--period", "2023/24-Q1", "-p", project)
    assert confirmed.returncode == 0 and "confirmed" in confirmed.stdout
    status = json.loads(cli("status", "-p", project, "--json").stdout)
    assert not any("suspect" in w for w in status["warnings"])


def test_bad_file_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[1][7] = "lots"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    result = planwatch("ingest", "prc", path, "-p", tmp_path / "p")
    assert result.returncode == IngestError.exit_code
    assert (
        "Traceback" not in result.stderr
        and "'Number of Offences' is 'lots'" in result.stderr
        and "row 3" in result.stderr
    )


def test_bad_file_as_json(
    tmp_path: Path, cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    rows = [list(r) for r in PRC_ROWS]
    rows[1][7] = "lots"
    path = write_csv(tmp_path / "prc.csv", PRC_HEADER, rows)
    as_json = cli("ingest", "prc", path, "-p", tmp_path / "p", "--json")
    assert as_json.returncode == IngestError.exit_code
    assert json.loads(as_json.stdout)["problems"][0]["location"] == {
        "file": str(path),
        "line": None,
        "row": 3,
        "field": "Number of Offences",
    }
