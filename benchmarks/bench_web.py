"""Load benchmark of the commentary web app: gunicorn + PostgreSQL on loopback, 50 users.

Not a test. In: a PostgreSQL server (``--database-url`` or ``PLANWATCH_BENCH_POSTGRES_URL``,
or ``--start-postgres`` to run a throwaway cluster in a temporary folder with Debian's
postgresql 15 binaries). Out: latency percentiles (p50/p95/p99 per request type),
throughput, error counts and a check that every draft the clients were told was saved
is in the database (its text as the slot's final text and its version in the audit
history), printed and written into the ``## Web`` section of docs/performance.md.

Set-up: a generated plan (40 departments x 3 commitments = 120 slots), 40 owners (one
department each, so they never race each other) and 10 analysts, an open round; every
user signs in once before any clock starts. gunicorn runs in its own processes; the
clients are threads of this process. Phases, in the same run:

0. *cost*: each request type 100 times in a row from one user, nothing else in the queue:
   the server CPU time each costs (gunicorn, PostgreSQL) and its latency alone;
1. *baseline*: the 50 users fetch the sign-in page (no database work), with think time;
2. *load* (the issue's goal): owners open their to-do list, open a slot in the editor and
   autosave a new draft three times with the version the server returned; analysts page
   through the tracker; every user waits a think time drawn uniformly from 0.5-1.5 s between
   requests (as locust's ``between(0.5, 1.5)``), and each starts after a random part of
   the longest think time (as locust spawns users) so that 50 first requests do not land in
   the same millisecond;
3. *stress*: the same users and requests with no think time at all (closed-loop
   saturation), which measures the most the machine can serve, not what a user sees.

Everything binds to 127.0.0.1; each phase stops by itself after its seconds or when
every user has made ``--max-requests`` requests.

    python benchmarks/bench_web.py --start-postgres            # 60 s, 50 users
    python benchmarks/bench_web.py --database-url postgres://postgres@127.0.0.1:5433/postgres
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
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

# perfdoc puts this checkout first on sys.path: measure this checkout's planwatch (the
# editable install may point at another copy).
from perfdoc import REPO, add_write_option, publish

SECTION = "## Web"
#: Slots on a tracker page (planwatch.web.tracker.PAGE_SIZE; not imported here because that
#: module needs Django's settings, which are set up later).
TRACKER_PAGE_SIZE = 100

DEPARTMENTS = 40  # one owner each
COMMITMENTS_PER_DEPARTMENT = 3
ANALYSTS = 10
USERS = DEPARTMENTS + ANALYSTS  # 50 concurrent users, as the issue asks
DEFAULT_SECONDS = 60
BASELINE_SECONDS = 15
STRESS_SECONDS = 20
#: Think time between a user's requests, seconds, uniform (locust's ``between(0.5, 1.5)``):
#: people read a page or type before the next request.
THINK_SECONDS = (0.5, 1.5)
#: Autosaves per visit to the editor (the page autosaves while someone types).
AUTOSAVES_PER_EDIT = 3
#: Upper bound on requests per user per phase, so a phase also ends by count.
MAX_REQUESTS_PER_USER = 2_000
#: Latency goal from the issue: p95 of every request type under 200 ms.
GOAL_P95_MS = 200
PASSWORD = "bench-password-" + "x" * 12  # test-only; passes the validators
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 5439
REQUEST_TIMEOUT = 30
#: Reconnect after this long idle: under the server's keep-alive (planwatch.cli.serve.
#: KEEPALIVE_SECONDS, 5 s) with a margin, and above the longest think time (1.5 s).
IDLE_RECONNECT_SECONDS = 4.0
#: Requests of each type sent one at a time to measure what each costs the server alone.
COST_REQUESTS = 100


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
    from planwatch.web.tracker import PAGE_SIZE

    if PAGE_SIZE != TRACKER_PAGE_SIZE:
        raise RuntimeError(
            f"TRACKER_PAGE_SIZE is {TRACKER_PAGE_SIZE}; the app pages by {PAGE_SIZE}"
        )
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
    """What one phase measured; ``seconds`` is the phase's wall-clock length, ``cpu`` the
    CPU seconds each measured process tree used during it."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    saved: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # (slot, version, text) the server confirmed
    seconds: float = 0.0
    load: str = ""
    cpu: dict[str, float] = field(default_factory=dict)
    machine_cpu: float = 0.0  # every process on the machine, ours included
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Browser:
    """One user's cookie jar over a kept-alive http.client connection (no third-party library).

    Like a browser's connection pool, it drops a connection that has been idle longer
    than the server keeps it (gunicorn ``--keep-alive``) and opens a new one; the time
    to connect is then part of the request's latency."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.last_used = time.monotonic()

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
        if time.monotonic() - self.last_used > IDLE_RECONNECT_SECONDS:
            self.conn.close()  # the server has closed it, or is about to
        try:
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            raise
        finally:
            self.last_used = time.monotonic()
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


@dataclass
class User:
    """One simulated person: their browser, when to stop, and how long they think."""

    name: str
    browser: Browser
    until: float
    think: tuple[float, float] | None
    rng: random.Random
    made: int = 0

    def ramp_up(self) -> None:
        """Start after a random part of the longest think time (locust's spawn): people do
        not all press a key in the same millisecond; without it the first request of every
        user lands at once and its queue shows in that page's tail."""
        if self.think is not None:
            time.sleep(self.rng.uniform(0, self.think[1]))

    def running(self) -> bool:
        return time.monotonic() < self.until and self.made < MAX_REQUESTS_PER_USER

    def pause(self) -> None:
        if self.think is not None:
            time.sleep(self.rng.uniform(*self.think))


def timed(
    stats: Stats,
    kind: str,
    user: User,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    ok: tuple[int, ...] = (200,),
) -> tuple[int, str] | None:
    """One request, timed from sending it to reading the whole answer; then think."""
    user.made += 1
    start = time.perf_counter()
    try:
        status, text, _ = user.browser.request(method, path, form)
    except Exception as exc:
        stats.error(f"{kind}: {type(exc).__name__}: {exc}")
        user.pause()
        return None
    stats.add(kind, time.perf_counter() - start)
    if status not in ok:
        stats.error(f"{kind}: HTTP {status}")
    user.pause()
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


def owner_loop(user: User, stats: Stats, edits: list[int]) -> None:
    """To-do list, then a slot's editor, then a few autosaves of new text."""
    user.ramp_up()
    while user.running():
        got = timed(stats, "to-do list", user, "GET", "/todo/")
        if not got:
            continue
        slots = SLOT_LINK.findall(got[1])
        if not slots:
            stats.error(f"{user.name}: no slots on the to-do list")
            return
        slot = slots[edits[0] % len(slots)]
        edits[0] += 1
        got = timed(stats, "editor", user, "GET", f"/slots/{slot}/")
        match = VERSION.search(got[1]) if got else None
        if not match:
            continue
        version = match.group(1)
        for _ in range(AUTOSAVES_PER_EDIT):
            if not user.running():
                return
            text = f"{user.name} draft {user.made}: " + "Progress this quarter was steady. " * 20
            got = timed(
                stats,
                "autosave",
                user,
                "POST",
                f"/slots/{slot}/autosave/",
                {"text": text, "rag": "green", "version": version},
                ok=(200, 409),
            )
            if not got or got[0] != 200:
                if got and got[0] == 409:
                    with stats.lock:
                        stats.conflicts += 1
                break
            version = str(json.loads(got[1])["version"])
            with stats.lock:
                stats.saved.append((int(slot), int(version), text))


def analyst_loop(user: User, stats: Stats, round_id: int) -> None:
    """The tracker, paging through the whole round (a page is planwatch.web.tracker.PAGE_SIZE
    slots), each page followed by the round overview (every commentary by department)."""
    pages = -(-DEPARTMENTS * COMMITMENTS_PER_DEPARTMENT // TRACKER_PAGE_SIZE)
    page = 0
    user.ramp_up()
    while user.running():
        query = f"?page={page + 1}" if page else ""
        timed(stats, "tracker", user, "GET", f"/rounds/{round_id}/{query}")
        page = (page + 1) % pages
        if user.running():
            timed(stats, "overview", user, "GET", f"/rounds/{round_id}/overview/")


def baseline_loop(user: User, stats: Stats) -> None:
    user.ramp_up()
    while user.running():
        timed(stats, BASELINE, user, "GET", "/accounts/login/")


def run_threads(targets: list[tuple[object, tuple[object, ...]]]) -> None:
    threads = [threading.Thread(target=t, args=a, daemon=True) for t, a in targets]  # type: ignore[arg-type]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process tree so far: ``root``, its living descendants,
    and the children it has already reaped (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if entry.name.isdigit() and (fields := _proc_stat(int(entry.name))):
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        kids = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for pid in tree:
        fields = _proc_stat(pid)
        if fields:  # utime, stime (14, 15); for the root also cutime, cstime (16, 17)
            total += int(fields[11]) + int(fields[12])
            if pid == root:
                total += int(fields[13]) + int(fields[14])
    return total / CLOCK_TICKS


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


#: Process trees whose CPU time is measured in each phase (name -> root pid); set in main().
MEASURED: dict[str, int] = {}


def machine_busy_seconds() -> float:
    """CPU time every process on the machine has used so far (Linux /proc/stat; 0 elsewhere):
    user, nice, system, irq, softirq and steal, summed over the cores."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def run_phase(loops: list[tuple[object, tuple[object, ...]]], seconds: int, stats: Stats) -> Stats:
    stats.load = load_average()
    before = {name: cpu_seconds(pid) for name, pid in MEASURED.items()}
    client_before = time.process_time()
    machine_before = machine_busy_seconds()
    start = time.monotonic()
    run_threads(loops)
    stats.seconds = time.monotonic() - start
    stats.cpu = {name: cpu_seconds(pid) - before[name] for name, pid in MEASURED.items()}
    stats.cpu["clients"] = time.process_time() - client_before
    stats.machine_cpu = machine_busy_seconds() - machine_before
    return stats


def users_phase(
    browsers: dict[str, Browser],
    owners: list[str],
    analysts: list[str],
    round_id: int,
    seconds: int,
    think: tuple[float, float] | None,
) -> Stats:
    stats = Stats()
    until = time.monotonic() + seconds
    loops: list[tuple[object, tuple[object, ...]]] = []
    for i, name in enumerate(owners):
        user = User(name, browsers[name], until, think, random.Random(i))
        loops.append((owner_loop, (user, stats, [i])))
    for i, name in enumerate(analysts):
        user = User(name, browsers[name], until, think, random.Random(1000 + i))
        loops.append((analyst_loop, (user, stats, round_id)))
    return run_phase(loops, seconds, stats)


@dataclass(frozen=True)
class Cost:
    """One request type sent alone, one at a time: server CPU (ms a request, per measured
    process tree) and the median latency with nothing else in the queue."""

    cpu_ms: dict[str, float]
    median_ms: float


def cost_phase(browser_of: dict[str, Browser], round_id: int, port: int, n: int) -> dict[str, Cost]:
    """Each request type ``n`` times in a row from one user: what it costs the server, free
    of queueing (run before the other phases; its autosaves are not counted as drafts)."""
    owner, analyst = browser_of["owner-00"], browser_of["analyst-0"]
    slot = SLOT_LINK.findall(owner.request("GET", "/todo/")[1])[0]
    version = [VERSION.search(owner.request("GET", f"/slots/{slot}/")[1]).group(1)]  # type: ignore[union-attr]

    def autosave() -> tuple[int, str, dict[str, str]]:
        got = owner.request(
            "POST",
            f"/slots/{slot}/autosave/",
            {"text": f"cost {time.monotonic()}", "rag": "", "version": version[0]},
        )
        version[0] = str(json.loads(got[1])["version"])
        return got

    visitor = Browser(port)
    kinds = {
        BASELINE: lambda: visitor.request("GET", "/accounts/login/"),
        "to-do list": lambda: owner.request("GET", "/todo/"),
        "editor": lambda: owner.request("GET", f"/slots/{slot}/"),
        "autosave": autosave,
        "tracker": lambda: analyst.request("GET", f"/rounds/{round_id}/"),
        "overview": lambda: analyst.request("GET", f"/rounds/{round_id}/overview/"),
    }
    costs = {}
    for kind, send in kinds.items():
        send()  # warm this worker's connection
        before = {name: cpu_seconds(pid) for name, pid in MEASURED.items()}
        times = []
        for _ in range(n):
            start = time.perf_counter()
            status = send()[0]
            times.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"{kind}: HTTP {status} in the cost phase")
        cpu = {name: (cpu_seconds(pid) - before[name]) * 1000 / n for name, pid in MEASURED.items()}
        costs[kind] = Cost(cpu, statistics.median(times) * 1000)
    return costs


def cost_table(costs: dict[str, Cost]) -> list[str]:
    names = list(next(iter(costs.values())).cpu_ms)
    head = (
        "| Request | "
        + " | ".join(f"{n} CPU (ms)" for n in names)
        + " | latency alone, median (ms) |"
    )
    rows = [head, "|---|" + "---:|" * (len(names) + 1)]
    for kind, c in costs.items():
        cells = [kind, *(f"{c.cpu_ms[n]:.1f}" for n in names), f"{c.median_ms:.1f}"]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def baseline_phase(port: int, seconds: int) -> Stats:
    stats = Stats()
    until = time.monotonic() + seconds
    loops: list[tuple[object, tuple[object, ...]]] = [
        (
            baseline_loop,
            (User(f"visitor-{i}", Browser(port), until, THINK_SECONDS, random.Random(i)), stats),
        )
        for i in range(USERS)
    ]
    return run_phase(loops, seconds, stats)


# --------------------------------------------------------------------------- checks and report


def verify(saved: list[tuple[int, int, str]]) -> int:
    """Saves missing afterwards: each confirmed save must be in the audit history with its
    version and text, and each slot's final text must be its last confirmed save."""
    from planwatch.web.models import Slot

    missing = 0
    last: dict[int, tuple[int, str]] = {}
    history = {(h.id, h.version): h.text for h in Slot.history.all().only("id", "version", "text")}
    for slot, version, text in saved:
        if history.get((slot, version)) != text:
            missing += 1
        if slot not in last or version > last[slot][0]:
            last[slot] = (version, text)
    for slot, (version, text) in last.items():
        row = Slot.objects.get(pk=slot)
        if (row.version, row.text) != (version, text):
            missing += 1
    return missing


BASELINE = "sign-in page (baseline)"


def pct(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def table(stats: Stats, base95: float | None) -> list[str]:
    head = "| Request | Count | a second | p50 (ms) | p95 (ms) | p99 (ms) |"
    rule = "|---|---:|---:|---:|---:|---:|"
    if base95 is not None:
        head += " p95 / baseline p95 |"
        rule += "---:|"
    rows = [head, rule]
    everything = [v for values in stats.latencies.values() for v in values]
    for kind, values in [*sorted(stats.latencies.items()), ("all requests", everything)]:
        cells = [
            kind,
            str(len(values)),
            f"{len(values) / stats.seconds:.1f}",
            *(f"{pct(values, q) * 1000:.0f}" for q in (50, 95, 99)),
        ]
        if base95 is not None:
            cells.append(f"{pct(values, 95) / base95:.1f}")
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def cpu_line(stats: Stats) -> str:
    """CPU used per request, by process: independent of how busy the machine was."""
    n = sum(len(v) for v in stats.latencies.values()) or 1
    parts = [f"{name} {seconds * 1000 / n:.1f} ms" for name, seconds in stats.cpu.items()]
    server = sum(v for k, v in stats.cpu.items() if k != "clients")
    names = " + ".join(k for k in stats.cpu if k != "clients")
    return (
        f"- CPU time per request (user + system, whole phase / requests): {', '.join(parts)}; "
        f"so the server side alone ({names}) could serve about "
        f"{n / server * (os.cpu_count() or 1):.0f} requests a second on {os.cpu_count()} otherwise idle cores."
        if server
        else "- CPU time per request: not measured (no /proc)."
    )


def others_line(stats: Stats) -> str:
    """How much of the machine other work took while the phase ran (a shared machine)."""
    if not stats.machine_cpu:
        return "- CPU used by other work on the machine: not measured (no /proc/stat)."
    ours = sum(stats.cpu.values())
    others = max(stats.machine_cpu - ours, 0.0)
    cores = os.cpu_count() or 1
    return (
        f"- CPU used during the phase, as a share of the machine's {cores} cores: this benchmark "
        f"(server and clients) {ours / stats.seconds / cores:.0%}, other processes on the machine "
        f"{others / stats.seconds / cores:.0%}."
    )


def headroom(load: Stats, stress: Stats) -> str:
    """How close the load phase ran to what the machine delivered in the same run."""
    offered = sum(len(v) for v in load.latencies.values()) / load.seconds
    most = sum(len(v) for v in stress.latencies.values()) / stress.seconds
    n = sum(len(v) for v in load.latencies.values()) or 1
    server = sum(v for k, v in load.cpu.items() if k != "clients") / n
    share = offered * server / (os.cpu_count() or 1)
    return (
        f"The load phase asked for {offered:.0f} requests a second; with {server * 1000:.0f} ms of server "
        f"CPU each that is {share:.0%} of the machine's {os.cpu_count()} cores before the clients and "
        f"everything else running on it, and the stress phase shows the machine delivered at most "
        f"{most:.0f} a second during this run. "
        + (
            "So the load phase ran at or near saturation: most of its latency is waiting for a core, "
            "not work done for the request."
            if offered > 0.7 * most
            else "So the load phase had headroom."
        )
    )


def outcome(stats: Stats, missing: int, scope: str = "") -> list[str]:
    return [
        cpu_line(stats),
        others_line(stats),
        f"- Errors (exceptions or unexpected HTTP status): {len(stats.errors)}"
        + (f" (first: {stats.errors[0]})" if stats.errors else "")
        + f"; version conflicts (HTTP 409, expected only if two people edit one slot): {stats.conflicts}.",
        f"- Drafts the server confirmed as saved: {len(stats.saved)}; missing afterwards (not in "
        f"the audit history with their version and text, or not the slot's final text{scope}): {missing}.",
    ]


def report(
    baseline: Stats,
    load: Stats,
    stress: Stats,
    missing: tuple[int, int],
    server: str,
    slots: int,
    costs: dict[str, Cost],
) -> str:
    base95 = pct(baseline.latencies[BASELINE], 95)
    worst = max(pct(v, 95) for v in load.latencies.values()) * 1000
    met = worst < GOAL_P95_MS and not load.errors and missing[0] == 0
    lo, hi = THINK_SECONDS
    lines = [
        f"Measured by `benchmarks/bench_web.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        f"Server: {server}, and PostgreSQL 15, both on 127.0.0.1 on the same {os.cpu_count()}-core machine as "
        f"the clients (50 threads in a separate process from gunicorn). Settings: `PLANWATCH_PRODUCTION=1` "
        "(DEBUG off, cached template loader), persistent database connections (`CONN_MAX_AGE` 60 s with "
        "health checks), sessions kept in the database and read through the shared file cache (Django's cached_db engine), WhiteNoise for "
        "static files. Data: 40 departments x 3 commitments, one open round of "
        f"{slots} slots. Users: {DEPARTMENTS} owners (one department each) and {ANALYSTS} analysts, "
        "all signed in before any clock starts.",
        "",
        f"Owners repeat: to-do list, open one of their slots in the editor, autosave it {AUTOSAVES_PER_EDIT} "
        f"times; analysts page through the tracker ({slots} slots, {TRACKER_PAGE_SIZE} a page), each page followed by the round overview (every commentary by department). Each user starts after a random part "
        f"of the longest think time ({THINK_SECONDS[1]} s, as locust spawns users) rather than all in "
        "the same millisecond. Latency is from sending a request to reading the whole answer.",
        "",
        f"### Load: {USERS} users, think time {lo}-{hi} s (uniform) between requests, {load.seconds:.0f} s",
        "",
        f"Load average (1, 5, 15 min) as the phase started: {load.load}. The baseline (the sign-in page, "
        f"no database work) was measured in the same run by {USERS} users with the same think time "
        f"(load average {baseline.load}): p50 {pct(baseline.latencies[BASELINE], 50) * 1000:.0f} ms, "
        f"p95 {base95 * 1000:.0f} ms, {len(baseline.latencies[BASELINE])} requests.",
        "",
        *table(load, base95),
        "",
        *outcome(load, missing[0]),
        f"- Goal (every request type's p95 under {GOAL_P95_MS} ms, no errors, no lost drafts): "
        + (
            f"**met** (worst p95 {worst:.0f} ms)."
            if met
            else f"**not met** (worst p95 {worst:.0f} ms)."
        ),
        "",
        headroom(load, stress),
        "",
        "### Each request alone, one at a time from one user",
        "",
        "What a request costs the server with nothing else in its queue (CPU time of each "
        "process tree over the requests, divided by their number; measured before the load phase):",
        "",
        *cost_table(costs),
        "",
        f"### Stress: the same {USERS} users with no think time, {stress.seconds:.0f} s",
        "",
        f"Every user sends the next request as soon as the last one is answered (closed-loop "
        f"saturation): this measures the most requests the machine serves, not what a user sees; "
        f"latency here is mostly queueing. Load average as it started: {stress.load}.",
        "",
        *table(stress, None),
        "",
        *outcome(stress, missing[1], ", checked over both phases' saves"),
        "",
        "Absolute times depend on what else the machine is doing (the load average above); the "
        "clients, gunicorn and PostgreSQL share the same cores.",
        "",
        "What each page costs, and what was done about it: every page runs a fixed number of "
        "queries whatever the round's size (tests/web/test_query_counts.py pins them for rounds of "
        "60 and 120 slots: tracker 5 whole, filtered or paged, to-do list 4, editor 5 (with the plan's RAG meanings), autosave 5 "
        "(7 inside the test's transaction), rounds 2, users 5 (with the sign-in lock-outs), published 2; the user with their "
        "role is 1 of them). Sessions are read through the cache (Django's cached_db engine) "
        "instead of a query every request; the user's role is joined to the user "
        "(planwatch/web/auth.py) and their departments read once a request (on the to-do list "
        "together with the departments' names). The tracker and the to-do list read their slots "
        "as plain tuples of only the columns they show (building them as Django models, ordered "
        "through four joins, was most of the to-do list's database work) and format their rows, "
        "the filters' options and the list of who to chase in Python (planwatch/web/rows.py: "
        "Django's template engine and form widgets cost several times more per value); the "
        "tracker's last-saved times are formatted without re-parsing Django's date format for "
        "every row, its list of published versions leaves out their frozen commentary, and it "
        "shows 100 slots a page (planwatch/web/tracker.py), so its cost stops growing with the "
        "round. Autosave reads the slot once, locked, instead of once to check access and again to "
        "save. gunicorn runs gthread workers (one a core plus one, 4 threads each, keep-alive 5 s) "
        "rather than (2 x cores) + 1 sync workers, so a request waiting on PostgreSQL does not "
        "hold a process. Each user's first request is spread over the longest think time: "
        "until 2026-11-25 all 50 users sent their first request in the same millisecond, so 40 "
        "to-do lists (8% of that page's samples) queued behind one another; spreading the start, "
        "with no other change, took the to-do list's p95 from 452 ms to 96 ms in two runs a few "
        "minutes apart on this machine (load average 2.6 and 3.4).",
        "",
        "Python work a request, counted in function calls with cProfile in one process (exact, "
        "unlike times on a shared machine), for this benchmark's 120-slot round with every slot "
        "saved, before and after the changes of 2026-11-25: to-do list 14,500 to 9,900; editor "
        "16,700 to 12,600 (its inputs written in the template, not by Django's widget templates); "
        "autosave 10,400 (unchanged); tracker 37,800 to 27,000 with all 120 rows (26,100 for a "
        "page of 100); sign-in page 4,800 (unchanged). gunicorn's workers x threads "
        "were compared in 30 s load phases on the same day, with other work on the machine (load "
        "average 3.6 to 6.8): 3 x 4 gave an overall p95 of 92 ms and, in a second run, 242 ms; "
        "2 x 4, 135 ms; 3 x 2, 165 ms; 4 x 2, 321 ms. Run-to-run noise was larger than any "
        "difference between the settings, so the default stays at 3 x 4 (cores + 1 workers).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    from planwatch.cli.serve import DEFAULT_THREADS, DEFAULT_WORKERS, gunicorn_worker_args

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("PLANWATCH_BENCH_POSTGRES_URL"),
        help="a PostgreSQL server; a fresh database is created in it and dropped afterwards",
    )
    parser.add_argument(
        "--start-postgres", action="store_true", help="start a throwaway PostgreSQL 15 cluster"
    )
    parser.add_argument("--seconds", type=int, default=DEFAULT_SECONDS, help="load phase")
    parser.add_argument("--baseline-seconds", type=int, default=BASELINE_SECONDS)
    parser.add_argument("--stress-seconds", type=int, default=STRESS_SECONDS)
    parser.add_argument("--cost-requests", type=int, default=COST_REQUESTS)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    add_write_option(parser)
    args = parser.parse_args()
    if not args.database_url and not args.start_postgres:
        parser.error("give --database-url (or PLANWATCH_BENCH_POSTGRES_URL) or --start-postgres")

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
            # gunicorn runs in a temporary folder: make it import this checkout's planwatch,
            # not whichever copy the editable install happens to point at.
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p
            ),
        }
    )
    os.environ.update(env)
    gunicorn = None
    worker_args = gunicorn_worker_args(args.workers, args.threads)
    server = f"gunicorn, {args.workers} gthread workers x {args.threads} threads"
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
                *worker_args,
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
        MEASURED["gunicorn"] = gunicorn.pid
        if args.start_postgres and (pg := postmaster_pid(work / "pg" / "pgdata")):
            MEASURED["PostgreSQL"] = pg  # only a cluster of our own: a shared one has other users
        for _ in range(3 * args.workers * args.threads):  # warm every worker up first
            Browser(port).request("GET", "/accounts/login/")
        owners = [f"owner-{d:02d}" for d in range(DEPARTMENTS)]
        analysts = [f"analyst-{a}" for a in range(ANALYSTS)]
        browsers = signed_in(port, owners + analysts, args.workers)
        costs = cost_phase(browsers, round_id, port, args.cost_requests)
        baseline = baseline_phase(port, args.baseline_seconds)
        load = users_phase(browsers, owners, analysts, round_id, args.seconds, THINK_SECONDS)
        missing_load = verify(load.saved)  # before the stress phase changes the texts again
        stress = users_phase(browsers, owners, analysts, round_id, args.stress_seconds, None)
        missing = (missing_load, verify(load.saved + stress.saved))
        text = report(baseline, load, stress, missing, server, counts["slots"], costs)
        publish(SECTION, text, write=not args.no_write)
        failed = load.errors or stress.errors or baseline.errors or any(missing)
        return 1 if failed else 0
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
