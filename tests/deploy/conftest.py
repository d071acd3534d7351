"""One real Prefect stack for the deployment tests: server on PostgreSQL, pool, limits, deployments."""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from deploy_stack import (
    BIN,
    AlertReceiver,
    Processes,
    free_port,
    healthy,
    run_cli,
    stack_env,
    wait_for,
)

PG_ADMIN_URL = os.environ.get("MALUX_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@dataclass
class Stack:
    """What a test needs to drive the stack: the API, the env every CLI needs, the data dir, the receiver."""

    api_url: str
    env: dict[str, str]
    data_dir: Path
    warehouse_url: str
    alerts: AlertReceiver
    processes: Processes

    def start_worker(self, name: str, pool: str = "malux-process") -> subprocess.Popen:
        """A process worker polling every second, with flow heartbeats on as in production."""
        args = [str(BIN / "prefect"), "worker", "start", "--pool", pool, "--name", name]
        return self.processes.start(name, args, {**self.env, "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30"})


def _create_databases(names: list[str]) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def _drop_databases(names: list[str]) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_or_skip() -> None:
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        why = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (CI=true: the deployment tests must run)")
        pytest.skip(why)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """Server on 127.0.0.1 (PostgreSQL), setup_server.py, `prefect deploy --all`, a worker; all torn down."""
    _pg_or_skip()
    suffix = uuid.uuid4().hex[:10]
    prefect_db, warehouse_db = f"malux_test_prefect_{suffix}", f"malux_test_wh_{suffix}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    root = Path(tempfile.mkdtemp(prefix="malux-deploy-test-"))
    (root / "logs").mkdir()
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    alerts = AlertReceiver()
    warehouse_url = f"{base}/{warehouse_db}"
    env = stack_env(root, api_url, base, prefect_db, warehouse_db) | {
        "MALUX_ALERT_WEBHOOK_URL": alerts.url,  # read by setup_server.py into the server variable only
        "COLUMNS": "200",
    }
    processes = Processes(root / "logs")
    _create_databases([prefect_db, warehouse_db])
    try:
        server = processes.start(
            "server",
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env,
        )
        wait_for(
            "the Prefect server's health check", lambda: healthy(api_url) or server.poll() is not None, 90
        )
        assert server.poll() is None, f"prefect server exited:\n{processes.log_tail('server')}"
        run_cli([str(BIN / "python"), "deployments/setup_server.py"], env)
        run_cli([str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env)
        # Workers and flow runs find the alert URL through the server's variable, as a remote worker would.
        worker_env = {k: v for k, v in env.items() if k != "MALUX_ALERT_WEBHOOK_URL"}
        s = Stack(api_url, worker_env, root / "data", warehouse_url, alerts, processes)
        s.start_worker("worker-1")
        yield s
    finally:
        processes.stop_all()
        alerts.close()
        from warehouse.db import _engines

        engine = _engines.pop(warehouse_url, None)
        if engine is not None:
            engine.dispose()
        _drop_databases([prefect_db, warehouse_db])
