"""The web app's database-facing tests again, against PostgreSQL.

Runs when ``PLANWATCH_TEST_POSTGRES_URL`` is set (e.g. ``postgres://postgres@127.0.0.1:5433/postgres``;
the test database ``test_<name>`` is created and dropped by pytest-django). Settings are
read once per process, so the suite runs in a child pytest with ``DATABASE_URL`` pointing
at PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from chromium import unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

HERE = Path(__file__).parent
#: The modules whose behaviour depends on the database (locking, transactions, constraints,
#: JSON, query counts).
MODULES = (
    "test_services.py",
    "test_concurrency.py",
    "test_xlsx.py",
    "test_views_flow.py",
    "test_query_counts.py",
    "test_users.py",
    "test_tasks.py",
    "test_login.py",
    "test_editor.py",
    "test_analysis_ready.py",  # the analysis job queued once, by the database's rows
)


def test_web_suite_passes_on_postgresql(tmp_path):
    url = os.environ.get("PLANWATCH_TEST_POSTGRES_URL")
    if not url:
        unavailable("PLANWATCH_TEST_POSTGRES_URL is not set")
    # A clean environment: pytest-django reads the settings before conftest.py runs, so
    # nothing from this (SQLite) process may leak into the child.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLANWATCH_", "DJANGO_", "DATABASE_URL", "PYTEST_"))
    }
    env.update(PLANWATCH_WEB_TEST_DATABASE_URL=url, PLANWATCH_WEB_EXPECT_VENDOR="postgresql")
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *[str(HERE / m) for m in MODULES],
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-o",
        "addopts=",
        "--create-db",
    ]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert " passed" in out.stdout
