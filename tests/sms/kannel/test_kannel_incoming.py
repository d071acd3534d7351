"""Incoming SMS end to end on the real Kannel: the fake SMSC (or a request exactly as Kannel's get-url makes
it) reaches `malux receiver` in its own process, and its one reply reaches the fake SMSC through sendsms."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests
import yaml
from kannel_harness import PASSWORD, USER, Kannel, decode_mt, free_port, kannel_missing
from sqlalchemy import Engine, insert, select

from malux.settings import PROJECT_ROOT
from tasks.sms.gateways.kannel import KannelGateway
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.receiver.server import kannel_get_url
from warehouse.schema import beneficiaries, market_prices, sms_inbox, sms_outbox

SECRET = b"test-mo-secret"
CAP = 4  # the first test's four requests stay within it
SHORT_CODE = "36123"
B1, B3 = "+22376123456", "+22366000003"  # B1 at San, B3 at Tominian, both French
FR = yaml.safe_load((PROJECT_ROOT / "config/sms/keywords.yaml").read_text(encoding="utf-8"))["languages"][
    "fr"
]


def _seed(engine: Engine) -> None:
    rows = [("B1", B1, "San", "ML0405"), ("B3", B3, "Tominian", "ML0406")]
    with engine.begin() as conn:
        for n, (bid, phone, cercle, pcode) in enumerate(rows, 1):
            conn.execute(insert(beneficiaries), {
                "beneficiary_id": bid, "category": "producer", "name": bid, "cercle": cercle,
                "cercle_pcode": pcode, "phone": phone, "phone_raw": phone, "phone_valid": True,
                "operator": "orange", "language": "fr", "gender": "F", "sms_consent": True,
                "registered_on": date(2018, 10, 1), "batch_id": 1, "source_row": n,
            })  # fmt: skip
        prices = [(date(2018, 11, 1), "San", 400.0), (date(2018, 11, 3), "San", 380.0),
                  (date(2018, 11, 3), "Ségou", 450.0), (date(2018, 11, 3), "Tominian", 420.0)]  # fmt: skip
        for n, (on, market, price) in enumerate(prices, 10):
            conn.execute(insert(market_prices), {
                "observed_on": on, "market": market, "commodity": "sesame", "price_type": "farmgate",
                "cercle": market, "cercle_pcode": "ML04", "price_xof_per_kg": price, "source": "test",
                "batch_id": 1, "source_row": n,
            })  # fmt: skip


def _accepts(port: int) -> bool:
    with socket.socket() as client:
        client.settimeout(1)
        return client.connect_ex(("127.0.0.1", port)) == 0


class World:
    """Kannel, whose sms-service hands incoming messages to `malux receiver`, which answers through Kannel."""

    def __init__(self, kannel: Kannel, port: int, engine: Engine) -> None:
        self.kannel, self.port, self.engine = kannel, port, engine

    def replies(self, count: int) -> list[tuple[str, str]]:
        """(to, text) of what the fake SMSC received, once it holds `count` messages."""
        return [decode_mt(line) for line in self.kannel.wait_for_mt(count, timeout=60)]

    def get_url_request(self, sender: str, text: str, kannel_id: str, at: datetime) -> int:
        """The request smsbox makes for an incoming message, from the get-url `sms kannel-config` prints."""
        url = kannel_get_url(f"http://127.0.0.1:{self.port}", SECRET)
        values = {
            "%p": sender,
            "%P": SHORT_CODE,
            "%a": text,
            "%I": kannel_id,
            "%t": f"{at:%Y-%m-%d %H:%M:%S}",
        }
        base, query = url.split("?")
        params = dict(part.split("=", 1) for part in query.split("&"))
        answer = requests.get(base, params={k: values.get(v, v) for k, v in params.items()}, timeout=30)
        assert answer.text == ""  # Kannel must send nothing of its own (omit-empty)
        return answer.status_code

    def settled(self) -> list:
        """The replies' outbox rows once none is waiting to be sent."""
        deadline = time.monotonic() + 60
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(select(sms_outbox).where(sms_outbox.c.campaign == "mo")).all()
            if (
                all(r.status not in ("queued", "claimed", "sending") for r in rows)
                or time.monotonic() > deadline
            ):
                return rows
            time.sleep(0.2)


