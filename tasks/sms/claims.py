"""How a sender takes outbox rows and gives back what it did not send, so a dead sender costs little.

A row a sender takes is first 'claimed' (reserved, nothing sent; `wired_at` holds the claim time), then
flipped to 'sending' just before its request leaves. After a sender dies, its 'claimed' rows are provably
unsent and go back to 'queued' after a short lease (CLAIM_LEASE); its 'sending' rows may have reached the
gateway and wait for the in-doubt rule (IN_DOUBT_AFTER). The flip is a compare-and-set on (status, claim
time), so a row another run queued and claimed again after the lease is never sent by the run that lost it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, exists, select, update

from warehouse.schema import sms_delivery_reports, sms_outbox
from warehouse.sms_status import OutboxStatus

# A row left 'sending' longer than this belongs to a sender that died: far above a chunk's worst send time.
IN_DOUBT_AFTER = timedelta(minutes=10)
# A row left 'claimed' longer than this belongs to a sender that died before sending it. A live sender holds
# its claim ahead for one chunk's send time; if that outlasts the lease, a concurrent run may take the rows
# over and the flip's compare-and-set keeps the first sender off them: slower, never twice.
CLAIM_LEASE = timedelta(seconds=45)
_COLUMNS = (
    sms_outbox.c.message_id, sms_outbox.c.phone, sms_outbox.c.body,
    sms_outbox.c.encoding, sms_outbox.c.segments, sms_outbox.c.attempts,
)  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """Rows one sender reserved in one transaction, and the claim time that proves they are still its own."""

    at: datetime
    rows: list


def settle_dead_senders(
    conn: Connection, campaign: str, week: int, now: datetime, lease: timedelta, in_doubt_after: timedelta
) -> int:
    """Give a dead sender's rows back: unsent claims after the lease, unreported sends after in_doubt_after.

    A 'sending' row may or may not have reached the gateway: a delivery report proves it did (Kannel reports
    within seconds while its SMSC is up); without one after `in_doubt_after` it never left. Returns the rows
    queued again.
    """
    week_rows = (sms_outbox.c.campaign == campaign, sms_outbox.c.week == week)
    stale_claim = update(sms_outbox).where(
        *week_rows, sms_outbox.c.status == OutboxStatus.CLAIMED, sms_outbox.c.wired_at < now - lease
    )
    unclaimed = conn.execute(stale_claim.values(status=OutboxStatus.QUEUED, wired_at=None)).rowcount
    in_doubt = (
        *week_rows,
        sms_outbox.c.status == OutboxStatus.SENDING,
        sms_outbox.c.wired_at < now - in_doubt_after,
    )
    reported = exists().where(sms_delivery_reports.c.message_id == sms_outbox.c.message_id)
    conn.execute(update(sms_outbox).where(*in_doubt, reported).values(status=OutboxStatus.WIRED))
    requeue = update(sms_outbox).where(*in_doubt, ~reported)
    requeue = requeue.values(
        status=OutboxStatus.QUEUED, wired_at=None, error="interrupted before the gateway answered"
    )
    return unclaimed + conn.execute(requeue).rowcount


def claim(engine: Engine, campaign: str, week: int, size: int) -> Claim:
    """Reserve the next `size` queued rows in one transaction; nothing is sent, so a crash here costs a lease.

    SKIP LOCKED lets concurrent senders on PostgreSQL claim different rows; SQLite serialises the claims.
    """
    pending = sms_outbox.alias("pending")
    ids = (
        select(pending.c.message_id)
        .where(
            pending.c.campaign == campaign, pending.c.week == week, pending.c.status == OutboxStatus.QUEUED
        )
        .order_by(pending.c.message_id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    at = datetime.now(UTC)
    take = (
        update(sms_outbox)
        .where(sms_outbox.c.status == OutboxStatus.QUEUED, sms_outbox.c.message_id.in_(ids))
        .values(status=OutboxStatus.CLAIMED, wired_at=at)
        .returning(*_COLUMNS)
    )
    with engine.begin() as conn:
        return Claim(at, list(conn.execute(take)))


def start(engine: Engine, claimed: Claim) -> Claim:
    """Flip the rows still ours from 'claimed' to 'sending', committed before any request leaves.

    Only rows with our claim time flip (compare-and-set): the ones another run took over are not returned.
    """
    if not claimed.rows:
        return claimed
    at = datetime.now(UTC)
    flip = (
        update(sms_outbox)
        .where(
            sms_outbox.c.status == OutboxStatus.CLAIMED,
            sms_outbox.c.wired_at == claimed.at,
            sms_outbox.c.message_id.in_([r.message_id for r in claimed.rows]),
        )
        .values(status=OutboxStatus.SENDING, attempts=sms_outbox.c.attempts + 1, wired_at=at)
        .returning(*_COLUMNS)
    )
    with engine.begin() as conn:
        rows = sorted(conn.execute(flip), key=lambda r: r.message_id)
    return Claim(at, rows)


def release(engine: Engine, taken: Claim, status: OutboxStatus) -> None:
    """Put rows this run took but never sent back to 'queued' as they were; `status` is where they are now."""
    if not taken.rows:
        return
    back = update(sms_outbox).where(
        sms_outbox.c.status == status,
        sms_outbox.c.wired_at == taken.at,
        sms_outbox.c.message_id.in_([r.message_id for r in taken.rows]),
    )
    values: dict = {"status": OutboxStatus.QUEUED, "wired_at": None}
    if status == OutboxStatus.SENDING:
        values["attempts"] = sms_outbox.c.attempts - 1
    with engine.begin() as conn:
        conn.execute(back.values(**values))
