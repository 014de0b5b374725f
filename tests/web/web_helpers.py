"""Helpers the web tests import by name (a module of its own: ``conftest`` is not importable
reliably when several test folders each have one)."""

from __future__ import annotations

from pathlib import Path

PLAN_YAML = Path(__file__).with_name("plan.yaml")
PASSWORD = "correct horse battery staple"  # test-only password


def _user(name: str, role: str, departments: tuple[str, ...] = ()):
    from planwatch.web.services import set_user

    return set_user(
        name, role=role, departments=departments, email=f"{name}@example.org", password=PASSWORD
    )


def slot_of(rnd, commitment: str, department: str):
    from planwatch.web.models import Slot

    return Slot.objects.get(round=rnd, commitment__slug=commitment, department__slug=department)


def client_for(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def run_worker() -> None:
    """Run every queued background job with the real worker, as `planwatch manage db_worker
    --batch` does, inside the test's transaction: the worker's between-jobs recycling of
    database connections is the one part left out (it would close the test's connection,
    as Django's test client also prevents for requests). test_tasks.py runs the worker as a
    separate process, connection recycling included."""
    from unittest import mock

    from django.core.management import call_command
    from django_tasks_db.management.commands import db_worker

    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
