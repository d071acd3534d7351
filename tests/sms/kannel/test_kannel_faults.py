import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from kannel_harness import PASSWORD, USER, decode_mt, free_port
from sqlalchemy import func, select

from tasks.sms.gateways.kannel import KannelGateway
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.receiver.server import Receiver
from warehouse.schema import sms_delivery_reports, sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2
IN_DOUBT_AFTER = timedelta(seconds=2)
SECRET = b"test-dlr-secret"

KILLABLE_SENDER = """
import sys
from tasks.sms.gateways.kannel import KannelGateway
from tasks.sms.outbox import send_queued
from warehouse.db import make_engine
db, url, user, password, dlr = sys.argv[1:6]
gateway = KannelGateway(url, user, password, dlr, workers=4, secret=b"test-dlr-secret")
send_queued(make_engine(db), "2018-2019", 2, gateway, chunk_size=50)
"""


def _recipients(program, n: int) -> set[str]:
    phones = {f"+22376{i:06d}" for i in range(n)}
    for phone in sorted(phones):
        program.beneficiary(f"B{phone[-6:]}", phone=phone)
    return phones


def _sender(script: str, engine, kannel, dlr_sink) -> subprocess.Popen:
    """A sender in its own process, from the repository root, so that the test can kill it."""
    argv = [sys.executable, "-c", script, str(engine.url), kannel.url, USER, PASSWORD, dlr_sink.url]
    return subprocess.Popen(argv, cwd=Path(__file__).parents[3], env=os.environ.copy())


def _statuses(engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(sms_outbox.c.status, func.count()).group_by(sms_outbox.c.status))
        return dict(rows.all())


def test_a_broadcast_killed_half_way_then_run_again_reaches_each_recipient_exactly_once(
    kannel, dlr_sink, engine, program
):
    phones = _recipients(program, 600)
    queue_week(engine, CAMPAIGN, WEEK)
    sender = _sender(KILLABLE_SENDER, engine, kannel, dlr_sink)
    kannel.wait_for_mt(150, timeout=60)
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    before = len(kannel.mt_lines())
    assert 150 <= before < 600, "the sender must die half way for this test to mean anything"
    # The in-doubt grace (10 min in production, 2 s here, and the claim lease with it): what the dead sender
    # handed over, even the requests in flight when it died, is delivered and reported back meanwhile.
    time.sleep(IN_DOUBT_AFTER.total_seconds())
    handed_over = len(kannel.mt_lines())
    assert len(dlr_sink.wait_delivered(handed_over)) == handed_over >= before
    dlr_sink.store(engine)

    gateway = KannelGateway(kannel.url, USER, PASSWORD, dlr_sink.url, workers=8, secret=SECRET)
    summary = send_queued(
        engine, CAMPAIGN, WEEK, gateway, in_doubt_after=IN_DOUBT_AFTER, claim_lease=IN_DOUBT_AFTER
    )

    received = [decode_mt(line)[0] for line in kannel.wait_for_mt(600)]
    assert sorted(received) == sorted(phones)  # every recipient, each once
    assert summary.sent == 600 - handed_over and summary.in_doubt == 0
    assert _statuses(engine) == {"wired": 600}


STUCK_SENDER = """
import sys, threading
from tasks.sms.gateways.kannel import KannelGateway
from tasks.sms.outbox import send_queued
from warehouse.db import make_engine

class StuckOnB000150(KannelGateway):
    def send(self, messages):
        if any(m.message_id.endswith("-B000150") for m in messages):
            threading.Event().wait()  # the first message of chunk 4 hangs: its chunk stays on the wire
        return super().send(messages)

db, url, user, password, dlr = sys.argv[1:6]
gateway = StuckOnB000150(url, user, password, dlr, workers=4, secret=b"test-dlr-secret")
send_queued(make_engine(db), "2018-2019", 2, gateway, chunk_size=50)
"""


def test_a_killed_broadcast_s_chunk_claimed_ahead_goes_out_after_the_short_lease_and_only_its_wire_waits(
    kannel, dlr_sink, engine, program
):
    phones = _recipients(program, 600)
    queue_week(engine, CAMPAIGN, WEEK)
    sender = _sender(STUCK_SENDER, engine, kannel, dlr_sink)
    stuck = {"wired": 150, "sending": 50, "claimed": 50, "queued": 350}  # chunk 4 on the wire, 5 ahead
    _wait_until(lambda: _statuses(engine) == stuck)
    kannel.wait_for_mt(199)  # chunk 4 but its stuck message
    sender.send_signal(signal.SIGKILL)
    sender.wait()
    assert _statuses(engine) == stuck, (
        "the sender must die with a chunk claimed ahead for this test to mean anything"
    )
    time.sleep(1.0)  # the claim lease (45 s in production, 1 s here); the in-doubt time stays at 10 minutes

    gateway = KannelGateway(kannel.url, USER, PASSWORD, dlr_sink.url, workers=8, secret=SECRET)
    summary = send_queued(engine, CAMPAIGN, WEEK, gateway, claim_lease=timedelta(seconds=1))

    assert (summary.sent, summary.in_doubt) == (400, 50)  # chunk 5 and the rest; chunk 4 is in doubt
    received = [decode_mt(line)[0] for line in kannel.wait_for_mt(599)]
    assert sorted(received) == sorted(phones - {"+22376000150"})  # each once, the stuck one never left
    # Ten minutes later (0 s here): chunk 4's reports vouch for 49 messages; the stuck one is queued again.
    dlr_sink.wait_delivered(599)
    dlr_sink.store(engine)
    last = send_queued(engine, CAMPAIGN, WEEK, gateway, in_doubt_after=timedelta(0))

    assert (last.sent, last.in_doubt) == (1, 0)
    received = [decode_mt(line)[0] for line in kannel.wait_for_mt(600)]
    assert sorted(received) == sorted(phones)  # every recipient, each once
    assert _statuses(engine) == {"wired": 600}


