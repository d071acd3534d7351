"""The outbox: one row per subscriber per campaign week, the single guard against sending an SMS twice."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, Update, bindparam, case, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tasks.sms.claims import CLAIM_LEASE, IN_DOUBT_AFTER, Claim, claim, release, settle_dead_senders, start
from tasks.sms.compose import Composed, compose_week
from tasks.sms.gateways.base import Gateway, OutgoingSms, SendResult
from warehouse.schema import sms_delivery_reports, sms_optout, sms_outbox
from warehouse.sms_status import (
    AWAITING_FINAL,
    BEFORE_SENT,
    FINAL_REPORTS,
    INTERIM_REPORTS,
    OutboxStatus,
    ReportStatus,
)

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
    the gateway unanswered; they are never re-sent blindly (see `tasks/sms/claims.py`).
    """

    sent: int
    failed: int
    skipped: int
    retry_later: int = 0
    in_doubt: int = 0


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


def _mark(
    engine: Engine, gateway: str, now: datetime, wired: list, final: list, retry: list, doubt: list
) -> None:
    """Record answers in one transaction; only rows still 'sending' change, as a report may have won."""
    by_id = update(sms_outbox).where(sms_outbox.c.message_id == bindparam("mid"))
    in_flight = by_id.where(sms_outbox.c.status == OutboxStatus.SENDING)
    with engine.begin() as conn:
        if wired:
            status = case(
                (sms_outbox.c.status == OutboxStatus.SENDING, OutboxStatus.WIRED), else_=sms_outbox.c.status
            )
            values = {"status": status, "wired_at": now, "gateway_message_id": bindparam("gmid")}
            conn.execute(by_id.values(**values, gateway=gateway, error=None), wired)
            # Reports that came back before this commit (Kannel's take milliseconds) apply now.
            advance_outbox(conn, [w["mid"] for w in wired])
        if final:
            conn.execute(
                in_flight.values(status=OutboxStatus.FAILED, gateway=gateway, error=bindparam("err")), final
            )
        if retry:
            conn.execute(
                in_flight.values(status=OutboxStatus.QUEUED, wired_at=None, error=bindparam("err")), retry
            )
        if doubt:  # stays 'sending' with its flip time: settled by a delivery report or re-queued later
            conn.execute(in_flight.values(gateway=gateway, error=bindparam("err")), doubt)


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
) -> SendSummary:
    """Hand the week's queued messages to the gateway in chunks; a row leaves 'queued' once, when claimed.

    Each chunk is claimed in one transaction ('claimed'), flipped to 'sending' just before it is sent with
    `workers` concurrent requests (default: the gateway's `concurrency`, else 1), and marked in one
    transaction while the next chunk is in flight. A sender killed mid-run leaves its chunk ahead 'claimed'
    (queued again after `claim_lease`) and its chunk on the wire 'sending' (after `in_doubt_after`, rows a
    delivery report vouches for become wired and the rest are queued again): see `tasks/sms/claims.py`.
    `pace(n)` is called before a chunk of n is sent.
    A subscriber who opted out up to `as_of` (naive UTC, default now) is skipped; a backfill of past weeks
    passes the week's send_at, or every later opt-out would cancel that subscriber's earlier weeks.
    """
    sent = failed = retry_later = 0
    workers = workers or getattr(gateway, "concurrency", 1)
    with engine.begin() as conn:
        skipped = _cancel_opted_out(conn, campaign, week, as_of or datetime.now(UTC).replace(tzinfo=None))
        settle_dead_senders(conn, campaign, week, datetime.now(UTC), claim_lease, in_doubt_after)
    # One bookkeeping thread runs, in this order, the flip of chunk k, the marks of chunk k-1 and the claim of
    # chunk k+1, so the send loop waits only for the flip; rows are 'sending' from their flip to their mark.
    # With a pace, the marks go first: they are recorded while the pace waits for the rate limit.
    pool = ThreadPoolExecutor(workers, thread_name_prefix=f"sms-{gateway.name}") if workers > 1 else None
    books = ThreadPoolExecutor(1, thread_name_prefix="sms-outbox")
    marks: tuple | None = None  # the answers of the chunk just sent, marked beside the next one
    ahead: Future | None = None
    held: Claim | None = claim(engine, campaign, week, chunk_size)  # claimed, not flipped yet
    try:
        while held.rows:
            marking = None
            if pace is not None:
                if marks is not None:
                    marking, marks = books.submit(_mark, engine, gateway.name, *marks), None
                pace(len(held.rows))
            starting = books.submit(start, engine, held)
            if marks is not None:
                marking = books.submit(_mark, engine, gateway.name, *marks)
            ahead = books.submit(claim, engine, campaign, week, chunk_size)
            on_wire, held, marks = starting.result(), None, None
            try:
                answers = _send(gateway, campaign, week, on_wire.rows, workers, pool)
            except BaseException:
                release(
                    engine, on_wire, OutboxStatus.SENDING
                )  # nothing of this chunk was answered: back as it was
                raise
            marks = _sort_answers(on_wire.rows, answers)
            wired, final, retry = marks[1], marks[2], marks[3]
            sent, failed, retry_later = sent + len(wired), failed + len(final), retry_later + len(retry)
            if marking is not None:
                marking.result()  # the previous chunk's marks; a failure stops the run here
            if retry:  # the gateway is struggling: stop here and let the task's retry back off
                break
            held, ahead = ahead.result(), None
        if marks is not None:
            books.submit(_mark, engine, gateway.name, *marks).result()
    finally:
        books.shutdown(wait=True)  # on an error too: answers are recorded before we return
        if held is not None:
            release(engine, held, OutboxStatus.CLAIMED)  # e.g. pace failed: claimed, never sent
        if ahead is not None and ahead.exception() is None:
            release(engine, ahead.result(), OutboxStatus.CLAIMED)  # claimed ahead, never sent
        if pool is not None:
            pool.shutdown(wait=True)
    with engine.connect() as conn:
        in_doubt = conn.scalar(
            select(func.count()).where(
                sms_outbox.c.campaign == campaign,
                sms_outbox.c.week == week,
                sms_outbox.c.status == OutboxStatus.SENDING,
            )
        )
    return SendSummary(sent, failed, skipped, retry_later, in_doubt)


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


