"""`planwatch serve`: run the commentary web app for a project; `planwatch manage`: its admin commands.

In: a project folder (plan.yaml) and options. Out: a running web server: Django's
development server by default, gunicorn with ``--production``. The database is
migrated and the plan imported on start. Settings come from environment variables
(see :mod:`planwatch.web.settings`).
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from planwatch.cli.common import ProjectOption, console, project_of
from planwatch.errors import ConfigError

#: gunicorn worker processes when not told: one a core plus one. Each runs threads
#: (gunicorn's ``gthread`` worker), so a request waiting on PostgreSQL does not hold a
#: whole process; the (2 x cores) + 1 sync workers of the gunicorn documentation
#: oversubscribe a small machine that also runs the database.
DEFAULT_WORKERS = (os.cpu_count() or 1) + 1
#: Threads in each worker (gthread): enough to overlap database waits, few enough that
#: the GIL does not make requests queue inside a process.
DEFAULT_THREADS = 4
DEFAULT_PORT = 8000
#: How long gunicorn keeps an idle connection open for the next request (its default is
#: 2 s; the gunicorn documentation suggests 1-5 s when clients connect directly). People
#: pause a second or two between clicks, so 2 s drops many connections just as they are reused.
KEEPALIVE_SECONDS = 5
#: gunicorn's worker timeout (its default is 30 s): a generous bound for the slowest page (the
#: report itself is built by the background worker, not inside a request).
WORKER_TIMEOUT_SECONDS = 300
#: How long the background worker is given to stop before it is killed: asked to stop while
#: it builds a report, it finishes that report first (a killed build would be left half done),
#: so this is the same generous bound as a page's.
WORKER_STOP_SECONDS = WORKER_TIMEOUT_SECONDS


def check_port_free(host: str, port: int) -> None:
    """Refuse, before anything is started or printed, an address the server could not listen
    on: a port another program holds (Django's development server would print its address
    first and fail after), or a host that is not this machine's. A bind test like the
    servers' own (``SO_REUSEADDR``, so a port just freed by a stopped server is free)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(
            f"cannot listen on {host}: no such address ({exc})",
            expected="--host with an address of this machine, e.g. 127.0.0.1 or 0.0.0.0",
        ) from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"port {port} on {host} is already in use by another program"
                    " (another planwatch serve?)",
                    expected=f"a free port: stop the program listening on {port},"
                    " or choose another with --port",
                ) from exc
            raise ConfigError(
                f"cannot listen on {host} port {port}: {exc.strerror}",
                expected="--host with an address of this machine and --port from 1024 to 65535",
            ) from exc


def _setup(project_dir: Path, *, production: bool) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "planwatch.web.settings"
    os.environ["PLANWATCH_PROJECT"] = str(project_dir)
    if production:
        os.environ["PLANWATCH_PRODUCTION"] = "1"
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise ConfigError(
            str(exc), expected="the environment variables described in 'planwatch serve --help'"
        ) from exc


def _prepare(project_dir: Path, *, import_plan: bool) -> None:
    from django.core.management import call_command

    from planwatch.plan.load import load_plan
    from planwatch.web.services import import_plan as do_import

    project = project_of(project_dir)
    plan = None
    if import_plan and project.plan_path.exists():
        plan = load_plan(project.plan_path)  # a broken plan stops us before anything is changed
    elif import_plan:
        console.print(
            f"[yellow]No plan at {project.plan_path}; the app starts without plan data.[/]"
        )
    call_command("migrate", interactive=False, verbosity=0)
    if plan is None:
        return
    summary = do_import(plan)
    console.print(
        f"Imported {summary.commitments} commitments owned by {summary.departments} departments from {project.plan_path}."
    )


def gunicorn_worker_args(workers: int, threads: int) -> list[str]:
    """gunicorn's process and thread options (shared with benchmarks/bench_web.py)."""
    if workers < 1 or threads < 1:
        raise ConfigError(
            f"gunicorn needs at least one worker and one thread (got {workers} and {threads})",
            expected="--workers and --threads of 1 or more",
        )
    return [
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        str(KEEPALIVE_SECONDS),
    ]


def start_worker() -> subprocess.Popen[bytes]:
    """The background worker (django-tasks-db's ``db_worker``) that builds published reports,
    with this process's settings; the caller stops it when the server stops.

    It runs in a session of its own, so that Ctrl-C at the terminal reaches only this
    process, which then asks the worker to stop once: a second signal would make the worker
    abandon the report it is building."""
    cmd = [sys.executable, "-m", "django", "db_worker", "--no-reload"]
    return subprocess.Popen(cmd, env=os.environ.copy(), start_new_session=True)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop a child process (SIGTERM). The background worker stops at once when idle and
    after the job in hand when busy; jobs not started stay queued for the next worker."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _requeue_abandoned() -> None:
    """Before the worker starts: the report jobs a killed worker left half done go back in
    the queue (this worker is the database's only one, so nothing else is running them)."""
    from planwatch.web.tasks import requeue_abandoned, requeued_summary

    count = requeue_abandoned()
    if count:
        console.print(requeued_summary(count))


