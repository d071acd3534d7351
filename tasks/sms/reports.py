"""Delivery reports move outbox rows forward: the precedence of final over interim reports, in one place.

The sender applies it to the rows it just wired (a report may beat its commit), the receiver to each batch it
stores, and `apply_delivery_reports` to every row after an export of reports is ingested.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Engine, Update, bindparam, case, exists, func, select, update

from warehouse.schema import sms_delivery_reports, sms_outbox
from warehouse.sms_status import (
    AWAITING_FINAL,
    BEFORE_SENT,
    FINAL_REPORTS,
    INTERIM_REPORTS,
    OutboxStatus,
    ReportStatus,
)


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
