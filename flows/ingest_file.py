"""Flow: one partner file into the warehouse, every row loaded or held back with its reason."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from tasks.alerts.webhook import notify_failure
from tasks.ingest.after_load import run_after_load
from tasks.ingest.models import BatchSummary
from tasks.ingest.publish import publish_batch
from tasks.ingest.register import previous_summary, register_batch
from tasks.ingest.stage import standardise_batch
from tasks.ingest.unfinished import failed_unless_finished
from tasks.validate.steps import validate_batch
from tasks.warehouse_schema import ensure_schema


@flow(name="ingest-file", log_prints=True, on_failure=[notify_failure], on_crashed=[notify_failure])
def ingest_file(path: Path, dataset: str, partner: str | None = None) -> BatchSummary:
    """Register, standardise, validate, publish; the same file twice is recognised and changes nothing."""
    ensure_schema()
    ticket = register_batch(path, dataset, partner)
    if ticket.already_ingested:
        return previous_summary(ticket)
    with failed_unless_finished(ticket):  # a crash marks the batch failed, with its reason
        staged = standardise_batch(ticket)
        verdict = validate_batch(staged)
        summary = publish_batch(verdict)
    run_after_load(dataset)  # the dataset's declared hooks: delivery reports advance the outbox
    return summary