def _prepare_analysis() -> None:
    """Queue the current round's analysis for the worker unless it is ready, so that the
    first person to open the dashboard or an editor does not wait for it."""
    from planwatch.web.tasks import prepare_current_analysis

    found = prepare_current_analysis()
    if found:
        quarter, queued = found
        console.print(
            f"The {quarter} analysis is being prepared by the background worker."
            if queued
            else f"The {quarter} analysis is ready (computed before the restart)."
        )


def _stop_on_sigterm() -> None:
    """Let SIGTERM unwind this process like Ctrl-C does, so that every ``finally`` that
    stops a child (gunicorn, the background worker, chart workers) runs."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _stop_chart_workers() -> None:
    """Chart-drawing workers this process started (reports built in the server itself)."""
    if "planwatch.report.parallel" in sys.modules:
        sys.modules["planwatch.report.parallel"].shutdown()


def register(app: typer.Typer) -> None:
    """Add `serve` and `manage` to the app."""

    @app.command()
    def serve(
        project: ProjectOption = Path("."),
        host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on")] = DEFAULT_PORT,
        production: Annotated[
            bool,
            typer.Option(
                "--production", help="gunicorn, secure cookies, HSTS; needs PLANWATCH_SECRET_KEY"
            ),
        ] = False,
        workers: Annotated[
            int, typer.Option(help="gunicorn worker processes (--production)")
        ] = DEFAULT_WORKERS,
        threads: Annotated[
            int, typer.Option(help="threads in each gunicorn worker (--production)")
        ] = DEFAULT_THREADS,
        import_plan: Annotated[
            bool, typer.Option("--import-plan/--no-import-plan", help="Import plan.yaml on start")
        ] = True,
        worker: Annotated[
            bool,
            typer.Option(
                "--worker/--no-worker",
                help="Start the background worker that builds published reports (planwatch manage db_worker)",
            ),
        ] = True,
    ) -> None:
        """Run the commentary web app (accounts, rounds, commentary, publishing).

        Environment: PLANWATCH_SECRET_KEY, PLANWATCH_ALLOWED_HOSTS, DATABASE_URL (default SQLite in
        the project), PLANWATCH_DEBUG, PLANWATCH_PUBLIC_REPORTS, PLANWATCH_EMAIL_BACKEND.
        Create accounts with: planwatch manage set_user NAME --role analyst|owner|reader.
        """
        root = project_of(project).root
        worker_args = gunicorn_worker_args(workers, threads) if production else []
        check_port_free(host, port)  # before the database, the worker or the address printed
        _setup(root, production=production)
        _prepare(root, import_plan=import_plan)
        _stop_on_sigterm()
        jobs = None
        _prepare_analysis()  # for this worker, or a worker unit's (--no-worker)
        if worker:
            _requeue_abandoned()
            jobs = start_worker()
        try:
            _run_server(host, port, production=production, worker_args=worker_args)
        finally:
            if jobs is not None:
                stop_worker(jobs)
            _stop_chart_workers()

    def _run_server(host: str, port: int, *, production: bool, worker_args: list[str]) -> None:
        if production:
            cmd = [
                sys.executable,
                "-m",
                "gunicorn",
                "planwatch.web.wsgi:application",
                "--bind",
                f"{host}:{port}",
                *worker_args,
                "--timeout",
                str(WORKER_TIMEOUT_SECONDS),
                "--access-logfile",
                "-",
            ]
            server = subprocess.Popen(cmd, env=os.environ.copy())
            try:
                code = server.wait()
            finally:  # SIGTERM or SIGINT here: gunicorn stops its workers and frees the port
                stop_worker(server)
            raise typer.Exit(code)
        from django.core.management import call_command

        console.print(
            f"Development server on http://{host}:{port}/ (not for production; use --production)."
        )
        call_command("runserver", f"{host}:{port}", use_reloader=False)

    @app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
    def manage(ctx: typer.Context, project: ProjectOption = Path(".")) -> None:
        """Run a web-app admin command, e.g. `planwatch manage import_plan` or `planwatch manage set_user ann --role analyst`."""
        root = project_of(project).root
        _setup(root, production=False)
        from django.core.management import call_command, execute_from_command_line

        # A fresh project has no tables yet: `manage set_user` is how the first analyst is made.
        call_command("migrate", interactive=False, verbosity=0)
        execute_from_command_line(["planwatch manage", *ctx.args])
