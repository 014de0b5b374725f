"""``requeue_reports``: put back in the queue the report jobs a killed worker left half done."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from planwatch.web.tasks import requeue_abandoned, requeued_summary


class Command(BaseCommand):
    help = (
        "Queue again the report jobs a killed background worker left marked as running. "
        "Run it before the database's one worker starts (e.g. ExecStartPre of its unit)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(requeued_summary(requeue_abandoned()))
