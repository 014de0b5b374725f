"""Publishing: the confirmation page, what becomes of unapproved commentary, and the report
built by a background job (django-tasks-db's database backend, for Django 6's own tasks
framework or, on Django 5.2, the django-tasks backport) that outlives the process that
queued it and a restart of the worker."""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
import time
from datetime import date

import django
import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from web_helpers import client_for, make_data_project, slot_of

from planwatch.cli import serve
from planwatch.plan.commentary import Commentary
from planwatch.web import services, tasks
from planwatch.web.models import PublishedVersion, ReportStatus, Round, RoundState


def _submit(rnd, commitment, dept, owner, text):
    s = slot_of(rnd, commitment, dept)
    s = services.save_draft(s.pk, user=owner, text=text, rag="", expected_version=s.version)
    return services.submit(s.pk, user=owner, expected_version=s.version)


@pytest.fixture
def mixed(rnd, analyst, north, comms):
    """One approved, one submitted, one returned; the other two not started."""
    approved = _submit(rnd, "p1-neighbourhood", "north-lpa", north, "Hubs opened.")
    services.approve(approved.pk, user=analyst)
    _submit(rnd, "p2-reporting", "comms", comms, "Online reporting is live.")
    returned = _submit(rnd, "p1-shared", "comms", comms, "Newsletters.")
    services.return_slot(returned.pk, user=analyst, reason="Add the numbers.")
    return rnd


