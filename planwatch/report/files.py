"""Writing report files so that a failure loses nothing.

In: a target path and bytes (or a function that writes to a path). Out: the target path,
replaced in one step (write to a temporary file beside it, then rename); on any error
the previous file is left as it was and the temporary file is removed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from planwatch.errors import Location, ReportError


def write_atomic(path: Path, data: bytes) -> Path:
    return write_with(path, lambda tmp: tmp.write_bytes(data))


def write_with(path: Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer`` on a temporary path in the same folder, then move it onto ``path``."""
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        writer(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ReportError(
            f"cannot write the report: {exc.strerror or exc}", location=Location(file=str(path))
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    os.chmod(path, 0o644)
    return path
