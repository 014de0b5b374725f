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


#: The small data project's quarterly values: a gentle rise with a wobble, from 2016/17 Q1.
DATA_QUARTERS = 29


def make_data_project(root: Path) -> Path:
    """A project at ``root``: the test plan with one measure (domestic abuse, priority 1),
    its data ingested by planwatch's own service, so the analysis behind the key-point
    pages is the real one."""
    from planwatch.periods import Quarter
    from planwatch.project import Project
    from planwatch.services.ingest import ingest

    measure = (
        "measures:\n  - id: domestic_abuse\n    name: Domestic abuse offences\n"
        "    source: {kind: series, series: domestic_abuse}\n    series_start: 2016/17 Q1\n"
        "    analyses: [trend, short_term, extremes]\n\npriorities:\n"
    )
    plan = PLAN_YAML.read_text().replace("priorities:\n", measure, 1)
    plan = plan.replace(
        "    objective: Stop crime before it happens.\n",
        "    objective: Stop crime before it happens.\n    measures: [domestic_abuse]\n",
        1,
    )
    (root / "plan.yaml").write_text(plan)
    first = Quarter(2016, 1)
    rows = ["measure,period,value,area,numerator,denominator,note"]
    rows += [
        f"domestic_abuse,{first.shift(i).label},{2400 + 15 * i + (i * 37) % 50},Exampleshire,,,"
        for i in range(DATA_QUARTERS)
    ]
    (root / "measures.csv").write_text("\n".join(rows) + "\n")
    ingest(Project.at(root), "measures", [root / "measures.csv"])
    return root


def date_boxes(when, name: str = "deadline") -> dict[str, str]:
    """What a person types in a GOV.UK date input's three boxes: ``when`` a date, or the
    (day, month, year) texts as typed."""
    from datetime import date

    day, month, year = (when.day, when.month, when.year) if isinstance(when, date) else when
    return {f"{name}-day": str(day), f"{name}-month": str(month), f"{name}-year": str(year)}
