"""Delivery callbacks into sms_delivery_reports and the outbox, a batch per transaction, one writer thread.

Lineage: every report stored by the receiver belongs to one `ingest_batch` row per UTC day of receipt
(partner "gateway", dataset "sms_delivery_reports", file name "callbacks-<day>", a synthetic sha256 of
"malux dlr-server callbacks <day>"), and its `source_row` counts the reports stored in that batch from 1, so a
callback traces back like a row of a partner file. A duplicate is a second report of the same status for the
same message (Kannel retries, AT resends): it is answered as stored and not written again. A report timed
before its message was queued (less a clock skew) is refused as implausible (Kannel's `at=0`, a forged clock).
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cache

from sqlalchemy import Connection, Engine, Row, Select, Update, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from tasks.sms.optout import record_optout
from tasks.sms.receiver.callbacks import Callback
from tasks.sms.reports import advance_outbox
from tasks.standardise.phones import normalise_phone
from warehouse.inserts import insert_ignoring_duplicates
from warehouse.schema import ingest_batch, sms_delivery_reports, sms_outbox

log = logging.getLogger("malux.dlr")
MAX_BATCH = 500
CLOCK_SKEW = timedelta(minutes=5)


class Outcome(StrEnum):
    """What became of one callback: stored, already known, about no message we sent, or timed impossibly."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    UNKNOWN = "unknown"
    IMPLAUSIBLE = "implausible"


def callbacks_batch(engine: Engine, day: date) -> int:
    """The ingest batch holding one day's callbacks, created on the first callback of the day."""
    sha = hashlib.sha256(f"malux dlr-server callbacks {day.isoformat()}".encode()).hexdigest()
    by_sha = select(ingest_batch.c.batch_id).where(ingest_batch.c.sha256 == sha)
    with engine.connect() as conn:
        found = conn.scalar(by_sha)
    if found is not None:
        return found
    row = {
        "partner": "gateway", "dataset": "sms_delivery_reports", "file_name": f"callbacks-{day.isoformat()}",
        "raw_path": f"dlr-server:{day.isoformat()}", "sha256": sha, "rows_in": 0, "rows_loaded": 0,
        "rows_quarantined": 0, "status": "loaded", "started_at": datetime.now(UTC),
    }  # fmt: skip
    try:
        with engine.begin() as conn:
            conn.execute(insert(ingest_batch), row)
    except IntegrityError:  # another receiver created it first
        pass
    with engine.connect() as conn:
        return conn.scalar(by_sha)


@dataclass(frozen=True)
class _Known:
    """What the outbox and the stored reports say about a batch's messages, read in one query per id kind."""

    by_mid: dict[str, Row]
    by_gmid: dict[str, Row]
    seen: set[tuple[str, str]]  # (message_id, status) of every report already stored


@cache
def _known_query(by_gateway_id: bool) -> Select:
    """Built once, like every statement of a batch: building them cost more than running them."""
    o, r = sms_outbox, sms_delivery_reports
    key = o.c.gateway_message_id if by_gateway_id else o.c.message_id
    return (
        select(
            o.c.message_id, o.c.phone, o.c.beneficiary_id, o.c.gateway_message_id, o.c.queued_at, r.c.status
        )
        .select_from(o.outerjoin(r, r.c.message_id == o.c.message_id))
        .where(key.in_(bindparam("keys", expanding=True)))
    )


def _known(conn: Connection, callbacks: list[Callback]) -> _Known:
    known = _Known({}, {}, set())
    ours = sorted({c.message_id for c in callbacks if c.message_id})
    for row in conn.execute(_known_query(False), {"keys": ours}) if ours else ():
        known.by_mid[row.message_id] = row
        known.seen.add((row.message_id, row.status))
    theirs = sorted({c.gateway_message_id for c in callbacks if c.gateway_message_id})
    for row in conn.execute(_known_query(True), {"keys": theirs}) if theirs else ():
        known.by_gmid[row.gateway_message_id] = row
        known.seen.add((row.message_id, row.status))
    return known  # seen holds (id, None) for messages without reports: no callback status is None


