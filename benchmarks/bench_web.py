"""Load benchmark of the commentary web app: gunicorn + PostgreSQL on loopback, 50 users.

Not a test. In: a PostgreSQL server (``--database-url`` or ``PLANWATCH_BENCH_POSTGRES_URL``,
or ``--start-postgres`` to run a throwaway cluster in a temporary folder with Debian's
postgresql 15 binaries). Out: latency percentiles, error counts and a check that every
draft the clients were told was saved is in the database (its text as the slot's final
text and its version in the audit history), printed and written into the ``## Web``
section of docs/performance.md.

Set-up: a generated plan (40 departments x 3 commitments), 40 owners (one department
each, so they never race each other) and 10 analysts, an open round. Phases, in the
same run: a *baseline* of the same users fetching the sign-in page (no database
work), then the *load*: owners open their to-do list and a slot and autosave a new
draft with the version they loaded; analysts reload the tracker. Everything binds to
127.0.0.1; the clients stop by themselves after ``--seconds``.

    python benchmarks/bench_web.py --start-postgres            # 60 s, 50 users
    python benchmarks/bench_web.py --database-url postgres://postgres@127.0.0.1:5433/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "performance.md"
SECTION = "## Web"

DEPARTMENTS = 40  # one owner each
COMMITMENTS_PER_DEPARTMENT = 3
ANALYSTS = 10
USERS = DEPARTMENTS + ANALYSTS  # 50 concurrent users, as the issue asks
DEFAULT_SECONDS = 60
BASELINE_SECONDS = 10
#: Think time between a user's requests (seconds): people do not click continuously.
THINK_SECONDS = 0.2
PASSWORD = "bench-password-" + "x" * 12  # test-only; passes the validators
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5439
REQUEST_TIMEOUT = 30


# --------------------------------------------------------------------------- set-up


def plan_yaml() -> str:
    lines = [
        "metadata:",
        "  title: Benchmark plan",
        "  organisation: Benchmark",
        "  area: Benchmarkshire",
        "  plan_period: 2024-2028",
        "departments:",
    ]
    lines += [f"  - {{id: dept-{d:02d}, name: Department {d:02d}}}" for d in range(DEPARTMENTS)]
    lines += [
        "priorities:",
        "  - number: 1",
        "    title: Everything",
        "    objective: Benchmark.",
        "    commitments:",
    ]
    for d in range(DEPARTMENTS):
        for c in range(COMMITMENTS_PER_DEPARTMENT):
            lines += [
                f"      - id: c-{d:02d}-{c}",
                f"        text: Commitment {c} of department {d:02d}.",
                f"        owners: [dept-{d:02d}]",
            ]
    return "\n".join(lines) + "\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_postgres(folder: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """A throwaway cluster on 127.0.0.1 (as the postgres user when run as root)."""
    data = folder / "pgdata"
    folder.mkdir(parents=True, exist_ok=True)
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(folder, "postgres")
    run = (
        (
            lambda cmd: subprocess.run(
                ["su", "postgres", "-c", " ".join(cmd)], check=True, capture_output=True
            )
        )
        if as_root
        else (lambda cmd: subprocess.run(cmd, check=True, capture_output=True))
    )
    run([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"])
    run(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "log"),
            "-w",
            "-o",
            f"'-p {PG_PORT} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200'",
            "start",
        ]
    )
    return f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres", None


def stop_postgres(folder: Path) -> None:
    cmd = [str(PG_BIN / "pg_ctl"), "-D", str(folder / "pgdata"), "-m", "fast", "stop"]
    if os.geteuid() == 0:
        subprocess.run(["su", "postgres", "-c", " ".join(cmd)], capture_output=True)
    else:
        subprocess.run(cmd, capture_output=True)


def fresh_database(server_url: str) -> str:
    import psycopg

    name = f"planwatch_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(server_url)
    return parts._replace(path="/" + name).geturl()


def drop_database(server_url: str, db_url: str) -> None:
    import psycopg

    name = urlsplit(db_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare(project: Path) -> tuple[int, dict[str, int]]:
    """Migrate, import the plan, create users and open a round (in this process)."""
    import django

    django.setup()
    from datetime import date, timedelta

    from django.core.management import call_command

    from planwatch.plan.load import load_plan
    from planwatch.web import services
    from planwatch.web.models import Slot

    call_command("migrate", interactive=False, verbosity=0)
    services.import_plan(load_plan(project / "plan.yaml"))
    analyst = services.set_user("analyst-0", role="analyst", password=PASSWORD)
    for a in range(1, ANALYSTS):
        services.set_user(f"analyst-{a}", role="analyst", password=PASSWORD)
    for d in range(DEPARTMENTS):
        services.set_user(
            f"owner-{d:02d}", role="owner", departments=(f"dept-{d:02d}",), password=PASSWORD
        )
    rnd = services.open_round("2024/25 Q1", date.today() + timedelta(days=14), user=analyst)
    return rnd.pk, {"slots": Slot.objects.filter(round=rnd).count()}


# --------------------------------------------------------------------------- client


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    saved: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # (slot, version, text) the server confirmed
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Browser:
    """One user's cookie jar over http.client (no third-party HTTP library)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": "127.0.0.1",
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            raise
        for value in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        return resp.status, text, dict(resp.headers)

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _, _headers = self.request(
            "POST",
            "/accounts/login/",
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
        )
        if status != 302:
            raise RuntimeError(f"login of {username} failed with HTTP {status}")


