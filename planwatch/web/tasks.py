"""Background jobs: building a published version's report, and preparing the quarter's
analysis, outside the request.

In: a :class:`~planwatch.web.models.PublishedVersion` just frozen (or one whose report is
to be built again). Out: a job row in the app's database (django-tasks-db's backend, for
Django 6's tasks framework or the django-tasks backport: see :mod:`planwatch.web.taskapi`),
run by ``planwatch manage db_worker`` — which ``planwatch serve`` starts beside the web
server — so that a queued job survives a restart; the version's ``report_status`` and
``report_progress`` say how far it has got, and the version's page shows them. The
analysis behind the dashboard and the owner's editor is prepared the same way
(:func:`prepare_analysis`), so that no request waits for it.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.models import DBTaskResult

from planwatch.periods import parse_quarter
from planwatch.web import reporting
from planwatch.web.models import PublishedVersion, ReportStatus
from planwatch.web.services import set_report_result
from planwatch.web.taskapi import TaskResultStatus, task

REQUEUED_MESSAGE = (
    "The background worker was stopped while it built the report: waiting to build it again."
)


@task()
def build_report(version_id: int) -> str:
    """Build the report of version ``version_id``; returns its report status."""
    version = PublishedVersion.objects.select_related("round").get(pk=version_id)
    return reporting.generate_report(version)


@task()
def prepare_analysis(quarter: str) -> str:
    """Compute the analysis of ``quarter`` (a label) into the analysis cache, unless it is
    there already; returns its quarter."""
    return reporting.dashboard(parse_quarter(quarter)).quarter


def prepare_current_analysis() -> tuple[str, bool] | None:
    """When the server starts: queue the current round's analysis unless it is ready (the
    plan was just imported, and the data may have changed while it was stopped); returns
    the round's quarter and whether it was queued, or ``None`` without a round."""
    from planwatch.web.selectors import current_round

    rnd = current_round()
    if rnd is None:
        return None
    board = reporting.dashboard_if_ready(parse_quarter(rnd.quarter), starting=True)
    return rnd.quarter_label, board.preparing


def queue_report(version: PublishedVersion) -> None:
    """Mark the version's report as waiting and queue the job (a row saved in the same
    transaction as the caller's, so a version is never left without its job)."""
    set_report_result(
        version,
        status=ReportStatus.QUEUED,
        message="Waiting for the background worker to build the report.",
        progress=0,
    )
    build_report.enqueue(version.pk)


def requeue_abandoned() -> int:
    """Put back in the queue the report jobs that a killed worker (SIGKILL, a power cut, the
    end of a stop timeout) left marked as running, and say so on their versions; returns
    how many. For the start of the database's one worker only (``planwatch serve`` starting
    its own, or ``planwatch manage requeue_reports`` before a worker unit): a job still
    running then is running nowhere, and would otherwise never be built."""
    with transaction.atomic():
        jobs = list(
            DBTaskResult.objects.running()
            .filter(task_path=build_report.module_path)
            .select_for_update()
        )
        DBTaskResult.objects.filter(pk__in=[job.pk for job in jobs]).update(
            status=TaskResultStatus.READY, started_at=None
        )
        version_ids = [job.args_kwargs["args"][0] for job in jobs]
        for version in PublishedVersion.objects.filter(pk__in=version_ids):
            set_report_result(
                version, status=ReportStatus.QUEUED, message=REQUEUED_MESSAGE, progress=0
            )
    return len(jobs)


def requeued_summary(count: int) -> str:
    """What :func:`requeue_abandoned` did, for the console."""
    if not count:
        return "No report was left half built."
    return (
        f"Queued again {count} report{'s' if count != 1 else ''} a stopped worker left half built."
    )
