"""The outbox: one row per subscriber per campaign week, the single guard against sending an SMS twice."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, bindparam, case, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from tasks.redact import redact
from tasks.sms.claims import (
    CLAIM_LEASE,
    IN_DOUBT_AFTER,
    Claim,
    Unsettled,
    claim,
    release,
    settle_dead_senders,
    start,
    unsettled,
)
from tasks.sms.compose import Composed, compose_week
from tasks.sms.gateways.base import Gateway, OutgoingSms, SendResult
from tasks.sms.reports import advance_outbox
from warehouse.capped import capped
from warehouse.schema import sms_optout, sms_outbox
from warehouse.sms_status import OutboxStatus

CHUNK = 500
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class QueueResult:
    """How many of the week's messages this run queued, and how many an earlier run already had."""

    queued_new: int
    already_queued: int


@dataclass(frozen=True)
class SendSummary:
    """What one send run did: wired, failed for good, cancelled (opted out since queueing), left to retry.

    in_doubt: rows a dead sender left 'sending' and too recent to judge, or whose request may have reached
    the gateway unanswered; they are never re-sent blindly (see `tasks/sms/claims.py`). held: what another
    run, running or dead, still holds when this one ends (in doubt or claimed), and when it settles.
    """

    sent: int
    failed: int
    skipped: int
    retry_later: int = 0
    in_doubt: int = 0
    held: Unsettled = Unsettled(0, 0, None)


def _row(m: Composed, now: datetime) -> dict:
    return {
        "message_id": m.message_id, "campaign": m.campaign, "week": m.week,
        "beneficiary_id": m.beneficiary_id, "phone": m.phone, "operator": m.operator,
        "language": m.language, "body": m.body,
        "encoding": m.encoding, "segments": m.segments, "scheduled_at": m.scheduled_at,
        "status": OutboxStatus.QUEUED, "attempts": 0, "queued_at": now,
    }  # fmt: skip


def queue_week(engine: Engine, campaign: str, week: int, config_dir: Path | None = None) -> QueueResult:
    """Queue the week's messages once: a re-run inserts only subscribers not queued yet."""
    messages = compose_week(engine, campaign, week, config_dir)  # raises before anything is written
    for attempt in (1, 2):
        try:
            with engine.begin() as conn:
                existing = set(
                    conn.scalars(
                        select(sms_outbox.c.message_id).where(
                            sms_outbox.c.campaign == campaign, sms_outbox.c.week == week
                        )
                    )
                )
                new = [m for m in messages if m.message_id not in existing]
                if new:
                    now = datetime.now(UTC)
                    conn.execute(insert(sms_outbox), [_row(m, now) for m in new])
            return QueueResult(len(new), len(messages) - len(new))
        except IntegrityError:
            # A concurrent run queued some of the same rows between our select and insert: the unique key
            # stopped it and our transaction rolled back whole; once more sees their rows as existing.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _cancel_opted_out(conn, campaign: str, week: int, now: datetime) -> int:
    opted_out = exists().where(
        sms_optout.c.beneficiary_id == sms_outbox.c.beneficiary_id, sms_optout.c.opted_out_at <= now
    )
    cancel = (
        update(sms_outbox)
        .where(
            sms_outbox.c.campaign == campaign,
            sms_outbox.c.week == week,
            sms_outbox.c.status == OutboxStatus.QUEUED,
        )
        .where(opted_out)
        .values(status=OutboxStatus.FAILED, error="opted out before sending")
    )
    return conn.execute(cancel).rowcount


def _send_concurrently(
    gateway: Gateway, outgoing: list[OutgoingSms], workers: int, pool: ThreadPoolExecutor | None = None
) -> list[SendResult]:
    """Send a chunk one message per pool task, so a request Kannel stalls holds back no other; a message
    whose send raises is answered as not sent, transient, like a refused connection."""
    if workers <= 1 or len(outgoing) <= 1:
        return gateway.send(outgoing)
    if pool is None:
        with ThreadPoolExecutor(workers, thread_name_prefix=f"sms-{gateway.name}") as own:
            return _send_concurrently(gateway, outgoing, workers, own)
    futures = [pool.submit(gateway.send, [m]) for m in outgoing]
    answers: list[SendResult] = []
    for m, future in zip(outgoing, futures, strict=True):
        if future.exception() is None:
            answers.extend(future.result())
        else:
            error = f"{type(future.exception()).__name__} in gateway"
            answers.append(SendResult(m.message_id, False, None, error, transient=True))
    return answers


@dataclass(frozen=True)
class _Answers:
    """One chunk's answers, sorted by what each does to its row; recorded in one transaction by `_record`."""

    at: datetime
    wired: list[dict]  # accepted: {"mid", "gmid"}
    final: list[dict]  # refused for good: {"mid", "err"}
    retry: list[dict]  # refused for now, attempts left: {"mid", "err"}
    doubt: list[dict]  # may have reached the gateway unanswered: {"mid", "err"}


