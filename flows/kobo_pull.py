"""Flow: new Kobo submissions of a form into the warehouse; the cursor moves only once they are in."""

from __future__ import annotations

from prefect import flow, get_run_logger

from flows.ingest_file import ingest_file
from tasks.alerts.webhook import notify_failure
from tasks.ingest.models import BatchSummary
from tasks.sources.steps import DATASET, PARTNER, pull_submissions, record_pulled
from tasks.warehouse_schema import ensure_schema


@flow(name="kobo-pull", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def kobo_pull(asset_uid: str, base_url: str | None = None) -> BatchSummary | None:
    """Pull, ingest as partner "kobo", advance the cursor; a rejected file leaves the cursor where it was."""
    ensure_schema()
    pulled = pull_submissions(asset_uid, base_url)
    if pulled is None:
        get_run_logger().info("asset %s: nothing new on KoboToolbox", asset_uid)
        return None
    summary = ingest_file(pulled.path, DATASET, partner=PARTNER)  # raises BatchRejected: cursor untouched
    record_pulled(pulled)
    return summary
