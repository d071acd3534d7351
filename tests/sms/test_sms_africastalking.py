"""The africastalking gateway against a real local HTTP server shaped like AT's bulk messaging API."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests
from receiver.dlr_harness import add_beneficiaries, migrated_warehouse, running_receiver, statuses
from sqlalchemy import select

from tasks.sms.gateways import OutgoingSms, get_gateway
from tasks.sms.gateways.africastalking import (
    AfricasTalkingGateway,
    AfricasTalkingSettings,
    GatewayConfigError,
)
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.receiver.callbacks import gateway_token
from warehouse.schema import sms_outbox

API_KEY = "atsk_secret_0123456789"


class FakeAT:
    """What AT received, and the statusCode it answers per number (101 unless told otherwise)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.codes: dict[str, int] = {}
        self.http_status = 201

    def answer(self, form: dict[str, str]) -> dict:
        recipients = [
            {
                "statusCode": self.codes.get(n, 101),
                "number": n,
                "status": "x",
                "cost": "XOF 15",
                "messageId": f"ATXid_{len(self.requests)}_{i}",
            }
            for i, n in enumerate(form["to"].split(","))
        ]
        return {"SMSMessageData": {"Message": f"Sent to {len(recipients)}", "Recipients": recipients}}


@contextmanager
def fake_at() -> Iterator[tuple[FakeAT, str]]:
    state = FakeAT()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            state.requests.append({"path": self.path, "apiKey": self.headers.get("apiKey"), **form})
            data = json.dumps(state.answer(form) if state.http_status < 300 else {"error": "no"}).encode()
            self.send_response(state.http_status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _gateway(url: str) -> AfricasTalkingGateway:
    return AfricasTalkingGateway(
        AfricasTalkingSettings(url=url, username="malux", api_key=API_KEY, sender_id="NKALO")
    )


def _sms(mid: str, to: str, text: str = "Prix du sesame") -> OutgoingSms:
    return OutgoingSms(mid, "2018-2019", 2, to, text, "GSM-7", 1)


def test_messages_with_the_same_text_go_in_one_request_with_the_api_key_header():
    with fake_at() as (at, url):
        results = _gateway(url).send(
            [_sms("m1", "+22376000001"), _sms("m2", "+22376000002"), _sms("m3", "+22376000003", "autre")]
        )
    assert [(r["to"], r["message"]) for r in at.requests] == [
        ("+22376000001,+22376000002", "Prix du sesame"),
        ("+22376000003", "autre"),
    ]
    assert {(r["path"], r["apiKey"], r["username"], r["from"]) for r in at.requests} == {
        ("/version1/messaging", API_KEY, "malux", "NKALO")
    }
    assert [(r.message_id, r.accepted, r.gateway_message_id) for r in results] == [
        ("m1", True, "ATXid_1_0"),
        ("m2", True, "ATXid_1_1"),
        ("m3", True, "ATXid_2_0"),
    ]


def test_two_messages_to_one_number_go_in_two_requests_so_each_answer_is_known():
    with fake_at() as (at, url):
        results = _gateway(url).send([_sms("m1", "+22376000001"), _sms("m2", "+22376000001")])
    assert [r["to"] for r in at.requests] == ["+22376000001", "+22376000001"]
    assert [r.gateway_message_id for r in results] == ["ATXid_1_0", "ATXid_2_0"]


@pytest.mark.parametrize(
    "code,accepted,transient",
    [
        (102, True, False),
        (403, False, False),
        (406, False, False),
        (401, False, False),
        (405, False, True),
        (500, False, True),
        (501, False, True),
        (502, False, False),
    ],
)
def test_each_recipient_status_code_is_accepted_final_or_worth_retrying(code, accepted, transient):
    with fake_at() as (at, url):
        at.codes["+22376000001"] = code
        (result,) = _gateway(url).send([_sms("m1", "+22376000001")])
    assert (result.accepted, result.transient) == (accepted, transient)
    assert accepted or str(code) in result.error


def test_an_api_down_or_answering_5xx_leaves_every_message_to_retry():
    with fake_at() as (at, url):
        at.http_status = 503
        answered = _gateway(url).send([_sms("m1", "+22376000001")])
    refused = _gateway(url).send([_sms("m2", "+22376000002")])  # the server is gone: connection refused
    assert [(r.accepted, r.transient) for r in answered + refused] == [(False, True), (False, True)]


def test_a_refused_api_key_stops_the_chunk_and_never_shows_the_key(caplog):
    caplog.set_level(logging.DEBUG)
    with fake_at() as (at, url):
        at.http_status = 401
        with pytest.raises(GatewayConfigError) as raised:
            _gateway(url).send([_sms("m1", "+22376000001")])
    assert API_KEY not in str(raised.value) and API_KEY not in caplog.text


def test_the_registry_builds_it_from_the_environment(monkeypatch):
    monkeypatch.setenv("MALUX_AT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MALUX_AT_USERNAME", "malux")
    monkeypatch.setenv("MALUX_AT_API_KEY", API_KEY)
    gateway = get_gateway("africastalking")
    assert (gateway.name, gateway.settings.url, gateway.settings.username) == (
        "africastalking",
        "http://127.0.0.1:9",
        "malux",
    )
    assert API_KEY not in repr(gateway.settings)


def test_a_week_sent_through_africastalking_is_delivered_by_its_callbacks(warehouse_url, tmp_path):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 3)
    queue_week(engine, "2018-2019", 2)
    with fake_at() as (at, url):
        at.codes["+22376000002"] = 403
        summary = send_queued(engine, "2018-2019", 2, _gateway(url))
    assert (summary.sent, summary.failed) == (2, 1)
    with engine.connect() as conn:
        sent = conn.execute(
            select(sms_outbox.c.message_id, sms_outbox.c.gateway_message_id, sms_outbox.c.phone).where(
                sms_outbox.c.status == "wired"
            )
        ).all()
    path = "/dlr/africastalking/" + gateway_token("africastalking-dlr", b"test-dlr-secret")
    with running_receiver(engine) as receiver:
        for _, at_id, phone in sent:
            form = {"id": at_id, "status": "Success", "phoneNumber": phone, "networkCode": "61001"}
            assert requests.post(receiver.url + path, data=form, timeout=30).status_code == 200
    assert sorted(statuses(engine).values()) == ["delivered", "delivered", "failed"]
