"""A query that never ends is stopped at the configured limit, and Ctrl-C stops it, on SQLite and PostgreSQL;
on PostgreSQL the server's query does not outlive the client (issue #13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import make_url, text
from typer.testing import CliRunner

from malux.cli.main import app
from warehouse.db import engine_for

runner = CliRunner()
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
WAIT_S = 120  # the most any step here waits for the machine; a wait, never an assertion on time


@pytest.fixture
def granted(warehouse_url: str) -> str:
    """The migrated warehouse with its reader role, as `malux db upgrade` leaves it."""
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return warehouse_url


def test_an_endless_recursive_query_is_stopped_at_the_configured_limit(granted, monkeypatch):
    monkeypatch.setenv("MALUX_QUERY_TIMEOUT_S", "1")
    result = runner.invoke(app, ["query", ENDLESS])
    assert result.exit_code == 1
    assert "ran past its 1 s limit" in result.output and "MALUX_QUERY_TIMEOUT_S" in result.output
    if make_url(granted).get_backend_name() == "postgresql":
        assert _running_queries(granted) == []


def _running_queries(url: str) -> list[str]:
    """The queries `malux query` still has running on this database, seen by the warehouse owner."""
    with engine_for(url).connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name = 'malux query' AND state = 'active'"
                )
            ).scalars()
        )


def _start_query(sql: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "malux.cli.main", "query", sql]
    return subprocess.Popen(command, env=os.environ.copy(), stderr=subprocess.PIPE, text=True)


def _wait_until_running(process: subprocess.Popen, url: str) -> None:
    """Until the query runs: on PostgreSQL the server shows it; on SQLite the command has said it starts."""
    announced = process.stderr.readline()
    assert "malux query:" in announced, announced
    if make_url(url).get_backend_name() == "sqlite":
        time.sleep(1.0)  # the query itself starts right after the announcement
        return
    deadline = time.monotonic() + WAIT_S
    while not _running_queries(url):
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the query never showed in pg_stat_activity"
        time.sleep(0.2)


def test_ctrl_c_stops_the_query_and_on_postgresql_the_servers_query_too(granted):
    process = _start_query(ENDLESS)
    try:
        _wait_until_running(process, granted)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stderr
    assert "interrupted: the query was stopped" in stderr
    if make_url(granted).get_backend_name() == "postgresql":
        assert _running_queries(granted) == []


def test_on_postgresql_a_killed_clients_query_ends_at_the_limit(pg_url, data_dir, monkeypatch):
    """SQLite runs in the client's own process, so only PostgreSQL has a query that could outlive it."""
    monkeypatch.setenv("MALUX_WAREHOUSE_URL", pg_url)
    granted = pg_url
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    monkeypatch.setenv("MALUX_QUERY_TIMEOUT_S", "2")
    process = _start_query(ENDLESS)
    try:
        _wait_until_running(process, granted)
    finally:
        process.kill()  # no Ctrl-C, no goodbye: only the server's statement_timeout can end it
        process.wait()
    deadline = time.monotonic() + WAIT_S
    while _running_queries(granted) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _running_queries(granted) == []
