"""Django app configuration for planwatch's commentary workflow."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_pragmas(sender: object, connection: object, **kwargs: object) -> None:
    """WAL lets readers carry on while one writer saves (SQLite only)."""
    if getattr(connection, "vendor", "") == "sqlite":
        with connection.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute("PRAGMA journal_mode=WAL;")
            cursor.execute("PRAGMA busy_timeout=20000;")
            cursor.execute("PRAGMA synchronous=NORMAL;")  # safe with WAL (sqlite.org/wal.html)


class WebConfig(AppConfig):
    name = "planwatch.web"
    label = "web"
    verbose_name = "planwatch commentary"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        connection_created.connect(_sqlite_pragmas, dispatch_uid="planwatch-sqlite-pragmas")
