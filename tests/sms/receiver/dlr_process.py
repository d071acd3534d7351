"""`malux dlr-server` as a user runs it, in its own process on a free port, and raw sockets to attack it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTS_WITHIN_S = 90  # imports and a migration check, on a loaded machine
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as client:
        client.settimeout(1)
        return client.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class DlrProcess:
    """The running server: its port, its process and everything it printed."""

    process: subprocess.Popen
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def rss_kib(self) -> int:
        """The server's resident memory, from the kernel."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1])

    def connect(self, timeout: float = 10.0) -> socket.socket:
        client = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        client.settimeout(timeout)
        return client


@contextmanager
def dlr_server(data_dir: Path, log: Path, env: dict[str, str]) -> Iterator[DlrProcess]:
    """`python -m malux.cli.main dlr-server` with these MALUX_* settings; stopped with SIGTERM after."""
    port = free_port()
    full_env = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "COLUMNS": "200", **env}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "malux.cli.main", "dlr-server", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=ROOT, start_new_session=True,
        )  # fmt: skip
    running = DlrProcess(process, port, log)
    try:
        deadline = time.monotonic() + STARTS_WITHIN_S
        while not _accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"dlr-server not listening on {port}:\n{running.output()}")
            time.sleep(0.2)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def read_status(client: socket.socket) -> int:
    """The status code of the answer on this connection (raises if the server closed without one)."""
    answer = b""
    while b"\r\n" not in answer:
        chunk = client.recv(4096)
        if not chunk:
            raise ConnectionError(f"closed without an answer (got {answer!r})")
        answer += chunk
    return int(answer.split(b" ", 2)[1])


def closed_by_server(client: socket.socket, wait_s: float | None = None) -> bool:
    """Whether the server closes this connection (EOF or reset) within the wait (default: the timeout)."""
    if wait_s is not None:
        client.settimeout(wait_s)
    try:
        return client.recv(4096) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def push(client: socket.socket, total: int, chunk: bytes) -> int:
    """Send up to `total` bytes; how many went before the server stopped taking them."""
    sent = 0
    try:
        while sent < total:
            client.sendall(chunk)
            sent += len(chunk)
    except OSError:  # reset, broken pipe or a send timeout: the server no longer reads
        pass
    return sent