SLOT_LINK = re.compile(r'href="/slots/(\d+)/"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def timed(
    stats: Stats,
    kind: str,
    browser: Browser,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    ok: tuple[int, ...] = (200,),
) -> tuple[int, str] | None:
    start = time.perf_counter()
    try:
        status, text, _ = browser.request(method, path, form)
    except Exception as exc:
        stats.error(f"{kind}: {type(exc).__name__}: {exc}")
        return None
    stats.add(kind, time.perf_counter() - start)
    if status not in ok:
        stats.error(f"{kind}: HTTP {status}")
    return status, text


def signed_in(port: int, users: list[str], at_once: int) -> dict[str, Browser]:
    """Sign everyone in before the clock starts, ``at_once`` at a time (password hashing is
    deliberately slow, so 50 at once would only measure PBKDF2)."""
    browsers: dict[str, Browser] = {}
    gate = threading.Semaphore(at_once)

    def login(user: str) -> None:
        with gate:
            b = Browser(port)
            b.login(user)
            browsers[user] = b

    run_threads([(login, (u,)) for u in users])
    missing = set(users) - set(browsers)
    if missing:
        raise RuntimeError(f"could not sign in: {', '.join(sorted(missing))}")
    return browsers


def owner_loop(b: Browser, user: str, until: float, stats: Stats) -> None:
    n = 0
    while time.monotonic() < until:
        got = timed(stats, "to-do list", b, "GET", "/todo/")
        if not got:
            continue
        slots = SLOT_LINK.findall(got[1])
        if not slots:
            stats.error(f"{user}: no slots on the to-do list")
            return
        slot = slots[n % len(slots)]
        got = timed(stats, "editor", b, "GET", f"/slots/{slot}/")
        match = VERSION.search(got[1]) if got else None
        if not match:
            continue
        n += 1
        text = f"{user} draft {n}: " + "Progress this quarter was steady. " * 20
        got = timed(
            stats,
            "autosave",
            b,
            "POST",
            f"/slots/{slot}/autosave/",
            {"text": text, "rag": "green", "version": match.group(1)},
            ok=(200, 409),
        )
        if got and got[0] == 200:
            version = int(json.loads(got[1])["version"])
            with stats.lock:
                stats.saved.append((int(slot), version, text))
        elif got and got[0] == 409:
            with stats.lock:
                stats.conflicts += 1
        time.sleep(THINK_SECONDS)


def analyst_loop(b: Browser, round_id: int, until: float, stats: Stats) -> None:
    while time.monotonic() < until:
        timed(stats, "tracker", b, "GET", f"/rounds/{round_id}/")
        time.sleep(THINK_SECONDS)


def baseline_loop(port: int, until: float, stats: Stats) -> None:
    b = Browser(port)
    while time.monotonic() < until:
        timed(stats, "sign-in page (baseline)", b, "GET", "/accounts/login/")
        time.sleep(THINK_SECONDS)


def run_threads(targets: list[tuple[object, tuple[object, ...]]]) -> None:
    threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# --------------------------------------------------------------------------- checks and report


