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

from sqlalchemy import Connection, Engine, exists, func, select, update

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


@dataclass(frozen=True)
class Unsettled:
    """A week's rows a run holds, live or dead: handed to the gateway ('sending', in doubt) or only claimed.

    A run cannot tell a live sender from a dead one; by `settles_at` the in-doubt rule and the lease have
    judged every one of them, and a run started after then sends those that never left.
    """

    in_doubt: int
    claimed: int
    settles_at: datetime | None

    def describe(self, campaign: str, week: int) -> str | None:
        """One line for the log and the console, or None when nothing is held."""
        if self.settles_at is None:
            return None
        held = self.in_doubt + self.claimed
        return (
            f"{campaign} week {week}: {held} message{'s' if held != 1 else ''} not settled yet "
            f"({self.in_doubt} handed to the gateway with no answer, {self.claimed} claimed by another run, "
            f"running or dead): they settle at {self.settles_at:%Y-%m-%d %H:%M:%S} UTC, after which a run "
            "sends those that never left"
        )


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite gives timestamps back naive


def unsettled(
    conn: Connection, campaign: str, week: int, lease: timedelta, in_doubt_after: timedelta
) -> Unsettled:
    """How many of the week's rows are held ('sending' or 'claimed') and when the last of them settles."""
    held = (
        select(sms_outbox.c.status, func.count(), func.max(sms_outbox.c.wired_at))
        .where(
            sms_outbox.c.campaign == campaign,
            sms_outbox.c.week == week,
            sms_outbox.c.status.in_([OutboxStatus.SENDING, OutboxStatus.CLAIMED]),
        )
        .group_by(sms_outbox.c.status)
    )
    counts, settle = {}, []
    for status, n, last in conn.execute(held):
        counts[status] = n
        settle.append(_utc(last) + (in_doubt_after if status == OutboxStatus.SENDING else lease))
    return Unsettled(
        counts.get(OutboxStatus.SENDING, 0), counts.get(OutboxStatus.CLAIMED, 0), max(settle, default=None)
    )


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
