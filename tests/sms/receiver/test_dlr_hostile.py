"""`malux dlr-server` faces the gateway and, for Africa's Talking, the internet: what a hostile client tries,
against the real process on a free port, with raw sockets."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from dlr_harness import (
    SECRET,
    add_beneficiaries,
    migrated_warehouse,
    report_count,
    statuses,
    unix_now,
    wire_week,
)
from dlr_process import DlrProcess, closed_by_server, dlr_server, push, read_status

from tasks.sms.dlr_token import token_for

MIB = 1024 * 1024
HUGE = 300 * MIB
SECRET_ENV = {"MALUX_DLR_SECRET": SECRET.decode()}


@pytest.fixture
def server(data_dir, tmp_path) -> Iterator[DlrProcess]:
    """The receiver on its default limits, over a fresh SQLite warehouse."""
    migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}").dispose()
    with dlr_server(data_dir, tmp_path / "dlr.log", SECRET_ENV) as running:
        yield running


def _head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: dlr", *headers, "", ""]
    return "\r\n".join(lines).encode()


def test_a_negative_content_length_is_answered_400_at_once_and_its_300_mb_are_never_read(server):
    before = server.rss_kib()
    with server.connect() as client:
        client.sendall(_head("/dlr/kannel", "Content-Length: -1"))
        assert read_status(client) == 400
        pushed = push(client, HUGE, b"x" * MIB)
    grown_mib = (server.rss_kib() - before) / 1024
    assert pushed < HUGE, "the server went on reading a body it had refused"
    assert grown_mib < 50, f"the server grew by {grown_mib:.0f} MiB for a refused body"
    assert requests.get(f"http://127.0.0.1:{server.port}/health", timeout=5).text == "ok"


@pytest.mark.parametrize(
    "path",
    ["/dlr/kannel?mid=x&status=1", "/dlr/africastalking/" + "f" * 32, "/mo/africastalking/" + "0" * 32],
    ids=["kannel-dlr", "africastalking-dlr", "africastalking-mo"],
)
def test_a_body_without_a_good_token_is_refused_before_it_is_read(server, path):
    before = server.rss_kib()
    with server.connect() as client:
        client.sendall(_head(path, f"Content-Length: {HUGE}"))
        assert read_status(client) == 403
        pushed = push(client, HUGE, b"x" * MIB)
    assert pushed < HUGE
    assert (server.rss_kib() - before) / 1024 < 50


def test_a_chunked_body_is_cut_off_at_the_limit_even_with_a_good_token(server):
    mid = "2018-2019-w02-B0000"
    path = f"/dlr/kannel?mid={mid}&token={token_for(mid, SECRET)}&status=1&at={unix_now()}"
    before = server.rss_kib()
    chunk = f"{MIB:x}\r\n".encode() + b"x" * MIB + b"\r\n"
    with server.connect() as client:
        client.sendall(_head(path, "Transfer-Encoding: chunked"))
        pushed = push(client, HUGE, chunk)
        assert read_status(client) == 413
    assert pushed < HUGE
    assert (server.rss_kib() - before) / 1024 < 50
    assert "body over 65536 bytes" in server.output()


@pytest.mark.parametrize("length", ["abc", "1.5", "10, 20"])
def test_an_unreadable_content_length_is_answered_400_without_a_traceback(server, length):
    with server.connect() as client:
        client.sendall(_head("/dlr/kannel", f"Content-Length: {length}"))
        assert read_status(client) == 400
    assert requests.get(f"http://127.0.0.1:{server.port}/health", timeout=5).text == "ok"
    assert "Traceback" not in server.output()


def test_six_hundred_slow_clients_do_not_keep_health_from_answering_within_2_s(server):
    clients = [server.connect() for _ in range(600)]
    stop = threading.Event()

    def one_header_line_every_10_s() -> None:
        for client in clients:
            client.sendall(b"POST /dlr/kannel HTTP/1.1\r\nHost: dlr\r\n")
        n = 0
        while not stop.wait(10):
            n += 1
            for client in clients:
                with contextlib.suppress(OSError):  # the server may drop a slow client: that is its defence
                    client.sendall(f"X-Slow-{n}: 1\r\n".encode())

    slowloris = threading.Thread(target=one_header_line_every_10_s, daemon=True)
    slowloris.start()
    try:
        time.sleep(1)  # every slow client connected and started its head
        answers = [requests.get(f"http://127.0.0.1:{server.port}/health", timeout=2) for _ in range(5)]
        assert [a.text for a in answers] == ["ok"] * 5
    finally:
        stop.set()
        slowloris.join()
        for client in clients:
            client.close()


def test_a_client_that_sends_its_head_too_slowly_is_dropped(data_dir, tmp_path):
    migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}").dispose()
    env = SECRET_ENV | {"MALUX_DLR_HEADER_TIMEOUT_S": "2"}
    with dlr_server(data_dir, tmp_path / "dlr.log", env) as server, server.connect(timeout=1) as client:
        client.sendall(b"GET /health HTTP/1.1\r\n")
        lines_sent = 0
        for n in range(30):  # a header line a second: 30 s for a head the server gives 2 s
            if closed_by_server(client):
                break
            client.sendall(f"X-Slow-{n}: 1\r\n".encode())
            lines_sent += 1
        assert lines_sent < 30, "the server still waited for the head of a client that took 30 s"


def test_connections_beyond_the_cap_are_closed_at_once_and_the_cap_frees_up(data_dir, tmp_path):
    migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}").dispose()
    env = SECRET_ENV | {"MALUX_DLR_MAX_CONNECTIONS": "20"}
    with dlr_server(data_dir, tmp_path / "dlr.log", env) as server:
        assert requests.get(f"http://127.0.0.1:{server.port}/health", timeout=5).text == "ok"
        time.sleep(0.5)  # the start-up probe's and that request's connections are gone
        clients = [server.connect(timeout=2) for _ in range(25)]
        time.sleep(0.5)  # the server has taken them all
        kept = [client for client in clients if not closed_by_server(client, wait_s=0.1)]
        assert len(kept) == 20
        for client in clients:
            client.close()
        time.sleep(0.5)
        assert requests.get(f"http://127.0.0.1:{server.port}/health", timeout=5).text == "ok"


@pytest.fixture
def wired_server(warehouse_url, data_dir, tmp_path) -> Iterator[tuple]:
    """The receiver over a warehouse (SQLite or PostgreSQL) where one message was just handed to Kannel."""
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 1)
    (mid,) = wire_week(engine, tmp_path / "sms")
    env = SECRET_ENV | {"MALUX_WAREHOUSE_URL": warehouse_url}
    with dlr_server(data_dir, tmp_path / "dlr.log", env) as server:
        yield server, engine, mid
    engine.dispose()


@pytest.mark.parametrize("at", [0, 253402300799], ids=["epoch-0", "year-9999"])
def test_a_report_timed_before_its_message_or_far_in_the_future_is_refused_and_logged(wired_server, at):
    server, engine, mid = wired_server
    path = f"/dlr/kannel?mid={mid}&token={token_for(mid, SECRET)}&status=1&at={at}"
    answer = requests.get(f"http://127.0.0.1:{server.port}{path}", timeout=30)
    assert (answer.status_code, answer.text) == (400, "implausible time")
    assert report_count(engine) == 0
    assert statuses(engine)[mid] == "wired"
    assert f"refused a kannel report for message {mid}: its time" in server.output()


def test_a_report_timed_now_is_stored(wired_server):
    server, engine, mid = wired_server
    path = f"/dlr/kannel?mid={mid}&token={token_for(mid, SECRET)}&status=1&at={unix_now()}"
    answer = requests.get(f"http://127.0.0.1:{server.port}{path}", timeout=30)
    assert (answer.status_code, answer.text) == (200, "stored")
    assert statuses(engine)[mid] == "delivered"


def test_a_body_sent_too_slowly_is_answered_408(data_dir, tmp_path):
    migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}").dispose()
    mid = "2018-2019-w02-B0000"
    path = f"/dlr/kannel?mid={mid}&token={token_for(mid, SECRET)}"
    env = SECRET_ENV | {"MALUX_DLR_BODY_TIMEOUT_S": "1"}
    with dlr_server(data_dir, tmp_path / "dlr.log", env) as server, server.connect() as client:
        client.sendall(_head(path, "Content-Length: 100") + b"status=1")  # 8 of the 100 bytes, then silence
        assert read_status(client) == 408
        assert "body too slow" in server.output()