def _resolve(known: _Known, cb: Callback) -> Row | None:
    """The outbox row a callback is about, or None when it names no message of ours."""
    if cb.message_id:
        return known.by_mid.get(cb.message_id)
    row = known.by_gmid.get(cb.gateway_message_id or "")
    if row is not None and normalise_phone(cb.phone).e164 != row.phone:
        return None  # a report naming a real AT id with another phone number is not about our message
    return row


@cache
def _count_rows() -> Update:
    """Counts a batch's new reports in its ingest batch; the new count numbers them (concurrent receivers
    take turns on the row, so their numbers never overlap)."""
    b = ingest_batch
    return (
        update(b)
        .where(b.c.batch_id == bindparam("batch"))
        .values(
            rows_in=b.c.rows_in + bindparam("n"),
            rows_loaded=b.c.rows_loaded + bindparam("n"),
            finished_at=bindparam("now"),
        )
        .returning(b.c.rows_in)
    )


def _naive_utc(at: datetime) -> datetime:
    """A time from the outbox as the callbacks hold theirs (SQLite gives naive UTC, PostgreSQL aware)."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def store_callbacks(
    conn: Connection, callbacks: list[Callback], batch_id: int, clock_skew: timedelta = CLOCK_SKEW
) -> list[Outcome]:
    """Store the new reports of a batch of callbacks, move their messages forward, record gateway opt-outs."""
    known = _known(conn, callbacks)
    rows, outcomes, optouts = [], [], []
    for cb in callbacks:
        found = _resolve(known, cb)
        if found is None:
            outcomes.append(Outcome.UNKNOWN)
            continue
        if cb.status_at < _naive_utc(found.queued_at) - clock_skew:
            outcomes.append(Outcome.IMPLAUSIBLE)
            continue
        if cb.opted_out:
            optouts.append((found.beneficiary_id, cb.status_at))
        if (found.message_id, cb.status) in known.seen:
            outcomes.append(Outcome.DUPLICATE)
            continue
        known.seen.add((found.message_id, cb.status))
        rows.append(
            {
                "message_id": found.message_id, "status": cb.status, "status_at": cb.status_at,
                "gateway_message_id": cb.gateway_message_id, "phone": found.phone,
                "error_code": cb.error_code, "batch_id": batch_id,
            }
        )  # fmt: skip
        outcomes.append(Outcome.STORED)
    if rows:
        counted = {"batch": batch_id, "n": len(rows), "now": datetime.now(UTC)}
        first = conn.execute(_count_rows(), counted).scalar_one() - len(rows)
        for n, row in enumerate(rows, start=first + 1):
            row["source_row"] = n
        insert_ignoring_duplicates(conn, sms_delivery_reports, rows, ["message_id", "status", "status_at"])
        advance_outbox(conn, sorted({row["message_id"] for row in rows}))
    for beneficiary_id, at in optouts:
        record_optout(conn, [beneficiary_id], at, "gateway")
    return outcomes


_STOP = object()


class ReportWriter:
    """One thread that writes queued callbacks in batches, so a burst is a few short transactions."""

    def __init__(
        self, engine: Engine, max_batch: int = MAX_BATCH, clock_skew: timedelta = CLOCK_SKEW
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        self.clock_skew = clock_skew
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="dlr-writer", daemon=True)
        self._batches: dict[date, int] = {}

    def start(self) -> ReportWriter:
        self._thread.start()
        return self

    def submit(self, callback: Callback) -> Future:
        """Queue one callback; the future answers its Outcome once committed, or the error that stopped it."""
        future: Future = Future()
        self._queue.put((callback, future))
        return future

    def stop(self) -> None:
        """Write everything queued so far, then end the thread: a clean stop loses no callback."""
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._write(batch)

    def _write(self, batch: list[tuple[Callback, Future]]) -> None:
        try:
            day = datetime.now(UTC).date()
            if day not in self._batches:
                self._batches[day] = callbacks_batch(self.engine, day)
            with self.engine.begin() as conn:
                outcomes = store_callbacks(conn, [cb for cb, _ in batch], self._batches[day], self.clock_skew)
        except Exception as exc:  # the gateway gets a 500 and retries; the writer goes on with the next batch
            log.error("could not store %d delivery callbacks: %s", len(batch), type(exc).__name__)
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
