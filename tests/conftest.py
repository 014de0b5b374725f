"""Shared fixtures. Real open data lives in ../shared/data beside the repository:
tests that need it skip when it is absent and fail when PLANWATCH_REQUIRE_SHARED=1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PLANWATCH_SHARED", REPO.parent / "shared"))


def _shared_dir(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        if os.environ.get("PLANWATCH_REQUIRE_SHARED") == "1":
            pytest.fail(f"{path} is required (PLANWATCH_REQUIRE_SHARED=1) but absent")
        pytest.skip(f"{path} not present")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real OGL files (see its README)."""
    return _shared_dir("data")


@pytest.fixture(scope="session")
def reference_text() -> str:
    """The text of the published reference quarterly update."""
    return (_shared_dir("reference") / "pcp-quarterly-update-2023-24-q1.txt").read_text(
        encoding="utf-8"
    )
