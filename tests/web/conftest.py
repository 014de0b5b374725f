"""Fixtures for the web app's tests (pytest-django).

Settings come from environment variables set here, before Django starts: a temporary
project folder, fast password hashing, in-memory email. The database is SQLite unless
``PLANWATCH_WEB_TEST_DATABASE_URL`` names another (test_postgres.py runs the suite
again against PostgreSQL that way).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest

_TMP = Path(tempfile.mkdtemp(prefix="planwatch-web-tests-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)  # each xdist worker cleans its own
os.environ["DJANGO_SETTINGS_MODULE"] = "planwatch.web.settings"
os.environ["PLANWATCH_PROJECT"] = str(_TMP)
os.environ["PLANWATCH_MEDIA_ROOT"] = str(_TMP / "media")
os.environ["PLANWATCH_FAST_HASHER"] = "1"
os.environ["PLANWATCH_REPORT_PDF"] = "0"
os.environ["PLANWATCH_EMAIL_BACKEND"] = "locmem"
os.environ["DATABASE_URL"] = os.environ.get(
    "PLANWATCH_WEB_TEST_DATABASE_URL", f"sqlite:///{_TMP / 'web.sqlite3'}"
)
os.environ["PLANWATCH_TEST_SQLITE_FILE"] = str(_TMP / "test-web.sqlite3")
for _name in (
    "PLANWATCH_PRODUCTION",
    "PLANWATCH_DEBUG",
    "PLANWATCH_PUBLIC_REPORTS",
    "PLANWATCH_CACHE_DIR",
):
    os.environ.pop(_name, None)

import django  # noqa: E402  (after the settings' environment is in place)
from web_helpers import PASSWORD, PLAN_YAML, _user, client_for, slot_of  # noqa: E402, F401

django.setup()


@pytest.fixture
def plan():
    from planwatch.plan.load import load_plan

    return load_plan(PLAN_YAML)


@pytest.fixture
def plan_db(db, plan):
    from planwatch.web.services import import_plan

    return import_plan(plan)


@pytest.fixture
def analyst(plan_db):
    return _user("ann", "analyst")


@pytest.fixture
def north(plan_db):
    """An owner in the North LPA (which also co-owns a commitment with Comms)."""
    return _user("nora", "owner", ("north-lpa",))


@pytest.fixture
def comms(plan_db):
    return _user("colin", "owner", ("comms",))


@pytest.fixture
def reader(plan_db):
    return _user("rita", "reader")


@pytest.fixture
def rnd(analyst):
    from planwatch.web.services import open_round

    return open_round("2024/25 Q1", date.today() + timedelta(days=10), user=analyst)


@pytest.fixture(scope="session", autouse=True)
def _analysis_cache_of_this_worker(tmp_path_factory):
    """The analysis cache is a file cache: each xdist worker gets a folder of its own, or one
    worker's clearing between its tests would empty the cache another is reading (the
    settings may have been made before this module gave the worker its own project)."""
    from django.conf import settings
    from django.core.cache import caches

    settings.CACHES["analysis"]["LOCATION"] = str(tmp_path_factory.mktemp("analysis-cache"))
    caches["analysis"].close()
    del caches["analysis"]  # made again from the settings on first use


@pytest.fixture(autouse=True)
def _clear_cache(_analysis_cache_of_this_worker):
    from django.core.cache import cache, caches

    cache.clear()
    caches["analysis"].clear()
    yield
    cache.clear()
    caches["analysis"].clear()


@pytest.fixture(autouse=True)
def _expected_database(request):
    """test_postgres.py sets PLANWATCH_WEB_EXPECT_VENDOR so that a child run on the wrong database fails."""
    expected = os.environ.get("PLANWATCH_WEB_EXPECT_VENDOR")
    if expected:
        from django.db import connection

        assert connection.vendor == expected, (
            f"tests are running on {connection.vendor}, not {expected}"
        )