def _sort_answers(rows: list, answers: dict[str, SendResult], max_attempts: int | None) -> _Answers:
    """What each row's answer does to it; a row the gateway did not answer is refused for now.

    A row refused for now goes back to 'queued' while it has attempts left (max_attempts None: always)."""
    sorted_ = _Answers(datetime.now(UTC), [], [], [], [])
    for r in rows:
        answer = answers.get(r.message_id) or SendResult(r.message_id, False, None, "no answer", True)
        if answer.error:  # whatever the gateway, no secret reaches the error column
            answer = replace(answer, error=capped(redact(answer.error)))
        if answer.accepted:
            sorted_.wired.append({"mid": r.message_id, "gmid": answer.gateway_message_id})
        elif answer.in_doubt:
            sorted_.doubt.append({"mid": r.message_id, "err": answer.error})
        elif answer.transient and (max_attempts is None or r.attempts < max_attempts):
            sorted_.retry.append({"mid": r.message_id, "err": answer.error})
        else:
            sorted_.final.append({"mid": r.message_id, "err": answer.error})
    return sorted_


def _record(engine: Engine, gateway: str, answers: _Answers) -> None:
    """Record answers in one transaction; only rows still 'sending' change, as a report may have won."""
    by_id = update(sms_outbox).where(sms_outbox.c.message_id == bindparam("mid"))
    in_flight = by_id.where(sms_outbox.c.status == OutboxStatus.SENDING)
    err = bindparam("err")
    with engine.begin() as conn:
        if answers.wired:
            status = case(
                (sms_outbox.c.status == OutboxStatus.SENDING, OutboxStatus.WIRED), else_=sms_outbox.c.status
            )
            values = {"status": status, "wired_at": answers.at, "gateway_message_id": bindparam("gmid")}
            conn.execute(by_id.values(**values, gateway=gateway, error=None), answers.wired)
            # Reports that came back before this commit (Kannel's take milliseconds) apply now.
            advance_outbox(conn, [w["mid"] for w in answers.wired])
        if answers.final:
            conn.execute(
                in_flight.values(status=OutboxStatus.FAILED, gateway=gateway, error=err), answers.final
            )
        if answers.retry:
            conn.execute(
                in_flight.values(status=OutboxStatus.QUEUED, wired_at=None, error=err), answers.retry
            )
        if (
            answers.doubt
        ):  # stays 'sending' with its flip time: settled by a delivery report or re-queued later
            conn.execute(in_flight.values(gateway=gateway, error=err), answers.doubt)


@dataclass
class _Tally:
    """What the run's chunks came to so far."""

    sent: int = 0
    failed: int = 0
    retry_later: int = 0

    def add(self, answers: _Answers) -> None:
        self.sent += len(answers.wired)
        self.failed += len(answers.final)
        self.retry_later += len(answers.retry)


