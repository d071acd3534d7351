"""Flow: one campaign week's market SMS to every active subscriber, each message exactly once."""

from __future__ import annotations

from prefect import flow

from tasks.alerts.webhook import notify_failure
from tasks.sms.steps import BroadcastSummary, queue_week_task, send_week_task
from tasks.warehouse_schema import ensure_schema


@flow(name="weekly-broadcast", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def weekly_broadcast(campaign: str, week: int, gateway: str | None = None) -> BroadcastSummary:
    """Queue the week in the outbox (idempotent), then hand what is still queued to the gateway."""
    ensure_schema()
    queued = queue_week_task(campaign, week)
    sent = send_week_task(campaign, week, gateway)
    return BroadcastSummary(campaign, week, queued.queued_new, queued.already_queued, sent.sent, sent.failed)