@pytest.fixture
def world(tmp_path: Path, data_dir: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    why = kannel_missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why} (CI=true: the Kannel tests must run)")
        pytest.skip(why)
    _seed(engine)
    port = free_port()
    kannel = Kannel(
        tmp_path / "kannel", mo_get_url=kannel_get_url(f"http://127.0.0.1:{port}", SECRET)
    ).start()
    env = {
        **os.environ, "MALUX_DLR_SECRET": SECRET.decode(), "MALUX_SMS_GATEWAY": "kannel",
        "MALUX_KANNEL_URL": kannel.url, "MALUX_KANNEL_USER": USER, "MALUX_KANNEL_PASSWORD": PASSWORD,
        "MALUX_DLR_URL": f"http://127.0.0.1:{port}", "MALUX_SMS_DAILY_REPLY_CAP": str(CAP),
    }  # fmt: skip
    log = (tmp_path / "receiver.log").open("w")
    receiver = subprocess.Popen(
        [sys.executable, "-m", "malux.cli.main", "receiver", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not _accepts(port):
            assert receiver.poll() is None and time.monotonic() < deadline, (
                tmp_path / "receiver.log"
            ).read_text()
            time.sleep(0.2)
        yield World(kannel, port, engine)
    finally:
        receiver.send_signal(signal.SIGTERM)
        receiver.wait(timeout=60)
        log.close()
        kannel.stop()


def test_the_fake_smsc_asks_and_gets_prices_help_and_help_for_anything_else(world: World):
    down = FR["trend"]["down"].format(previous="400", previous_date="01/11")  # 380 is 5 % under 400
    san = dict(product="sesame", market="San", price="380", date="03/11/2018", trend=down)
    segou = dict(
        product="sesame", market="Ségou", price="450", date="03/11/2018", trend=FR["trend"]["unknown"]
    )
    asks = [
        ("PRIX sesame", FR["price"].format(**san)),
        ("prix sésame ségou", FR["price"].format(**segou)),
        ("aide", FR["help"]),
        ("bonjour", FR["help"]),
    ]
    for n, (text, expected) in enumerate(asks, 1):
        world.kannel.send_mo(B1, SHORT_CODE, text)
        assert world.replies(n)[n - 1] == (B1, expected), text
    with world.engine.connect() as conn:
        stored = conn.execute(select(sms_inbox.c.text, sms_inbox.c.keyword, sms_inbox.c.receiver)).all()
    assert [(t, r) for t, _k, r in stored] == [(t, SHORT_CODE) for t, _ in asks]
    assert [k for _t, k, _r in stored] == ["price", "price", "help", "unknown"]
    assert {r.status for r in world.settled()} <= {"wired", "sent", "delivered"}


def test_stop_skips_the_weekly_message_start_confirms_a_repeat_gets_one_reply_and_the_cap_holds(world: World):
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    assert world.get_url_request(B1, "STOP", "id-stop", now) == 200
    assert world.get_url_request(B1, "STOP", "id-stop", now) == 200  # Kannel's retry of the same request
    assert world.replies(1) == [(B1, FR["stop"])]

    gateway = KannelGateway(world.kannel.url, USER, PASSWORD, f"http://127.0.0.1:{world.port}", secret=SECRET)
    queue_week(world.engine, "2018-2019", 1)
    summary = send_queued(world.engine, "2018-2019", 1, gateway)
    assert (summary.sent, summary.skipped) == (1, 1)
    weekly = world.replies(2)[1]
    assert weekly[0] == B3 and "Tominian" in weekly[1]

    assert (
        world.get_url_request(B1, "Reprendre", "id-start", now.replace(second=(now.second + 1) % 60)) == 200
    )
    assert world.replies(3)[2] == (B1, FR["start"])

    for n in range(CAP + 2):  # B3: the cap's replies, one "limite atteinte", then nothing
        assert (
            world.get_url_request(B3, "AIDE", f"id-b3-{n}", now.replace(minute=(now.minute + n) % 60)) == 200
        )
    expected = [(B3, FR["help"])] * CAP + [(B3, FR["capped"].format(cap=CAP))]
    assert world.replies(3 + CAP + 1)[3:] == expected
    rows = world.settled()
    assert len(rows) == 3 + CAP  # B1's two plus B3's; the repeated STOP and the one past the limit have none
    with world.engine.connect() as conn:
        assert conn.scalar(select(sms_inbox.c.reply_status).order_by(sms_inbox.c.inbox_id.desc())) == "none"
    assert len(world.kannel.wait_for_mt(len(rows) + 2, timeout=3)) == len(rows) + 1  # + the weekly message