def verify(stats: Stats) -> tuple[int, int]:
    """(saves confirmed, saves missing): each confirmed save must be in the audit history,
    and each slot's final text must be the last confirmed save."""
    from planwatch.web.models import Slot

    missing = 0
    last: dict[int, tuple[int, str]] = {}
    history = {(h.id, h.version): h.text for h in Slot.history.all().only("id", "version", "text")}
    for slot, version, text in stats.saved:
        if history.get((slot, version)) != text:
            missing += 1
        if slot not in last or version > last[slot][0]:
            last[slot] = (version, text)
    for slot, (version, text) in last.items():
        row = Slot.objects.get(pk=slot)
        if (row.version, row.text) != (version, text):
            missing += 1
    return len(stats.saved), missing


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(
    stats: Stats, baseline: Stats, seconds: int, workers: int, saved: int, missing: int, slots: int
) -> str:
    base95 = pct(baseline.latencies["sign-in page (baseline)"], 95)
    rows = [
        "| Request | Count | p50 (ms) | p95 (ms) | p95 / baseline p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, values in sorted({**baseline.latencies, **stats.latencies}.items()):
        p95 = pct(values, 95)
        rows.append(
            f"| {kind} | {len(values)} | {pct(values, 50) * 1000:.0f} | {p95 * 1000:.0f} | {p95 / base95:.1f} |"
        )
    everything = [v for values in stats.latencies.values() for v in values]
    total = len(everything)
    lines = [
        SECTION,
        "",
        f"Measured by `benchmarks/bench_web.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: gunicorn "
        f"({workers} sync workers) and PostgreSQL 15 on 127.0.0.1, {USERS} concurrent users "
        f"({DEPARTMENTS} owners autosaving drafts of their {COMMITMENTS_PER_DEPARTMENT} slots each, {ANALYSTS} analysts "
        f"reloading the tracker of {slots} slots) for {seconds} s, {THINK_SECONDS} s think time, clients on the same "
        f"machine ({os.cpu_count()} cores). The baseline is the sign-in page (no database work) under the same users, "
        f"measured in the same run. Load average when the run started: {LOAD_AT_START} (other work on the "
        "machine competes for the same cores, so absolute times vary between runs; the ratios and the "
        "error and lost-draft counts are the results to compare).",
        "",
        *rows,
        "",
        f"- Requests in the load phase: {total} ({total / seconds:.0f} a second); overall p95 "
        f"{pct(everything, 95) * 1000:.0f} ms.",
        f"- Errors (exceptions or unexpected HTTP status): {len(stats.errors)}"
        + (f" (first: {stats.errors[0]})" if stats.errors else "")
        + f"; baseline errors: {len(baseline.errors)}.",
        f"- Version conflicts (HTTP 409, expected only if two people edit one slot): {stats.conflicts}.",
        f"- Drafts the server confirmed as saved: {saved}; missing afterwards (not in the audit history with "
        f"their version, or not the slot's final text): {missing}.",
        "",
        "Signed-in pages cost several times the sign-in page: each reads the session and the user's role, "
        "and the tracker renders every slot of the round in one Django template. Sign-in itself (PBKDF2 "
        "password hashing, deliberately slow) happens before the clock starts.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    DOC.parent.mkdir(parents=True, exist_ok=True)
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(updated, encoding="utf-8")


LOAD_AT_START = "n/a"


def main() -> int:
    global LOAD_AT_START
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PLANWATCH_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server; a fresh database is created in it and dropped afterwards",
    )
    parser.add_argument(
        "--start-postgres", action="store_true", help="start a throwaway PostgreSQL 15 cluster"
    )
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/performance.md alone"
    )
    args = parser.parse_args()
    if not args.database_url and not args.start_postgres:
        parser.error("give --database-url (or PLANWATCH_BENCH_POSTGRES_URL) or --start-postgres")

    LOAD_AT_START = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    work = Path(tempfile.mkdtemp(prefix="planwatch-bench-web-"))
    work.chmod(0o755)  # the postgres user must reach the cluster folder inside it
    server_url = args.database_url
    if args.start_postgres:
        server_url, _ = start_postgres(work / "pg")
    db_url = fresh_database(server_url)
    project = work / "project"
    project.mkdir()
    (project / "plan.yaml").write_text(plan_yaml())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANWATCH_", "DJANGO_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "planwatch.web.settings",
            "PLANWATCH_PROJECT": str(project),
            "DATABASE_URL": db_url,
            "PLANWATCH_PRODUCTION": "1",
            "PLANWATCH_SECRET_KEY": secrets.token_urlsafe(50),
            "PLANWATCH_SSL_REDIRECT": "0",
            "PLANWATCH_ALLOWED_HOSTS": "127.0.0.1",
            "PLANWATCH_CACHE_DIR": str(work / "cache"),
            "PLANWATCH_LOG_LEVEL": "ERROR",
        }
    )
    os.environ.update(env)
    gunicorn = None
    try:
        round_id, counts = prepare(project)
        port = free_port()
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "planwatch.web.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--preload",
            ],
            env=env,
            cwd=work,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(3 * args.workers):  # warm every worker up before measuring
            Browser(port).request("GET", "/accounts/login/")
        baseline = Stats()
        until = time.monotonic() + BASELINE_SECONDS
        run_threads([(baseline_loop, (port, until, baseline)) for _ in range(USERS)])
        owners = [f"owner-{d:02d}" for d in range(DEPARTMENTS)]
        analysts = [f"analyst-{a}" for a in range(ANALYSTS)]
        browsers = signed_in(port, owners + analysts, args.workers)
        stats = Stats()
        until = time.monotonic() + args.seconds
        targets: list[tuple[object, tuple[object, ...]]] = [
            (owner_loop, (browsers[u], u, until, stats)) for u in owners
        ]
        targets += [(analyst_loop, (browsers[u], round_id, until, stats)) for u in analysts]
        run_threads(targets)
        saved, missing = verify(stats)
        text = report(stats, baseline, args.seconds, args.workers, saved, missing, counts["slots"])
        print(text)
        if not args.no_write:
            write_section(text)
            print(f"Written into {DOC}")
        return 0 if not stats.errors and missing == 0 else 1
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        drop_database(server_url, db_url)
        if args.start_postgres:
            stop_postgres(work / "pg")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