def test_confirmation_lists_what_will_be_missing_with_its_state(mixed, analyst):
    r = client_for(analyst).get(reverse("publish", args=[mixed.pk]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "4 of 5 commentaries will not be published as written" in html
    cell = '<td class="govuk-table__cell">'
    assert f"{cell}Make it easier to report crime online and by phone.</td>" not in html  # linked
    assert (
        f'Media and Communications</td>{cell}<strong class="govuk-tag govuk-tag--yellow">Submitted</strong>'
        in html
    )
    assert (
        f'Media and Communications</td>{cell}<strong class="govuk-tag govuk-tag--red">Returned – action needed</strong>'
        in html
    )
    assert html.count('govuk-tag--grey">Not started</strong>') == 2
    assert "Neighbourhood policing" not in html  # approved: not listed
    assert not PublishedVersion.objects.exists()  # looking publishes nothing


def test_submitted_commentary_is_published_as_not_yet_approved(mixed, analyst):
    r = client_for(analyst).post(reverse("publish", args=[mixed.pk]), {"unapproved": "notice"})
    assert r.status_code == 302
    entries = Commentary.model_validate(PublishedVersion.objects.get().commentary).entries
    assert [(e.commitment, e.department, e.text) for e in entries] == [
        ("p1-neighbourhood", "north-lpa", "Hubs opened."),
        ("p2-reporting", "comms", services.NOT_YET_APPROVED),
    ]  # the returned draft and the unstarted slots stay "No commentary received"


def test_the_analyst_can_refuse_to_publish_while_commentary_awaits_approval(mixed, analyst):
    r = client_for(analyst).post(reverse("publish", args=[mixed.pk]), {"unapproved": "refuse"})
    html = r.content.decode()
    assert r.status_code == 400
    assert "1 submitted commentary is not approved yet" in html
    assert not PublishedVersion.objects.exists()
    assert Round.objects.get(pk=mixed.pk).state == RoundState.OPEN


def test_publishing_needs_a_choice(mixed, analyst):
    r = client_for(analyst).post(reverse("publish", args=[mixed.pk]), {})
    assert r.status_code == 400 and "Choose what to do" in r.content.decode()
    assert not PublishedVersion.objects.exists()


@pytest.mark.parametrize("who", ["north", "comms", "reader"])
def test_only_analysts_see_the_confirmation(mixed, who, request):
    c = client_for(request.getfixturevalue(who))
    assert c.get(reverse("publish", args=[mixed.pk])).status_code == 403
    assert c.post(reverse("publish", args=[mixed.pk]), {"unapproved": "notice"}).status_code == 403
    assert not PublishedVersion.objects.exists()


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_queued_report_is_built_by_a_worker_started_afterwards(mixed, analyst):
    """The job is a row in the database: a worker process that did not exist when the round
    was published (as after a restart) finds it and builds the report."""
    client_for(analyst).post(reverse("publish", args=[mixed.pk]), {"unapproved": "notice"})
    version = PublishedVersion.objects.get()
    assert version.report_status == ReportStatus.QUEUED and version.report_progress == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANWATCH_TEST_SQLITE")}
    env["DATABASE_URL"] = _database_url()
    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    version.refresh_from_db()
    # The test project has no data, so the report fails, with the reason, in the worker.
    assert version.report_status == ReportStatus.FAILED and version.report_progress == 100
    assert version.report_message


def test_jobs_use_djangos_own_tasks_framework_where_django_has_one():
    """Django 6: django.tasks, and the backport is not even installed (pyproject's markers);
    Django 5.2: the django-tasks backport."""
    from planwatch.web.tasks import build_report

    native = django.VERSION >= (6, 0)
    assert type(build_report).__module__ == ("django.tasks.base" if native else "django_tasks.base")
    assert (importlib.util.find_spec("django_tasks") is None) == native
    assert build_report.get_backend().__class__.__module__ == "django_tasks_db.backend"


#: How long the worker may take to start building the report, and to build it (a busy CI
#: machine is slow; this bounds a hang, it is not a measure).
BUILD_TIMEOUT_SECONDS = 300
#: How often the test looks at the version's status while the worker runs.
POLL_SECONDS = 0.05


def _wait_for_status(version, statuses) -> str:
    deadline = time.monotonic() + BUILD_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        version.refresh_from_db()
        if version.report_status in statuses:
            return version.report_status
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"the report stayed {version.report_status}: {version.report_message}")


@pytest.fixture
def queued_with_data(analyst, north, tmp_path, monkeypatch):
    """A round published with one approved commentary, its report queued, in a project with
    data (so the report builds), and the environment a worker started now will read."""
    project = make_data_project(tmp_path)
    rnd = services.open_round("2023/24 Q1", date(2023, 7, 31), user=analyst)
    s = _submit(rnd, "p1-neighbourhood", "north-lpa", north, "Two hubs opened.")
    services.approve(s.pk, user=analyst)
    client_for(analyst).post(reverse("publish", args=[rnd.pk]), {"unapproved": "notice"})
    version = PublishedVersion.objects.get()
    assert version.report_status == ReportStatus.QUEUED
    monkeypatch.delenv("PLANWATCH_TEST_SQLITE_FILE", raising=False)
    monkeypatch.setenv("DATABASE_URL", _database_url())
    monkeypatch.setenv("PLANWATCH_PROJECT", str(project))
    monkeypatch.setenv("PLANWATCH_MEDIA_ROOT", str(tmp_path / "media"))
    return version


def _stop_when_building(version, stop) -> subprocess.Popen[bytes]:
    """Start the serve worker, and ``stop`` it once it is building ``version``'s report."""
    worker = serve.start_worker()
    try:
        seen = _wait_for_status(
            version, {ReportStatus.BUILDING, ReportStatus.READY, ReportStatus.FAILED}
        )
        stop(worker)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert seen == ReportStatus.BUILDING  # it was stopped in the middle of the build
    return worker


def _assert_built(version, media) -> None:
    version.refresh_from_db()
    assert version.report_status == ReportStatus.READY, version.report_message
    assert version.report_progress == 100
    assert list(media.rglob("*.html")), "no report written"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_serve_worker_stopped_while_building_finishes_the_report(queued_with_data, tmp_path):
    """The worker `planwatch serve` starts (serve.start_worker) finds a job queued before it
    started, and stopped as a restart stops it (SIGTERM) while it builds the report, finishes
    that report before it exits instead of leaving it half done."""
    worker = _stop_when_building(queued_with_data, serve.stop_worker)
    assert worker.returncode == 0  # a graceful stop, after the job
    _assert_built(queued_with_data, tmp_path / "media")


def _kill(worker: subprocess.Popen[bytes]) -> None:
    worker.kill()
    worker.wait()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_report_a_killed_worker_left_half_built_is_built_after_the_restart(
    queued_with_data, tmp_path
):
    """A worker killed outright (SIGKILL, a power cut) leaves its job marked as running;
    the restart (`planwatch serve`, or `planwatch manage requeue_reports` before a worker
    unit) queues it again, and the next worker builds it."""
    version = queued_with_data
    _stop_when_building(version, _kill)
    version.refresh_from_db()
    assert version.report_status == ReportStatus.BUILDING  # stuck, as the crash left it
    out = io.StringIO()
    call_command("requeue_reports", stdout=out)
    assert out.getvalue().strip() == "Queued again 1 report a stopped worker left half built."
    version.refresh_from_db()
    assert version.report_status == ReportStatus.QUEUED
    assert version.report_message == tasks.REQUEUED_MESSAGE and version.report_progress == 0
    out = io.StringIO()
    call_command("requeue_reports", stdout=out)  # nothing is running now: nothing to do
    assert out.getvalue().strip() == "No report was left half built."
    worker = serve.start_worker()
    try:
        _wait_for_status(version, {ReportStatus.READY, ReportStatus.FAILED})
    finally:
        serve.stop_worker(worker)
    _assert_built(version, tmp_path / "media")
