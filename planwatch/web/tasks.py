"""Background jobs: building a published version's report outside the request.

In: a :class:`~planwatch.web.models.PublishedVersion` just frozen (or one whose report is
to be built again). Out: a job row in the app's database (django-tasks-db's backend, for
Django 6's tasks framework or the django-tasks backport: see :mod:`planwatch.web.taskapi`),
run by ``planwatch manage db_worker`` — which ``planwatch serve`` starts beside the web
server — so that a queued job survives a restart; the version's ``report_status`` and
``report_progress`` say how far it has got, and the version's page shows them.
"""

from __future__ import annotations

from planwatch.web import reporting
from planwatch.web.models import PublishedVersion, ReportStatus
from planwatch.web.services import set_report_result
from planwatch.web.taskapi import task


@task()
def build_report(version_id: int) -> str:
    """Build the report of version ``version_id``; returns its report status."""
    version = PublishedVersion.objects.select_related("round").get(pk=version_id)
    return reporting.generate_report(version)


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
