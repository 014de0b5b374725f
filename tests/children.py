"""The real ``planwatch`` command in a child process, for tests that need exit codes and
output exactly as a user sees them.

The timeout is there only so that a child that hangs fails the test instead of hanging
CI; it is not a speed check (speed is measured in benchmarks/). CI runs the suite with
``-n 2`` on 2 loaded cores beside browser, LibreOffice and PostgreSQL tests: at load
average 9 here, tests/store/test_partial_files.py took 75 s where it takes 4.7 s idle (16
times), and a tight timeout (it was 60 or 120 s) is the one part of these tests that
depends on how fast the machine is.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: Seconds a child may run before it counts as hung: as long as a load may wait for the
#: store's lock (LOCK_WAIT_SECONDS in planwatch/store/connection.py), far beyond any slow-down.
CHILD_TIMEOUT = 600


def planwatch(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m planwatch.cli.main ARGS``; a hung child fails the test with its output."""
    command = [sys.executable, "-m", "planwatch.cli.main", *map(str, args)]
    started = time.monotonic()
    try:
        return subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=CHILD_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"{' '.join(command[2:])} did not finish in {time.monotonic() - started:.1f} s "
            f"(load average {os.getloadavg()[0]:.1f}); stdout: {_text(exc.stdout)[-400:]!r}; "
            f"stderr: {_text(exc.stderr)[-400:]!r}"
        )


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""