def test_messages_sent_while_the_smsc_is_down_are_delivered_when_it_is_back_none_lost_none_doubled(
    kannel, gateway, dlr_sink, engine, program, caplog
):
    phones = _recipients(program, 200)
    queue_week(engine, CAMPAIGN, WEEK)
    chunks = []

    def smsc_down_for_chunks_two_and_three(n: int) -> None:
        chunks.append(n)
        if len(chunks) == 2:
            # chunk 1 is out of Kannel's hands first: killing the fake SMSC while Kannel is still writing its
            # last message to it loses that one in the socket, a race of the harness, not what is tested here
            kannel.wait_for_mt(40)
            kannel.smsc_down()
        if len(chunks) == 4:
            kannel.smsc_up()

    with caplog.at_level("INFO", logger="tasks.sms.gateways.kannel"):
        summary = send_queued(
            engine, CAMPAIGN, WEEK, gateway, chunk_size=40, pace=smsc_down_for_chunks_two_and_three
        )
    assert (summary.sent, summary.failed, summary.retry_later) == (200, 0, 0)
    assert caplog.text.count("for later delivery") == 80  # Kannel held chunks 2 and 3 in its store
    received = [decode_mt(line)[0] for line in kannel.wait_for_mt(200)]
    assert sorted(received) == sorted(phones)
    assert len(dlr_sink.wait_delivered(200)) == 200


def _failed_callbacks(kannel) -> set[tuple[str, str]]:
    """(message id, DLR type) of every callback smsbox logged it could not deliver to the receiver."""
    log = (kannel.run / "smsbox.log").read_text(errors="replace")
    return set(re.findall(r"Couldn't fetch <[^>]*/dlr/kannel\?mid=([^&>]+)&token=[^&>]*&status=(\d+)", log))


def _wait_until(condition, timeout: float = 60.0) -> None:
    """Poll instead of sleeping a fixed time: Kannel's retry timing is not something to assert on."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_reports_kannel_could_not_deliver_while_the_receiver_was_down_land_later_and_statuses_end_right(
    patient_kannel, engine, program
):
    kannel, n = patient_kannel, 200
    phones = _recipients(program, n)
    queue_week(engine, CAMPAIGN, WEEK)
    port = free_port()  # the receiver's address, with nothing listening there yet
    gateway = KannelGateway(kannel.url, USER, PASSWORD, f"http://127.0.0.1:{port}", workers=8, secret=SECRET)

    summary = send_queued(engine, CAMPAIGN, WEEK, gateway)

    assert (summary.sent, summary.failed, summary.retry_later) == (n, 0, 0)
    received = [decode_mt(line)[0] for line in kannel.wait_for_mt(n)]
    assert sorted(received) == sorted(phones)
    # Down for a while: every report (8 "accepted by SMSC" and 1 "delivered" per message) has failed once.
    _wait_until(lambda: len(_failed_callbacks(kannel)) >= 2 * n)
    assert {status for _, status in _failed_callbacks(kannel)} == {"1", "8"}
    assert len(_failed_callbacks(kannel)) == 2 * n
    assert _statuses(engine) == {"wired": n}

    receiver = Receiver(engine, "127.0.0.1", port, secret=SECRET).start()
    try:
        _wait_until(lambda: _statuses(engine) == {"delivered": n} and _report_count(engine) == 2 * n)
    finally:
        receiver.stop()

    assert _statuses(engine) == {"delivered": n}  # every message, none left behind
    with engine.connect() as conn:
        per_message = conn.execute(
            select(sms_delivery_reports.c.message_id, func.count()).group_by(
                sms_delivery_reports.c.message_id
            )
        ).all()
        kinds = set(conn.scalars(select(sms_delivery_reports.c.status).distinct()))
    assert len(per_message) == n and {count for _, count in per_message} == {2}  # none lost, none doubled
    assert kinds == {"accepted", "delivered"}
    assert len(kannel.mt_lines()) == n  # the retries were of the callbacks only: each SMS went out once


def _report_count(engine) -> int:
    """How many delivery reports the receiver stored, duplicates of Kannel's retries being stored once."""
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(sms_delivery_reports))
