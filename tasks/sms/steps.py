"""Prefect tasks over the outbox: queue a week, hand it to the gateway, apply delivery reports."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import task
from prefect.tasks import exponential_backoff

from malux.settings import get_settings
from tasks.sms.gateways import get_gateway
from tasks.sms.outbox import QueueResult, SendSummary, apply_delivery_reports, queue_week, send_queued
from warehouse.db import engine_for


@dataclass(frozen=True)
class BroadcastSummary:
    """One campaign week's broadcast: what was queued now or before, what the gateway took, what failed."""

    campaign: str
    week: int
    queued_new: int
    already_queued: int
    sent: int
    failed: int


class GatewayStruggling(RuntimeError):
    """The gateway answered some messages with a transient error; they stay queued for the retry."""


@task(name="queue-week")
def queue_week_task(campaign: str, week: int) -> QueueResult:
    """Compose and queue one row per subscriber; the outbox's unique key makes a re-run a no-op."""
    settings = get_settings()
    return queue_week(engine_for(settings.database_url), campaign, week, settings.config_dir)


@task(
    name="send-week",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=5),
    retry_condition_fn=lambda _task, _run, state: isinstance(
        state.result(raise_on_failure=False), GatewayStruggling
    ),
)
def send_week_task(campaign: str, week: int, gateway: str | None = None) -> SendSummary:
    """Send what is still queued; transient gateway errors are retried with back-off."""
    settings = get_settings()
    summary = send_queued(
        engine_for(settings.database_url), campaign, week, get_gateway(gateway or settings.sms_gateway)
    )
    if summary.retry_later:
        raise GatewayStruggling(
            f"{summary.retry_later} messages of {campaign} week {week} met a transient error"
        )
    return summary


@task(name="apply-delivery-reports")
def apply_delivery_reports_task() -> int:
    """Move outbox statuses forward from the delivery reports just loaded."""
    return apply_delivery_reports(engine_for(get_settings().database_url))