class _SendRun:
    """One run's chunks through claim -> mark handed ('sending') -> submit to the gateway -> record answers.

    One bookkeeping thread runs, in this order, the hand-over flip of chunk k, the record of chunk k-1 and the
    claim of chunk k+1, so the send loop waits only for the flip; rows are 'sending' from their flip to their
    record. With a pace, the record goes first: it is written while the pace waits for the rate limit.
    Whatever the run took and did not send goes back to 'queued' when it closes (`tasks/sms/claims.py`).
    """

    def __init__(
        self, engine: Engine, gateway: Gateway, campaign: str, week: int, chunk: int, workers: int,
        max_attempts: int | None = MAX_ATTEMPTS,
    ) -> None:  # fmt: skip
        self.engine, self.gateway, self.campaign, self.week = engine, gateway, campaign, week
        self.chunk, self.workers, self.max_attempts = chunk, workers, max_attempts
        self.pool = (
            ThreadPoolExecutor(workers, thread_name_prefix=f"sms-{gateway.name}") if workers > 1 else None
        )
        self.books = ThreadPoolExecutor(1, thread_name_prefix="sms-outbox")
        self.held: Claim | None = None  # claimed, not handed yet
        self.ahead: Future[Claim] | None = None  # the next chunk's claim, on the bookkeeping thread
        self.unrecorded: _Answers | None = None  # the chunk just sent, recorded beside the next one

    def run(self, pace: Callable[[int], None] | None) -> _Tally:
        """Send chunk after chunk until none is left or the gateway asks us to back off."""
        tally = _Tally()
        self.held = claim(self.engine, self.campaign, self.week, self.chunk)
        while self.held.rows:
            recording = None
            if pace is not None:
                recording = self._record_unrecorded()
                pace(len(self.held.rows))
            handing = self.books.submit(start, self.engine, self.held)
            if self.unrecorded is not None:
                recording = self._record_unrecorded()
            self.ahead = self.books.submit(claim, self.engine, self.campaign, self.week, self.chunk)
            on_wire, self.held = handing.result(), None
            answers = self._submit(on_wire)
            self.unrecorded = answers
            tally.add(answers)
            if recording is not None:
                recording.result()  # the previous chunk's record; a failure stops the run here
            if answers.retry:  # the gateway is struggling: stop here and let the task's retry back off
                break
            self.held, self.ahead = self.ahead.result(), None
        if self.unrecorded is not None:
            self._record_unrecorded().result()
        return tally

    def _record_unrecorded(self) -> Future | None:
        """Queue the record of the chunk just sent, if any, on the bookkeeping thread."""
        if self.unrecorded is None:
            return None
        answers, self.unrecorded = self.unrecorded, None
        return self.books.submit(_record, self.engine, self.gateway.name, answers)

    def _submit(self, on_wire: Claim) -> _Answers:
        """The gateway's answers to the handed rows; if the send itself fails, the rows go back unsent."""
        try:
            answers = _send(self.gateway, self.campaign, self.week, on_wire.rows, self.workers, self.pool)
        except BaseException:
            release(self.engine, on_wire, OutboxStatus.SENDING)  # nothing of this chunk was answered
            raise
        return _sort_answers(on_wire.rows, answers, self.max_attempts)

    def close(self) -> None:
        """Wait for the bookkeeping (answers are recorded before we return); give back what was not sent."""
        self.books.shutdown(wait=True)
        if self.held is not None:
            release(self.engine, self.held, OutboxStatus.CLAIMED)  # e.g. pace failed: claimed, never sent
        if self.ahead is not None and self.ahead.exception() is None:
            release(self.engine, self.ahead.result(), OutboxStatus.CLAIMED)  # claimed ahead, never sent
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def send_queued(
    engine: Engine,
    campaign: str,
    week: int,
    gateway: Gateway,
    chunk_size: int = CHUNK,
    as_of: datetime | None = None,
    workers: int | None = None,
    pace: Callable[[int], None] | None = None,
    in_doubt_after: timedelta = IN_DOUBT_AFTER,
    claim_lease: timedelta = CLAIM_LEASE,
    max_attempts: int | None = MAX_ATTEMPTS,
) -> SendSummary:
    """Hand the week's queued messages to the gateway in chunks; a row leaves 'queued' once, when claimed.

    Each chunk is claimed in one transaction ('claimed'), flipped to 'sending' just before it is sent with
    `workers` concurrent requests (default: the gateway's `concurrency`, else 1), and recorded in one
    transaction while the next chunk is in flight. A sender killed mid-run leaves its chunk ahead 'claimed'
    (queued again after `claim_lease`) and its chunk on the wire 'sending' (after `in_doubt_after`, rows a
    delivery report vouches for become wired and the rest are queued again): see `tasks/sms/claims.py`.
    `pace(n)` is called before a chunk of n is sent. A row the gateway refuses for now is queued again while
    its attempts stay under `max_attempts` (None: always, for a sender that tries again later), then failed.
    A subscriber who opted out up to `as_of` (naive UTC, default now) is skipped; a backfill of past weeks
    passes the week's send_at, or every later opt-out would cancel that subscriber's earlier weeks.
    """
    with engine.begin() as conn:
        skipped = _cancel_opted_out(conn, campaign, week, as_of or datetime.now(UTC).replace(tzinfo=None))
        settle_dead_senders(conn, campaign, week, datetime.now(UTC), claim_lease, in_doubt_after)
    workers = workers or getattr(gateway, "concurrency", 1)
    run = _SendRun(engine, gateway, campaign, week, chunk_size, workers, max_attempts)
    try:
        tally = run.run(pace)
    finally:
        run.close()
    with engine.connect() as conn:
        held = unsettled(conn, campaign, week, claim_lease, in_doubt_after)
    return SendSummary(tally.sent, tally.failed, skipped, tally.retry_later, held.in_doubt, held)


def _send(
    gateway: Gateway, campaign: str, week: int, rows: list, workers: int, pool: ThreadPoolExecutor | None
) -> dict[str, SendResult]:
    """The gateway's answer to each row, by message id."""
    if not rows:  # another run took the whole chunk over after our lease
        return {}
    outgoing = [
        OutgoingSms(r.message_id, campaign, week, r.phone, r.body, r.encoding, r.segments) for r in rows
    ]
    return {a.message_id: a for a in _send_concurrently(gateway, outgoing, workers, pool)}
