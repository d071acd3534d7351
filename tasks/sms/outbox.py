"""The outbox: one row per subscriber per campaign week, the single guard against sending an SMS twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, bindparam, case, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tasks.sms.compose import Composed, compose_week
from tasks.sms.gateways.base import Gateway, OutgoingSms, SendResult
from warehouse.schema import sms_delivery_reports, sms_optout, sms_outbox

CHUNK = 500
MAX_ATTEMPTS = 3
FINAL_REPORTS = ("delivered", "undelivered", "rejected")
INTERIM_REPORTS = ("accepted", "buffered")


@dataclass(frozen=True)
class QueueResult:
    """How many of the week's messages this run queued, and how many an earlier run already had."""

    queued_new: int
    already_queued: int


@dataclass(frozen=True)
class SendSummary:
    """What one send run did: wired, failed for good, cancelled (opted out since queueing), left to retry."""

    sent: int
    failed: int
    skipped: int
    retry_later: int = 0


def _row(m: Composed, now: datetime) -> dict:
    return {
        "message_id": m.message_id, "campaign": m.campaign, "week": m.week,
        "beneficiary_id": m.beneficiary_id, "phone": m.phone, "operator": m.operator,
        "language": m.language, "body": m.body,
        "encoding": m.encoding, "segments": m.segments, "scheduled_at": m.scheduled_at,
        "status": "queued", "attempts": 0, "queued_at": now,
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
        .where(sms_outbox.c.campaign == campaign, sms_outbox.c.week == week, sms_outbox.c.status == "queued")
        .where(opted_out)
        .values(status="failed", error="opted out before sending")
    )
    return conn.execute(cancel).rowcount


def _claim(conn, campaign: str, week: int, size: int) -> list:
    # Status stays 'queued' until the gateway answers, but the UPDATE locks the rows (the whole database on
    # SQLite, the rows on PostgreSQL, where SKIP LOCKED lets a second sender take other rows) until commit.
    pending = sms_outbox.alias("pending")
    ids = (
        select(pending.c.message_id)
        .where(pending.c.campaign == campaign, pending.c.week == week, pending.c.status == "queued")
        .order_by(pending.c.message_id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(sms_outbox)
        .where(sms_outbox.c.status == "queued", sms_outbox.c.message_id.in_(ids))
        .values(attempts=sms_outbox.c.attempts + 1)
        .returning(
            sms_outbox.c.message_id, sms_outbox.c.phone, sms_outbox.c.body,
            sms_outbox.c.encoding, sms_outbox.c.segments, sms_outbox.c.attempts,
        )
    )  # fmt: skip
    return list(conn.execute(claim))


def send_queued(
    engine: Engine,
    campaign: str,
    week: int,
    gateway: Gateway,
    chunk_size: int = CHUNK,
    as_of: datetime | None = None,
) -> SendSummary:
    """Hand the week's queued messages to the gateway in chunks; a row leaves 'queued' once, when answered.

    At-least-once window: each chunk is claimed, sent and marked in one transaction. If the process dies after
    the gateway took a chunk but before the commit, those rows are still 'queued' and the next run sends them
    again (the file gateway then holds two lines for them); a gateway that raises rolls its chunk back the
    same way. Nothing else can send a message twice.
    A subscriber who opted out up to `as_of` (naive UTC, default now) is skipped; a backfill of past weeks
    passes the week's send_at, or every later opt-out would cancel that subscriber's earlier weeks.
    """
    sent = failed = retry_later = 0
    with engine.begin() as conn:
        skipped = _cancel_opted_out(conn, campaign, week, as_of or datetime.now(UTC).replace(tzinfo=None))
    while True:
        with engine.begin() as conn:
            rows = _claim(conn, campaign, week, chunk_size)
            if not rows:
                break
            outgoing = [
                OutgoingSms(r.message_id, campaign, week, r.phone, r.body, r.encoding, r.segments)
                for r in rows
            ]
            answers = {a.message_id: a for a in gateway.send(outgoing)}
            now = datetime.now(UTC)
            wired, final, retry = [], [], []
            for r in rows:
                answer = answers.get(r.message_id) or SendResult(r.message_id, False, None, "no answer", True)
                if answer.accepted:
                    wired.append({"mid": r.message_id, "gmid": answer.gateway_message_id})
                elif answer.transient and r.attempts < MAX_ATTEMPTS:
                    retry.append({"mid": r.message_id, "err": answer.error})
                else:
                    final.append({"mid": r.message_id, "err": answer.error})
            by_id = update(sms_outbox).where(sms_outbox.c.message_id == bindparam("mid"))
            if wired:
                values = {"status": "wired", "wired_at": now, "gateway_message_id": bindparam("gmid")}
                conn.execute(by_id.values(**values, gateway=gateway.name, error=None), wired)
            if final:
                conn.execute(
                    by_id.values(status="failed", gateway=gateway.name, error=bindparam("err")), final
                )
            if retry:
                conn.execute(by_id.values(error=bindparam("err")), retry)
        sent, failed, retry_later = sent + len(wired), failed + len(final), retry_later + len(retry)
        if retry:  # the gateway is struggling: stop here and let the task's retry back off
            break
    return SendSummary(sent, failed, skipped, retry_later)


def apply_delivery_reports(engine: Engine) -> int:
    """Move outbox rows forward from delivery reports; a late 'accepted' never undoes a final status."""
    o, r = sms_outbox, sms_delivery_reports.alias("r")
    of_row = r.c.message_id == o.c.message_id
    # The latest final report decides; on a tie, delivered wins. Final rows are never touched again.
    final_status = (
        select(case((r.c.status == "delivered", "delivered"), else_="undelivered"))
        .where(of_row, r.c.status.in_(FINAL_REPORTS))
        .order_by(r.c.status_at.desc(), case((r.c.status == "delivered", 0), else_=1))
        .limit(1)
        .scalar_subquery()
    )
    final_at = select(func.max(r.c.status_at)).where(of_row, r.c.status.in_(FINAL_REPORTS)).scalar_subquery()
    # 'queued' is included: a report for a queued row means the gateway took it in the at-least-once window.
    to_final = (
        update(o)
        .where(
            o.c.status.in_(("queued", "wired", "sent")), exists().where(of_row, r.c.status.in_(FINAL_REPORTS))
        )
        .values(status=final_status, final_at=final_at)
    )
    to_sent = (
        update(o)
        .where(o.c.status.in_(("queued", "wired")), exists().where(of_row, r.c.status.in_(INTERIM_REPORTS)))
        .values(status="sent")
    )
    with engine.begin() as conn:
        return conn.execute(to_final).rowcount + conn.execute(to_sent).rowcount
