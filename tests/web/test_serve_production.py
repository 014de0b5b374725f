"""`planwatch serve --production` really starts gunicorn with the hardened settings."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from web_helpers import PLAN_YAML

from planwatch.cli import serve

pytestmark = pytest.mark.slow

#: How long gunicorn may take to answer (s); imports are slow on a busy machine.
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(parent: int, word: str) -> dict[int, str]:
    """The processes started by ``parent`` whose command line mentions ``word``, by pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != parent:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                line = f.read().replace(b"\0", b" ").decode()
        except (OSError, ProcessLookupError, IndexError, ValueError):
            continue
        if word in line:
            found[int(entry)] = line
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive (a zombie awaiting its parent's wait counts as stopped)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_production_server_answers_with_secure_settings(tmp_path):
    shutil.copy(PLAN_YAML, tmp_path / "plan.yaml")
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLANWATCH_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(PLANWATCH_SECRET_KEY="s" * 60, PLANWATCH_SSL_REDIRECT="0", PLANWATCH_FAST_HASHER="1")
    cmd = [
        sys.executable,
        "-c",
        "from planwatch.cli.main import run; run()",
        "serve",
        "--project",
        str(tmp_path),
        "--production",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    server = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    workers: dict[int, str] = {}
    try:
        deadline = time.monotonic() + START_TIMEOUT
        response = None
        while time.monotonic() < deadline and response is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/accounts/login/", headers={"Host": "127.0.0.1"})
                response = conn.getresponse()
            except OSError:
                conn.close()
                time.sleep(0.3)
        assert response is not None, "gunicorn did not answer"
        assert response.status == 200
        assert "Secure" in response.getheader("Set-Cookie", "")
        assert response.getheader("X-Frame-Options") == "DENY"
        assert b"Sign in" in response.read()
        conn.close()
        assert (tmp_path / "web.sqlite3").exists()  # migrated on start
        workers = _children(server.pid, "db_worker")
        assert workers, "no background worker beside gunicorn"
    finally:
        os.killpg(server.pid, 15)
        output = server.communicate(timeout=30)[0].decode()
    # The worker runs in a session of its own (Ctrl-C reaches only `serve`), and `serve` stops it.
    assert not [pid for pid in workers if _running(pid)], "the background worker outlived serve"
    assert "Imported 4 commitments owned by 3 departments" in output
    assert "Booting worker" in output


def test_the_docs_stop_timeouts_match_the_code():
    """docs/web.md quotes how long the worker is given to finish a report, and its systemd
    units must wait longer than that before they kill it."""
    doc = (Path(__file__).parents[2] / "docs" / "web.md").read_text()
    assert f"up to {serve.WORKER_STOP_SECONDS} seconds" in doc
    stops = [int(v) for v in re.findall(r"^TimeoutStopSec=(\d+)$", doc, flags=re.MULTILINE)]
    assert stops and all(v > serve.WORKER_STOP_SECONDS for v in stops)
