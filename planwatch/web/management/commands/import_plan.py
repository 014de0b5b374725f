"""``import_plan``: bring the database's departments, priorities and commitments in line with plan.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from planwatch.errors import PlanwatchError
from planwatch.plan.load import load_plan
from planwatch.project import Project
from planwatch.web.services import import_plan


class Command(BaseCommand):
    help = "Import the project's plan.yaml (departments, priorities, commitments)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--plan", help="plan file (default: <PLANWATCH_PROJECT>/plan.yaml)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = (
            Path(options["plan"])
            if options.get("plan")
            else Project.at(settings.PROJECT_DIR).plan_path
        )
        try:
            summary = import_plan(load_plan(path))
        except PlanwatchError as exc:
            raise CommandError(exc.render()) from exc
        self.stdout.write(
            f"Imported {summary.departments} departments, {summary.priorities} priorities and "
            f"{summary.commitments} commitments from {path}; {summary.slots_added} new slots in open rounds."
        )
