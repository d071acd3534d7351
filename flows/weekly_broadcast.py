"""Flow: one campaign week's market SMS to every active subscriber, each message exactly once."""

from __future__ import annotations

from prefect import flow
from prefect.states import Cancelled, State

from tasks.alerts.webhook import notify_failure
from tasks.sms.resumption import gave_up
from tasks.sms.steps import BroadcastSummary, queue_week_task, send_week_task, week_settled_task
from tasks.warehouse_schema import ensure_schema


@flow(name="weekly-broadcast", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def weekly_broadcast(
    campaign: str, week: int, gateway: str | None = None, resumption: int = 0
) -> BroadcastSummary | State:
    """Queue the week in the outbox (idempotent), then hand what is still queued to the gateway.

    resumption: set by the server when it runs a crashed or failed broadcast again
    (deployments/automations/resume-*.yaml); a settled week then ends at once.
    """
    ensure_schema()
    if resumption:
        why = gave_up(campaign, week, resumption)
        if why:
            return Cancelled(message=why)
        settled = week_settled_task(campaign, week)
        if settled is not None:
            print(f"{campaign} week {week} is settled ({settled} messages): nothing to resume")
            return BroadcastSummary(campaign, week, 0, settled, 0, 0)
    queued = queue_week_task(campaign, week)
    sent = send_week_task(campaign, week, gateway, must_settle=resumption > 0)
    return BroadcastSummary(
        campaign, week, queued.queued_new, queued.already_queued, sent.sent, sent.failed, sent.held
    )
