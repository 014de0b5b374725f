"""``send_reminders``: email departments whose commentary is outstanding, on a schedule.

Run it once a day (cron or a systemd timer, see the README): it sends reminders on the
days of :data:`~planwatch.web.services.reminders.REMINDER_DAYS` before and after the
deadline (and weekly after that), and nothing on other days; ``--now`` sends them today
whatever the day. Every email sent is recorded in the audit history.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from planwatch.errors import PlanwatchError
from planwatch.periods import parse_quarter
from planwatch.web.models import Round, RoundState
from planwatch.web.services.emails import due_phrase, site_url
from planwatch.web.services.reminders import REMINDER_DAYS, reminder_due, send_reminders


class Command(BaseCommand):
    help = (
        "Email reminders for the open round (or --quarter) when the schedule says so "
        f"(days before the deadline: {', '.join(str(d) for d in REMINDER_DAYS)}; then weekly); "
        "--now sends them today."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quarter", help="e.g. 2024/25 Q1 (default: the open round)")
        parser.add_argument(
            "--url", default="", help="the site's address (default: PLANWATCH_SITE_URL)"
        )
        parser.add_argument("--now", action="store_true", help="send today whatever the schedule")

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
        today = timezone.localdate()
        if not options["now"] and not reminder_due(rnd.deadline, today):
            self.stdout.write(
                f"No reminders today: {rnd.quarter_label} {due_phrase(rnd.deadline, today)} "
                "(use --now to send them anyway)."
            )
            return
        link = (options["url"].rstrip("/") + "/todo/") if options["url"] else site_url("/todo/")
        outcome = send_reminders(rnd, link=link, today=today)
        self.stdout.write(f"Sent {outcome.sent} reminder emails for {rnd.quarter_label}.")
        for name in outcome.unreachable:
            self.stdout.write(f"{name} has no email address.")
