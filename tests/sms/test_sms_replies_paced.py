"""Replies to incoming SMS: in the week's cost, paced by the gateway's rate limit, retried while refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import yaml
from receiver.dlr_harness import add_beneficiaries, migrated_warehouse
from sqlalchemy import insert, select

from malux.settings import PROJECT_ROOT
from tasks.sms.calendar import week_for
from tasks.sms.inbox import Incoming, store_and_answer
from tasks.sms.outbox import MAX_ATTEMPTS
from tasks.sms.preview import preview_week
from warehouse.schema import sms_outbox

CAMPAIGN, WEEK = "2018-2019", 2
HELP = yaml.safe_load((PROJECT_ROOT / "config" / "sms" / "keywords.yaml").read_text(encoding="utf-8"))[
    "languages"
]["fr"]["help"]


def _reply_row(n: int, at: datetime, segments: int, status: str) -> dict:
    return {
        "message_id": f"mo-{n}", "campaign": "mo", "week": n, "beneficiary_id": f"inbox-{n}",
        "phone": "+22376123456", "operator": "orange", "language": "fr", "body": "x", "encoding": "GSM-7",
        "segments": segments, "scheduled_at": at, "status": status, "attempts": 1,
        "queued_at": datetime.now(UTC),
    }  # fmt: skip


def test_the_weeks_cost_counts_the_replies_the_gateway_accepted_in_its_seven_days(engine, program):
    program.beneficiary("B1").beneficiary("B2", phone="+22376000002")
    starts = week_for(CAMPAIGN, WEEK).send_at
    rows = [
        _reply_row(1, starts, 1, "wired"),  # the first second of the week
        _reply_row(2, starts + timedelta(days=3), 2, "delivered"),
        _reply_row(3, starts + timedelta(days=6, hours=23), 3, "sent"),
        _reply_row(4, starts + timedelta(days=7), 4, "delivered"),  # the next week's first second
        _reply_row(5, starts - timedelta(seconds=1), 5, "wired"),  # the week before
        _reply_row(6, starts + timedelta(days=1), 6, "failed"),  # refused: costs nothing
        _reply_row(7, starts + timedelta(days=1), 7, "queued"),  # not sent yet
    ]
    with engine.begin() as conn:
        conn.execute(insert(sms_outbox), rows)
    price = 15.0
    counted = [
        r for r in rows
        if starts <= r["scheduled_at"] < starts + timedelta(days=7)
        and r["status"] in ("wired", "sent", "delivered", "undelivered")
    ]  # fmt: skip
    preview = preview_week(engine, CAMPAIGN, WEEK, cost_per_segment_xof=price)
    reply_segments = sum(r["segments"] for r in counted)
    assert (preview.replies.replies, preview.replies.segments) == (len(counted), reply_segments)
    assert preview.replies.cost_xof == reply_segments * price
    assert preview.cost_xof == preview.segments * price  # the broadcast's own, unchanged
    assert preview.total_cost_xof == preview.cost_xof + reply_segments * price


def _preview(data_dir, fmt: str) -> str:
    env = {**os.environ, "MALUX_DATA_DIR": str(data_dir), "MALUX_SMS_COST_PER_SEGMENT_XOF": "20"}
    command = [sys.executable, "-m", "malux.cli.main", "sms", "preview", "--campaign", CAMPAIGN]
    result = subprocess.run(
        [*command, "--week", str(WEEK), "--format", fmt], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_preview_command_shows_the_replies_cost_beside_the_broadcasts_and_their_total(data_dir):
    engine = migrated_warehouse(f"sqlite:///{data_dir / 'warehouse.sqlite'}")
    add_beneficiaries(engine, 2)
    starts = week_for(CAMPAIGN, WEEK).send_at
    rows = [_reply_row(1, starts + timedelta(hours=2), 2, "delivered"), _reply_row(2, starts, 3, "wired")]
    with engine.begin() as conn:
        conn.execute(insert(sms_outbox), rows)
    engine.dispose()
    data = json.loads(_preview(data_dir, "json"))
    reply_segments = sum(r["segments"] for r in rows)
    assert data["replies"]["replies"] == len(rows)
    assert data["replies"]["cost_xof"] == reply_segments * 20
    assert data["total_cost_xof"] == data["segments"] * 20 + reply_segments * 20
    table = _preview(data_dir, "table")
    assert f"Replies to incoming SMS ({starts:%d/%m/%Y} to " in table
    assert f"{len(rows)} sent, {reply_segments} segments, {reply_segments * 20} XOF" in table


class _Gateway:
    """Turns the first `refusals` requests away for now, then accepts; records what it accepted."""

    name, concurrency = "kannel", 1

    def __init__(self, refusals: int, events: list) -> None:
        self.refusals, self.events, self.sent = refusals, events, []

    def send(self, messages):
        from tasks.sms.gateways.base import SendResult

        if self.refusals:
            self.refusals -= 1
            self.events.append(("refused", len(messages)))
            return [SendResult(m.message_id, False, None, "busy", transient=True) for m in messages]
        self.events.append(("sent", len(messages)))
        self.sent += [(m.message_id, m.to, m.text) for m in messages]
        return [SendResult(m.message_id, True, f"gw-{m.message_id}", None) for m in messages]


def _mo(text: str, minute: int) -> Incoming:
    return Incoming("kannel", "+22376123456", text, datetime(2019, 3, 4, 9, minute), "36123")


def _run_until(sender, done) -> None:
    sender.start()
    try:
        for _ in range(600):  # the test's own deadline, not a timing claim
            if done():
                break
            time.sleep(0.02)
    finally:
        sender.stop()


def test_a_reply_refused_for_now_more_often_than_the_broadcasts_attempts_is_sent_once_later(engine, program):
    from tasks.sms.replies import ReplySender

    program.beneficiary("B1")
    events: list = []
    gateway = _Gateway(refusals=MAX_ATTEMPTS + 1, events=events)  # the broadcast would have failed it
    paced_for: list[str] = []

    def pace(name: str):
        paced_for.append(name)
        return lambda n: events.append(("paced", n))

    stored = store_and_answer(engine, _mo("AIDE", 0), daily_cap=5)
    sender = ReplySender(
        engine, lambda: gateway, timedelta(minutes=10), timedelta(seconds=45), retry_every_s=0.02, pace=pace
    )
    sender.submit(stored.reply_week)
    _run_until(sender, lambda: gateway.sent)
    assert gateway.sent == [
        (f"mo-{stored.inbox_id}", "+22376123456", HELP)
    ]  # exactly one, after the refusals
    assert events.count(("refused", 1)) == MAX_ATTEMPTS + 1
    # every request to the gateway, refused or not, took its slot first
    requests = [e for e in events if e[0] != "paced"]
    assert events == [e for r in requests for e in (("paced", r[1]), r)]
    assert set(paced_for) == {"kannel"}
    with engine.connect() as conn:
        row = conn.execute(select(sms_outbox).where(sms_outbox.c.message_id == f"mo-{stored.inbox_id}")).one()
    assert (row.status, row.attempts) == ("wired", MAX_ATTEMPTS + 2)


def test_the_look_for_unsent_replies_comes_when_due_even_with_new_requests_waiting(engine, program):
    from tasks.sms.replies import ReplySender

    program.beneficiary("B1")
    left = store_and_answer(engine, _mo("AIDE", 3), daily_cap=5)  # queued, as a reply refused for now is
    sender = ReplySender(
        engine, lambda: None, timedelta(minutes=10), timedelta(seconds=45), retry_every_s=3600,
        pace=lambda _name: lambda _n: None,
    )  # fmt: skip
    sender._retry_at = time.monotonic() - 1  # the look is due (the thread is not started: nothing is sent)
    sender.submit(10**6)  # a new request waiting
    assert sender._next() is None  # the due look first, not the waiting request
    assert [sender._next(), sender._next()] == [10**6, left.reply_week]
    sender.submit(7)
    assert sender._next() == 7  # the next look is an hour away: requests are served


def test_a_reply_refused_for_good_stays_failed_and_is_not_tried_again(engine, program):
    from tasks.sms.gateways.base import SendResult
    from tasks.sms.replies import ReplySender

    program.beneficiary("B1")
    calls: list[str] = []

    class Refusing:
        name, concurrency = "kannel", 1

        def send(self, messages):
            calls.extend(m.message_id for m in messages)
            return [
                SendResult(m.message_id, False, None, "unknown number", transient=False) for m in messages
            ]

    stored = store_and_answer(engine, _mo("AIDE", 1), daily_cap=5)
    sender = ReplySender(
        engine, Refusing, timedelta(minutes=10), timedelta(seconds=45), retry_every_s=0.02,
        pace=lambda _name: lambda _n: None,
    )  # fmt: skip
    sender.submit(stored.reply_week)
    idle_rounds = []
    requeue = sender._requeue_unsent

    def counted_requeue() -> None:
        idle_rounds.append(1)
        requeue()

    sender._requeue_unsent = counted_requeue
    _run_until(sender, lambda: len(idle_rounds) >= 4)  # several idle loops after the refusal
    assert calls == [f"mo-{stored.inbox_id}"]
    with engine.connect() as conn:
        status = conn.scalar(select(sms_outbox.c.status).where(sms_outbox.c.message_id == calls[0]))
    assert status == "failed"


def test_a_reply_with_no_pace_is_not_sent_and_stays_queued(engine, program):
    from tasks.sms.replies import ReplySender

    program.beneficiary("B1")
    gateway = _Gateway(refusals=0, events=[])
    asked: list[str] = []

    def no_limit(name: str):
        asked.append(name)
        raise RuntimeError(f"no rate limit sms-{name}")

    stored = store_and_answer(engine, _mo("AIDE", 2), daily_cap=5)
    sender = ReplySender(
        engine,
        lambda: gateway,
        timedelta(minutes=10),
        timedelta(seconds=45),
        retry_every_s=0.02,
        pace=no_limit,
    )
    sender.submit(stored.reply_week)
    _run_until(sender, lambda: len(asked) >= 3)  # asked again at each retry, never sent unpaced
    assert gateway.sent == []
    with engine.connect() as conn:
        status = conn.scalar(
            select(sms_outbox.c.status).where(sms_outbox.c.message_id == f"mo-{stored.inbox_id}")
        )
    assert status == "queued"


class _FakeTime:
    """A clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now, self.slept = 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_in_process_limit_frees_its_slots_at_the_limits_rate():
    from tasks.sms.pacing import LocalRateLimit

    t = _FakeTime()
    limit = LocalRateLimit(2, 4.0, clock=t.clock, sleep=t.sleep)
    limit.take(2)  # two free slots: no wait
    assert (t.slept, limit.taken) == ([], 2)
    limit.take(1)  # one slot frees after 1/4 s
    assert sum(t.slept) == pytest.approx(1 / 4) and limit.taken == 3
    t.now += 10  # idle: every slot frees, none accumulates beyond the limit
    before = len(t.slept)
    limit.take(5)  # 2 at once, then 2 after 2/4 s, then 1 after 1/4 s
    assert sum(t.slept[before:]) == pytest.approx(2 / 4 + 1 / 4) and limit.taken == 8


