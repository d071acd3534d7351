"""Prefect tasks over the outbox: queue a week, hand it to the gateway, apply delivery reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from prefect import task
from prefect.tasks import exponential_backoff

from malux.settings import get_settings
from tasks.sms.claims import Unsettled
from tasks.sms.gateways import get_gateway
from tasks.sms.outbox import (
    QueueResult,
    SendSummary,
    queue_week,
    send_queued,
)
from tasks.sms.rate_limits import gateway_pace
from tasks.sms.reports import apply_delivery_reports
from tasks.sms.resumption import WeekNotSettled, settled_rows
from warehouse.db import engine_for


@dataclass(frozen=True)
class BroadcastSummary:
    """One campaign week's broadcast: what was queued now or before, what the gateway took, what failed,
    and what a run (this one, another, or one that died) still holds unsettled, until when."""

    campaign: str
    week: int
    queued_new: int
    already_queued: int
    sent: int
    failed: int
    held: Unsettled = Unsettled(0, 0, None)


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
def send_week_task(
    campaign: str, week: int, gateway: str | None = None, must_settle: bool = False
) -> SendSummary:
    """Send what is still queued; transient gateway errors are retried with back-off.

    must_settle (a resumed run): rows still held at the end fail the task, so the server resumes again.
    """
    settings = get_settings()
    name = gateway or settings.sms.gateway
    in_doubt_after = timedelta(seconds=settings.sms.in_doubt_seconds)
    claim_lease = timedelta(seconds=settings.sms.claim_lease_seconds)
    summary = send_queued(
        engine_for(settings.database_url),
        campaign,
        week,
        get_gateway(name),
        pace=gateway_pace(name),
        in_doubt_after=in_doubt_after,
        claim_lease=claim_lease,
    )
    held = summary.held.describe(campaign, week)
    if held:
        print(held)  # the run's log (log_prints); the CLI prints it from the summary
        if must_settle:
            raise WeekNotSettled(held)
    if summary.retry_later:
        raise GatewayStruggling(
            f"{summary.retry_later} messages of {campaign} week {week} met a transient error"
        )
    return summary


@task(name="week-settled")
def week_settled_task(campaign: str, week: int) -> int | None:
    """The week's row count when no row is left to send or in doubt, else None (tasks/sms/resumption.py)."""
    return settled_rows(engine_for(get_settings().database_url), campaign, week)


@task(name="apply-delivery-reports")
def apply_delivery_reports_task() -> int:
    """Move outbox statuses forward from the delivery reports just loaded."""
    return apply_delivery_reports(engine_for(get_settings().database_url))
