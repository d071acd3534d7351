"""An incoming SMS stored once, read, and answered by exactly one outbox row keyed by it.

The inbox row and its reply are written in one transaction; the inbox's unique keys (gateway id, and sender
+ time + text) make a request the gateway delivers twice store once and queue no second reply. The reply is
an ordinary outbox row (campaign `mo`, week = the inbox id, message_id `mo-<inbox_id>`), so the broadcast's
sender code sends it: claims, in-doubt rule, delivery reports, cost. Its beneficiary_id is `inbox-<id>`, not
the subscriber's, so a STOP's own confirmation is not cancelled as an opted-out subscriber's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from tasks.sms.encoding import analyse, clean_typography
from tasks.sms.keywords import PRICE, START, STOP, SUBSCRIBE, UNSUBSCRIBE, keywords_config, parse
from tasks.sms.optout import record_optout
from tasks.sms.price_answer import price_reply
from tasks.sms.subscriptions import subscription_reply
from tasks.standardise.phones import normalise_phone
from warehouse.schema import beneficiaries, sms_inbox, sms_optout, sms_outbox
from warehouse.sms_status import OutboxStatus

REPLY_CAMPAIGN = "mo"
QUEUED, CAPPED, NONE = "queued", "capped", "none"
_UNSENT = (OutboxStatus.QUEUED, OutboxStatus.CLAIMED, OutboxStatus.SENDING)


@dataclass(frozen=True)
class Incoming:
    """One incoming message as the gateway gave it."""

    gateway: str
    sender: str
    text: str
    received_at: datetime  # naive UTC
    receiver: str | None = None
    gateway_message_id: str | None = None


@dataclass(frozen=True)
class Stored:
    """What storing a message did: its inbox id, whether it was new, and the week of its reply if one."""

    inbox_id: int
    new: bool
    reply_week: int | None


def reply_message_id(inbox_id: int) -> str:
    return f"{REPLY_CAMPAIGN}-{inbox_id}"


def _existing(conn: Connection, m: Incoming, sender: str) -> int | None:
    same_id = and_(sms_inbox.c.gateway == m.gateway, sms_inbox.c.gateway_message_id == m.gateway_message_id)
    same_request = and_(
        sms_inbox.c.sender == sender, sms_inbox.c.received_at == m.received_at, sms_inbox.c.text == m.text
    )
    condition = or_(same_id, same_request) if m.gateway_message_id else same_request
    return conn.scalar(select(sms_inbox.c.inbox_id).where(condition).limit(1))


def _replies_today(conn: Connection, sender: str, day_start: datetime) -> tuple[int, bool]:
    """Replies queued for this number since the day began, and whether it was already told of the cap."""
    rows = dict(
        conn.execute(
            select(sms_inbox.c.reply_status, func.count())
            .where(sms_inbox.c.sender == sender, sms_inbox.c.received_at >= day_start)
            .group_by(sms_inbox.c.reply_status)
        ).all()
    )
    return rows.get(QUEUED, 0), rows.get(CAPPED, 0) > 0


def _answer(
    conn: Connection, keyword: str, words: tuple, ids: list[str], cercle: str | None, texts: dict, cfg: dict,
    at: datetime,
) -> str:  # fmt: skip
    """The reply text, after doing what the keyword asks (an opt-out, or back in)."""
    if keyword == PRICE:
        return price_reply(conn, words, cercle, texts, cfg)
    if keyword == STOP:
        record_optout(conn, ids, at, "stop_reply")
        return texts["stop"]
    if keyword in (SUBSCRIBE, UNSUBSCRIBE):
        return subscription_reply(conn, keyword == SUBSCRIBE, words, ids, texts, cfg, at)
    if keyword == START:
        if ids:
            conn.execute(delete(sms_optout).where(sms_optout.c.beneficiary_id.in_(ids)))
        return texts["start"]
    return texts["help"]  # help, and anything MALUX does not know


def store_and_answer(engine: Engine, m: Incoming, daily_cap: int, config_dir: Path | None = None) -> Stored:
    """Store the message and queue its one reply, in one transaction; a repeated request changes nothing."""
    cfg = keywords_config(config_dir)
    phone = normalise_phone(m.sender)
    sender = (phone.e164 or m.sender.strip())[:32]
    request = parse(m.text, cfg)
    try:
        with engine.begin() as conn:
            known = _existing(conn, m, sender)
            if known is not None:
                return Stored(known, False, None)
            people = (
                conn.execute(
                    select(beneficiaries.c.beneficiary_id, beneficiaries.c.language, beneficiaries.c.cercle)
                    .where(beneficiaries.c.phone == phone.e164)
                    .order_by(beneficiaries.c.beneficiary_id)
                ).all()
                if phone.valid
                else []
            )
            ids = [p.beneficiary_id for p in people]
            language = people[0].language if people else None
            if language not in cfg["languages"]:
                language = cfg["default_language"]
            texts = cfg["languages"][language]
            replied, told = _replies_today(conn, sender, m.received_at.replace(hour=0, minute=0, second=0))
            if not phone.valid:
                status, body = NONE, None  # no number to answer
            elif replied < daily_cap:
                status = QUEUED
                cercle = people[0].cercle if people else None
                body = _answer(conn, request.keyword, request.words, ids, cercle, texts, cfg, m.received_at)
            elif not told:
                status, body = CAPPED, texts["capped"].format(cap=daily_cap)
            else:
                status, body = NONE, None
            if status == NONE and request.keyword in (STOP, START):  # an opt-out is honoured even unanswered
                _answer(conn, request.keyword, request.words, ids, None, texts, cfg, m.received_at)
            inbox_id = conn.execute(
                insert(sms_inbox).values(
                    gateway=m.gateway,
                    gateway_message_id=m.gateway_message_id,
                    sender=sender,
                    receiver=(m.receiver or None) and m.receiver[:32],
                    text=m.text,
                    received_at=m.received_at,
                    keyword=request.keyword,
                    beneficiary_id=ids[0] if ids else None,
                    language=language,
                    reply_status=status,
                    stored_at=datetime.now(UTC),
                )  # fmt: skip
            ).inserted_primary_key[0]
            if body is None:
                return Stored(inbox_id, True, None)
            body = clean_typography(body)
            shape = analyse(body)
            conn.execute(
                insert(sms_outbox).values(
                    message_id=reply_message_id(inbox_id),
                    campaign=REPLY_CAMPAIGN,
                    week=inbox_id,
                    beneficiary_id=f"inbox-{inbox_id}",
                    phone=phone.e164,
                    operator=phone.operator,
                    language=language,
                    body=body,
                    encoding=shape.encoding,
                    segments=shape.segments,
                    scheduled_at=m.received_at,
                    status=OutboxStatus.QUEUED,
                    attempts=0,
                    queued_at=datetime.now(UTC),
                )  # fmt: skip
            )
            return Stored(inbox_id, True, inbox_id)
    except IntegrityError:  # the same request, stored by a concurrent delivery of it a moment ago
        with engine.connect() as conn:
            known = _existing(conn, m, sender)
        if known is None:
            raise
        return Stored(known, False, None)


def unsent_reply_weeks(engine: Engine, older_than: timedelta = timedelta(0)) -> list[int]:
    """Replies still to send (queued, or held by a sender that may have died): what a restart picks up."""
    cutoff = datetime.now(UTC) - older_than
    with engine.connect() as conn:
        return list(
            conn.scalars(
                select(sms_outbox.c.week)
                .where(
                    sms_outbox.c.campaign == REPLY_CAMPAIGN,
                    sms_outbox.c.status.in_(_UNSENT),
                    sms_outbox.c.queued_at <= cutoff,
                )
                .order_by(sms_outbox.c.week)
            )
        )
