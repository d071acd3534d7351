"""A burst of delivery callbacks, as when Kannel's queue drains at once: every one answered and stored."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from threading import Thread

import pytest
from dlr_harness import (
    add_beneficiaries,
    burst,
    kannel_path,
    migrated_warehouse,
    report_count,
    running_receiver,
    statuses,
    unix_now,
    wire_week,
)

from tasks.sms.receiver.callbacks import Callback
from tasks.sms.receiver.store import Outcome, ReportWriter

FIRST_REPORT_WITHIN_S = 60  # the first batch commits within a second or two even on a loaded machine


def test_three_thousand_concurrent_callbacks_are_all_stored_and_applied(warehouse_url, tmp_path):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 1500)
    ids = wire_week(engine, tmp_path / "sms")
    # smsbox's order is not guaranteed: the delivered report comes before the accepted one for half of them
    paths = [
        kannel_path(mid, t, at=unix_now()) for n, mid in enumerate(ids) for t in ((1, 8) if n % 2 else (8, 1))
    ]
    with running_receiver(engine) as receiver:
        answers = burst(receiver, paths)
    assert len(paths) == 3000
    assert answers.count(200) == 3000
    assert report_count(engine) == 3000
    assert set(statuses(engine).values()) == {"delivered"}


def test_a_clean_stop_writes_every_callback_already_queued(warehouse_url, tmp_path):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 400)
    ids = wire_week(engine, tmp_path / "sms")
    writer = ReportWriter(engine, max_batch=50).start()
    now = datetime.now(UTC).replace(tzinfo=None)
    futures = [writer.submit(Callback("kannel", "delivered", now, message_id=m)) for m in ids]
    writer.stop()  # at once: most of the 400 are still in the queue
    assert [f.result(timeout=0) for f in futures] == [Outcome.STORED] * 400
    assert report_count(engine) == 400


def test_every_callback_answered_200_during_a_stop_is_stored(warehouse_url, tmp_path):
    engine = migrated_warehouse(warehouse_url)
    add_beneficiaries(engine, 1000)
    ids = wire_week(engine, tmp_path / "sms")
    answers: list[int] = []
    with running_receiver(engine) as receiver:
        client = Thread(
            target=lambda: answers.extend(_tolerant_burst(receiver, [kannel_path(m, 1) for m in ids]))
        )
        client.start()
        deadline = time.monotonic() + FIRST_REPORT_WITHIN_S
        while report_count(engine) == 0:  # stop in the middle of the burst
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no delivery report stored {FIRST_REPORT_WITHIN_S} s after a burst of {len(ids)} "
                    f"callbacks started (client still sending: {client.is_alive()}, answers so far: "
                    f"{sorted(set(answers))})"
                )
            time.sleep(0.005)
    client.join(timeout=120)
    assert not client.is_alive(), "the burst's client still waits for answers 120 s after the server stopped"
    assert answers.count(200) >= 1
    assert report_count(engine) == answers.count(200)


def _tolerant_burst(receiver, paths: list[str]) -> list[int]:
    """The burst, where a connection the stopped server refused or reset counts as 0 (the gateway retries)."""
    import asyncio

    host, port = receiver.address

    async def one(path: str) -> int:
        try:
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            line = await reader.readline()
            writer.close()
            return int(line.split()[1]) if line else 0
        except OSError:
            return 0

    async def all_at_once() -> list[int]:
        return await asyncio.gather(*(one(p) for p in paths))

    return asyncio.run(all_at_once())