def _sort_answers(rows: list, answers: dict[str, SendResult]) -> tuple:
    """(time, wired, final, retry, doubt): the arguments of `_mark` for one chunk."""
    wired, final, retry, doubt = [], [], [], []
    for r in rows:
        answer = answers.get(r.message_id) or SendResult(r.message_id, False, None, "no answer", True)
        if answer.accepted:
            wired.append({"mid": r.message_id, "gmid": answer.gateway_message_id})
        elif answer.in_doubt:
            doubt.append({"mid": r.message_id, "err": answer.error})
        elif answer.transient and r.attempts < MAX_ATTEMPTS:
            retry.append({"mid": r.message_id, "err": answer.error})
        else:
            final.append({"mid": r.message_id, "err": answer.error})
    return datetime.now(UTC), wired, final, retry, doubt


def apply_delivery_reports(engine: Engine) -> int:
    """Move outbox rows forward from delivery reports; a late 'accepted' never undoes a final status."""
    with engine.begin() as conn:
        return advance_outbox(conn)


def advance_outbox(conn: Connection, message_ids: list[str] | None = None) -> int:
    """Delivery reports' precedence applied to all messages, or to these only (the receiver's batches)."""
    if message_ids is not None and not message_ids:
        return 0
    to_final, to_sent = _advance_statements(scoped=message_ids is not None)
    params = {"mids": message_ids} if message_ids is not None else {}
    return conn.execute(to_final, params).rowcount + conn.execute(to_sent, params).rowcount


@cache
def _advance_statements(scoped: bool) -> tuple[Update, Update]:
    """Built once: the receiver runs them for every batch, and building them cost more than running them."""
    o, r = sms_outbox, sms_delivery_reports.alias("r")
    of_row = r.c.message_id == o.c.message_id
    # The latest final report decides; on a tie, delivered wins. Final rows are never touched again.
    final_status = (
        select(
            case(
                (r.c.status == ReportStatus.DELIVERED, OutboxStatus.DELIVERED), else_=OutboxStatus.UNDELIVERED
            )
        )
        .where(of_row, r.c.status.in_(FINAL_REPORTS))
        .order_by(r.c.status_at.desc(), case((r.c.status == ReportStatus.DELIVERED, 0), else_=1))
        .limit(1)
        .scalar_subquery()
    )
    final_at = select(func.max(r.c.status_at)).where(of_row, r.c.status.in_(FINAL_REPORTS)).scalar_subquery()
    to_final = (
        update(o)
        .where(
            o.c.status.in_(AWAITING_FINAL),
            exists().where(of_row, r.c.status.in_(FINAL_REPORTS)),
        )
        .values(status=final_status, final_at=final_at)
    )
    to_sent = (
        update(o)
        .where(
            o.c.status.in_(BEFORE_SENT),
            exists().where(of_row, r.c.status.in_(INTERIM_REPORTS)),
        )
        .values(status=OutboxStatus.SENT)
    )
    if scoped:
        these = o.c.message_id.in_(bindparam("mids", expanding=True))
        to_final, to_sent = to_final.where(these), to_sent.where(these)
    return to_final, to_sent
