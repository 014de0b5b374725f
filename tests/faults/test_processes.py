"""Every process planwatch starts ends with it: `planwatch serve` (development server or
gunicorn) signalled with SIGTERM or SIGINT leaves no child alive and the port free."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: Seconds the server may take to start listening (migrations on a fresh SQLite database
#: included) and then to stop; a loaded 2-CPU machine takes a few of each.
START_SECONDS = 90.0
STOP_SECONDS = 30.0
#: How often the test looks again while it waits.
POLL_SECONDS = 0.2
HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    """The server answers a whole HTTP request (a bare connection left open would still be
    in a handler thread when the signal comes, and its shutdown is not what is tested)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", "/", headers={"Connection": "close"})
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def _port_free(port: int) -> bool:
    """A new server could listen on the port: SO_REUSEADDR, as every server sets, so that
    connections in TIME_WAIT do not count, while a socket still listening does."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return False
        return True


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc: children of each of its threads)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL_SECONDS)
    return bool(condition())


@pytest.mark.parametrize("production", [True, False], ids=["gunicorn", "development"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signalled_server_leaves_no_process_and_frees_the_port(
    tmp_path: Path, production: bool, signum: int
) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "planwatch.cli.main", "serve", "-p", str(tmp_path)]
    command += ["--port", str(port), "--no-import-plan", "--workers", "2", "--threads", "1"]
    env = {**os.environ, "PLANWATCH_SECRET_KEY": "test-only-" + "x" * 50}
    server = subprocess.Popen(
        command + (["--production"] if production else []),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # so that whatever is left can be cleaned up as a group
    )
    children: set[int] = set()
    try:
        assert _wait_for(lambda: _listening(port), START_SECONDS), "the server did not start"
        children = _descendants(server.pid)
        assert children, "the server started no child processes"  # db_worker, gunicorn
        server.send_signal(signum)
        server.wait(timeout=STOP_SECONDS)
        assert _wait_for(lambda: not any(_alive(c) for c in children), STOP_SECONDS), [
            c for c in children if _alive(c)
        ]
        assert _wait_for(lambda: _port_free(port), STOP_SECONDS), "the port is still in use"
        assert b"Traceback" not in (server.stderr.read() if server.stderr else b"")
    finally:
        for pid in [server.pid, *children]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=STOP_SECONDS)
        if server.stderr:
            server.stderr.close()
