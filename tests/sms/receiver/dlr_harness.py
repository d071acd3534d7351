"""A migrated warehouse with wired messages and a real dlr-server on a free port, for the receiver's tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import requests
from sqlalchemy import Engine, func, insert, select, text, update

from tasks.sms.dlr_token import token_for
from tasks.sms.gateways import FileGateway
from tasks.sms.outbox import queue_week, send_queued
from tasks.sms.receiver.server import Receiver
from warehouse.db import engine_for
from warehouse.migrate import upgrade
from warehouse.schema import beneficiaries, ingest_batch, sms_delivery_reports, sms_optout, sms_outbox

SECRET = b"test-dlr-secret"
CAMPAIGN, WEEK = "2018-2019", 2


def migrated_warehouse(url: str) -> Engine:
    """The warehouse as `malux` migrates it, with the beneficiaries' ingest batch (id 1)."""
    engine = engine_for(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(ingest_batch),
            {
                "batch_id": 1, "partner": "test", "dataset": "beneficiaries", "file_name": "fixture.csv",
                "raw_path": "raw/fixture.csv", "sha256": "0" * 64, "status": "loaded",
                "started_at": datetime(2018, 10, 1, tzinfo=UTC),
            },
        )  # fmt: skip
        if conn.dialect.name == "postgresql":  # an explicit id does not move the sequence
            conn.execute(text("SELECT setval(pg_get_serial_sequence('ingest_batch', 'batch_id'), 1)"))
    return engine


def add_beneficiaries(engine: Engine, count: int, first_phone: int = 76000000, **overrides) -> list[str]:
    """Subscribers B0000… with distinct valid Mali numbers, in one insert."""
    rows = [
        {
            "beneficiary_id": f"B{i:04d}", "category": "producer", "name": f"B{i:04d}", "cercle": "San",
            "cercle_pcode": "ML0405", "phone": f"+223{first_phone + i}", "phone_raw": str(first_phone + i),
            "phone_valid": True, "operator": "orange", "language": "fr", "gender": "F", "sms_consent": True,
            "registered_on": date(2018, 10, 1), "batch_id": 1, "source_row": i + 1,
        } | overrides
        for i in range(count)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(beneficiaries), rows)
    return [r["beneficiary_id"] for r in rows]


def wire_week(engine: Engine, out_dir: Path, week: int = WEEK) -> list[str]:
    """Queue and send a campaign week through the file gateway; the outbox ids, now 'wired'."""
    queue_week(engine, CAMPAIGN, week)
    send_queued(engine, CAMPAIGN, week, FileGateway(out_dir))
    with engine.connect() as conn:
        return list(conn.scalars(select(sms_outbox.c.message_id).where(sms_outbox.c.week == week)))


def as_africastalking(engine: Engine, message_id: str, at_id: str) -> None:
    """Make a wired message look sent through Africa's Talking, which gave it its own id."""
    with engine.begin() as conn:
        values = {"gateway": "africastalking", "gateway_message_id": at_id}
        conn.execute(update(sms_outbox).where(sms_outbox.c.message_id == message_id).values(**values))


def unix_now(offset_s: int = 0) -> int:
    """Kannel's %T for now (plus an offset): a report must come after its message was queued."""
    return int(time.time()) + offset_s


def as_stored(at: int) -> datetime:
    """A %T as the warehouse stores it: naive UTC, to the second."""
    return datetime.fromtimestamp(at, UTC).replace(tzinfo=None)


def kannel_path(message_id: str, dlr_type: int, at: int | None = None, token: str | None = None) -> str:
    """The path Kannel calls for a message, as the kannel gateway's dlr-url makes it (at: now by default)."""
    token = token_for(message_id, SECRET) if token is None else token
    at = unix_now() if at is None else at
    return f"/dlr/kannel?mid={message_id}&token={token}&status={dlr_type}&at={at}"


@contextmanager
def running_receiver(engine: Engine) -> Iterator[Receiver]:
    """A real dlr-server on 127.0.0.1 and a free port, stopped cleanly after the test."""
    receiver = Receiver(engine, "127.0.0.1", 0, secret=SECRET).start()
    try:
        yield receiver
    finally:
        receiver.stop()


def get(receiver: Receiver, path: str) -> requests.Response:
    return requests.get(receiver.url + path, timeout=30)


def post(receiver: Receiver, path: str, form: dict[str, str]) -> requests.Response:
    return requests.post(receiver.url + path, data=form, timeout=30)


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(sms_outbox.c.message_id, sms_outbox.c.status)).all())


def reports(engine: Engine) -> list[tuple]:
    r = sms_delivery_reports
    with engine.connect() as conn:
        query = select(r.c.message_id, r.c.status, r.c.status_at, r.c.source_row).order_by(r.c.source_row)
        return [tuple(row) for row in conn.execute(query)]


def report_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(sms_delivery_reports))


def optouts(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(sms_optout.c.beneficiary_id, sms_optout.c.opted_out_at, sms_optout.c.source)
        )
        return {r.beneficiary_id: (r.opted_out_at, r.source) for r in rows}


async def _one(host: str, port: int, path: str) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    await reader.read()
    writer.close()
    return status


def burst(receiver: Receiver, paths: list[str]) -> list[int]:
    """Every path requested at once, each on its own connection, as smsbox does when its queue drains."""
    host, port = receiver.address

    async def all_at_once() -> list[int]:
        return await asyncio.wait_for(asyncio.gather(*(_one(host, port, p) for p in paths)), 100)

    return asyncio.run(all_at_once())
