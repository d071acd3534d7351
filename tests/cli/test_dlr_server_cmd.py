"""`malux dlr-server` as an operator runs it: a real process that answers, and stops cleanly on a signal."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

STARTS_WITHIN_S = 90  # imports and a first migration check, on a loaded CI machine
STOPS_WITHIN_S = 10


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _as_from_the_background() -> None:
    """SIGINT ignored, as a process started with `&` or by some supervisors inherits it: the server must still
    stop on SIGINT, so it installs its own handler rather than relying on Python's KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as client:
        client.settimeout(1)
        return client.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def server(tmp_path: Path, data_dir: Path) -> Iterator[Server]:
    """`malux dlr-server` on a free port of 127.0.0.1, its warehouse migrated first, answering /health."""
    from warehouse.db import make_engine
    from warehouse.migrate import upgrade

    engine = make_engine(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    upgrade(engine)
    engine.dispose()
    port, log = _free_port(), tmp_path / "dlr-server.log"
    env = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "MALUX_DLR_SECRET": "test-secret", "COLUMNS": "200"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "malux.cli.main", "dlr-server", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            preexec_fn=_as_from_the_background,
        )  # fmt: skip
    running = Server(process, port, log)
    try:
        deadline = time.monotonic() + STARTS_WITHIN_S
        while not _accepts(port):
            if process.poll() is not None:
                pytest.fail(f"dlr-server exited ({process.returncode}) before listening:\n{running.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"dlr-server not listening after {STARTS_WITHIN_S} s:\n{running.output()}")
            time.sleep(0.2)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_the_server_answers_health(server):
    answer = requests.get(f"http://127.0.0.1:{server.port}/health", timeout=10)
    assert (answer.status_code, answer.text) == (200, "ok")
    assert f"dlr-server listening on http://127.0.0.1:{server.port}" in server.output()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_the_server_with_code_0_and_frees_its_port(server, stop):
    assert requests.get(f"http://127.0.0.1:{server.port}/health", timeout=10).status_code == 200
    server.process.send_signal(stop)
    try:
        code = server.process.wait(timeout=STOPS_WITHIN_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"dlr-server still running {STOPS_WITHIN_S} s after {stop.name}:\n{server.output()}")
    assert code == 0, server.output()
    assert "dlr-server stopped" in server.output()
    assert "Traceback" not in server.output()
    assert not _accepts(server.port)
