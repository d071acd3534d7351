"""Prefect tasks over the outbox: queue a week, hand it to the gateway, apply delivery reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from prefect import task
from prefect.client.orchestration import get_client
from prefect.concurrency.sync import rate_limit
from prefect.exceptions import ObjectNotFound
from prefect.tasks import exponential_backoff

from malux.settings import get_settings
from tasks.sms.gateways import get_gateway
from tasks.sms.outbox import (
    QueueResult,
    SendSummary,
    queue_week,
    send_queued,
)
from tasks.sms.reports import apply_delivery_reports
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


# The file gateway only writes a local file: a CLI run with it needs no rate limit on a Prefect server.
UNLIMITED_GATEWAYS = frozenset({"file"})


class GatewayStruggling(RuntimeError):
    """The gateway answered some messages with a transient error; they stay queued for the retry."""


def rate_limit_name(gateway: str) -> str:
    """The Prefect global concurrency limit that paces one gateway (deployments/limits.yaml)."""
    return f"sms-{gateway}"


def gateway_pace(gateway: str) -> Callable[[int], None] | None:
    """Takes n slots of the gateway's rate limit before a chunk of n is sent; a missing limit fails now.

    The limit's size caps one acquisition, so a limit of 1 decaying at N/s (deployments/limits.yaml) and a
    limit of 500 decaying at N/s both pace at N messages a second; the larger one costs one call per chunk.
    """
    if gateway in UNLIMITED_GATEWAYS:
        return None
    name = rate_limit_name(gateway)
    with get_client(sync_client=True) as client:
        try:
            size = max(1, client.read_global_concurrency_limit_by_name(name).limit)
        except ObjectNotFound as exc:
            raise RuntimeError(
                f"no Prefect rate limit {name!r} on this server to pace {gateway}: create it with "
                "`python deployments/setup_server.py` (deployments/limits.yaml) against this server"
            ) from exc

    def pace(n: int) -> None:
        for taken in range(0, n, size):
            rate_limit(name, occupy=min(size, n - taken), strict=True)

    return pace


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
    if summary.retry_later:
        raise GatewayStruggling(
            f"{summary.retry_later} messages of {campaign} week {week} met a transient error"
        )
    return summary


@task(name="apply-delivery-reports")
def apply_delivery_reports_task() -> int:
    """Move outbox statuses forward from the delivery reports just loaded."""
    return apply_delivery_reports(engine_for(get_settings().database_url))
