"""The stored statuses of an SMS: of its outbox row (`sms_outbox.status`) and of a delivery report.

They live in the warehouse because its analyst views count them too; the groups name the questions the
pipeline asks (was it accepted by the gateway? can a report still move it?), so no caller spells a tuple.
"""

from __future__ import annotations

from enum import StrEnum


class OutboxStatus(StrEnum):
    """Where one outbox row is, from queued to its final status; the values are what the table stores.

    A row goes queued -> claimed -> sending -> wired (accepted by the gateway) -> sent (an interim report)
    -> delivered | undelivered; failed is a send the gateway refused for good or an opt-out before sending.
    """

    QUEUED = "queued"
    CLAIMED = "claimed"
    SENDING = "sending"
    WIRED = "wired"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


class ReportStatus(StrEnum):
    """What a gateway's delivery report says (`sms_delivery_reports.status`)."""

    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    BUFFERED = "buffered"


# Messages the gateway has accepted: wired means its request was answered "accepted".
ACCEPTED_BY_GATEWAY = (
    OutboxStatus.WIRED,
    OutboxStatus.SENT,
    OutboxStatus.DELIVERED,
    OutboxStatus.UNDELIVERED,
)
# Rows a final delivery report may still move; 'queued' is included, as a report for a queued row means the
# gateway took it in the at-least-once window.
AWAITING_FINAL = (
    OutboxStatus.QUEUED, OutboxStatus.CLAIMED, OutboxStatus.SENDING, OutboxStatus.WIRED, OutboxStatus.SENT,
)  # fmt: skip
# Rows an interim report ('accepted', 'buffered') moves to 'sent'.
BEFORE_SENT = (OutboxStatus.QUEUED, OutboxStatus.CLAIMED, OutboxStatus.SENDING, OutboxStatus.WIRED)

FINAL_REPORTS = (ReportStatus.DELIVERED, ReportStatus.UNDELIVERED, ReportStatus.REJECTED)
INTERIM_REPORTS = (ReportStatus.ACCEPTED, ReportStatus.BUFFERED)


def sql_list(statuses: tuple[StrEnum, ...]) -> str:
    """A group as an SQL list of literals, for the plain-SQL views: `'wired', 'sent'`."""
    return ", ".join(f"'{s.value}'" for s in statuses)
