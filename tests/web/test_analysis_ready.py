"""No request waits for the quarter's analysis (issue 18): the background worker prepares it
(when `planwatch serve` starts, and when a page finds the data, plan or overrides changed)
into a file cache that every web process reads and that a restart finds again. Until it
is ready, the dashboard and the owner's editor say "Key points are being prepared"."""

from __future__ import annotations

import os
from datetime import date

import pytest
from django.core.cache import caches
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from web_helpers import client_for, make_data_project, run_worker, slot_of

from planwatch.periods import parse_quarter
from planwatch.project import Project
from planwatch.web import reporting, services, tasks

pytestmark = pytest.mark.slow

QUARTER = "2023/24 Q1"


@pytest.fixture(scope="module")
def data_project(tmp_path_factory):
    return make_data_project(tmp_path_factory.mktemp("project"))


@pytest.fixture
def q1(data_project, settings, tmp_path, analyst):
    settings.PROJECT_DIR = data_project
    settings.MEDIA_ROOT = tmp_path
    return services.open_round(QUARTER, date(2023, 7, 31), user=analyst)


def _jobs() -> list[list[object]]:
    """The analysis jobs queued or done, by their arguments."""
    rows = DBTaskResult.objects.filter(task_path=tasks.prepare_analysis.module_path)
    return [job.args_kwargs["args"] for job in rows]


def _key() -> str:
    from django.conf import settings

    return reporting._analysis_key(Project.at(settings.PROJECT_DIR), parse_quarter(QUARTER))


def test_the_first_requests_queue_it_once_and_say_so_then_show_it(q1, north, reader):
    editor = reverse("slot", args=[slot_of(q1, "p1-neighbourhood", "north-lpa").pk])
    owner, dashboard = client_for(north), client_for(reader)
    page = owner.get(editor).content.decode()
    panel = page[page.index('id="key-points"') :]
    assert "Key points are being prepared" in panel and "<svg" not in panel
    assert "Key points are being prepared" in dashboard.get(reverse("dashboard")).content.decode()
    assert caches["analysis"].get(_key()) is None  # no request computed it
    assert _jobs() == [[QUARTER]]  # queued once for both pages
    run_worker()
    assert caches["analysis"].get(_key()).quarter == QUARTER  # the worker computed it
    panel = owner.get(editor).content.decode()
    panel = panel[panel.index('id="key-points"') :]
    assert "upward trend in domestic abuse offences" in panel and "<svg" in panel
    assert "Key points are being prepared" not in panel
    assert _jobs() == [[QUARTER]]  # nothing queued again


def test_serve_prepares_it_and_a_restart_finds_it_without_computing(q1, north, reader):
    assert b"being prepared" in client_for(reader).get(reverse("dashboard")).content  # queued
    # ... by a worker killed before it ran: the server's start queues it again.
    DBTaskResult.objects.all().delete()
    assert tasks.prepare_current_analysis() == (QUARTER, True)  # as `planwatch serve` starts
    assert _jobs() == [[QUARTER]]
    run_worker()
    # A restart: new processes open the analysis cache afresh, from its files.
    caches["analysis"].close()
    restarted = caches.create_connection("analysis")
    assert restarted.get(_key()).quarter == QUARTER
    assert tasks.prepare_current_analysis() == (QUARTER, False)  # nothing to queue
    page = client_for(north).get(
        reverse("slot", args=[slot_of(q1, "p1-neighbourhood", "north-lpa").pk])
    )
    assert b"upward trend in domestic abuse offences" in page.content
    assert _jobs() == [[QUARTER]]  # the request queued nothing


def test_a_changed_plan_makes_a_new_analysis_prepared_by_the_worker(q1, reader, data_project):
    tasks.prepare_current_analysis()
    run_worker()
    c = client_for(reader)
    assert b"upward trend" in c.get(reverse("dashboard")).content
    plan = data_project / "plan.yaml"
    stat = plan.stat()
    os.utime(plan, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # the plan edited
    assert b"Key points are being prepared" in c.get(reverse("dashboard")).content
    assert len(_jobs()) == 2
    run_worker()
    assert b"upward trend" in c.get(reverse("dashboard")).content


def test_without_data_the_pages_say_so_at_once_and_queue_nothing(rnd, reader, settings, tmp_path):
    settings.PROJECT_DIR = tmp_path  # no store
    html = client_for(reader).get(reverse("dashboard")).content.decode()
    assert "No data has been loaded into this project yet" in html
    assert "being prepared" not in html and _jobs() == []


def test_a_quarter_without_data_or_a_round_queues_nothing(q1, reader):
    c = client_for(reader)
    html = c.get(reverse("dashboard") + "?quarter=2010/11+Q1").content.decode()
    assert "This project holds no data for 2010/11 Q1." in html and _jobs() == []
    assert b"being prepared" in c.get(reverse("dashboard") + "?quarter=2016/17+Q1").content
    assert _jobs() == [["2016/17 Q1"]]  # a quarter the store holds data for
