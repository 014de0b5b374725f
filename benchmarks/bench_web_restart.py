"""Benchmark: the first owner's-editor page after the web app restarts, on the demo project.

Not a test. In: the demo project (``planwatch demo``, built once into benchmarks/.work/),
a SQLite database with its plan imported, an analyst, an owner and the 2023/24 Q1 round.
Out: a table on stdout and the "## Web: first page after a restart" section of
docs/performance.md.

Each case is a fresh Python process (a restart: nothing cached in memory), timed from its
request to the response, ``--repeats`` times, the cases interleaved so that load from other
work falls on each alike:

- *analysis in the request* (the baseline, as before issue 18's fix): the analysis cache
  empty, the quarter's analysis computed and then the page served, in the one process;
- *ready*: the analysis the background worker prepared before the restart, found in the
  file cache;
- *being prepared*: the cache empty (the data changed): the page says so and queues the job.

Run: ``python benchmarks/bench_web_restart.py [--repeats 3] [--no-write]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from perfdoc import REPO, WORK, add_write_option, load_average, machine, publish

SECTION = "## Web: first page after a restart"
DEMO = WORK / "web-restart-demo"
QUARTER = "2023/24 Q1"
CASES = ("analysis in the request", "ready", "being prepared")

#: The child: Django set up for the project, then one case timed (the request alone).
CHILD = """
import json, os, sys, time
from pathlib import Path
case, state = sys.argv[1], Path(sys.argv[2])
import django
django.setup()
from django.core.cache import caches
from django.test import Client
from planwatch.web import reporting, services
from planwatch.web.models import Membership, Slot
from planwatch.periods import parse_quarter
if case == "setup":
    from datetime import date
    from django.core.management import call_command
    from planwatch.plan.load import load_plan
    call_command("migrate", interactive=False, verbosity=0)
    services.import_plan(load_plan(Path(os.environ["PLANWATCH_PROJECT"]) / "plan.yaml"))
    pw = "a benchmark passphrase"
    ann = services.set_user("ann", role="analyst", departments=(), email="a@example.org", password=pw)
    rnd = services.open_round(sys.argv[3], date(2024, 7, 31), user=ann)
    dept = Slot.objects.filter(round=rnd).values_list("department__slug", flat=True).first()
    services.set_user("olly", role="owner", departments=(dept,), email="o@example.org", password=pw)
    sys.exit()
from django.contrib.auth import get_user_model
owner = get_user_model().objects.get(username="olly")
slot = Slot.objects.filter(department__in=Membership.objects.filter(user=owner).values("department")).first()
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(owner)
if case != "ready":
    caches["analysis"].clear()
start = time.perf_counter()
if case == "analysis in the request":
    reporting.dashboard(parse_quarter(slot.round.quarter))
html = client.get(f"/slots/{slot.pk}/").content.decode()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "preparing": reporting.PREPARING_MESSAGE in html,
                  "charts": "<svg" in html}))
"""


def child(env: dict[str, str], *args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    lines = out.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    add_write_option(parser)
    args = parser.parse_args()
    if not (DEMO / "planwatch.duckdb").exists():
        shutil.rmtree(DEMO, ignore_errors=True)
        cmd = [sys.executable, "-m", "planwatch.cli.main", "demo", "--out", str(DEMO), "--no-pdf"]
        subprocess.run(cmd, check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    with tempfile.TemporaryDirectory(prefix="pw-bench-restart-") as tmp:
        state = Path(tmp)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PLANWATCH_", "DJANGO_"))},
            "PYTHONPATH": str(REPO),
            "DJANGO_SETTINGS_MODULE": "planwatch.web.settings",
            "PLANWATCH_PROJECT": str(DEMO),
            "PLANWATCH_CACHE_DIR": str(state / "cache"),
            "PLANWATCH_MEDIA_ROOT": str(state / "media"),
            "PLANWATCH_FAST_HASHER": "1",
            "PLANWATCH_EMAIL_BACKEND": "locmem",
            "DATABASE_URL": f"sqlite:///{state / 'web.sqlite3'}",
        }
        child(env, "setup", str(state), QUARTER)
        times: dict[str, list[float]] = {case: [] for case in CASES}
        loads = []
        for _ in range(args.repeats):
            for case in CASES:  # the baseline first: it leaves the analysis cached for "ready"
                found = child(env, case, str(state))
                assert found["preparing"] == (case == "being prepared"), (case, found)
                assert found["charts"] == (case != "being prepared"), (case, found)
                times[case].append(float(found["seconds"]))  # type: ignore[arg-type]
                loads.append(load_average())
    base = statistics.median(times[CASES[0]])
    rows = "\n".join(
        f"| {case} | {min(t):.2f} | {statistics.median(t):.2f} | {max(t):.2f} |"
        f" {statistics.median(t) / base:.3f} |"
        for case, t in times.items()
    )
    body = f"""Measured by `benchmarks/bench_web_restart.py` on {machine()}; one-minute load average
{min(loads):.1f}-{max(loads):.1f} during the run (the machine is shared).

The owner's editor, the first request in a fresh process (as after a restart), on the demo
project's {QUARTER} round; {args.repeats} runs of each case, interleaved. Before issue 18's fix
the first request computed the quarter's analysis itself (the baseline); now the background
worker computes it (when `planwatch serve` starts, or when a page finds the data changed) into
a file cache that a restart finds, and a page never waits for it.

| First editor request after a restart | best (s) | median (s) | worst (s) | median / baseline |
|---|---|---|---|---|
{rows}
"""
    publish(SECTION, body, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
