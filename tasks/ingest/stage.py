"""Standardise a registered file into canonical columns, staged as Parquet for the next task."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
from prefect import task

from malux.settings import get_settings
from tasks.ingest.models import BatchRejected, BatchTicket, StagedBatch, work_dir
from tasks.ingest.register import CANONICAL
from tasks.standardise.errors import InputError
from tasks.standardise.file import standardise_file
from warehouse import batches
from warehouse.db import engine_for

ISSUE_COLUMNS = ["source_row", "column", "value", "check", "reason"]


@task(name="standardise")
def standardise_batch(ticket: BatchTicket) -> StagedBatch:
    """Partner layout to canonical columns; a file that cannot be read at all rejects the batch."""
    settings = get_settings()
    partner = None if ticket.partner == CANONICAL else ticket.partner
    try:
        result = standardise_file(ticket.raw_path, ticket.dataset, partner, settings.config_dir)
    except InputError as exc:
        # The archived copy is what was read, but the person knows the file by the name they gave.
        message = str(exc).replace(str(ticket.raw_path), str(ticket.source))
        batches.reject(engine_for(settings.database_url), ticket.batch_id, message)
        raise BatchRejected(message) from exc
    folder = work_dir(settings.root, ticket.batch_id)
    rows_path, issues_path = folder / "standardised.parquet", folder / "standardise-issues.parquet"
    result.frame.to_parquet(rows_path, index=False)
    pd.DataFrame([asdict(i) for i in result.issues], columns=ISSUE_COLUMNS).astype(
        {"value": "object", "column": "object"}
    ).to_parquet(issues_path, index=False)
    return StagedBatch(ticket, rows_path, issues_path, result.rows_in, result.sheet)
