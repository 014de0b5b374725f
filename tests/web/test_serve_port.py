"""`planwatch serve` on a port another program holds fails at once with a clear error,
before it migrates, starts a worker or prints an address (issue 18)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys

import pytest
from web_helpers import PLAN_YAML

from planwatch.cli.serve import check_port_free
from planwatch.errors import ConfigError

#: Generous: the command only imports planwatch before it refuses (s).
REFUSAL_TIMEOUT = 120


@pytest.fixture
def held_port():
    """A port held by a real listening socket, as another server would hold it."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize("production", [False, True], ids=["development", "production"])
def test_serve_on_a_busy_port_names_it_and_prints_no_address(tmp_path, held_port, production):
    shutil.copy(PLAN_YAML, tmp_path / "plan.yaml")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PLANWATCH_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(PLANWATCH_SECRET_KEY="s" * 60)
    cmd = [sys.executable, "-c", "from planwatch.cli.main import run; run()", "serve"]
    cmd += ["--project", str(tmp_path), "--port", str(held_port)]
    cmd += ["--production"] if production else []
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=REFUSAL_TIMEOUT)
    output = done.stdout + done.stderr
    assert done.returncode == ConfigError.exit_code, output
    assert f"port {held_port} on 127.0.0.1 is already in use" in output
    assert "--port" in output  # what to do
    assert "http://" not in output and "Traceback" not in output
    assert "Imported" not in output  # refused before the plan import and the migrations
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.yaml"]  # no database made


def test_a_free_port_passes_and_a_foreign_host_is_refused(held_port):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = int(s.getsockname()[1])
    check_port_free("127.0.0.1", free)  # raises nothing
    with pytest.raises(ConfigError, match=f"port {held_port}"):
        check_port_free("127.0.0.1", held_port)
    with pytest.raises(ConfigError, match=r"cannot listen on 192\.0\.2\.1"):
        check_port_free("192.0.2.1", free)  # TEST-NET-1: not this machine's address
