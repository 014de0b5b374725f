"""Real small or read-only filesystems for fault tests: a tmpfs mounted for one test.

Mounting needs root (CI runs as root); elsewhere the tests that need it skip and say why.
Every mount is unmounted in a ``finally``, even when the test fails.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: Seconds a mount or unmount may take before the test gives up on it.
MOUNT_TIMEOUT = 30


@contextmanager
def tmpfs(where: Path, size_bytes: int, *, read_only: bool = False) -> Iterator[Path]:
    """A fresh tmpfs of ``size_bytes`` at ``where`` (created); skips the test if it cannot mount."""
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size_bytes}" + (",ro" if read_only else "")
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
            capture_output=True,
            text=True,
            timeout=MOUNT_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot mount a tmpfs here ({exc}); run as root to test full disks")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()}); run as root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, timeout=MOUNT_TIMEOUT)
