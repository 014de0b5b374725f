"""Settings from the environment, production hardening, and the `planwatch serve`/`manage` commands.

Settings are read once per process, so each case runs in a fresh interpreter."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from web_helpers import PLAN_YAML

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
    "'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', 'ALLOWED_HOSTS', 'PUBLIC_REPORTS']} | "
    "{'ENGINE': s.DATABASES['default']['ENGINE'], 'NAME': str(s.DATABASES['default']['NAME']), "
    "'CACHE': s.CACHES['default']['BACKEND'], "
    "'LOADERS': s.TEMPLATES[0]['OPTIONS']['loaders'], "
    "'CONN_MAX_AGE': s.DATABASES['default']['CONN_MAX_AGE'], "
    "'CONN_HEALTH_CHECKS': s.DATABASES['default']['CONN_HEALTH_CHECKS']}))"
)


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLANWATCH_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {"DJANGO_SETTINGS_MODULE": "planwatch.web.settings", "PLANWATCH_PROJECT": str(tmp_path)},
        **extra,
    )
    return env


def _settings(tmp_path: Path, **extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", SHOW],
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_defaults_are_sqlite_in_the_project_and_debug_off(tmp_path):
    s = _settings(tmp_path)
    assert s["DEBUG"] is False and s["SESSION_COOKIE_SECURE"] is False
    assert s["ENGINE"].endswith("sqlite3") and s["NAME"] == str(tmp_path / "web.sqlite3")
    assert s["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1"]
    assert s["CACHE"].endswith("LocMemCache")


def test_production_is_hardened_and_reads_the_environment(tmp_path):
    s = _settings(
        tmp_path,
        PLANWATCH_PRODUCTION="1",
        PLANWATCH_SECRET_KEY="x" * 50,
        PLANWATCH_DEBUG="1",
        PLANWATCH_ALLOWED_HOSTS="plan.example.org",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/pw",
    )
    assert s["DEBUG"] is False  # never in production, even when asked
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] == 31_536_000
    assert s["ALLOWED_HOSTS"] == ["plan.example.org"]
    assert s["ENGINE"] == "django.db.backends.postgresql" and s["NAME"] == "pw"
    assert s["CACHE"].endswith(
        "FileBasedCache"
    )  # sessions and dashboards shared by gunicorn workers


def test_production_without_a_secret_key_is_refused(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", SHOW],
        env=_env(tmp_path, PLANWATCH_PRODUCTION="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0 and "PLANWATCH_SECRET_KEY must be set" in out.stderr


def _planwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real `planwatch` entry point (imports every command, so slower)."""
    return subprocess.run(
        [sys.executable, "-m", "planwatch.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


#: Only the serve/manage commands, to keep the subprocesses quick.
SMALL_APP = (
    "import typer; from planwatch.cli import serve; app = typer.Typer(); serve.register(app); app()"
)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SMALL_APP, "manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_forwards_to_django(tmp_path):
    out = _manage("--project", str(tmp_path), "check", env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "System check identified no issues" in out.stdout


def test_first_analyst_is_made_on_a_fresh_project(tmp_path):
    env = {**_env(tmp_path), "PLANWATCH_USER_PASSWORD": "Correct-horse-battery-77"}
    out = _manage("--project", str(tmp_path), "set_user", "ann", "--role", "analyst", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ann: analyst"
    assert "Traceback" not in out.stderr


def test_import_plan_and_set_user_commands(db, tmp_path):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("import_plan", plan=str(PLAN_YAML), stdout=out)
    assert "Imported 3 departments, 2 priorities and 4 commitments" in out.getvalue()
    with pytest.raises(CommandError, match="did you mean 'north-lpa'"):
        call_command("set_user", "nora", role="owner", department=["north-lp"])
    bad = tmp_path / "plan.yaml"
    bad.write_text("metadata: {title: x}\n")
    with pytest.raises(CommandError, match=r"plan\.yaml"):
        call_command("import_plan", plan=str(bad))
    call_command("set_user", "nora", role="owner", department=["north-lpa"], stdout=out)
    assert "nora: owner (no password set" in out.getvalue()


def test_serve_production_without_secret_is_a_clean_error(tmp_path):
    out = _planwatch("serve", "--project", str(tmp_path), "--production", env=_env(tmp_path))
    assert out.returncode == 2
    assert "PLANWATCH_SECRET_KEY must be set" in out.stderr and "Traceback" not in out.stderr


def test_production_caches_templates_and_keeps_checked_connections(tmp_path):
    s = _settings(tmp_path, PLANWATCH_PRODUCTION="1", PLANWATCH_SECRET_KEY="k" * 60)
    assert s["LOADERS"][0][0] == "django.template.loaders.cached.Loader"
    assert s["CONN_MAX_AGE"] > 0 and s["CONN_HEALTH_CHECKS"] is True
    debug = _settings(tmp_path, PLANWATCH_DEBUG="1")
    assert "django.template.loaders.cached.Loader" not in json.dumps(debug["LOADERS"])


def test_serve_with_no_workers_is_a_clean_error(tmp_path):
    env = _env(tmp_path, PLANWATCH_SECRET_KEY="k" * 60)
    out = _planwatch("serve", "--project", str(tmp_path), "--production", "--threads", "0", env=env)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "at least one worker and one thread" in out.stderr
    assert not (tmp_path / "web.sqlite3").exists()  # refused before touching the database


def test_serve_with_a_broken_plan_is_a_clean_error(tmp_path):
    (tmp_path / "plan.yaml").write_text("metadata: {title: x}\npriorities: []\n")
    out = _planwatch("serve", "--project", str(tmp_path), "--port", "8999", env=_env(tmp_path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "plan.yaml" in out.stderr


def test_send_reminders_command(rnd, north, comms):
    from django.core import mail
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("send_reminders", url="https://plan.example.org", stdout=out)
    # Ten days before the deadline is not a reminder day.
    assert "No reminders today: 2024/25 Q1 is due on" in out.getvalue() and not mail.outbox
    out = io.StringIO()
    call_command("send_reminders", url="https://plan.example.org", now=True, stdout=out)
    assert "Sent 2 reminder emails for 2024/25 Q1." in out.getvalue()
    assert "South Local Policing Area has no email address." in out.getvalue()
    assert all("https://plan.example.org/todo/" in m.body for m in mail.outbox)
    with pytest.raises(CommandError, match="no such round"):
        call_command("send_reminders", quarter="2019/20 Q1")


#: Sends one email with the configured backend, warnings as errors (Django 6.1 deprecates the
#: EMAIL_* settings for MAILERS: either spelling of the settings that warns fails here).
SEND = (
    "import django; django.setup(); from django.core.mail import send_mail; "
    "send_mail(subject='Reminder', message='Commentary is due.', from_email=None, "
    "recipient_list=['nora@example.org'])"
)
#: The SMTP connection the app would open: its server and credentials, read off the backend.
SMTP = (
    "import django, json; django.setup(); from django.core import mail; "
    "c = mail.mailers.default if hasattr(mail, 'mailers') else mail.get_connection(); "
    "print(json.dumps([type(c).__module__, c.host, c.port, c.username, c.password, c.use_tls]))"
)


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_file_email_backend_writes_each_email_to_the_folder_named(tmp_path):
    folder = tmp_path / "emails"
    env = _env(tmp_path, PLANWATCH_EMAIL_BACKEND="file", PLANWATCH_EMAIL_FILE_PATH=str(folder))
    out = _python(SEND, env)
    assert out.returncode == 0, out.stderr
    [message] = folder.iterdir()
    text = message.read_text()
    assert "Subject: Reminder" in text and "To: nora@example.org" in text
    assert "Commentary is due." in text


def test_the_smtp_backend_gets_the_server_and_account_from_the_environment(tmp_path):
    env = _env(
        tmp_path,
        PLANWATCH_EMAIL_BACKEND="smtp",
        PLANWATCH_EMAIL_HOST="smtp.example.org",
        PLANWATCH_EMAIL_PORT="587",
        PLANWATCH_EMAIL_USER="planwatch",
        PLANWATCH_EMAIL_PASSWORD="s3cret",
        PLANWATCH_EMAIL_USE_TLS="1",
    )
    out = _python(SMTP, env)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        "django.core.mail.backends.smtp",
        "smtp.example.org",
        587,
        "planwatch",
        "s3cret",
        True,
    ]


def test_an_unknown_email_backend_is_refused_by_name(tmp_path):
    out = _python(SEND, _env(tmp_path, PLANWATCH_EMAIL_BACKEND="pigeon"))
    assert out.returncode != 0
    assert "PLANWATCH_EMAIL_BACKEND must be one of console, file, smtp, locmem, not 'pigeon'" in (
        out.stderr
    )


def test_the_models_need_no_migration_the_app_lacks(db):
    """The migrations describe the models as this Django sees them (CI runs this on Django 5.2
    and 6.1); the job table's migrations are django-tasks-db's own, run by `migrate`."""
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("makemigrations", check=True, dry_run=True, stdout=out)
    assert "No changes detected" in out.getvalue()
    assert DBTaskResult._meta.db_table in connection.introspection.table_names()
