"""``send_reminders``: email departments whose commentary is outstanding (for a daily cron job)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from planwatch.errors import PlanwatchError
from planwatch.periods import parse_quarter
from planwatch.web.models import Round, RoundState
from planwatch.web.services import send_reminders


class Command(BaseCommand):
    help = "Email reminders for the open round (or --quarter). --url gives the site's address for the link."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quarter", help="e.g. 2024/25 Q1 (default: the open round)")
        parser.add_argument("--url", default="http://localhost:8000", help="the site's address")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options.get("quarter"):
                slug = parse_quarter(options["quarter"]).slug
                rnd = Round.objects.filter(quarter=slug).first()
            else:
                rnd = Round.objects.filter(state=RoundState.OPEN).first()
        except PlanwatchError as exc:
            raise CommandError(exc.render()) from exc
        if rnd is None:
            raise CommandError("no such round is open; open one on the Rounds page first")
        outcome = send_reminders(rnd, link=options["url"].rstrip("/") + "/todo/")
        self.stdout.write(f"Sent {outcome.sent} reminder emails for {rnd.quarter_label}.")
        for name in outcome.unreachable:
            self.stdout.write(f"{name} has no email address.")
