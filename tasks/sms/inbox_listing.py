"""The incoming messages as `malux sms inbox` lists them: keyword and reply status, the sender masked."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, select

from tasks.sms.inbox import REPLY_CAMPAIGN
from tasks.sms.optout import mask_phone
from warehouse.schema import sms_inbox, sms_outbox


def inbox_rows(engine: Engine, since: date | None = None) -> list[dict]:
    """Every incoming message received on or after `since`, oldest first, with its reply's outbox status."""
    i, o = sms_inbox, sms_outbox
    query = (
        select(
            i.c.inbox_id,
            i.c.gateway,
            i.c.sender,
            i.c.received_at,
            i.c.text,
            i.c.keyword,
            i.c.language,
            i.c.beneficiary_id,
            i.c.reply_status,
            o.c.status.label("reply_outbox_status"),
        )  # fmt: skip
        .select_from(i.outerjoin(o, (o.c.campaign == REPLY_CAMPAIGN) & (o.c.week == i.c.inbox_id)))
        .order_by(i.c.received_at, i.c.inbox_id)
    )
    if since is not None:
        query = query.where(i.c.received_at >= datetime.combine(since, datetime.min.time()))
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    for row in rows:
        row["sender"] = mask_phone(row["sender"])
        row["received_at"] = row["received_at"].isoformat(sep=" ")
    return rows