def test_without_a_prefect_api_replies_pace_at_the_rate_limits_yaml_gives_the_gateway(monkeypatch):
    from tasks.sms import pacing
    from tasks.sms.rate_limits import LIMITS_FILE

    spec = yaml.safe_load(LIMITS_FILE.read_text(encoding="utf-8"))["sms-kannel"]
    # no Prefect API here, even when the suite's own Prefect harness has set one for the session
    monkeypatch.setattr(pacing, "PREFECT_API_URL", SimpleNamespace(value=lambda: None))
    monkeypatch.setattr(pacing, "gateway_pace", lambda _g: pytest.fail("no server is configured"))
    pace = pacing.sms_pace("kannel")
    limit = pace.__self__
    assert (limit.limit, limit.decay) == (int(spec["limit"]), float(spec["slot_decay_per_second"]))
    with pytest.raises(RuntimeError, match="sms-nowhere"):
        pacing.sms_pace("nowhere")  # a gateway with no limit is never sent to unpaced


def test_with_a_prefect_api_replies_take_slots_of_the_broadcasts_rate_limit(monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tasks.sms import pacing, rate_limits

    taken: list[tuple[str, int, bool]] = []

    class Client:
        server_type = None

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

        def read_global_concurrency_limit_by_name(self, name):
            return type("Limit", (), {"limit": 1})()

    monkeypatch.setattr(rate_limits, "get_client", lambda sync_client: Client())
    monkeypatch.setattr(
        rate_limits, "rate_limit", lambda name, occupy, strict: taken.append((name, occupy, strict))
    )
    with temporary_settings({PREFECT_API_URL: "http://prefect.example:4200/api"}):
        pacing.sms_pace("kannel")(3)
    assert taken == [("sms-kannel", 1, True)] * 3
