"""`planwatch report -o` a folder that cannot be written: a clear error naming the folder,
exit code 6, no traceback, and nothing written anywhere else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mounts import tmpfs

from planwatch.demo import spec
from planwatch.demo.generate import DEFAULT_SEED, generate_demo_project
from planwatch.errors import ReportError
from planwatch.services.ingest import ingest

#: A read-only tmpfs needs no room at all.
READ_ONLY_BYTES = 1 << 20
#: The whole demo report (analysis and HTML) takes about ten seconds on a loaded 2-CPU machine.
CHILD_TIMEOUT = 300


def test_report_into_a_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    demo = generate_demo_project(tmp_path / "demo", seed=DEFAULT_SEED)
    for kind, paths in demo.loads():
        ingest(demo.project, kind, list(paths))
    with tmpfs(tmp_path / "read-only", READ_ONLY_BYTES, read_only=True) as folder:
        command = [sys.executable, "-m", "planwatch.cli.main", "report", "--no-pdf"]
        command += ["-q", spec.REPORT_QUARTER.label, "-p", str(demo.root), "-o", str(folder)]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CHILD_TIMEOUT,
        )
        assert result.returncode == ReportError.exit_code, result.stderr
        assert "Traceback" not in result.stderr and "OSError" not in result.stderr
        assert f"cannot write the report into '{folder}'" in result.stderr
        assert "Read-only file system" in result.stderr
        assert not list(folder.iterdir())
    assert not (demo.root / "output").exists() or not list((demo.root / "output").iterdir())
