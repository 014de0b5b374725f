"""``set_user``: create or update an account with a role (analyst, owner, reader) and departments."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from planwatch.errors import PlanwatchError
from planwatch.web.models import Role
from planwatch.web.services import set_user


class Command(BaseCommand):
    help = "Create or update a user. The password is read from PLANWATCH_USER_PASSWORD (never from the command line)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, required=True)
        parser.add_argument(
            "--department", action="append", default=[], help="department id (repeat for several)"
        )
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("PLANWATCH_USER_PASSWORD") or None
        try:
            user = set_user(
                options["username"],
                role=options["role"],
                departments=tuple(options["department"]),
                email=options["email"],
                password=password,
            )
        except PlanwatchError as exc:
            raise CommandError(exc.render()) from exc
        note = "" if password else " (no password set: set PLANWATCH_USER_PASSWORD to give one)"
        self.stdout.write(f"{user.username}: {options['role']}{note}")
