"""Fixtures for ingest tests: small files in the real layouts, written into tmp_path,
a store whose bytes a failed load must leave untouched, and a temporary folder of
its own that a load must leave empty."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_files import CODES_HEADER, CODES_ROWS, PRC_HEADER, PRC_ROWS, file_sha, write_csv

from planwatch.services.ingest import ingest


@pytest.fixture
def prc_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "prc.csv", PRC_HEADER, PRC_ROWS)


@pytest.fixture
def codes_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "codes.csv", CODES_HEADER, CODES_ROWS)


@pytest.fixture(scope="session")
def template_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once: a store holding the offence code lookup and the small PRC table."""
    base = tmp_path_factory.mktemp("template")
    root = base / "proj"
    root.mkdir()
    ingest(root, "offence_codes", [write_csv(base / "codes.csv", CODES_HEADER, CODES_ROWS)])
    ingest(root, "prc", [write_csv(base / "prc.csv", PRC_HEADER, PRC_ROWS)])
    return root


@pytest.fixture
def project(tmp_path: Path, template_project: Path) -> Path:
    """A fresh copy of the template project for one test."""
    root = tmp_path / "proj"
    shutil.copytree(template_project, root)
    return root


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder loads use in this test (Python's ``tempfile`` default)."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def unchanged(project: Path, scratch: Path) -> Callable[[], None]:
    """Call at the end of a test: the store file must be byte-for-byte as it was at the
    start, with no write-ahead log beside it and nothing left in the temporary folder."""
    store = project / "planwatch.duckdb"
    before = file_sha(store)

    def check() -> None:
        assert not (project / "planwatch.duckdb.wal").exists()
        assert file_sha(store) == before, "a failed load changed the store file"
        assert not list(scratch.iterdir()), "a failed load left temporary files behind"

    return check
